// The big screen and the two models (docs/models.md). In a peer-to-peer room the screen is a
// peer of the host's phone, with no seat (p2p/peer.js): the host sends it the spectators' view,
// which the screen draws as it draws a server-mode game, and its figures. For a game that can be
// played both ways (a script game), a panel compares the two models live, with this room's own
// figures: how long a move takes (from the tap to the mover's phone having the answer: the
// server's, or the host phone's), the bytes the server sent per move, the signalling it relayed,
// and what happens when the host's phone leaves or cheats. The server-mode and signalling figures
// are the server's (`room_stats`, asked every few seconds while the panel shows); the
// peer-to-peer moves and times are the host phone's, sent to this screen over the data channel.
//
// env: { request(type, fields) -> Promise, redraw() }

import { Peer } from "./p2p/peer.js";
import { h, fill } from "./dom.js";
import { findMember, memberName } from "./seats.js";
import { serverGame } from "./games/index.js";

/** How often the panel asks the server for the room's figures (ms). */
const REFRESH_MS = 3000;

const $ = (id) => document.getElementById(id);

export function createModels({ request, redraw }) {
  let code = null;
  let room = null;
  let peer = null; // Peer, in a p2p room
  let served = null; // the server's figures (room_stats)
  let p2pFigures = null; // the host phone's last {t: "stats"}, kept after the room goes back to server mode
  let timer = null;

  const signal = (to, data) => request("signal", { code, to, data });

  /** The room changed: link to the host's phone in a p2p room, and keep the panel fresh. */
  function sync(next) {
    room = next;
    if (!next) return;
    if (code !== next.code) {
      code = next.code;
      served = p2pFigures = null;
      closePeer();
    }
    if (next.mode === "p2p") {
      if (peer && peer.host !== next.host) closePeer();
      if (!peer) peer = new Peer(next.host, signal, changed, () => {}, { screen: true });
      if (!peer.linked && !peer.failed && hostConnected(next)) peer.hello();
    } else {
      closePeer();
    }
    const shown = comparable(next);
    if (shown && !timer) {
      timer = setInterval(refresh, REFRESH_MS);
      refresh();
    } else if (!shown && timer) {
      clearInterval(timer);
      timer = null;
    }
  }

  function closePeer() {
    if (peer) peer.close();
    peer = null;
  }

  function changed() {
    if (peer && peer.stats) p2pFigures = peer.stats;
    redraw();
  }

  async function refresh() {
    if (!room) return;
    const asked = room.code;
    try {
      const got = await request("room_stats", { code: asked });
      if (asked !== code) return;
      served = got;
      draw();
    } catch {
      // Offline, or the room closed: the figures stay as they were.
    }
  }

  /** A `signal` push from the host's phone. */
  function onSignal(msg) {
    if (peer && msg.code === code && msg.from === peer.host) peer.heard(msg.data || {});
  }

  /** The room to draw: in a p2p room, with the game as the host's phone sent it. */
  function overlay(r) {
    if (!r || r.mode !== "p2p" || r.code !== code || !peer || !peer.view) return r;
    const shown = peer.view;
    const over = shown.phase === "over" || peer.hostLeft;
    return { ...r, phase: over ? "over" : "playing", state: shown.state, turn: over ? [] : shown.turn, outcome: shown.outcome };
  }

  /** What the screen says about a p2p room's link, when something is wrong (else null). */
  function problem(r) {
    if (!r || r.mode !== "p2p" || !peer) return null;
    const name = hostName(r);
    if (peer.hostLeft) return `The game ended because the host (${name}) left.`;
    if (peer.failed) return `This screen could not connect directly to ${name}'s phone: it shows the game when it can.`;
    return null;
  }

  /** Draws the panel into #bs-models (empty for a game that runs only on the server). */
  function draw() {
    const box = $("bs-models");
    if (!box) return;
    if (!room || !comparable(room)) {
      fill(box);
      box.hidden = true;
      return;
    }
    box.hidden = false;
    fill(box, panel(room));
  }

  return { sync, onSignal, overlay, problem, draw };

  function panel(r) {
    const s = served ? served.server : null;
    const p = p2pFigures;
    const sig = served ? served.p2p : null;
    const server = {
      moves: s ? `${s.games} / ${s.moves}` : "–",
      time: s && s.p50_ms != null ? `${s.p50_ms} / ${s.p99_ms} ms` : "–",
      bytes: s && s.moves ? `${Math.round(s.bytes_sent / s.moves).toLocaleString("en")} B` : "–",
      signalling: "none",
    };
    const peer2peer = {
      moves: p ? `${p.games} / ${p.moves}` : "–",
      time: p && p.p50_ms != null ? `${p.p50_ms} / ${p.p99_ms} ms` : "–",
      // The server refuses every move of a p2p room: it never carries one.
      bytes: p && p.moves ? "0 B" : "–",
      signalling: sig && sig.signals ? `${sig.signal_bytes.toLocaleString("en")} B in ${sig.signals}` : "–",
    };
    const now = r.mode === "p2p" ? "p2p" : "server";
    const row = (label, a, b, testid) =>
      h(
        "tr",
        { "data-testid": testid },
        h("th", { scope: "row" }, label),
        h("td", { "data-mode": "server", "data-now": String(now === "server"), "data-testid": `${testid}-server` }, a),
        h("td", { "data-mode": "p2p", "data-now": String(now === "p2p"), "data-testid": `${testid}-p2p` }, b),
      );
    const grace = "its seat is held; the game waits";
    return [
      h("h2", { class: "section-title" }, "Two models, measured here"),
      h(
        "table",
        { class: "bs-models-table", "data-testid": "models-panel", "data-mode": now },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("td", {}),
            h("th", { scope: "col", "data-now": String(now === "server") }, "Through the server"),
            h("th", { scope: "col", "data-now": String(now === "p2p") }, "Peer to peer"),
          ),
        ),
        h(
          "tbody",
          {},
          row("Games / moves", server.moves, peer2peer.moves, "models-moves"),
          row("Move time, p50 / p99", server.time, peer2peer.time, "models-time"),
          row("Server bytes per move", server.bytes, peer2peer.bytes, "models-bytes"),
          row("Signalling via the server", server.signalling, peer2peer.signalling, "models-signalling"),
          row("The host's phone leaves", grace, "the game is over", "models-host-leaves"),
          row("A cheating host", "sees only its own cards", "sees every card, runs the rules", "models-cheat"),
        ),
      ),
      h(
        "p",
        { class: "bs-models-note", "data-testid": "models-now" },
        r.mode === "p2p"
          ? `Now: ${hostName(r)}'s phone runs the game; the server only introduced the phones.`
          : "Now: the server runs the game; the host's phone can make the next game peer to peer.",
        " Move time: from the tap to the mover's phone having the answer.",
      ),
    ];
  }
}

/** Whether the room's game can be played both ways (a script game). */
function comparable(room) {
  const g = serverGame(room.game);
  return !!(g && (g.author || g.board));
}

function hostConnected(room) {
  const m = findMember(room, room.host);
  return !!(m && m.connected);
}

const hostName = (room) => memberName(room, room.host);
