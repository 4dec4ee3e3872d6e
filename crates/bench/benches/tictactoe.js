// Tic-tac-toe as a game script, the same rules, moves and view as the built-in Rust game
// (crates/games/src/tictactoe.rs): the scripts benchmark compares the two.
const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];
const MARKS = ["X", "O"];

game({
  kind: "tictactoe_js",
  name: "Tic-tac-toe (script)",
  players: 2,
  setup() {
    return { board: Array(9).fill(null), next: 0, last_move: null, line: null };
  },
  turn(s) {
    return s.line || s.board.every((c) => c !== null) ? [] : [s.next];
  },
  move(s, seat, m, { invalid }) {
    if (!Number.isInteger(m.cell) || m.cell < 0 || m.cell > 8) return invalid("a cell is 0 to 8");
    if (s.board[m.cell] !== null) return invalid("that cell is taken");
    const board = s.board.map((c, i) => (i === m.cell ? seat : c));
    const line = LINES.find((l) => l.every((i) => board[i] === seat)) || null;
    return { board, next: 1 - seat, last_move: { seat, cell: m.cell }, line };
  },
  view(s) {
    return { board: s.board.map((c) => (c === null ? null : MARKS[c])), marks: MARKS, last_move: s.last_move, line: s.line };
  },
  outcome(s) {
    if (s.line) return { winner: s.board[s.line[0]], reason: "line" };
    return s.board.every((c) => c !== null) ? { winner: null, reason: "draw" } : null;
  },
});
