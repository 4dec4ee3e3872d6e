// Light cycles (crates/games/src/light_cycles.rs): a real-time arena for 2 to 8 players. Every
// cycle moves one cell a tick (20 a second, or the room's `speed`) and leaves a wall; the last
// one riding wins the round, the most rounds won wins the game. The view is the same for everyone: `width`, `height`,
// `grid` (a character a cell, row by row: "." or "a".."h", the wall of seat 0..7), `cycles`
// ({x, y, dir, alive} a seat), `round`, `rounds`, `scores`, `pause` (ticks before the next round)
// and `round_winner`.
//
// A real-time module: the room's events draw the board once (board() hands back the same arena
// every time, so nothing restarts), then the server's frames go to frame(), which keeps the last
// two and updates the words. The arena itself (the canvas, the scores, the steering) is
// light_cycles_arena.js. Phones steer with four big arrows, a swipe on the arena, or the
// keyboard's arrows; an input is sent at once and never answered.

import { rememberedName } from "../seats.js";
import { Arena, COLOURS, ended } from "./light_cycles_arena.js";

/** The arena on show: a page shows one room, so one arena (a new game makes a new one). */
let live = null;

function board(room, ctx) {
  const key = `${room.code}/${room.game_no}/${ctx.big ? "big" : "phone"}/${ctx.seat}`;
  if (!live || live.key !== key) {
    if (live) live.stop();
    live = new Arena(key, ctx);
  }
  live.update(room, ctx);
  return live.root;
}

/** A frame for the room on show (boards.js applyFrame): the arena keeps it if it is newer. */
function frame(room, msg) {
  if (live && live.key.startsWith(`${room.code}/${room.game_no}/`)) live.frame(room, msg.state, msg.tick_ms);
}

/** The status line: riding, out, or the round's result. */
function status(room, me) {
  const st = room.state;
  if (!st || !st.cycles) return null;
  const riding = st.cycles.filter((c) => c.alive).length;
  if (ended(st)) {
    const w = st.round_winner;
    const text = w === null || w === undefined
      ? `Round ${st.round}: nobody survived`
      : w === me ? `You won round ${st.round}!` : `${rememberedName(room, w)} won round ${st.round}`;
    return { text, detail: st.pause > 0 ? "Next round in a moment" : "", mood: w === me && me !== null ? "win" : "info" };
  }
  if (me === null) return { text: `Round ${st.round} of ${st.rounds}: ${riding} riding`, mood: "info" };
  const mine = st.cycles[me];
  if (mine && mine.alive) {
    return { text: `Riding: you are ${COLOURS[me % 8]}`, mood: "you" };
  }
  return { text: "You crashed", detail: `${riding} still riding`, mood: "lose" };
}

function lastMove(room) {
  const st = room.state;
  if (!st || !st.cycles || !ended(st)) return "";
  const w = st.round_winner;
  return w === null || w === undefined ? `Nobody survived round ${st.round}` : `${rememberedName(room, w)} won round ${st.round}`;
}

function outcome(room) {
  const st = room.state;
  switch (room.outcome.reason) {
    case "most_rounds": {
      const n = st && st.scores ? st.scores[room.outcome.winner] : null;
      return n === null || n === undefined ? "Most rounds won" : `${n} of ${st.rounds} round${st.rounds === 1 ? "" : "s"} won`;
    }
    case "tie":
      return "Tied on rounds won";
    default:
      return null;
  }
}

export default {
  kind: "light_cycles",
  name: "Light cycles",
  blurb: "Steer, leave a wall: last one riding wins (real time)",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><rect x="2" y="2" width="44" height="44" rx="6" fill="#0e1020"/><path d="M7 12 H30 V22" stroke="#ff6b6b" stroke-width="4" fill="none"/><path d="M41 36 H18 V26" stroke="#44d1e6" stroke-width="4" fill="none"/><rect x="27" y="20" width="6" height="6" fill="#fff"/><rect x="15" y="22" width="6" height="6" fill="#fff"/></svg>`,
  rematch: "the same places, a new race.",
  realtime: true,
  ownPlayers: true,
  board,
  screen: board,
  frame,
  token: (room, seat) => COLOURS[seat % 8] || "",
  status,
  lastMove,
  moveKey: (room) => (room.state ? `${room.state.round}/${room.state.pause > 0}` : ""),
  outcome,
};
