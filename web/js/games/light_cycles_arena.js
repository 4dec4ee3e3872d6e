// Light cycles' arena (light_cycles.js is the game's module): the canvas, the scores and the
// banner over it, and on a phone the four arrows, swipes and the keyboard's arrows. It keeps the
// last two states, from the room's events and the server's frames, and draws at the display's
// pace (requestAnimationFrame), moving each head between its cell in the frame before and in the
// newest frame, so the cycles glide instead of hopping 20 times a second. Steering sends an input
// at once (never answered).

import { h } from "../dom.js";
import { rememberedName } from "../seats.js";

export const COLOURS = ["Coral", "Cyan", "Violet", "Green", "Orange", "Pink", "Blue", "Yellow"];
const DIRS = ["up", "left", "right", "down"];
const KEYS = {
  ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right",
  w: "up", s: "down", a: "left", d: "right",
};
const ARROW = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3 L21 13 H15.5 V21 H8.5 V13 H3 Z" fill="currentColor"/></svg>';
/** A swipe this long (CSS pixels) on the arena turns the cycle. */
const SWIPE_PX = 24;
/** How long a crash buzzes the phone, in ms. */
const CRASH_BUZZ_MS = 180;

/** The arena the keyboard steers: the newest one with controls (a page shows one room). */
let steering = null;
let keysBound = false;

/** Where a state is in the game, to tell a newer one from an older: round, walls laid, the round
 * over, and the pause counting down. Every tick moves it on. */
function rank(st) {
  let walls = 0;
  for (let i = 0; i < st.grid.length; i++) if (st.grid.charCodeAt(i) !== 46) walls++;
  return [st.round, walls, ended(st) ? 1 : 0, -st.pause];
}

function newer(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** The round is over: a pause before the next one, or one rider (or none) left in the last. */
export function ended(st) {
  return st.pause > 0 || st.cycles.filter((c) => c.alive).length <= 1;
}

/** Seat colours, as the stylesheet has them (--p0..--p7), read once. */
let palette = null;
function colours() {
  if (!palette) {
    const css = getComputedStyle(document.documentElement);
    const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    palette = {
      seats: COLOURS.map((_, i) => read(`--p${i}`, "#ffffff")),
      bg: "#0c0e22", // the floor: darker than the page
      line: read("--surface", "#23274f"),
    };
  }
  return palette;
}

export class Arena {
  constructor(key, ctx) {
    this.key = key;
    this.big = !!ctx.big;
    this.seat = ctx.seat;
    this.ctx = ctx;
    this.room = null;
    this.prev = null; // {state, at}: the frame before the newest
    this.cur = null; // the newest frame
    this.tickMs = 50;
    this.raf = 0;
    this.layerDirty = true;
    this.swipe = null; // {id, x, y, dir}: a finger on the arena

    this.canvas = h("canvas", { class: "lc-canvas", "data-testid": "lc-canvas", role: "img", "aria-label": "The arena" });
    this.layer = document.createElement("canvas"); // the walls, drawn once a frame
    this.banner = h("div", { class: "lc-banner", "data-testid": "lc-banner", hidden: true },
      (this.bannerTitle = h("b", { class: "lc-banner-title" })),
      (this.bannerDetail = h("span", { class: "lc-banner-detail" })));
    this.frameBox = h("div", { class: "lc-frame" }, this.canvas, this.banner);
    this.roundEl = h("span", { class: "lc-round", "data-testid": "lc-round" });
    this.scoresEl = h("ol", { class: "lc-scores", "data-testid": "lc-scores", "aria-label": "Scores" });
    this.scoreItems = [];
    const parts = [
      h("div", { class: "lc-head" }, this.roundEl, this.scoresEl),
      h("div", { class: "lc-stage" }, this.frameBox),
    ];
    if (!this.big && this.seat !== null) {
      this.me = h("p", { class: `lc-me p${this.seat % 8}`, "data-testid": "lc-me", "aria-live": "polite" },
        h("span", { class: "lc-swatch", "aria-hidden": "true" }),
        h("span", { class: "lc-me-text" }, h("span", {}, `You are ${COLOURS[this.seat % 8]}`),
          (this.meState = h("b", { class: "lc-me-state", "data-testid": "lc-me-state" })),
          this.roundEl)); // a phone's arena gets the height the round's line would take
      this.buttons = new Map();
      const pad = h("div", { class: "lc-pad", role: "group", "aria-label": "Steer your cycle" });
      for (const dir of DIRS) {
        const b = h("button", {
          type: "button",
          class: `lc-steer lc-${dir}`,
          "data-testid": `steer-${dir}`,
          "aria-label": `Steer ${dir}`,
          html: ARROW,
        });
        // Pointers steer on the press (a click would wait for the finger to lift); a click with
        // no press before it (Enter or Space on the focused button) steers too.
        let pressed = -Infinity;
        b.addEventListener("pointerdown", (e) => {
          if (e.button !== 0) return;
          pressed = performance.now();
          this.steer(dir, b);
        });
        b.addEventListener("click", () => {
          if (performance.now() - pressed > 600) this.steer(dir, b);
        });
        pad.append(b);
        this.buttons.set(dir, b);
      }
      this.pad = pad;
      parts.push(h("div", { class: "lc-controls" }, this.me, pad));
      this.bindSwipe();
      steering = this;
      bindKeys();
    }
    this.root = h("div", { class: `lc${this.big ? " lc-big" : ""}`, "data-testid": "board" }, parts);
    this.resizer = new ResizeObserver(() => this.fit());
    this.resizer.observe(this.canvas);
  }

  /** The room again (an event): names, the connection, and its state if that is newer. */
  update(room, ctx) {
    this.room = room;
    this.ctx = ctx;
    const st = room.state;
    if (st && st.grid && (!this.cur || newer(rank(st), this.cur.rank))) this.take(st);
    this.words();
    this.start();
  }

  /** A frame from the server: kept if newer than the newest so far (older ones are dropped). */
  frame(room, st, tickMs) {
    this.room = room;
    if (tickMs > 0) this.tickMs = tickMs;
    if (!st || !st.grid || (this.cur && !newer(rank(st), this.cur.rank))) return;
    const before = this.cur && this.cur.state;
    this.take(st);
    if (before && this.seat !== null && !this.big && before.round === st.round) {
      const was = before.cycles[this.seat];
      const now = st.cycles[this.seat];
      if (was && now && was.alive && !now.alive) buzz();
    }
    this.words();
    this.start();
  }

  take(st) {
    this.prev = this.cur;
    this.cur = { state: st, rank: rank(st), at: performance.now() };
    this.layerDirty = true;
  }

  // --- Words: scores, round, banner, my status ----------------------------------------------

  words() {
    const room = this.room;
    const st = this.cur && this.cur.state;
    if (!room || !st) return;
    const over = room.phase === "over";
    const roundOver = ended(st);
    setText(this.roundEl, `Round ${st.round} of ${st.rounds}`);

    st.cycles.forEach((c, seat) => {
      let item = this.scoreItems[seat];
      if (!item) {
        item = {
          li: h("li", { class: `lc-score p${seat % 8}`, "data-testid": `lc-score-${seat}` }),
          name: h("span", { class: "lc-name" }),
          state: h("span", { class: "lc-state" }),
          points: h("b", { class: "lc-points" }),
        };
        item.li.append(h("span", { class: "lc-swatch", "aria-hidden": "true" }), item.name, item.state, item.points);
        this.scoresEl.append(item.li);
        this.scoreItems[seat] = item;
      }
      // My own chip is marked by the box under the arena, which names my colour.
      setText(item.name, rememberedName(room, seat));
      item.li.classList.toggle("mine", seat === this.seat);
      const won = roundOver && st.round_winner === seat;
      const left = Array.isArray(st.out) && st.out[seat];
      setText(item.state, left ? "left the game" : won ? "won the round" : c.alive ? "riding" : "out");
      setText(item.points, String(st.scores[seat] || 0));
      item.points.setAttribute("aria-label", `${st.scores[seat] || 0} rounds won`);
      item.li.dataset.alive = String(c.alive);
    });

    // The banner over the arena: the round's winner and the countdown, or the game's.
    let title = "";
    let detail = "";
    if (over && room.outcome) {
      const w = room.outcome.winner;
      title = w === null || w === undefined ? "It's a draw!" : w === this.seat && !this.big ? "You win the game!" : `${rememberedName(room, w)} wins the game!`;
      detail = st.cycles.map((_, s) => `${rememberedName(room, s)} ${st.scores[s]}`).join(" \u00b7 ");
    } else if (roundOver) {
      const w = st.round_winner;
      title = w === null || w === undefined ? `Nobody survives round ${st.round}` : w === this.seat && !this.big ? `You win round ${st.round}!` : `${rememberedName(room, w)} wins round ${st.round}`;
      detail = st.pause > 0 ? `Next round in ${((st.pause * this.tickMs) / 1000).toFixed(1)} s` : "Game over";
    }
    this.banner.hidden = !title;
    setText(this.bannerTitle, title);
    setText(this.bannerDetail, detail);

    const riding = st.cycles.map((c, s) => (c.alive ? rememberedName(room, s) : null)).filter(Boolean);
    const label = `Arena, round ${st.round} of ${st.rounds}: ${riding.length ? `${riding.join(", ")} riding` : "nobody riding"}`;
    if (this.canvas.getAttribute("aria-label") !== label) this.canvas.setAttribute("aria-label", label);

    if (this.me) {
      const mine = st.cycles[this.seat];
      const status = over ? "over" : roundOver ? "round-over" : mine && mine.alive ? "riding" : "out";
      const words = { riding: "Riding", out: "Out: you crashed", "round-over": "Round over", over: "Game over" }[status];
      const crashed = mine && !mine.alive && (status === "round-over" || status === "over") ? ": you crashed" : "";
      setText(this.meState, words + crashed);
      this.me.dataset.status = status;
      const canSteer = !!this.ctx.interactive && !over && (status === "riding" || st.pause > 0);
      for (const b of this.buttons.values()) b.disabled = !canSteer;
      this.pad.hidden = over;
      this.canSteer = canSteer;
    }
  }

  // --- Steering -----------------------------------------------------------------------------

  /** Sends `dir` at once (never answered: the next frames show the turn). */
  steer(dir, button) {
    if (!this.canSteer || !this.ctx.input) return false;
    this.ctx.input({ dir });
    const b = button || this.buttons.get(dir);
    if (b) {
      b.classList.remove("hit");
      void b.offsetWidth; // restart the flash
      b.classList.add("hit");
    }
    return true;
  }

  bindSwipe() {
    const c = this.canvas;
    c.classList.add("lc-swipe");
    c.addEventListener("pointerdown", (e) => {
      this.swipe = { id: e.pointerId, x: e.clientX, y: e.clientY, dir: null };
      try {
        c.setPointerCapture(e.pointerId);
      } catch {
        // A synthetic pointer: fine without capture.
      }
    });
    c.addEventListener("pointermove", (e) => {
      const s = this.swipe;
      if (!s || s.id !== e.pointerId) return;
      const dx = e.clientX - s.x;
      const dy = e.clientY - s.y;
      if (Math.max(Math.abs(dx), Math.abs(dy)) < SWIPE_PX) return;
      const dir = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "right" : "left") : dy > 0 ? "down" : "up";
      // A long swipe that bends turns again; the same way twice is sent once.
      if (dir !== s.dir) this.steer(dir);
      Object.assign(s, { x: e.clientX, y: e.clientY, dir });
    });
    const end = (e) => {
      if (this.swipe && this.swipe.id === e.pointerId) this.swipe = null;
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
  }

  // --- Drawing ------------------------------------------------------------------------------

  /** Sizes the canvas to its box, in device pixels. */
  fit() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const hgt = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== hgt) {
      this.canvas.width = this.layer.width = w;
      this.canvas.height = this.layer.height = hgt;
      this.layerDirty = true;
      this.start();
    }
  }

  start() {
    if (!this.raf && this.cur) this.raf = requestAnimationFrame((t) => this.draw(t));
  }

  stop() {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.resizer.disconnect();
  }

  draw(now) {
    this.raf = 0;
    if (!this.canvas.isConnected || !this.cur) return; // off screen: update() starts again
    const st = this.cur.state;
    const g = this.canvas.getContext("2d");
    const { width: W, height: H } = this.canvas;
    const cw = W / st.width;
    const ch = H / st.height;
    const prev = this.prev && this.prev.state.round === st.round ? this.prev.state : null;
    const alpha = Math.min(1, Math.max(0, (now - this.cur.at) / this.tickMs));
    const moving = st.cycles.map((c, s) => {
      const p = prev && prev.cycles[s];
      return !!p && c.alive && p.alive && Math.abs(c.x - p.x) + Math.abs(c.y - p.y) === 1;
    });
    if (this.layerDirty) this.drawLayer(st, moving, cw, ch);
    g.clearRect(0, 0, W, H);
    g.drawImage(this.layer, 0, 0);
    const pal = colours();
    const rect = (x0, y0, x1, y1) => {
      // Cell coordinates to whole pixels, so walls meet without seams.
      const px = Math.round(x0 * cw);
      const py = Math.round(y0 * ch);
      g.fillRect(px, py, Math.round(x1 * cw) - px, Math.round(y1 * ch) - py);
    };
    st.cycles.forEach((c, s) => {
      const colour = pal.seats[s % 8];
      let x = c.x;
      let y = c.y;
      if (moving[s]) {
        // The head glides from its cell in the frame before to its cell now; the wall follows.
        const p = prev.cycles[s];
        x = p.x + (c.x - p.x) * alpha;
        y = p.y + (c.y - p.y) * alpha;
        g.fillStyle = colour;
        rect(Math.min(p.x, x), Math.min(p.y, y), Math.max(p.x, x) + 1, Math.max(p.y, y) + 1);
      }
      if (c.alive) {
        g.save();
        g.shadowColor = colour;
        g.shadowBlur = Math.max(4, cw * 1.6);
        g.fillStyle = "#ffffff";
        const inset = 0.12;
        g.fillRect((x + inset) * cw, (y + inset) * ch, (1 - 2 * inset) * cw, (1 - 2 * inset) * ch);
        g.restore();
      } else {
        // A crash: a white cross on the cell where the cycle stopped.
        g.strokeStyle = "#ffffff";
        g.lineWidth = Math.max(1.5, cw * 0.28);
        g.lineCap = "round";
        const r = 0.9;
        const cx = (c.x + 0.5) * cw;
        const cy = (c.y + 0.5) * ch;
        g.beginPath();
        g.moveTo(cx - r * cw, cy - r * ch);
        g.lineTo(cx + r * cw, cy + r * ch);
        g.moveTo(cx + r * cw, cy - r * ch);
        g.lineTo(cx - r * cw, cy + r * ch);
        g.stroke();
      }
    });
    // Keep drawing while a head is still on its way, or the round goes on.
    const racing = this.room && this.room.phase === "playing" && !ended(st);
    if (racing || alpha < 1) this.start();
  }

  /** The arena's floor and its walls, except the newest cell of each moving head (the head
   * draws its own wall as it gets there). */
  drawLayer(st, moving, cw, ch) {
    const g = this.layer.getContext("2d");
    const { width: W, height: H } = this.layer;
    const pal = colours();
    g.fillStyle = pal.bg;
    g.fillRect(0, 0, W, H);
    g.fillStyle = pal.line;
    for (let x = 4; x < st.width; x += 4) g.fillRect(Math.round(x * cw), 0, 1, H);
    for (let y = 4; y < st.height; y += 4) g.fillRect(0, Math.round(y * ch), W, 1);
    const skip = new Set(st.cycles.filter((_, s) => moving[s]).map((c) => c.y * st.width + c.x));
    for (let i = 0; i < st.grid.length; i++) {
      const code = st.grid.charCodeAt(i) - 97; // "a" is seat 0
      if (code < 0 || code > 7 || skip.has(i)) continue;
      const x = i % st.width;
      const y = (i - x) / st.width;
      const px = Math.round(x * cw);
      const py = Math.round(y * ch);
      g.fillStyle = pal.seats[code];
      g.fillRect(px, py, Math.round((x + 1) * cw) - px, Math.round((y + 1) * ch) - py);
    }
    g.strokeStyle = pal.line;
    g.lineWidth = 2;
    g.strokeRect(1, 1, W - 2, H - 2);
    this.layerDirty = false;
  }
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function buzz() {
  if (!navigator.vibrate || document.visibilityState !== "visible") return;
  try {
    navigator.vibrate(CRASH_BUZZ_MS);
  } catch {
    // Not allowed before a tap: fine.
  }
}

/** The keyboard's arrows (and WASD) steer, except while typing (the chat). */
function bindKeys() {
  if (keysBound) return;
  keysBound = true;
  document.addEventListener("keydown", (e) => {
    const dir = KEYS[e.key];
    if (!dir || e.repeat || e.altKey || e.ctrlKey || e.metaKey || !steering || !steering.root.isConnected) return;
    if (e.target instanceof Element && e.target.closest("input, textarea, select, [contenteditable]")) return;
    if (steering.steer(dir)) e.preventDefault();
  });
}
