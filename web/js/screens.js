// The page around the screens: which screen is on show (one at a time), the page title, and the
// toast that says what went wrong (or right) in words.

import { state } from "./state.js";

const SCREENS = ["loading", "name", "account", "home", "room", "messages", "conversation"];

const $ = (id) => document.getElementById(id);

let onChange = () => {};

/** `fn(before, name)` runs after every change of screen (the messages screens follow them). */
export function onScreenChange(fn) {
  onChange = fn;
}

export function showScreen(name) {
  const before = state.screen;
  state.screen = name;
  for (const id of SCREENS) $(`screen-${id}`).hidden = id !== name;
  const titles = { room: state.code ? `room ${state.code}` : "", messages: "messages", conversation: "messages" };
  document.title = titles[name] ? `Capital - ${titles[name]}` : "Capital";
  onChange(before, name);
}

let toastTimer = null;

export function toast(text, kind = "error") {
  const el = $("toast");
  $("toast-text").textContent = text;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 6000);
}

export function hideToast() {
  clearTimeout(toastTimer);
  $("toast").hidden = true;
}

$("toast-close").addEventListener("click", () => hideToast());
