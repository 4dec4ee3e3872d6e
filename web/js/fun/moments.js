// "Bo joined!": a short line with the player's look when someone joins the room (its `joined`
// event, not when someone comes back), on the big screen and on the phones already in the room.
// It takes no taps and never covers a button: on a phone it shows where the toast does (under
// the header, over the status line, or in the landscape column) and waits while a toast is on
// show; on the big screen it shows over the title. Screen readers hear it politely (a live
// region that is always in the page).

import { h } from "../dom.js";
import { avatar } from "./avatar.js";
import { listWords } from "../seats.js";

/** How long a moment stays after the last join, in ms. */
const SHOW_MS = 3500;
/** How many faces a moment shows at most. */
const FACES = 4;

/**
 * The page's moments. `big`: the big screen (the line goes into `into`); else a phone, where
 * `onShow()` says whether the room is on show (a moment for a room not on show is dropped).
 * Joins close together make one line ("Ana, Bo and Cy joined!"), so a moment is always one
 * line high and covers only what it is meant to: the status line, or the big screen's title.
 */
export function createMoments({ big = false, into = document.body, onShow = () => true } = {}) {
  const region = h("div", { class: `moments${big ? " moments-big" : ""}`, "data-testid": "moments", role: "status", "aria-live": "polite" });
  into.append(region);
  const toast = document.getElementById("toast");
  let recent = []; // who joined since the line went up, oldest first
  let timer = 0;
  let pending = []; // a phone's joins that came while a toast showed

  function add(members) {
    for (const m of members) if (!recent.some((r) => r.id === m.id)) recent.push(m);
    const names = recent.map((m) => m.name);
    const line = h(
      "p",
      { class: "moment", "data-testid": "moment" },
      recent.slice(-FACES).map((m) => avatar(m.id, "moment-face")),
      h("span", { class: "moment-text" }, `${listWords(names)} joined!`),
    );
    if (!big) {
      // Where the toast would go: just under the header of the screen on show.
      const bar = document.querySelector(".screen:not([hidden]) .topbar");
      region.style.top = `${Math.max(8, bar ? bar.getBoundingClientRect().bottom + 2 : 8)}px`;
    }
    region.replaceChildren(line);
    clearTimeout(timer);
    timer = setTimeout(() => {
      recent = [];
      region.replaceChildren();
    }, SHOW_MS);
  }

  // A phone: joins that came while a toast showed show when it goes.
  if (!big && toast) {
    new MutationObserver(() => {
      if (toast.hidden && pending.length) {
        const members = pending;
        pending = [];
        if (onShow()) add(members);
      }
    }).observe(toast, { attributes: true, attributeFilter: ["hidden"] });
  }

  return {
    /** `member` ({id, name}) joined the room. */
    joined(member) {
      if (!member || !onShow()) return;
      if (!big && toast && !toast.hidden) pending.push(member);
      else add([member]);
    },
  };
}
