// The three game boards. Each draws a room's `state` (the game's view, see docs/games.md) and,
// when the viewer may act, turns taps into moves. A board never keeps game state of its own:
// it is redrawn from the room the server sent after every change.
//
// renderBoard(room, ctx) returns an element. ctx:
//   interactive  true when this viewer is a seated player with a working connection
//   move(mv)     sends a move; the board disables itself until the next redraw

import { h } from "./dom.js";
import { mySeat, seatName, seatToken } from "./describe.js";

// Our own icons, drawn for Capital. They use currentColor so CSS picks the colour.
const ICONS = {
  X: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M24 24 L76 76 M76 24 L24 76" stroke="currentColor" stroke-width="13" stroke-linecap="round" fill="none"/></svg>',
  O: '<svg viewBox="0 0 100 100" aria-hidden="true"><circle cx="50" cy="50" r="27" stroke="currentColor" stroke-width="12" fill="none"/></svg>',
  rock: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M12 64 L20 32 L46 14 L76 20 L92 48 L84 80 L50 90 L22 82 Z" fill="currentColor"/><path d="M46 14 L54 46 L20 32 M54 46 L92 48 M54 46 L50 90" stroke="rgba(0,0,0,.28)" stroke-width="4" stroke-linejoin="round" fill="none"/></svg>',
  paper: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M20 6 H64 L82 24 V94 H20 Z" fill="currentColor"/><path d="M64 6 V24 H82" fill="rgba(0,0,0,.25)"/><path d="M32 42 H70 M32 56 H70 M32 70 H58" stroke="rgba(0,0,0,.3)" stroke-width="5" stroke-linecap="round"/></svg>',
  scissors: '<svg viewBox="0 0 100 100" aria-hidden="true"><circle cx="26" cy="76" r="14" stroke="currentColor" stroke-width="8" fill="none"/><circle cx="74" cy="76" r="14" stroke="currentColor" stroke-width="8" fill="none"/><path d="M35 65 L70 6 M65 65 L30 6" stroke="currentColor" stroke-width="9" stroke-linecap="round"/><circle cx="50" cy="40" r="4.5" fill="rgba(0,0,0,.4)"/></svg>',
};

export function icon(name, cls = "icon") {
  return h("span", { class: cls, html: ICONS[name] || "" });
}

// The last move drawn, so that only a new move animates (the board is redrawn on every event).
let lastDrawn = "";

/** Draws the board of `room.game`, or a note when this client does not know the game. */
export function renderBoard(room, ctx) {
  const draw = BOARDS[room.game];
  if (!room.state) return h("div", { class: "board-note" }, "The game has not started yet.");
  if (!draw) return h("div", { class: "board-note" }, `This page cannot draw ${room.game} yet.`);
  const st = room.state;
  const key = `${room.code}/${room.game_no}/${JSON.stringify(st.last_move || (st.rounds && st.rounds.length) || null)}`;
  const fresh = key !== lastDrawn;
  lastDrawn = key;
  return draw(room, { ...ctx, fresh });
}

const BOARDS = {
  tictactoe: ticTacToe,
  connect_four: connectFour,
  rps: rockPaperScissors,
};

/** True when the game waits for my move and this viewer may make it. */
function myMove(room, ctx) {
  const me = mySeat(room);
  return ctx.interactive && room.phase === "playing" && me !== null && (room.turn || []).includes(me);
}

/** Disables every button of a board once a move is sent: one move per turn, no double taps. */
function sendFrom(board, ctx, mv, pressed) {
  for (const b of board.querySelectorAll("button")) b.disabled = true;
  if (pressed) pressed.classList.add("pending");
  board.classList.add("sending");
  ctx.move(mv);
}

// --- Tic-tac-toe -------------------------------------------------------------------------

const ROWS = ["Top", "Middle", "Bottom"];
const COLS = ["left", "centre", "right"];

function ticTacToe(room, ctx) {
  const st = room.state;
  const canMove = myMove(room, ctx);
  const me = mySeat(room);
  const board = h("div", {
    class: "ttt",
    role: "group",
    "aria-label": "Tic-tac-toe board",
    "data-testid": "board",
  });
  st.board.forEach((mark, i) => {
    const seat = mark ? st.marks.indexOf(mark) : null;
    const last = st.last_move && st.last_move.cell === i;
    const win = Array.isArray(st.line) && st.line.includes(i);
    const place = `${ROWS[Math.floor(i / 3)]} ${COLS[i % 3]}`;
    const label = `${place}: ${mark || "empty"}${last ? ", last move" : ""}${win ? ", winning line" : ""}`;
    const cls = ["cell", mark ? `p${seat}` : "free", last ? "last" : "", last && ctx.fresh ? "fresh" : "", win ? "win" : ""];
    const cell = h(
      "button",
      {
        class: cls.join(" "),
        "data-testid": `cell-${i}`,
        "data-mark": mark || "",
        "aria-label": label,
        disabled: !(canMove && !mark),
      },
      mark ? icon(mark, "mark") : canMove ? icon(st.marks[me], "mark ghost") : null,
    );
    cell.addEventListener("click", () => sendFrom(board, ctx, { cell: i }, cell));
    board.append(cell);
  });
  return board;
}

// --- Connect four ------------------------------------------------------------------------

function connectFour(room, ctx) {
  const st = room.state;
  const canMove = myMove(room, ctx);
  const win = new Set((st.line || []).map(([r, c]) => `${r},${c}`));
  const board = h("div", {
    class: "c4",
    role: "group",
    "aria-label": `Connect four board, ${st.columns} columns`,
    "data-testid": "board",
    style: `--cols: ${st.columns}; --rows: ${st.rows}`,
  });
  for (let c = 0; c < st.columns; c++) {
    const free = st.board.filter((row) => row[c] === null).length;
    const col = h("button", {
      class: "c4-col",
      "data-testid": `col-${c}`,
      "aria-label": `Column ${c + 1}, ${free === 0 ? "full" : `${free} free`}`,
      disabled: !(canMove && free > 0),
    });
    for (let r = 0; r < st.rows; r++) {
      const seat = st.board[r][c];
      const last = st.last_move && st.last_move.column === c && st.last_move.row === r;
      const cls = [
        "slot",
        seat === null ? "" : `disc p${seat}`,
        last ? "last" : "",
        last && ctx.fresh ? "fresh" : "",
        win.has(`${r},${c}`) ? "win" : "",
      ];
      col.append(h("span", { class: cls.join(" "), style: last ? `--fall: ${r + 1}` : null }));
    }
    col.addEventListener("click", () => sendFrom(board, ctx, { column: c }, col));
    board.append(col);
  }
  return board;
}

// --- Rock paper scissors -----------------------------------------------------------------

const CHOICES = ["rock", "paper", "scissors"];
const CHOICE_NAMES = { rock: "Rock", paper: "Paper", scissors: "Scissors" };

function rockPaperScissors(room, ctx) {
  const st = room.state;
  const me = mySeat(room);
  const canMove = myMove(room, ctx);
  const wrap = h("div", { class: "rps", "data-testid": "board" });
  const toWin = Math.floor(st.best_of / 2) + 1;

  // The score, with who has already chosen this round (public: never what they chose).
  const score = h("div", { class: "rps-score" });
  [0, 1].forEach((seat) => {
    const chosen = room.phase === "playing" && st.chosen[seat];
    const waiting = room.phase === "playing" && !st.chosen[seat];
    score.append(
      h(
        "div",
        { class: `rps-side p${seat}`, "data-testid": `score-${seat}` },
        h("span", { class: "rps-name" }, me === seat ? `${seatName(room, seat)} (you)` : seatName(room, seat)),
        h("span", { class: "rps-points", "aria-label": `${st.score[seat]} points` }, String(st.score[seat])),
        h("span", { class: "rps-state" }, chosen ? "has chosen" : waiting ? "choosing..." : ""),
      ),
    );
    if (seat === 0) score.append(h("span", { class: "rps-vs", "aria-hidden": "true" }, ":"));
  });
  wrap.append(score);
  wrap.append(h("p", { class: "rps-round" }, `Round ${st.round} - first to ${toWin} wins (best of ${st.best_of})`));

  // The last revealed round.
  const last = st.rounds[st.rounds.length - 1];
  if (last) {
    const result =
      last.winner === null ? "Tie: nobody scores" : `${me === last.winner ? "You win" : `${seatName(room, last.winner)} wins`} round ${st.rounds.length}`;
    wrap.append(
      h(
        "div",
        { class: "rps-reveal", "data-testid": "last-round", "aria-label": `Round ${st.rounds.length}: ${seatName(room, 0)} ${last.choices[0]}, ${seatName(room, 1)} ${last.choices[1]}. ${result}` },
        h("div", { class: `rps-shown p0${last.winner === 0 ? " won" : ""}` }, icon(last.choices[0]), h("span", {}, CHOICE_NAMES[last.choices[0]])),
        h("div", { class: "rps-result" }, result),
        h("div", { class: `rps-shown p1${last.winner === 1 ? " won" : ""}` }, icon(last.choices[1]), h("span", {}, CHOICE_NAMES[last.choices[1]])),
      ),
    );
  }

  // My choice buttons (players only, while playing).
  if (me !== null && room.phase === "playing") {
    const picks = h("div", { class: "rps-picks", role: "group", "aria-label": "Your choice" });
    for (const choice of CHOICES) {
      const picked = st.your_choice === choice;
      const b = h(
        "button",
        {
          class: `rps-pick${picked ? " picked" : ""}`,
          "data-testid": `choice-${choice}`,
          "aria-pressed": picked ? "true" : "false",
          disabled: !canMove,
        },
        icon(choice),
        h("span", {}, CHOICE_NAMES[choice]),
      );
      b.addEventListener("click", () => sendFrom(wrap, ctx, { choice }, b));
      picks.append(b);
    }
    wrap.append(picks);
    if (st.your_choice) {
      wrap.append(h("p", { class: "rps-hint" }, `You chose ${CHOICE_NAMES[st.your_choice]}. It stays secret until both have chosen.`));
    }
  }
  return wrap;
}

/** A short line on the last move, for the status area: "Ana played centre". */
export function lastMoveLine(room) {
  const st = room.state;
  if (!st) return "";
  if (room.game === "tictactoe" && st.last_move) {
    const i = st.last_move.cell;
    const place = `${ROWS[Math.floor(i / 3)].toLowerCase()} ${COLS[i % 3]}`;
    return `Last move: ${seatName(room, st.last_move.seat)} (${seatToken(room, st.last_move.seat).label}) took ${place === "middle centre" ? "the centre" : place}`;
  }
  if (room.game === "connect_four" && st.last_move) {
    return `Last move: ${seatName(room, st.last_move.seat)} dropped in column ${st.last_move.column + 1}`;
  }
  if (room.game === "rps" && st.rounds.length > 0) {
    return `${st.rounds.length} round${st.rounds.length === 1 ? "" : "s"} played`;
  }
  return "";
}
