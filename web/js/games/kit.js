// What the game modules share: whether this viewer may move now, sending a move from a board
// (once: the board locks itself until the server's answer redraws it), the arrow keys on a
// board of buttons, and icons.

import { h } from "../dom.js";
import { onTurn } from "../seats.js";

/** True when the game waits for my move and this viewer may make it (the `ctx.canMove`). */
export function canMove(room, ctx) {
  return !!ctx.interactive && onTurn(room, ctx.seat);
}

/** Disables every button of a board once a move is sent: one move per turn, no double taps.
 * The focus stays on the board meanwhile (focus.js puts it back on a cell after the redraw). */
export function sendFrom(board, ctx, mv, pressed) {
  if (board.contains(document.activeElement)) {
    if (!board.hasAttribute("tabindex")) board.tabIndex = -1;
    board.focus({ preventScroll: true });
  }
  for (const b of board.querySelectorAll("button")) b.disabled = true;
  if (pressed) pressed.classList.add("pending");
  board.classList.add("sending");
  ctx.move(mv);
}

/** One of our own SVG icons (constant markup; it uses currentColor so CSS picks the colour). */
export function icon(svg, cls = "icon") {
  return h("span", { class: cls, html: svg || "" });
}

const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/**
 * The arrow keys on a board whose buttons (its children) are laid out in rows of `cols`: they
 * move to the next button that can be pressed in that direction, over taken cells and full
 * columns; Home and End go to the first and the last. The board is one Tab stop (a roving
 * tabindex: its current button has 0, the others -1); the board itself can hold the focus
 * (tabindex -1) while none can be pressed. Call once its buttons are in.
 */
export function keyGrid(board, cols) {
  board.dataset.keys = String(cols);
  board.tabIndex = -1;
  board.addEventListener("keydown", (e) => {
    const items = [...board.querySelectorAll(":scope > button")];
    const from = items.indexOf(document.activeElement);
    let to = null;
    if (e.key === "Home") to = items.find(usable) || null;
    else if (e.key === "End") to = items.findLast(usable) || null;
    else if (ARROWS[e.key]) to = from < 0 ? items.find(usable) || null : step(items, cols, from, ARROWS[e.key]);
    else return;
    e.preventDefault();
    if (!to) return;
    rove(board, to);
    to.focus();
  });
  rove(board, boardEntry(board, -1));
}

/** The button `from` moves to, going (dx, dy) over those that cannot be pressed; or null. */
function step(items, cols, from, [dx, dy]) {
  const rows = Math.ceil(items.length / cols);
  let x = from % cols;
  let y = Math.floor(from / cols);
  for (;;) {
    x += dx;
    y += dy;
    if (x < 0 || x >= cols || y < 0 || y >= rows) return null;
    const b = items[y * cols + x];
    if (usable(b)) return b;
  }
}

function usable(b) {
  return !!b && !b.disabled;
}

/** The button to enter a board on: the one that can be pressed nearest to button `near` (its
 * index; -1 for the first), or null when none can. */
export function boardEntry(board, near) {
  const items = [...board.querySelectorAll(":scope > button")];
  let best = null;
  let bestDistance = Infinity;
  items.forEach((b, i) => {
    const distance = near < 0 ? i : Math.abs(i - near);
    if (usable(b) && distance < bestDistance) {
      best = b;
      bestDistance = distance;
    }
  });
  return best;
}

/** Makes `to` the board's one Tab stop (none of its buttons, when `to` is null). */
export function rove(board, to) {
  for (const b of board.querySelectorAll(":scope > button")) b.tabIndex = b === to ? 0 : -1;
}
