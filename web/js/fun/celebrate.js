// The win celebration: the winner's look and name over the page, with confetti falling for a
// few seconds (a canvas), on the big screen and on the winner's own phone. Nothing in it can be
// tapped (taps go through to Rematch and the board), and it is hidden from screen readers: the
// status line says who won already. A page that prefers less motion gets the banner alone, still.

import { h } from "../dom.js";
import { avatar } from "./avatar.js";

/** How long the celebration stays, in ms. */
const SHOW_MS = 3800;
const PIECES = 140;
/** Confetti colours: the seat colours' hues, and the accent. */
const COLOURS = ["#ff6b6b", "#44d1e6", "#c49bff", "#7ee081", "#ff9f43", "#ff7ad9", "#ffc83d", "#8fa8ff"];

let shown = null; // {root, raf, timer}: the celebration on show

/**
 * Celebrates `winner` ({id, name}, id may be null for a player who left): "You win!" when
 * `you`, else "Ana wins!". `big`: the big screen's size.
 */
export function celebrate(winner, { you = false, big = false } = {}) {
  stopCelebration();
  const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
  const face = winner.id ? avatar(winner.id, "celebrate-face") : null;
  const card = h(
    "div",
    { class: "celebrate-card" },
    face,
    h("b", { class: "celebrate-title" }, you ? "You win!" : `${winner.name} wins!`),
  );
  const canvas = still ? null : h("canvas", { class: "celebrate-confetti" });
  const root = h(
    "div",
    { class: `celebrate${big ? " celebrate-big" : ""}${still ? " still" : ""}`, "data-testid": "celebration", "aria-hidden": "true", "data-motion": still ? "still" : "confetti" },
    canvas,
    card,
  );
  document.body.append(root);
  shown = { root, raf: 0, timer: setTimeout(stopCelebration, SHOW_MS) };
  if (canvas) confetti(canvas);
}

/** Takes the celebration away now (a new game, or its time is up). */
export function stopCelebration() {
  if (!shown) return;
  cancelAnimationFrame(shown.raf);
  clearTimeout(shown.timer);
  shown.root.remove();
  shown = null;
}

/** Confetti: pieces thrown up from the bottom corners, turning as they fall. */
function confetti(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = (canvas.width = Math.round(innerWidth * dpr));
  const hgt = (canvas.height = Math.round(innerHeight * dpr));
  const g = canvas.getContext("2d");
  if (!g) return;
  const size = Math.max(6, Math.min(w, hgt) / 60);
  const pieces = Array.from({ length: PIECES }, (_, i) => {
    const left = i % 2 === 0;
    return {
      x: left ? 0 : w,
      y: hgt * (0.7 + Math.random() * 0.3),
      vx: (left ? 1 : -1) * (w / 160) * (0.4 + Math.random()),
      vy: -(hgt / 55) * (0.6 + Math.random() * 0.6),
      turn: Math.random() * Math.PI,
      spin: (Math.random() - 0.5) * 0.3,
      colour: COLOURS[i % COLOURS.length],
    };
  });
  const gravity = hgt / 2600;
  let last = performance.now();
  const frame = (now) => {
    if (!shown || !canvas.isConnected) return;
    const dt = Math.min(3, (now - last) / 16.7); // in 60 Hz frames, so speed does not follow the display
    last = now;
    g.clearRect(0, 0, w, hgt);
    for (const p of pieces) {
      p.vy += gravity * dt;
      p.vx *= 0.995;
      p.x += p.vx * dt;
      p.y += p.vy * dt;
      p.turn += p.spin * dt;
      g.save();
      g.translate(p.x, p.y);
      g.rotate(p.turn);
      g.fillStyle = p.colour;
      g.fillRect(-size / 2, -size / 4, size, (size / 2) * Math.abs(Math.cos(p.turn * 2)) + 1);
      g.restore();
    }
    shown.raf = requestAnimationFrame(frame);
  };
  shown.raf = requestAnimationFrame(frame);
}
