// A 3-2-1 before a reveal (rock paper scissors: both choices and who won the round). While it
// counts, what would give the result away waits: the game's board shows the count instead of
// the result, the status line says "Revealing..." (the game's `suspense`, games/index.js), and
// the celebration, sounds and buzzes of the event wait for the end (afterReveal). At the end
// the page draws the room again (onRevealEnd), and now the board shows the result.
//
// One count at a time (a page shows one room); a new one ends the one before at once.

import { h } from "../dom.js";

/** How long each of 3, 2 and 1 shows, in ms. */
export const STEP_MS = 600;
const STEPS = 3;

let current = null; // {key, step, timer, el}: the count going on
const waiting = []; // what waits for the end of the count
const ends = new Set(); // the pages' redraws

/** Starts the count for `key` (a round of a game), unless it is the one counting already. */
export function startReveal(key) {
  if (current && current.key === key) return;
  if (current) finish();
  current = { key, step: 0, timer: 0, el: null };
  current.timer = setTimeout(next, STEP_MS);
}

function next() {
  if (!current) return;
  current.step += 1;
  if (current.step >= STEPS) {
    finish();
    return;
  }
  current.timer = setTimeout(next, STEP_MS);
  drawCount();
}

function finish() {
  clearTimeout(current.timer);
  current = null;
  for (const fn of ends) fn();
  for (const fn of waiting.splice(0)) fn();
}

/** What is left of the count for `key`: 3, 2 or 1, or 0 when it is not counting. */
export function revealLeft(key) {
  return current && current.key === key ? STEPS - current.step : 0;
}

/** True while a count goes on. */
export function revealing() {
  return !!current;
}

/** An element that shows the count and follows it (the newest one made: a redraw makes another). */
export function countdownEl(attrs = {}) {
  const el = h("div", { "aria-hidden": "true", ...attrs });
  if (current) current.el = el;
  drawCount();
  return el;
}

function drawCount() {
  if (!current || !current.el) return;
  const n = String(STEPS - current.step);
  current.el.textContent = n;
  current.el.dataset.count = n;
  // Each number pops in again (fun.css); a screen that prefers less motion just shows it.
  current.el.classList.remove("tick");
  void current.el.offsetWidth;
  current.el.classList.add("tick");
}

/** Runs `fn` now, or once the count ends. */
export function afterReveal(fn) {
  if (current) waiting.push(fn);
  else fn();
}

/** `fn` runs at the end of every count (the page draws the room again). */
export function onRevealEnd(fn) {
  ends.add(fn);
}
