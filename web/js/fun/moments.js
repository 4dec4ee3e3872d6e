// "Bo joined!": a short line with the player's look when someone joins the room (its `joined`
// event, not when someone comes back), on the big screen and on the phones already in the room.
// It takes no taps and never covers a button: on a phone it shows where the toast does (under
// the header, over the status line, or in the landscape column) and waits while a toast is on
// show; on the big screen it shows over the title, up to three at once. Screen readers hear it
// politely (a live region that is always in the page).

import { h } from "../dom.js";
import { avatar } from "./avatar.js";

/** How long a moment stays, in ms. */
const SHOW_MS = 3500;
/** How many the big screen shows at once. */
const BIG_MAX = 3;

/**
 * The page's moments. `big`: the big screen (the line goes into `into`); else a phone, where
 * `onShow()` says whether the room is on show (a moment for a room not on show is dropped).
 */
export function createMoments({ big = false, into = document.body, onShow = () => true } = {}) {
  const region = h("div", { class: `moments${big ? " moments-big" : ""}`, "data-testid": "moments", role: "status", "aria-live": "polite" });
  into.append(region);
  const toast = document.getElementById("toast");
  let pending = null; // a phone's moment waiting for the toast to go

  function add(member) {
    const line = h("p", { class: "moment", "data-testid": "moment" }, avatar(member.id, "moment-face"), h("span", {}, `${member.name} joined!`));
    if (big) {
      while (region.childElementCount >= BIG_MAX) region.firstElementChild.remove();
      region.append(line);
    } else {
      // Where the toast would go: just under the header of the screen on show.
      const bar = document.querySelector(".screen:not([hidden]) .topbar");
      region.style.top = `${Math.max(8, bar ? bar.getBoundingClientRect().bottom + 2 : 8)}px`;
      region.replaceChildren(line);
    }
    setTimeout(() => line.remove(), SHOW_MS);
  }

  // A phone: a moment that came while a toast showed shows when it goes (the newest only).
  if (!big && toast) {
    new MutationObserver(() => {
      if (toast.hidden && pending) {
        const member = pending;
        pending = null;
        if (onShow()) add(member);
      }
    }).observe(toast, { attributes: true, attributeFilter: ["hidden"] });
  }

  return {
    /** `member` ({id, name}) joined the room. */
    joined(member) {
      if (!member || !onShow()) return;
      if (!big && toast && !toast.hidden) pending = member;
      else add(member);
    },
  };
}
