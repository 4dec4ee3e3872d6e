// The games this page knows how to draw: one module per game kind, in this folder. Nothing
// outside web/js/games/ names a game; it asks here (gameFor) and calls the module.
//
// A module's default export (docs/games.md, "The web side: one module per game"):
//
//   kind        the game's kind, as list_games and create_room name it
//   name        its name, when the server has not said (the big screen before list_games)
//   blurb       a line for players on the New room card (the server's `about` is for developers)
//   art         optional: SVG markup for the New room card, 48x48
//   board(room, ctx) -> Element   the board (required). ctx:
//       seat        my seat, or null for a spectator
//       interactive true when I am seated and the connection works
//       canMove     true when the game waits for my move now (and I may make it)
//       move(mv)    sends a move; a refusal is shown as a toast and the board is redrawn
//       fresh       true when the last move (moveKey) is new since the last drawing: animate it
//       big         true on the big screen (/screen/CODE), which is a spectator
//       info        the server's list_games entry for the game, or null
//   screen(room, ctx) -> Element  optional: the big screen's board, when it differs
//   token(room, seat) -> string   optional: what a seat plays as ("X", "Coral"), with its colour
//   status(room, me) -> {text, mood} | null   optional: the status line while playing
//   lastMove(room) -> string      optional: the last move in words, for the line under the board
//                                 and the screen reader's announcement
//   moveKey(room) -> string       optional: changes with every move (default: the whole state)
//   outcome(room) -> string | null optional: why the game ended, in a few words
//   suspense(room) -> {text, mood} | null   optional: while a result is counted down before it
//                 shows (fun/reveal.js), the status line instead of the result
//   rematch     optional: what a rematch does to the seats ("seats swapped, ...")
//   ownPlayers  optional: the board shows the players itself (no face-to-face strip above it)
//   flow        optional: the board is a column that scrolls, not a shape fitted to the space
//   realtime    optional: a real-time game (frames, inputs), see frame and ctx.input
//   frame(room, msg)  optional: a frame pushed for the room on show (room.state is already its
//                 state): draw it without rebuilding the board; keep the newest only. The
//                 board's ctx.input(value) sends an input (never answered).
//
// A game the server offers with no module here gets the generic one (generic.js), or, when it
// is a script game with a board of its own (list_games `board`), that board in a sandboxed
// frame (script.js).

import tictactoe from "./tictactoe.js";
import connectFour from "./connect_four.js";
import rps from "./rps.js";
import crazyEights from "./crazy_eights.js";
import lightCycles from "./light_cycles.js";
import dotsAndBoxes from "./dots_and_boxes.js";
import { genericGame } from "./generic.js";
import { scriptGame } from "./script.js";

const MODULES = new Map([tictactoe, connectFour, rps, crazyEights, lightCycles, dotsAndBoxes].map((m) => [m.kind, m]));

/** The server's list_games entries, by kind. */
const offered = new Map();
const generics = new Map();

/** Keeps the server's list_games answer: names, player counts, options, about. */
export function setServerGames(games) {
  offered.clear();
  generics.clear();
  for (const g of games || []) offered.set(g.kind, g);
}

/** The server's list_games entry for `kind`, or null. */
export function serverGame(kind) {
  return offered.get(kind) || null;
}

/** The module that draws `kind`: its own, or the generic one. */
export function gameFor(kind) {
  const known = MODULES.get(kind);
  if (known) return known;
  if (!generics.has(kind)) {
    const info = serverGame(kind);
    // A script game with a board of its own draws it in a sandboxed frame (script.js).
    generics.set(kind, info && info.board ? scriptGame(kind, info) : genericGame(kind, info));
  }
  return generics.get(kind);
}

/** The game's name: the server's, or the module's, or its kind. */
export function gameName(kind) {
  const g = serverGame(kind);
  return (g && g.name) || gameFor(kind).name || kind;
}

/** How many may play in `room`: {min, max}. The room has `max` seats; without list_games,
 * every seat counts as needed. */
export function playerRange(room) {
  const g = serverGame(room.game);
  const max = room.seats.length;
  const min = g && Number.isInteger(g.min_players) ? Math.min(g.min_players, max) : max;
  return { min, max };
}

/** What a seat plays as, in words (may be empty), and its colour class. Colour is never the
 * only signal: the words or the seat's name go with it everywhere. */
export function seatToken(room, seat) {
  const game = gameFor(room.game);
  const label = (game.token && game.token(room, seat)) || "";
  return { label, cls: `p${seat % 8}` };
}
