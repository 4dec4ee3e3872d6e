// Connect four (docs/games.md): 7 columns, 6 rows, row 0 on top; seat 0 is Coral, seat 1 Cyan.
// The view is the same for everyone.

import { h } from "../dom.js";
import { seatName } from "../seats.js";
import { keyGrid, sendFrom } from "./kit.js";

const COLOURS = ["Coral", "Cyan"];

function board(room, ctx) {
  const st = room.state;
  const win = new Set((st.line || []).map(([r, c]) => `${r},${c}`));
  const grid = h("div", {
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
      disabled: !(ctx.canMove && free > 0),
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
    col.addEventListener("click", () => sendFrom(grid, ctx, { column: c }, col));
    grid.append(col);
  }
  keyGrid(grid, st.columns);
  return grid;
}

function lastMove(room) {
  const last = room.state && room.state.last_move;
  return last ? `Last move: ${seatName(room, last.seat)} dropped in column ${last.column + 1}` : "";
}

function outcome(room) {
  switch (room.outcome.reason) {
    case "four_in_a_row":
      return "Four in a row";
    case "draw":
      return "The board is full";
    default:
      return null;
  }
}

export default {
  kind: "connect_four",
  name: "Connect four",
  blurb: "Drop discs, four in a line wins",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><rect x="2" y="6" width="44" height="38" rx="6" fill="#2b3fa0"/><g fill="#14162e"><circle cx="12" cy="16" r="4.5"/><circle cx="24" cy="16" r="4.5"/><circle cx="36" cy="16" r="4.5"/><circle cx="12" cy="34" r="4.5" fill="#ff6b6b"/><circle cx="24" cy="34" r="4.5" fill="#44d1e6"/><circle cx="36" cy="34" r="4.5" fill="#ff6b6b"/><circle cx="24" cy="25" r="4.5" fill="#ff6b6b"/><circle cx="12" cy="25" r="4.5"/><circle cx="36" cy="25" r="4.5" fill="#44d1e6"/></g></svg>`,
  rematch: "seats swapped, the other player goes first.",
  board,
  token: (room, seat) => COLOURS[seat] || "",
  lastMove,
  moveKey: (room) => JSON.stringify(room.state.last_move),
  outcome,
};
