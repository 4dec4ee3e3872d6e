// A finished game replayed move by move on the big screen (or any page), the way a class
// reviews a match: the `replay` request gives the game as a spectator saw it before the first
// move and after each one, and the game's own module draws each step. Step back and forth, play
// and pause (the arrow keys and the space bar do the same).

import { h, fill } from "./dom.js";
import { lastMoveLine, renderBoard } from "./boards.js";
import { gameName } from "./describe.js";

/** Seconds between steps while playing. */
const STEP_MS = 1200;

/**
 * Shows `replay` (the server's reply) in `el` until closed: returns `{ close }`. `big`: drawn
 * as the big screen draws boards. `onClose` is called once it is closed.
 */
export function showReplay(el, replay, { big = false, onClose = () => {} } = {}) {
  let at = 0;
  let timer = null;
  const last = replay.steps.length - 1;
  const seats = replay.seats.map((s, seat) => ({ seat, player: { id: s.id, name: s.name, connected: true } }));
  // Each step as a room the boards know how to draw: the end as the result, the rest in play.
  const roomAt = (i) => ({
    code: replay.code,
    game: replay.game,
    options: replay.options,
    game_no: replay.game_no,
    phase: i === last ? "over" : "playing",
    seats,
    spectators: [],
    spectator_count: 0,
    you: null,
    host: "",
    state: replay.steps[i].state,
    turn: i === last ? [] : replay.steps[i].turn,
    outcome: i === last ? replay.outcome : null,
    replay: true,
  });

  const board = h("div", { class: "replay-board", "data-testid": "replay-board" });
  const where = h("p", { class: "replay-pos", "data-testid": "replay-pos", "aria-live": "polite" });
  const button = (testid, text, onclick) => h("button", { class: "btn btn-secondary", type: "button", "data-testid": testid, onclick }, text);
  const play = button("replay-play", "Play", () => (timer ? pause() : start()));
  const controls = h(
    "div",
    { class: "replay-controls", role: "group", "aria-label": "Replay controls" },
    button("replay-first", "Start", () => go(0)),
    button("replay-back", "Back", () => go(at - 1)),
    play,
    button("replay-next", "Next", () => go(at + 1)),
    button("replay-close", "Close replay", close),
  );
  const names = replay.seats.map((s) => s.name).join(" vs ");
  fill(
    el,
    h(
      "div",
      { class: "replay", "data-testid": "replay" },
      h("h2", { class: "replay-title" }, `Replay: ${gameName(replay.game)}, game ${replay.game_no} (${names})`),
      // The controls first: they stay in view above a board that fills the rest.
      controls,
      where,
      board,
      replay.truncated ? h("p", { class: "replay-note" }, "Only the first moves of this long game are here.") : null,
    ),
  );

  function draw() {
    const room = roomAt(at);
    fill(board, renderBoard(room, { interactive: false, move: () => {}, big }));
    const said = at === 0 ? "The start" : `Move ${at} of ${last}${lastMoveLine(room) ? `: ${lastMoveLine(room).replace(/^Last move: /, "")}` : ""}`;
    where.textContent = at === last && last > 0 ? `${said} (the end)` : said;
  }

  function go(i) {
    at = Math.max(0, Math.min(last, i));
    if (at === last) pause();
    draw();
  }

  function start() {
    if (at === last) at = 0;
    play.textContent = "Pause";
    timer = setInterval(() => go(at + 1), STEP_MS);
    draw();
  }

  function pause() {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = "Play";
  }

  function onKey(e) {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    if (e.key === "ArrowRight") go(at + 1);
    else if (e.key === "ArrowLeft") go(at - 1);
    else if (e.key === " " && e.target === document.body) timer ? pause() : start();
    else return;
    e.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  function close() {
    pause();
    document.removeEventListener("keydown", onKey);
    onClose();
  }

  draw();
  return { close };
}
