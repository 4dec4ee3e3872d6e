//! Three nodes, one NATS, one PostgreSQL, all on 127.0.0.1 (docs/scale-out.md): players on
//! different nodes play a whole game and chat; a player has one live connection across nodes;
//! a node killed with -9 mid-game hands its room to another node, and the game finishes with
//! nothing acknowledged lost; NATS restarted mid-game, the cluster carries on.

mod common;
#[path = "../../store/tests/support/postgres.rs"]
mod postgres_support;

use std::time::{Duration, Instant};

use capital_client::{Client, Incoming};
use capital_protocol::{Phase, Role};
use common::nats::Nats;
use common::process::Process;
use common::*;
use postgres_support::Postgres;
use serde_json::json;

/// A cluster of `n` real `capital` nodes (named a, b, c...) on one database and one NATS.
struct Cluster {
    nodes: Vec<Process>,
    _dirs: Vec<tempfile::TempDir>,
}

fn cluster(n: usize, store: &str, nats: &Nats) -> Cluster {
    let mut nodes = Vec::new();
    let mut dirs = Vec::new();
    for i in 0..n {
        let dir = tempfile::tempdir().unwrap();
        let name = ((b'a' + i as u8) as char).to_string();
        let args = ["--store", store, "--cluster", &nats.url(), "--node-name", &name];
        nodes.push(Process::start(dir.path(), &args));
        dirs.push(dir);
    }
    Cluster { nodes, _dirs: dirs }
}

impl Cluster {
    fn url(&self, node: usize) -> &str {
        &self.nodes[node].url
    }
}

/// Skips what comes until the connection is closed; the close code.
async fn closed_with(client: &mut Client, within: Duration) -> Option<u16> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.next_event(left).await {
            Ok(Incoming::Closed(code)) => return code.map(|(code, _)| code),
            Ok(_) => {}
            Err(e) => panic!("the connection was not closed in {within:?}: {e}"),
        }
    }
}

/// `request` retried while the cluster answers `busy` (a room moving, NATS reconnecting), at
/// most `within`.
async fn retried<T>(
    within: Duration,
    mut request: impl AsyncFnMut() -> Result<T, capital_client::ClientError>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match request().await {
            Ok(done) => return done,
            Err(e) if Instant::now() < deadline => {
                eprintln!("retrying: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("still failing after {within:?}: {e}"),
        }
    }
}

fn setup() -> Option<(&'static Postgres, Nats)> {
    let pg = Postgres::get()?;
    let nats = Nats::start()?;
    Some((pg, nats))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_on_two_nodes_play_a_game_and_chat_and_have_one_live_connection() {
    let Some((pg, nats)) = setup() else { return };
    let nodes = cluster(3, &pg.database(), &nats);
    let mut a = Client::connect(nodes.url(0)).await.unwrap();
    let mut b = Client::connect(nodes.url(1)).await.unwrap();
    a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    let joined = b.join_room(&code, Role::Player, None).await.unwrap();
    let seated = joined.room.unwrap().seats.iter().filter(|s| s.player.is_some()).count();
    assert_eq!(seated, 2, "Bo, on node b, sits in node a's room");
    a.start(&code).await.unwrap();
    a.play(&code, json!({"cell": 0})).await.unwrap();
    b.play(&code, json!({"cell": 4})).await.unwrap();
    b.chat(&code, "hello from node b", "b1").await.unwrap();
    let said = event_where(&mut a, |e| kind_of(&e.event) == "chat").await;
    assert!(format!("{:?}", said.event).contains("hello from node b"), "{said:?}");
    let refused = b.play(&code, json!({"cell": 5})).await.unwrap_err();
    assert_eq!(refused.code(), Some(capital_protocol::ErrorCode::NotYourTurn), "{refused}");
    tictactoe_finished(&mut a, &mut b, &code).await;

    // Bo opens the game on a third node: the connection on node b closes as replaced, and the
    // new one reaches the room (on node a) as Bo.
    let c = Client::connect(nodes.url(2)).await.unwrap();
    c.hello("", Some(&bo.token)).await.unwrap();
    assert_eq!(closed_with(&mut b, WAIT).await, Some(4000), "replaced by the newer connection");
    let joined = c.join_room(&code, Role::Player, None).await.unwrap();
    assert_eq!(joined.chat.last().unwrap().text, "hello from node b");
    // An unknown code is no room on any node.
    let none = c.join_room("ZZZZ", Role::Player, None).await.unwrap_err();
    assert_eq!(none.code(), Some(capital_protocol::ErrorCode::NoSuchRoom), "{none}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_game_hands_its_room_to_another_and_the_game_finishes() {
    let Some((pg, nats)) = setup() else { return };
    let mut nodes = cluster(3, &pg.database(), &nats);
    let a = Client::connect(nodes.url(0)).await.unwrap();
    let mut b = Client::connect(nodes.url(1)).await.unwrap();
    let ana = a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    let code = tictactoe_begun(&a, &b).await;
    // Ana (on the room's node) chats as fast as it answers; the node is killed meanwhile.
    let talking = chat_until_refused(a, code.clone());
    tokio::time::sleep(Duration::from_millis(400)).await;
    nodes.nodes[0].kill();
    let killed = Instant::now();
    let acknowledged = talking.await.unwrap();
    assert!(acknowledged.len() > 5, "the chatter was busy: {}", acknowledged.len());

    // Bo's node closes his connection once another node runs the room: he reconnects.
    assert_eq!(closed_with(&mut b, Duration::from_secs(20)).await, Some(4003), "room moved");
    let moved = killed.elapsed();
    eprintln!("the room ran on another node {} ms after kill -9", moved.as_millis());
    let b = Client::connect(nodes.url(1)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    let a = Client::connect(nodes.url(2)).await.unwrap();
    a.hello("", Some(&ana.token)).await.unwrap();
    let joined = retried(WAIT, async || a.join_room(&code, Role::Player, None).await).await;
    let room = joined.room.unwrap();
    assert_eq!(room.phase, Phase::Playing);
    assert_eq!(
        room.state.unwrap()["board"],
        json!(["X", null, null, null, "O", null, null, null, null])
    );
    let stored = all_chat(&a, &code).await;
    for line in &acknowledged {
        assert!(stored.contains(line), "acknowledged {line:?} was lost");
    }
    let mut b = b;
    retried(WAIT, async || b.join_room(&code, Role::Player, None).await).await;
    let mut a = a;
    tictactoe_finished(&mut a, &mut b, &code).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_restarted_mid_game_the_cluster_recovers() {
    let Some((pg, mut nats)) = setup() else { return };
    let nodes = cluster(2, &pg.database(), &nats);
    let mut a = Client::connect(nodes.url(0)).await.unwrap();
    let mut b = Client::connect(nodes.url(1)).await.unwrap();
    a.hello("Ana", None).await.unwrap();
    b.hello("Bo", None).await.unwrap();
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    a.play(&code, json!({"cell": 0})).await.unwrap();

    nats.kill();
    // Once the nodes saw NATS go (at once: its socket closed), the room's own node still serves
    // it; the other node refuses at once, sending nothing (a request in flight at the moment
    // NATS died may be lost or late, as on any network: docs/scale-out.md).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = b.play(&code, json!({"cell": 4})).await.unwrap_err();
    assert_eq!(refused.code(), Some(capital_protocol::ErrorCode::Busy), "{refused}");
    a.chat(&code, "while NATS was down", "a1").await.unwrap();
    nats.up();

    // Once the nodes are back on NATS, Bo's requests reach the room again.
    retried(Duration::from_secs(15), async || b.play(&code, json!({"cell": 4})).await).await;
    tictactoe_finished(&mut a, &mut b, &code).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_to_a_player_offline_is_delivered_once_on_another_node() {
    let Some((pg, nats)) = setup() else { return };
    let nodes = cluster(3, &pg.database(), &nats);
    let a = Client::connect(nodes.url(0)).await.unwrap();
    let ana = a.hello("Ana", None).await.unwrap();
    let bo = {
        let b = Client::connect(nodes.url(1)).await.unwrap();
        b.hello("Bo", None).await.unwrap()
    };
    // Bo is offline; Ana's node stores the message.
    let seq = a.dm(&bo.player_id, "are you there?", "m1").await.unwrap();
    assert_eq!(seq, 1);

    // Bo comes back on the third node: the message is pushed there, once.
    let mut b = Client::connect(nodes.url(2)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    let got = next_dm(&mut b).await;
    assert_eq!((got.seq, got.from.as_str()), (1, ana.player_id.as_str()));
    assert_eq!(got.text, "are you there?");
    // His answer from there follows it in the conversation (no seq taken twice).
    assert_eq!(b.dm(&ana.player_id, "here, on node c", "r1").await.unwrap(), 2);
    drop(b);

    // Back on Ana's node, nothing is pushed again: delivered once.
    let mut b = Client::connect(nodes.url(0)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    assert_quiet(&mut b).await;
    let (history, _) = a.dm_history(&bo.player_id, None, None, None).await.unwrap();
    let texts: Vec<&str> = history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["are you there?", "here, on node c"]);
}

/// The next push to `client` that `pick` takes, skipping others.
async fn push_where<T>(
    client: &mut Client,
    mut pick: impl FnMut(capital_protocol::ServerMsg) -> Option<T>,
) -> T {
    loop {
        let push = client.next_push(WAIT).await.expect("a pushed message");
        if let Some(found) = pick(push) {
            return found;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages_between_nodes_are_pushed_and_receipted_and_outlive_the_hubs_node() {
    use capital_protocol::{ReceiptStatus, ServerMsg};
    let Some((pg, nats)) = setup() else { return };
    let db = pg.database();
    let mut nodes = cluster(3, &db, &nats);
    // The cluster's one hub runs on one of the nodes: Ana and Bo are on the two others.
    let deadline = Instant::now() + WAIT;
    let hub = loop {
        let node = pg.psql_value(&db, "SELECT node FROM room_leases WHERE code = 'dm-hub'");
        if let Some(hub) = ["a", "b", "c"].iter().position(|n| node == *n) {
            break hub;
        }
        assert!(Instant::now() < deadline, "no node runs the hub");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (x, y) = match hub {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let mut a = Client::connect(nodes.url(x)).await.unwrap();
    let mut b = Client::connect(nodes.url(y)).await.unwrap();
    let ana = a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    assert_eq!(a.dm(&bo.player_id, "live across nodes", "m1").await.unwrap(), 1);
    let got = next_dm(&mut b).await;
    assert_eq!((got.seq, got.text.as_str()), (1, "live across nodes"), "pushed at once");
    let delivered = push_where(&mut a, |m| match m {
        ServerMsg::DmReceipt { seq, status: ReceiptStatus::Delivered, .. } => Some(seq),
        _ => None,
    });
    assert_eq!(delivered.await, 1, "Ana hears it was delivered");

    // The hub's node dies: another node runs the hub, and the two go on talking.
    nodes.nodes[hub].kill();
    let killed = Instant::now();
    let seq = retried(Duration::from_secs(20), async || {
        b.dm(&ana.player_id, "after the hub moved", "r1").await
    })
    .await;
    eprintln!("direct messages went again {} ms after kill -9", killed.elapsed().as_millis());
    assert_eq!(seq, 2, "the conversation's sequence carries on");
    let got = next_dm(&mut a).await;
    assert_eq!((got.seq, got.text.as_str()), (2, "after the hub moved"));
    // And presence crosses nodes: Bo leaves, Ana sees him go.
    drop(b);
    let offline = push_where(&mut a, |m| match m {
        ServerMsg::Presence { player, online: false, .. } => Some(player),
        _ => None,
    });
    assert_eq!(offline.await, bo.player_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_codes_through_another_node_is_bounded_while_a_game_goes_on() {
    use capital_protocol::ErrorCode;
    let Some((pg, nats)) = setup() else { return };
    let nodes = cluster(2, &pg.database(), &nats);
    let mut a = Client::connect(nodes.url(0)).await.unwrap();
    let mut b = Client::connect(nodes.url(1)).await.unwrap();
    a.hello("Ana", None).await.unwrap();
    b.hello("Bo", None).await.unwrap();
    let code = tictactoe_begun(&a, &b).await;
    // Eve, on node b from another address, tries codes: each miss asks the cluster (NATS, the
    // leases), and past the address's limit (30 a minute) she is refused before any of that.
    let eve = Client::connect_from(nodes.url(1), "127.0.0.3".parse().unwrap()).await.unwrap();
    eve.hello("Eve", None).await.unwrap();
    const ALPHABET: &[u8] = b"ACDEFGHJKMNPRTWXY";
    let guesses = ALPHABET
        .iter()
        .flat_map(|x| ALPHABET.iter().map(move |y| format!("AA{}{}", *x as char, *y as char)));
    let mut guesses = guesses.filter(|g| *g != code);
    let mut misses = 0;
    let limited = loop {
        let guess = guesses.next().unwrap();
        match eve.join_room(&guess, Role::Player, None).await.unwrap_err().code() {
            Some(ErrorCode::NoSuchRoom) => misses += 1,
            Some(ErrorCode::RateLimited) => break misses,
            other => panic!("guess {guess}: {other:?}"),
        }
        assert!(misses <= 31, "no limit after {misses} misses");
    };
    assert_eq!(limited, 30);
    let refused = eve.join_room(&code, Role::Player, None).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::RateLimited), "the real code too, now");
    // Meanwhile the game across the two nodes goes on.
    tictactoe_finished(&mut a, &mut b, &code).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_whose_node_dies_is_seen_disconnected_and_comes_back_through_another() {
    let Some((pg, nats)) = setup() else { return };
    let mut nodes = cluster(3, &pg.database(), &nats);
    let mut a = Client::connect(nodes.url(0)).await.unwrap();
    let b = Client::connect(nodes.url(1)).await.unwrap();
    a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    let code = tictactoe_begun(&a, &b).await;
    // Bo's node dies: the room's node hears no more of his connection there, and within its
    // heartbeat lets go of it; Ana sees him disconnected, his seat held.
    nodes.nodes[1].kill();
    let gone = tokio::time::timeout(Duration::from_secs(15), async {
        event_where(&mut a, |e| kind_of(&e.event) == "disconnected").await
    });
    let gone = gone.await.expect("Bo seen disconnected within 15 s");
    let seat = room_of(&gone)
        .seats
        .iter()
        .find(|s| s.player.as_ref().is_some_and(|p| p.id == bo.player_id));
    assert!(!seat.expect("his seat is held").player.as_ref().unwrap().connected);
    // His phone reconnects to the third node and he plays on.
    let mut b = Client::connect(nodes.url(2)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    b.join_room(&code, Role::Player, None).await.unwrap();
    event_of(&mut a, "reconnected").await;
    tictactoe_finished(&mut a, &mut b, &code).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_of_the_same_name_is_refused() {
    let Some((pg, nats)) = setup() else { return };
    let db = pg.database();
    let _nodes = cluster(1, &db, &nats);
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capital"))
        .args(["serve", "--bind", "127.0.0.1:0", "--mdns", "false", "--data"])
        .arg(dir.path())
        .args(["--store", &db, "--cluster", &nats.url(), "--node-name", "a"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("another node named a is running"), "{said}");
}
