// A peer-to-peer room on this page (`mode: "p2p"`, docs/protocol.md): the server keeps the
// lobby, the seats and the chat; the game runs on the host's phone (host.js) and reaches the
// others over WebRTC data channels (signal.js, peer.js). This module is what the room screen
// (room.js) asks: sync() after every change of the room, onSignal() for the `signal` pushes,
// overlay() for the room to draw (the server's room with the game as the host sent it), take()
// for the requests that are not the server's here (start, move), and line() for what the room
// says about the model it is in.

import { GameHost } from "./host.js";
import { Peer } from "./peer.js";
import { Link } from "./signal.js";
import { findMember } from "../seats.js";

/** Big screens one host's phone links to (a screen says it is one in its hello). */
const MAX_SCREENS = 2;

/** An error the room screen shows in words (a `code`, so it is not taken for a lost connection). */
const refusal = (code, message) => Object.assign(new Error(message), { code });

/**
 * @param {object} env
 * @param {(type: string, fields: object) => Promise<unknown>} env.request  a server request
 * @param {() => void} env.redraw  draws the room again
 * @param {(text: string) => void} env.toast
 */
export function createP2p({ request, redraw, toast }) {
  let code = null; // the p2p room this page is in
  let me = null;
  let game = null; // GameHost, on the host's phone
  let mine = null; // the last view of my own seat (host)
  const links = new Map(); // player id -> Link (host)
  const screens = new Set(); // the ids of the links that are big screens (host)
  let ownSent = null; // when the host's own move in flight was tapped (performance.now())
  let peer = null; // Peer, on any other player's phone
  let early = []; // signals pushed before the room they are for was drawn

  const signal = (to, data) => request("signal", { code, to, data });

  function reset() {
    if (game) game.close();
    for (const l of links.values()) l.close();
    links.clear();
    screens.clear();
    if (peer) peer.close();
    game = mine = peer = null;
    code = me = null;
  }

  /** The room changed (or was drawn again): make or end what this phone needs for it. */
  function sync(room, meId) {
    if (!room || room.mode !== "p2p" || !meId) {
      if (code) reset();
      return;
    }
    const hosting = room.host === meId;
    if (code !== room.code || me !== meId || (hosting ? !game : game)) reset();
    code = room.code;
    me = meId;
    if (hosting) {
      if (!game) game = new GameHost(room.game, sendTo, watched);
    } else if (seated(room, meId)) {
      if (!peer || peer.host !== room.host) {
        if (peer) peer.close();
        peer = new Peer(room.host, signal, redraw, (why) => toast(`That move is not allowed: ${why}.`));
      }
      if (!peer.linked && !peer.failed && findMember(room, room.host)?.connected) peer.hello();
    }
    const held = early;
    early = [];
    for (const msg of held) onSignal(msg);
  }

  /** A `signal` push: for the host, a player's hello or their answer; for a player, the host's. */
  function onSignal(msg) {
    if (msg.code !== code) {
      if (early.length < 50) early.push(msg);
      return;
    }
    const data = msg.data || {};
    if (game) {
      if (data.hello) {
        // The players link to the host; so may a few big screens, to watch (no seat, no moves).
        const screen = data.screen === true && !game.players.includes(msg.from);
        if (screen && !screens.has(msg.from) && screens.size >= MAX_SCREENS) return;
        links.get(msg.from)?.close();
        const link = hostLink(msg.from);
        links.set(msg.from, link);
        if (screen) screens.add(msg.from);
        else screens.delete(msg.from);
        link.offer().catch((err) => console.warn(`p2p offer: ${err.message}`));
        redraw();
      } else {
        links.get(msg.from)?.heard(data).catch((err) => console.warn(`p2p: ${err.message}`));
      }
    } else if (peer && msg.from === peer.host) {
      peer.heard(data);
    }
  }

  function hostLink(id) {
    return new Link({
      peer: id,
      offerer: true,
      signal: (data) => signal(id, data),
      onOpen: () => {
        // What this member sees now: a player's seat, or a screen's spectators' view (null).
        const seat = screens.has(id) ? null : game.seatOf(id);
        if (seat !== null || screens.has(id)) game.resend(seat).catch(() => {});
        redraw();
      },
      onMessage: (msg, link) => {
        if (!game || links.get(id) !== link || screens.has(id)) return;
        const seat = game.seatOf(id);
        if (seat === null) return;
        if (msg.t === "took") {
          game.took(seat, msg.ms);
          return;
        }
        if (msg.t !== "move") return;
        game.play(seat, msg.move).then(
          (why) => why && link.send({ t: "invalid", why }),
          (err) => link.send({ t: "invalid", why: err.message }),
        );
      },
      onClose: () => redraw(),
    });
  }

  /** The host's game sends a seat its view: mine is drawn here, the others go over their link;
   * seat null: to the big screens. */
  function sendTo(seat, msg) {
    if (seat === null) {
      for (const id of screens) links.get(id)?.send(msg);
      return;
    }
    const id = game.players[seat];
    if (id === me) {
      mine = msg;
      if (ownSent !== null && msg.t === "view") {
        // My own move's answer: from the tap to my board, for the screen's figures.
        game.took(seat, performance.now() - ownSent);
        ownSent = null;
      }
      redraw();
    } else {
      links.get(id)?.send(msg);
    }
  }

  /** Whether a big screen's link is open (it gets the spectators' view and the figures). */
  function watched() {
    for (const id of screens) if (links.get(id)?.state === "open") return true;
    return false;
  }

  /** The room to draw: the server's, with the game as this phone knows it. */
  function overlay(room) {
    if (!room || room.mode !== "p2p" || room.code !== code) return room;
    const shown = game ? mine : peer && peer.view;
    if (!shown) return room;
    const over = shown.phase === "over" || (peer && peer.hostLeft);
    return { ...room, phase: over ? "over" : "playing", state: shown.state, turn: over ? [] : shown.turn, outcome: shown.outcome };
  }

  /** A request the server does not take in a p2p room, done here: a promise, or null when the
   * request is the server's. */
  function take(type, fields, room) {
    if (!room || room.mode !== "p2p" || room.code !== code) return null;
    const done = type === "start" ? start(room) : type === "move" ? move(room, fields.move) : null;
    // The rules' own errors (a rule that throws, a script that did not load) are said in words.
    return done && done.catch((err) => {
      throw err.code ? err : refusal("p2p", `The game's rules failed: ${err.message}`);
    });
  }

  /** After "Could not connect directly": ask the host's phone again. */
  function retry() {
    if (!peer) return;
    peer.close();
    peer.failed = false;
    redraw();
  }

  async function start(room) {
    if (!game) throw refusal("not_host", "Only the host starts the game");
    const taken = room.seats.filter((s) => s.player);
    if (taken.some((s, i) => s.seat !== i)) throw refusal("p2p", "The seats must be taken in order, from the first");
    const away = taken.filter((s) => s.player.id !== me && links.get(s.player.id)?.state !== "open");
    if (away.length) throw refusal("p2p", `Not connected directly to ${away.map((s) => s.player.name).join(", ")} yet`);
    await game.start(taken.map((s) => s.player.id), room.options || {});
  }

  async function move(room, mv) {
    if (game) {
      const seat = game.seatOf(me);
      ownSent = performance.now();
      let why;
      try {
        why = seat === null ? "you have no seat in this game" : await game.play(seat, mv);
      } finally {
        ownSent = null; // timed as my board got it (sendTo), or not taken
      }
      if (why) throw refusal("illegal_move", why);
    } else if (!peer || !peer.move(mv)) {
      throw refusal("p2p", "Not connected to the host's phone");
    }
  }

  /** What the room says about the model: {text, problem, link, retry?, serverInstead?} (problem:
   * null when all is well; retry: a way on, when this phone may ask again; serverInstead: the
   * host may turn the room to server mode, change_game with mode "server"). */
  function line(room) {
    if (!room || room.mode !== "p2p") return null;
    const host = findMember(room, room.host);
    const hostName = host ? host.name : "The host";
    if (game) {
      const others = room.seats.filter((s) => s.player && s.player.id !== me);
      const failed = others.filter((s) => links.get(s.player.id)?.state === "failed");
      const open = others.every((s) => links.get(s.player.id)?.state === "open");
      const names = failed.map((s) => `${s.player.name}'s phone`).join(", ");
      return {
        text: "Peer to peer: your phone runs the game; the server only introduced you.",
        problem: failed.length ? `Could not connect directly to ${names}.` : null,
        link: failed.length ? "failed" : open ? "open" : "connecting",
        serverInstead: failed.length > 0 && room.phase !== "playing",
      };
    }
    const text = `Peer to peer: ${hostName}'s phone runs the game; the server only introduced you.`;
    if (!peer) return { text, problem: null, link: "none" };
    if (peer.hostLeft) return { text, problem: `The game ended because the host (${hostName}) left.`, link: "closed" };
    if (peer.failed) {
      const problem = `Could not connect directly to ${hostName}'s phone. Try again, or ${hostName} can choose to play through the server.`;
      return { text, problem, link: "failed", retry };
    }
    return { text, problem: null, link: peer.link ? peer.link.state : "none" };
  }

  // The host's page goes (closed, reloaded, navigated away): the players hear it at once.
  addEventListener("pagehide", () => {
    for (const l of links.values()) {
      l.send({ t: "bye" });
      l.close();
    }
  });

  return { sync, onSignal, overlay, take, line, reset };
}

function seated(room, id) {
  return room.seats.some((s) => s.player && s.player.id === id);
}
