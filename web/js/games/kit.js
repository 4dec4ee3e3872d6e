// What the game modules share: whether this viewer may move now, sending a move from a board
// (once: the board locks itself until the server's answer redraws it), and icons.

import { h } from "../dom.js";
import { onTurn } from "../seats.js";

/** True when the game waits for my move and this viewer may make it (the `ctx.canMove`). */
export function canMove(room, ctx) {
  return !!ctx.interactive && onTurn(room, ctx.seat);
}

/** Disables every button of a board once a move is sent: one move per turn, no double taps. */
export function sendFrom(board, ctx, mv, pressed) {
  for (const b of board.querySelectorAll("button")) b.disabled = true;
  if (pressed) pressed.classList.add("pending");
  board.classList.add("sending");
  ctx.move(mv);
}

/** One of our own SVG icons (constant markup; it uses currentColor so CSS picks the colour). */
export function icon(svg, cls = "icon") {
  return h("span", { class: cls, html: svg || "" });
}
