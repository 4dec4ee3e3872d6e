// Small DOM helpers and the pieces of UI the phone and the big screen share.

import { replaceKeeping } from "./keep.js";

/**
 * Creates an element: h("button", {class: "btn", onclick: f}, "Text", child).
 * Attributes whose value is false, null or undefined are left out; `on*` functions become
 * event listeners; strings and nodes become children (strings as text, never as HTML).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "html") {
      el.innerHTML = value; // only for our own constant SVG icons, never for received text
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of `el` (keeping a live element drawn as a slot: keep.js). */
export function fill(el, ...children) {
  replaceKeeping(el, children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** Writes a status line ({text, detail, mood} from describe.js) into `el`; the same line again
 * leaves it alone (a real-time game asks many times a second, and a live region should not be
 * read out twice). */
export function drawStatus(el, line, baseClass = "status") {
  const key = [baseClass, line.mood, line.text, line.detail || ""].join("|");
  if (el.dataset.said === key) return;
  el.dataset.said = key;
  fill(el, h("strong", {}, line.text), line.detail ? h("span", { class: "status-detail" }, line.detail) : null);
  el.className = `${baseClass} mood-${line.mood}`;
}

/** A join link as two unbreakable halves ("192.168.1.20:8080" and "/join/KXMR"), so that a
 * narrow screen wraps it between them and not in the middle of the code. */
export function linkText(link) {
  const bare = link.replace(/^https?:\/\//, "");
  const cut = bare.indexOf("/");
  if (cut < 0) return [h("span", { class: "nowrap" }, bare)];
  return [h("span", { class: "nowrap" }, bare.slice(0, cut)), h("wbr"), h("span", { class: "nowrap" }, bare.slice(cut))];
}

/** A user's initial, for the round avatar. */
export function initial(name) {
  const ch = [...(name || "?").trim()][0] || "?";
  return ch.toUpperCase();
}

/** A speech bubble, for "message this player". */
export const BUBBLE_ICON =
  '<svg viewBox="0 0 24 24"><path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>';

/** Words for screen readers only, inside something that shows (", host", ": send a message"). */
export function srOnly(text) {
  return h("span", { class: "sr-only" }, text);
}

/**
 * A count of the characters typed in `input` against its maxlength, in `out` (the input's
 * aria-describedby): shown once the text is `from` of the way there (0: always), and in words
 * at the limit, where the field stops taking more (nothing is cut without saying so). Returns
 * the function that redraws it, for when the value is set from a script.
 */
export function charCounter(input, out, from = 0) {
  const max = Number(input.maxLength);
  // Said when it gets there, in a live region of its own (one on every key would be too much).
  const said = h("span", { class: "sr-only", role: "status" });
  out.after(said);
  const draw = () => {
    const n = [...input.value].length;
    const full = n >= max;
    out.hidden = n < max * from || (from > 0 && n === 0);
    out.classList.toggle("full", full);
    fill(out, `${n}/${max}`, srOnly(" characters"), full ? ": that is the most" : "");
    const words = full ? `That is the most: ${max} characters.` : "";
    if (said.textContent !== words) said.textContent = words;
  };
  input.addEventListener("input", draw);
  input.addEventListener("change", draw);
  draw();
  return draw;
}

/** A short time for a message: "14:05" today, "Mon 14:05" this week, else "3 Mar". */
export function shortTime(ts, now = Date.now()) {
  const d = new Date(ts);
  const today = new Date(now);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === today.toDateString()) return time;
  if (now - ts < 6 * 24 * 3600 * 1000 && now >= ts) {
    return `${d.toLocaleDateString([], { weekday: "short" })} ${time}`;
  }
  return d.toLocaleDateString([], { day: "numeric", month: "short" });
}
