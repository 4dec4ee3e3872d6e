//! The two models on the same game (docs/models.md): Nim, on two headless phones in one
//! Chromium install on one machine, played several times in a server-mode room (every move goes
//! through the server, which checks it) and in a peer-to-peer room (the host's phone runs the
//! rules; the moves go over a WebRTC data channel on loopback).
//!
//! For every move it measures the latency from the mover's tap (a click listener in the mover's
//! board frame) to the other phone's board showing the new heap (a MutationObserver in that
//! frame), on clocks aligned to the machine's wall clock; and the bytes through the server: each
//! page's WebSocket is wrapped (`WebSocket.prototype.send`, and a `message` listener on the socket
//! that first sends), so every byte either page sends or receives is logged, tagged with the part
//! of the test it belongs to. Pings (every 20 s, whatever the model) are counted apart. Then the
//! host's page goes in the middle of a game: in p2p the game is over for the other phone; in
//! server mode the seat is held, and the host comes back to it and plays on.
//!
//! It asserts only the facts the models claim (no bytes through the server during a p2p game,
//! some in server mode; what the other phone says when the host leaves), never a time: the
//! machine is shared. The figures are printed and written to `target/artifacts/models.json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::common::raw::{Raw, teacher};
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// As in p2p_rooms.rs: loopback candidates, and host addresses without mDNS names, so two
/// browsers on one machine connect with host candidates only, as phones on one network do.
/// And no back/forward cache, so that a page navigated away from is gone (its socket closed).
const WEBRTC_ON_LOOPBACK: [&str; 2] = [
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns,BackForwardCache",
];

/// Stones in each game, and measured games per mode: one stone a move, so 100 moves a mode
/// (with 100, the p99 is the 99th, not the slowest).
const STONES: u32 = 25;
const GAMES: usize = 4;
/// A bound on each mode's whole run, so that a stuck loop fails instead of hanging.
const MODE_BUDGET: Duration = Duration::from_secs(300);

/// Installed in a page (the top document): logs every WebSocket message as [part, dir, kind,
/// bytes], and every data channel message sent as [part, "dc", kind, bytes]. `kind` is the
/// message's `type`, or "reply:" and the request's type for a reply; a ping and its pong are
/// "keepalive". A ping is sent at once (the page pings when the browser says it is online), so
/// the socket that is already open is caught now.
const TAP_SOCKETS: &str = r#"
if (!window.__tap) {
  const tap = window.__tap = { part: "setup", log: [], sockets: new WeakSet(), ids: new Map() };
  const size = (d) => typeof d === "string" ? new TextEncoder().encode(d).length : (d.byteLength ?? d.size ?? 0);
  const parse = (d) => { try { return JSON.parse(d); } catch { return null; } };
  const kindOut = (m) => !m ? "?" : m.type === "ping" ? "keepalive" : String(m.type);
  const kindIn = (m) => {
    if (!m) return "?";
    if (m.re !== undefined && m.re !== null) {
      const asked = tap.ids.get(m.re);
      return asked === "ping" ? "keepalive" : "reply:" + asked;
    }
    return String(m.type);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!tap.sockets.has(this)) {
      tap.sockets.add(this);
      this.addEventListener("message", (e) => tap.log.push([tap.part, "in", kindIn(parse(e.data)), size(e.data)]));
    }
    const m = parse(data);
    if (m && m.id !== undefined) tap.ids.set(m.id, m.type);
    tap.log.push([tap.part, "out", kindOut(m), size(data)]);
    return send.call(this, data);
  };
  const dcSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    const m = parse(data);
    tap.log.push([tap.part, "dc", m && m.t ? String(m.t) : "?", size(data)]);
    return dcSend.call(this, data);
  };
}
dispatchEvent(new Event("online"));
return true;
"#;

/// Installed in a board frame: a clock on the machine's wall clock with the page's
/// high-resolution timer (the offset of `timeOrigin + now()` from `Date.now()`, averaged over a
/// few milliseconds: the same bias in every page, so it cancels in a difference), every tap
/// (with the heap as it was), and every heap the board showed, when it first showed it.
const TAP_FRAME: &str = r#"
const hr = () => performance.timeOrigin + performance.now();
let offset = 0, n = 0;
const until = Date.now() + 4;
while (Date.now() < until) { offset += hr() - Date.now(); n += 1; }
offset /= n;
const clock = () => hr() - offset;
const m = window.__m = { taps: [], seen: [] };
const heap = () => { const e = document.querySelector("[data-testid=stones]"); return e ? e.textContent : null; };
let last = heap();
m.seen.push([last, clock()]);
addEventListener("click", () => m.taps.push([heap(), clock()]), true);
new MutationObserver(() => {
  const now = heap();
  if (now !== last) { last = now; m.seen.push([now, clock()]); }
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
return true;
"#;

/// Installed in a page: the wall-clock time at which `test` (a JS expression) first holds.
const WATCH: &str = r#"
window.__watched = null;
const hit = () => { if (window.__watched === null && (TEST)) window.__watched = Date.now(); };
new MutationObserver(hit).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
hit();
return true;
"#;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Server,
    P2p,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Server => "server",
            Mode::P2p => "p2p",
        }
    }
}

/// What one mode measured.
struct Figures {
    mode: Mode,
    latencies_ms: Vec<f64>,
    /// The same, the host's moves and the other player's.
    by_mover: [Vec<f64>; 2],
    /// Bytes and messages through the server during the games, by direction and kind.
    by_kind: BTreeMap<String, (u64, usize)>,
    moves: usize,
    /// Bytes through the server during the games (both players, both ways), pings apart.
    game_bytes: u64,
    game_messages: usize,
    keepalive_bytes: u64,
    /// Bytes through the server between the games (the rematches), pings apart.
    between_bytes: u64,
    /// Bytes the phones sent each other over the data channel during the games.
    channel_bytes: u64,
    /// From the second phone's join to the data channel open, both phones: signalling (the
    /// signals, their `ok`s and the signals pushed), and everything else the server carried.
    signal_bytes: u64,
    signal_messages: usize,
    setup_bytes: u64,
    /// The server's own count of the room's signalling (the console's `signal_bytes`).
    server_signal_bytes: u64,
    /// What the other phone showed once the host's page went, and how soon.
    host_left: Value,
}

fn wall_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64() * 1000.0
}

/// The nearest-rank percentile `p` of `sorted`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A script that holds when the board frame's heap reads exactly "`left` stones left" (a
/// `contains` would take "12 stones left" for 2).
fn heap_is(left: u32) -> String {
    format!(
        "const e = document.querySelector('[data-testid=stones]'); \
         return !!e && e.textContent === '{left} stones left';"
    )
}

/// A phone that creates a room of Nim with `STONES` stones, peer to peer or not: its code.
async fn create_nim_room(page: &Page, name: &str, mode: Mode) -> String {
    page.open("/").await;
    page.type_into("[data-testid=name-input]", name).await;
    page.click("[data-testid=name-submit]").await;
    page.wait_visible("[data-testid=screen-home]").await;
    page.click("[data-testid=game-nim]").await;
    page.type_into("[data-testid=opt-stones]", &STONES.to_string()).await;
    if mode == Mode::P2p {
        page.click("[data-testid=room-p2p]").await;
    }
    page.click("[data-testid=create-room]").await;
    page.wait_text("[data-testid=room-code]", "").await
}

async fn tap_sockets(page: &Page) {
    assert_eq!(page.js(TAP_SOCKETS).await, json!(true));
}

async fn set_part(pages: [&Page; 2], part: &str) {
    for page in pages {
        page.js(&format!("window.__tap.part = {part:?}; return true;")).await;
    }
}

/// One message a page logged (see `TAP_SOCKETS`).
struct Logged {
    /// The part of the test: "setup", "lobby", "game", "between".
    part: String,
    /// "out" or "in" on the WebSocket, "dc" sent on the data channel.
    dir: String,
    kind: String,
    bytes: u64,
}

/// Every message both pages logged.
async fn logs(pages: [&Page; 2]) -> Vec<Logged> {
    let mut all = Vec::new();
    for page in pages {
        let log = page.js("return window.__tap.log;").await;
        for e in log.as_array().expect("a log") {
            let s = |i: usize| e[i].as_str().unwrap_or_default().to_owned();
            let bytes = e[3].as_u64().unwrap_or(0);
            all.push(Logged { part: s(0), dir: s(1), kind: s(2), bytes });
        }
    }
    all
}

/// One game, one stone a move, whoever's turn it is tapping "Take 1" until the heap is empty:
/// the latency of each move, from the tap to the other board showing it, with who moved (0 for
/// the room's host, 1 for the other).
async fn play_one_game(pages: [&Page; 2], deadline: Instant) -> Vec<(usize, f64)> {
    for page in pages {
        page.frame_wait_js("the new heap", &heap_is(STONES)).await;
        assert_eq!(page.frame_js(TAP_FRAME).await, Some(json!(true)), "{}", page.name());
    }
    set_part(pages, "game").await;
    let my_turn = "return !!document.querySelector('[data-testid=take-1]');";
    let first = pages[0]
        .wait_for("someone's turn", async || {
            for (i, page) in pages.iter().enumerate() {
                if page.frame_js(my_turn).await == Some(json!(true)) {
                    return Some(i);
                }
            }
            None
        })
        .await;
    let mut mover = first;
    let mut left = STONES;
    while left > 0 {
        assert!(Instant::now() < deadline, "the games took too long ({left} stones left)");
        pages[mover].frame_click("[data-testid=take-1]").await;
        left -= 1;
        for page in [pages[1 - mover], pages[mover]] {
            page.frame_wait_js(&format!("{left} stones left"), &heap_is(left)).await;
        }
        mover = 1 - mover;
    }
    for page in pages {
        page.wait_text("[data-testid=status]", "won").await;
    }
    // Whatever the last move still brings (the mover's `ok`) is part of the game.
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_part(pages, "between").await;

    let mut frames = Vec::new();
    for page in pages {
        let m = page.frame_js("const m = window.__m; delete window.__m; return m;").await;
        frames.push(m.expect("the frame's figures"));
    }
    let stones = |v: &Value| v[0].as_str().and_then(|t| t.split(' ').next()?.parse::<u32>().ok());
    let mut latencies = Vec::new();
    for (me, other) in [(0, 1), (1, 0)] {
        for tap in frames[me]["taps"].as_array().expect("taps") {
            let (Some(before), Some(at)) = (stones(tap), tap[1].as_f64()) else { continue };
            let shown = frames[other]["seen"].as_array().expect("seen").iter().find(|s| {
                stones(s) == Some(before - 1) && s[1].as_f64().is_some_and(|t| t >= at - 5.0)
            });
            let shown = shown.unwrap_or_else(|| panic!("{before} - 1 never shown: {frames:?}"));
            latencies.push((me, shown[1].as_f64().unwrap() - at));
        }
    }
    assert_eq!(latencies.len(), STONES as usize, "one tap a move: {frames:?}");
    latencies
}

/// Plays `GAMES` games of Nim in a room of `mode` and has the host leave in the next one.
async fn measure(driver: &Driver, server: &TestServer, mode: Mode) -> Figures {
    let base = format!("http://{}", server.addr);
    let deadline = Instant::now() + MODE_BUDGET;
    let (ana_name, bo_name) = match mode {
        Mode::Server => ("models-server-ana", "models-server-bo"),
        Mode::P2p => ("models-p2p-ana", "models-p2p-bo"),
    };
    let ana = driver.phone_with(ana_name, &base, &WEBRTC_ON_LOOPBACK).await;
    let code = create_nim_room(&ana, "Ana", mode).await;
    tap_sockets(&ana).await;
    ana.wait_js(
        "the open socket caught",
        "return window.__tap.log.some((e) => e[2] === 'keepalive' && e[1] === 'in');",
    )
    .await;
    set_part([&ana, &ana], "room").await;
    // Bo's page is wrapped before it says hello, so his whole set-up is counted.
    let bo = driver.phone_with(bo_name, &base, &WEBRTC_ON_LOOPBACK).await;
    bo.open(&format!("/join/{code}")).await;
    bo.wait_text("[data-testid=name-joining]", &code).await;
    tap_sockets(&bo).await;
    set_part([&ana, &bo], "setup").await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=room-code-small]", &code).await;
    ana.wait_text("[data-testid=players]", "Bo").await;
    if mode == Mode::P2p {
        for page in [&ana, &bo] {
            page.wait_visible("[data-testid=p2p-note][data-link=open]").await;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_part([&ana, &bo], "lobby").await;
    let pages = [&ana, &bo];

    ana.click("[data-testid=start]").await;
    let mut latencies = Vec::new();
    for game in 0..GAMES {
        latencies.extend(play_one_game(pages, deadline).await);
        if game == 0 {
            ana.shot(&format!("models-{}-won", mode.name())).await;
        }
        rematch(pages, mode).await;
    }

    // Counted before the host's page goes (and takes its log with it).
    let log = logs([&ana, &bo]).await;
    let sum = |f: &dyn Fn(&Logged) -> bool| -> (u64, usize) {
        let hits: Vec<_> = log.iter().filter(|e| f(e)).collect();
        (hits.iter().map(|e| e.bytes).sum(), hits.len())
    };
    let game = |e: &Logged| e.part == "game" && e.dir != "dc";
    let (game_bytes, game_messages) = sum(&|e| game(e) && e.kind != "keepalive");
    let (keepalive_bytes, _) = sum(&|e| game(e) && e.kind == "keepalive");
    let between = |e: &Logged| e.part == "between" && e.dir != "dc" && e.kind != "keepalive";
    let (between_bytes, _) = sum(&between);
    let (channel_bytes, _) = sum(&|e| e.part == "game" && e.dir == "dc");
    let setup = |e: &Logged| e.part == "setup" && e.dir != "dc";
    let signal = |e: &Logged| e.kind == "signal" || e.kind == "reply:signal";
    let (signal_bytes, signal_messages) = sum(&|e| setup(e) && signal(e));
    let (setup_bytes, _) = sum(&|e| setup(e) && e.kind != "keepalive");
    let mut by_kind = BTreeMap::<String, (u64, usize)>::new();
    for e in log.iter().filter(|e| game(e)) {
        let entry = by_kind.entry(format!("{} {}", e.dir, e.kind)).or_default();
        *entry = (entry.0 + e.bytes, entry.1 + 1);
    }

    // The next game: two moves, then the host's page goes.
    for page in pages {
        page.frame_wait_js("the new heap", &heap_is(STONES)).await;
    }
    for left in [STONES - 1, STONES - 2] {
        let my_turn = "return !!document.querySelector('[data-testid=take-1]');";
        let mover = pages[0]
            .wait_for("someone's turn", async || {
                for (i, page) in pages.iter().enumerate() {
                    if page.frame_js(my_turn).await == Some(json!(true)) {
                        return Some(i);
                    }
                }
                None
            })
            .await;
        pages[mover].frame_click("[data-testid=take-1]").await;
        for page in pages {
            page.frame_wait_js(&format!("{left} stones left"), &heap_is(left)).await;
        }
    }
    let test = match mode {
        Mode::P2p => {
            "(document.querySelector('[data-testid=p2p-problem]')?.textContent || '').includes('host (Ana) left')"
        }
        Mode::Server => {
            "[...document.querySelectorAll('[data-testid^=side-]')].some((s) => s.textContent.includes('Ana') && s.textContent.includes('offline'))"
        }
    };
    bo.js(&WATCH.replace("TEST", test)).await;
    ana.assert_no_script_errors().await;
    let left_at = wall_ms();
    ana.goto("about:blank").await;
    let host_left = match mode {
        Mode::P2p => {
            bo.wait_text("[data-testid=p2p-problem]", "The game ended because the host (Ana) left")
                .await;
            bo.wait_text("[data-testid=status]", "Game over").await;
            let noticed = bo.js("return window.__watched;").await.as_f64().expect("seen");
            bo.shot("models-p2p-host-left").await;
            json!({
                "game_over": true,
                "other_phone_says": bo.text("[data-testid=p2p-problem]").await,
                "noticed_after_ms": noticed - left_at,
            })
        }
        Mode::Server => {
            let side = "[...document.querySelectorAll('[data-testid^=side-]')]\
                        .find((s) => s.textContent.includes('Ana'))?.textContent ?? null";
            bo.wait_js(
                "Ana's side to say offline",
                &format!("return window.__watched !== null && !!({side});"),
            )
            .await;
            let noticed = bo.js("return window.__watched;").await.as_f64().expect("seen");
            let says = bo.js(&format!("return {side};")).await;
            // The game is still on: the same heap, no result.
            bo.frame_wait_js("the heap kept", &heap_is(STONES - 2)).await;
            let status = bo.text("[data-testid=status]").await;
            assert!(!status.contains("Game over") && !status.contains("won"), "{status}");
            bo.shot("models-server-host-away").await;
            // Ana's phone comes back (the same browser, its token and room kept): her seat.
            ana.open("/").await;
            ana.wait_text("[data-testid=room-code-small]", &code).await;
            ana.frame_wait_js("her board back", &heap_is(STONES - 2)).await;
            let mover =
                if ana.frame_js("return !!document.querySelector('[data-testid=take-1]');").await
                    == Some(json!(true))
                {
                    &ana
                } else {
                    &bo
                };
            mover.frame_click("[data-testid=take-1]").await;
            for page in pages {
                page.frame_wait_js("the game goes on", &heap_is(STONES - 3)).await;
            }
            json!({
                "game_over": false,
                "seat_held": true,
                "other_phone_says": says,
                "status": status,
                "noticed_after_ms": noticed - left_at,
                "host_came_back_and_played_on": true,
            })
        }
    };
    bo.assert_no_script_errors().await;

    let login = json!({"type": "login", "username": "mslee", "password": "a long passphrase"});
    let overview = Raw::connect(server, login).await.ask(json!({"type": "admin_overview"})).await;
    let rooms = overview["rooms"].as_array().expect("rooms");
    let room = rooms.iter().find(|r| r["code"] == code.as_str()).expect("the room is listed");
    let server_signal_bytes = room["signal_bytes"].as_u64().unwrap_or(0);
    if mode == Mode::P2p {
        // The server ran no game in this room.
        assert_eq!((&room["phase"], &room["game_no"]), (&json!("lobby"), &json!(0)), "{room}");
    }
    for page in [ana, bo] {
        page.close().await;
    }
    let moves = latencies.len();
    let mut by_mover = [Vec::new(), Vec::new()];
    for &(mover, ms) in &latencies {
        by_mover[mover].push(ms);
    }
    Figures {
        mode,
        latencies_ms: latencies.iter().map(|l| l.1).collect(),
        by_mover,
        by_kind,
        moves,
        game_bytes,
        game_messages,
        keepalive_bytes,
        between_bytes,
        channel_bytes,
        signal_bytes,
        signal_messages,
        setup_bytes,
        server_signal_bytes,
        host_left,
    }
}

/// After a game, the next one: in a p2p room the host's "Play again"; in a server-mode room
/// both ask for a rematch, and it starts after its countdown.
async fn rematch(pages: [&Page; 2], mode: Mode) {
    match mode {
        Mode::P2p => pages[0].click("[data-testid=rematch]").await,
        Mode::Server => {
            for page in pages {
                page.click("[data-testid=rematch]").await;
            }
        }
    }
}

impl Figures {
    fn json(&self) -> Value {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let per_move = self.game_bytes as f64 / self.moves as f64;
        let p50 = |list: &[f64]| {
            let mut sorted = list.to_vec();
            sorted.sort_by(f64::total_cmp);
            percentile(&sorted, 50.0)
        };
        let by_kind: serde_json::Map<String, Value> = self
            .by_kind
            .iter()
            .map(|(k, (bytes, n))| (k.clone(), json!({"bytes": bytes, "messages": n})))
            .collect();
        json!({
            "moves": self.moves,
            "latency_ms": {
                "p50": percentile(&sorted, 50.0),
                "p99": percentile(&sorted, 99.0),
                "min": sorted[0],
                "max": sorted[sorted.len() - 1],
                "p50_host_moves": p50(&self.by_mover[0]),
                "p50_other_moves": p50(&self.by_mover[1]),
            },
            "server_during_games_by_message": by_kind,
            "server_bytes_per_move": per_move,
            "server_messages_per_move": self.game_messages as f64 / self.moves as f64,
            "server_bytes_during_games": self.game_bytes,
            "keepalive_bytes_during_games": self.keepalive_bytes,
            "server_bytes_between_games": self.between_bytes,
            "channel_bytes_per_move": self.channel_bytes as f64 / self.moves as f64,
            "setup": {
                "signal_bytes": self.signal_bytes,
                "signal_messages": self.signal_messages,
                "all_bytes": self.setup_bytes,
                "server_signal_bytes": self.server_signal_bytes,
            },
            "host_left": self.host_left,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_models_measured_on_the_same_game_of_nim() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("models").await else { return };
    let server = TestServer::start().await;
    // The teacher's account, for the console's own count of each room's signalling.
    drop(teacher(&server).await);

    let figures =
        [measure(&driver, &server, Mode::Server).await, measure(&driver, &server, Mode::P2p).await];
    let [served, p2p] = &figures;

    // The claims the models make: every move goes through the server in server mode; none of
    // it does in a p2p room (the moves go over the data channel), once the phones are
    // introduced.
    assert!(served.game_bytes > 0, "server mode: the moves go through the server");
    assert_eq!(served.channel_bytes, 0, "server mode: no data channel");
    assert_eq!(p2p.game_bytes, 0, "p2p: no byte of the game through the server");
    assert!(p2p.channel_bytes > 0, "p2p: the moves went over the data channel");
    assert!(p2p.signal_messages >= 3, "an offer, an answer, candidates");
    assert_eq!(served.signal_bytes, 0, "server mode: no signalling");
    assert_eq!(served.host_left["seat_held"], true);
    assert_eq!(p2p.host_left["game_over"], true);

    let report = json!({
        "game": "nim",
        "stones": STONES,
        "games_per_mode": GAMES,
        "server": served.json(),
        "p2p": p2p.json(),
    });
    let mut block = String::from("models: the same game of Nim in both modes\n");
    for f in &figures {
        let j = f.json();
        block += &format!(
            "  {:<6} {} moves: latency p50 {:.1} ms, p99 {:.1} ms (min {:.1}, max {:.1}; p50 of \
             the host's moves {:.1}, of the other's {:.1}); \
             through the server {:.0} B/move ({:.1} messages/move, pings apart: {} B), \
             over the data channel {:.0} B/move; set-up signalling {} B in {} messages \
             (server's count {} B; all set-up {} B); host leaves: {}\n",
            f.mode.name(),
            f.moves,
            j["latency_ms"]["p50"].as_f64().unwrap(),
            j["latency_ms"]["p99"].as_f64().unwrap(),
            j["latency_ms"]["min"].as_f64().unwrap(),
            j["latency_ms"]["max"].as_f64().unwrap(),
            j["latency_ms"]["p50_host_moves"].as_f64().unwrap(),
            j["latency_ms"]["p50_other_moves"].as_f64().unwrap(),
            j["server_bytes_per_move"].as_f64().unwrap(),
            j["server_messages_per_move"].as_f64().unwrap(),
            f.keepalive_bytes,
            j["channel_bytes_per_move"].as_f64().unwrap(),
            f.signal_bytes,
            f.signal_messages,
            f.server_signal_bytes,
            f.setup_bytes,
            f.host_left,
        );
    }
    eprintln!("{block}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts directory");
    let path = dir.join("models.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).expect("models.json");
    eprintln!("models: written to {}", path.canonicalize().unwrap_or(path).display());
}
