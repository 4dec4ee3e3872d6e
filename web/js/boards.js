// The board of a room, whatever its game: the game's module (games/index.js) draws the room's
// `state` (the game's view, see docs/games.md) and, when the viewer may act, turns taps into
// moves. A board never keeps game state of its own: it is redrawn from the room the server sent
// after every change.
//
// renderBoard(room, ctx) returns an element. ctx:
//   interactive  true when this viewer is a seated player with a working connection
//   move(mv)     sends a move; the board disables itself until the next redraw
//   big          true on the big screen
//   input(value) a real-time game's input (never answered: nothing waits for it)
//
// A real-time game's frames (applyFrame) replace the room's `state` and go to its module's
// `frame`; only the newest counts, nothing is queued, and the page is not redrawn.

import { h } from "./dom.js";
import { mySeat } from "./seats.js";
import { gameFor, serverGame } from "./games/index.js";
import { canMove } from "./games/kit.js";

// The last move drawn, per page, so that only a new move animates (the board is redrawn on
// every event).
let lastDrawn = "";

/** Draws the board of `room.game` with its module (or the generic one). */
export function renderBoard(room, ctx) {
  if (!room.state) return h("div", { class: "board-note" }, "The game has not started yet.");
  const game = gameFor(room.game);
  const moveKey = game.moveKey ? game.moveKey(room) : JSON.stringify(room.state);
  const key = `${room.code}/${room.game_no}/${moveKey}`;
  const fresh = key !== lastDrawn;
  lastDrawn = key;
  const full = { ...ctx, seat: mySeat(room), fresh, info: serverGame(room.game), big: !!ctx.big };
  full.canMove = canMove(room, full);
  const draw = ctx.big && game.screen ? game.screen : game.board;
  return draw(room, full);
}

/** A real-time frame for `room` (the room on show): its state becomes the room's, and the game's
 * module draws it (at its own pace: a module keeps the newest frame only). Returns false for a
 * stale frame (an older tick than one already applied). */
export function applyFrame(room, msg) {
  if (!room || msg.code !== room.code || !msg.state) return false;
  if (room.tick !== undefined && msg.tick <= room.tick) return false;
  room.tick = msg.tick;
  room.state = msg.state;
  const game = gameFor(room.game);
  if (game.frame) game.frame(room, msg);
  return true;
}

/** A short line on the last move, for the status area: "Ana took the centre". */
export function lastMoveLine(room) {
  if (!room.state) return "";
  const game = gameFor(room.game);
  return game.lastMove ? game.lastMove(room) : "";
}

/** Says the last move in a live region that stays in the page (a region drawn anew with the
 * board would not be read out), once per move. */
export function announce(el, room) {
  if (!el) return;
  const text = room && room.phase !== "lobby" ? lastMoveLine(room) : "";
  if (el.dataset.said !== text) {
    el.dataset.said = text;
    el.textContent = text;
  }
}
