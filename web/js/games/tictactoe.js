// Tic-tac-toe (docs/games.md): nine cells, X (seat 0) and O. The view is the same for everyone.

import { h } from "../dom.js";
import { seatName } from "../seats.js";
import { icon, keyGrid, sendFrom } from "./kit.js";

// Our own icons, drawn for Capital.
export const MARKS = {
  X: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M24 24 L76 76 M76 24 L24 76" stroke="currentColor" stroke-width="13" stroke-linecap="round" fill="none"/></svg>',
  O: '<svg viewBox="0 0 100 100" aria-hidden="true"><circle cx="50" cy="50" r="27" stroke="currentColor" stroke-width="12" fill="none"/></svg>',
};

const ROWS = ["Top", "Middle", "Bottom"];
const COLS = ["left", "centre", "right"];

function marks(room) {
  return (room.state && room.state.marks) || ["X", "O"];
}

function board(room, ctx) {
  const st = room.state;
  const me = ctx.seat;
  const grid = h("div", {
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
        disabled: !(ctx.canMove && !mark),
      },
      mark ? icon(MARKS[mark], "mark") : ctx.canMove ? icon(MARKS[st.marks[me]], "mark ghost") : null,
    );
    cell.addEventListener("click", () => sendFrom(grid, ctx, { cell: i }, cell));
    grid.append(cell);
  });
  keyGrid(grid, 3);
  return grid;
}

function lastMove(room) {
  const st = room.state;
  if (!st || !st.last_move) return "";
  const i = st.last_move.cell;
  const place = `${ROWS[Math.floor(i / 3)].toLowerCase()} ${COLS[i % 3]}`;
  const seat = st.last_move.seat;
  return `Last move: ${seatName(room, seat)} (${marks(room)[seat]}) took ${place === "middle centre" ? "the centre" : place}`;
}

function outcome(room) {
  switch (room.outcome.reason) {
    case "line":
      return "Three in a row";
    case "draw":
      return "The board is full";
    default:
      return null;
  }
}

export default {
  kind: "tictactoe",
  name: "Tic-tac-toe",
  blurb: "Three in a row wins",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M17 5v38M31 5v38M5 17h38M5 31h38" stroke="#b7bbe3" stroke-width="3" stroke-linecap="round"/><path d="M7 7l6 6M13 7l-6 6M21 21l6 6M27 21l-6 6" stroke="#ff6b6b" stroke-width="3" stroke-linecap="round"/><circle cx="38" cy="10" r="3.5" fill="none" stroke="#44d1e6" stroke-width="3"/><circle cx="10" cy="38" r="3.5" fill="none" stroke="#44d1e6" stroke-width="3"/></svg>`,
  rematch: "seats swapped, the other player goes first.",
  board,
  token: (room, seat) => marks(room)[seat] || "?",
  lastMove,
  moveKey: (room) => JSON.stringify(room.state.last_move),
  outcome,
};
