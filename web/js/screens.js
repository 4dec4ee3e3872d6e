// The page around the screens: which screen is on show (one at a time), the page title, the
// browser's Back button, and the toast that says what went wrong (or right) in words.
//
// Back: a screen with a back button of its own (a room, the messages, a conversation, the account
// screen, renaming) sits above the page's first history entry, in an entry of its own; Back
// leaves that entry, and the app does what the screen's back button does (a room asks whether to
// leave it; an open dialog just closes). While the screen it leads to has a back button too, a
// new entry takes the old one's place, so Back keeps working inside the app; on a screen without
// one (home, the name screen, connecting) Back leaves the app, as it should. The address bar
// shows the room's address (/join/CODE) while in one (setAddress).

import { state } from "./state.js";

const SCREENS = ["loading", "name", "account", "home", "room", "messages", "conversation", "verify", "privacy"];

const $ = (id) => document.getElementById(id);

let onChange = () => {};

// What Back does on each screen: the same as the screen's own back button, while it shows.
const BACK_BUTTONS = {
  name: "name-cancel",
  account: "account-back",
  room: "leave",
  messages: "messages-back",
  conversation: "dm-back",
  verify: "verify-back",
  privacy: "privacy-back",
};
// The entry above the first one is ours (it survives a reload, so this is read from history).
let above = !!(history.state && history.state.capitalAbove);
let skipPops = 0; // pops the app caused itself (history.back() on the way down to a first screen)
let address = location.pathname; // what the address bar should show

/** `fn(before, name)` runs after every change of screen (the messages screens follow them). */
export function onScreenChange(fn) {
  onChange = fn;
}

export function showScreen(name) {
  const before = state.screen;
  state.screen = name;
  for (const id of SCREENS) $(`screen-${id}`).hidden = id !== name;
  document.body.dataset.screen = name; // for the stylesheet: where the toast goes
  const titles = { room: state.code ? `room ${state.code}` : "", messages: "messages", conversation: "messages", verify: "safety number", privacy: "who can read my messages?" };
  document.title = titles[name] ? `Capital - ${titles[name]}` : "Capital";
  followHistory();
  onChange(before, name);
}

/** The address bar shows `path` (/join/CODE in a room, / elsewhere), without a new entry. */
export function setAddress(path) {
  address = path;
  if (location.pathname !== path) history.replaceState(history.state, "", path);
}

/** The back button on show now, if the screen has one. */
function backButton() {
  const id = BACK_BUTTONS[state.screen];
  const button = id ? $(id) : null;
  return button && !button.hidden ? button : null;
}

/** History follows the screen: an entry above the first one while it has a back button. */
function followHistory() {
  if (backButton() && !above) {
    history.pushState({ capitalAbove: true }, "", address);
    above = true;
  } else if (!backButton() && above) {
    above = false;
    skipPops += 1;
    history.back();
  }
}

window.addEventListener("popstate", (e) => {
  const toAbove = !!(e.state && e.state.capitalAbove);
  if (skipPops > 0) {
    skipPops -= 1;
    if (!toAbove) setAddress(address);
    return;
  }
  if (toAbove) {
    // Forward, into the entry the app left: it has nothing to show there but what is on show.
    above = true;
    if (backButton()) setAddress(address);
    else followHistory();
    return;
  }
  // Back, onto the first entry.
  above = false;
  const dialog = document.querySelector("dialog[open]");
  const button = backButton();
  if (dialog) dialog.close("");
  else if (button) button.click();
  if (backButton()) followHistory();
  else setAddress(address);
});

let toastTimer = null;

/** Says `text` for 6 s at the top of the screen. The same words again while they show only
 * keep them up longer: each is said (and read out) once. */
export function toast(text, kind = "error") {
  const el = $("toast");
  const same = !el.hidden && $("toast-text").textContent === text;
  if (!same) {
    $("toast-text").textContent = text;
    el.className = `toast toast-${kind}`;
    el.hidden = false;
  }
  // Just under the header of the screen on show (style.css keeps it out of the button zone).
  const bar = document.querySelector(".screen:not([hidden]) .topbar");
  el.style.top = `${Math.max(8, bar ? bar.getBoundingClientRect().bottom + 2 : 8)}px`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 6000);
}

export function hideToast() {
  clearTimeout(toastTimer);
  $("toast").hidden = true;
}

$("toast-close").addEventListener("click", () => hideToast());
