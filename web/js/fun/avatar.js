// Who is who at a glance: every player has an emoji and a colour, worked out from their player
// id alone. So every phone and the big screen show the same ones without asking the server, and
// they stay the same through rematches (where seats rotate), renames and reconnections. Seat
// colours (X and O, the discs, the cycles) belong to the seats and stay as they are: a player's
// look goes with the player wherever they sit, ringed in their seat's colour when seated.
//
// The look is decoration: the name is always written next to it, so the avatar is hidden from
// screen readers. fun.css has the colours (.look-0 to .look-9), each pale enough for the dark
// emoji ink and the page's text colours around it.

import { h } from "../dom.js";

/** Animals that every phone from the last few years draws (Unicode 6 to 9). */
const EMOJI = [
  "🦊", "🐼", "🐸", "🐙", "🦉", "🐢", "🦁", "🐯",
  "🐨", "🐰", "🐧", "🦄", "🐝", "🦋", "🐳", "🐬",
  "🦀", "🐌", "🐞", "🐠", "🐴", "🐘", "🐲", "🐵",
  "🐶", "🐱", "🐭", "🐹", "🐻", "🐮", "🐷", "🐔",
];

/** How many colours there are (fun.css, .look-N). */
const COLOURS = 10;

/** FNV-1a over the id's UTF-16 units: the same 32-bit number on every browser. */
function hash(text) {
  let n = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    n ^= text.charCodeAt(i);
    n = Math.imul(n, 0x01000193);
  }
  return n >>> 0;
}

/** The look of player `id`: `{emoji, colour}` (colour is 0 to 9). The emoji and the colour come
 * from different bits of the hash, so two players rarely share both. */
export function lookOf(id) {
  const n = hash(String(id || ""));
  return { emoji: EMOJI[n % EMOJI.length], colour: Math.floor(n / EMOJI.length) % COLOURS };
}

/** The round avatar of player `id`: their emoji on their colour. `cls` adds classes (a size). */
export function avatar(id, cls = "") {
  const el = h("span", { "aria-hidden": "true" });
  dress(el, id, cls);
  return el;
}

/** Gives an avatar element already in the page (the home chip, the person dialog) the look of
 * player `id`, keeping `cls`. */
export function dress(el, id, cls = "") {
  const { emoji, colour } = lookOf(id);
  el.className = `avatar look look-${colour}${cls ? ` ${cls}` : ""}`;
  el.dataset.look = `${emoji} ${colour}`;
  el.textContent = emoji;
}
