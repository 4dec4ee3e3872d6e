// Comparing safety numbers: the screen that shows the 60 digits and the QR code for one
// contact, "mark as verified", and what happens when this page is opened from a scanned code
// (`/#verify=...`, made on the other phone): it compares the code with what this device sees
// and marks the contact verified, or says plainly that they do not match. The QR code is drawn
// here (qr.js), not by the server, since the server is what the numbers check.

import { fill, h } from "./dom.js";
import { friendly } from "./describe.js";
import { qrSvg } from "./qr.js";
import { showScreen, toast } from "./screens.js";
import { state } from "./state.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {object} env
 * @param {import("./e2e/e2e.js").E2e} env.e2e
 * @param {import("./messages.js").Messages} env.messages
 * @param {() => void} env.backToConversation
 * @param {(id: string, name: string) => void} env.openConversation
 */
export function createVerify({ e2e, messages, backToConversation, openConversation }) {
  let other = null;
  let shown = null; // the fingerprint of the other's keys that the numbers on screen show
  let fromScan = false; // opened by a scanned code, not from a conversation

  async function openVerify(id, name, scanned = false) {
    other = { id, name };
    shown = null;
    fromScan = scanned;
    $("verify-title").textContent = `Safety number with ${name}`;
    $("verify-intro").textContent = `Compare this number with the one on ${name}'s phone, side by side.`;
    fill($("verify-digits"));
    fill($("verify-qr"));
    $("verify-devices").textContent = "";
    $("verify-state").textContent = "";
    showScreen("verify");
    try {
      const { digits, link, shown: fp } = await e2e.safety(id);
      shown = fp;
      fill($("verify-digits"), digits.map((g) => h("span", { class: "verify-group" }, g)));
      $("verify-digits").dataset.number = digits.join("");
      $("verify-qr").innerHTML = qrSvg(link, { label: `QR code of your safety number with ${name}` });
      $("verify-qr").dataset.link = link;
      $("verify-devices").textContent = deviceWords(e2e.deviceCount(e2e.opts.meId()), e2e.deviceCount(id), name);
      drawState();
      if (scanned && e2e.status(id) !== "verified") {
        $("verify-state").textContent = `The code you scanned matches what this phone sees. If you scanned it on ${name}'s own phone, in person, tap "The numbers match".`;
      }
    } catch (err) {
      $("verify-state").textContent = friendly(err);
    }
  }

  function drawState() {
    const status = e2e.status(other.id);
    $("verify-state").textContent =
      status === "verified"
        ? `${other.name} is verified.`
        : status === "changed"
          ? `${other.name}'s keys changed since you last wrote.`
          : status === "self-changed"
            ? "A new device was added to your account since you last wrote."
            : "Not verified yet.";
    $("verify-mark").hidden = status === "verified";
  }

  $("verify-mark").addEventListener("click", () => {
    if (!other || !shown) return;
    if (!e2e.markVerified(other.id, shown)) {
      toast(`${other.name}'s keys changed while this was on screen: compare the new numbers.`, "error");
      openVerify(other.id, other.name);
      return;
    }
    const c = messages.convs.get(other.id);
    if (c) messages.releaseHeld(c);
    drawState();
    toast(`${other.name} is verified.`, "info");
  });
  $("verify-back").addEventListener("click", () => {
    if (fromScan && other) openConversation(other.id, other.name);
    else backToConversation();
  });

  // A scanned code's fragment, read as the page opens: going into a room rewrites the address
  // (to /join/CODE) before the connection is up to check it. Opened in a tab already on the
  // app, only the fragment changes: then it is checked at once, from the event's own copy of
  // the address (Back handling may have rewritten the address bar by then).
  let scanned = fragment(location.hash);
  window.addEventListener("hashchange", (e) => {
    scanned = fragment(new URL(e.newURL).hash) || scanned;
    if (scanned && state.online) checkAddress();
  });

  /** The code in a `#verify=...` fragment (then taken off the address), or null. */
  function fragment(hash) {
    const found = hash.match(/^#verify=([A-Za-z0-9._-]+)$/);
    if (found && location.hash === hash) history.replaceState(history.state, "", location.pathname);
    return found ? found[1] : null;
  }

  /** The page was opened from a scanned code: check it once connected. */
  async function checkAddress() {
    const code = scanned;
    scanned = null;
    if (!code || !e2e.available) return;
    try {
      const { result, other: id } = await e2e.checkLink(code);
      const c = id ? messages.conv(id) : null;
      const name = (c && c.name) || "this player";
      if (result === "match") {
        // Not verified yet: the user says where the code came from.
        toast(`The code matches: tap "The numbers match" to mark ${name} verified.`, "info");
        openVerify(id, name, true);
      } else if (result === "mismatch") {
        toast(`The codes do not match: the keys you see for ${name} are not the ones ${name}'s phone shows. Do not send anything private.`, "error");
      } else {
        toast("That code is for a conversation of other players.", "error");
      }
    } catch (err) {
      toast(friendly(err));
    }
  }

  return { openVerify, checkAddress };
}

/**
 * How many devices the numbers cover: a device on one's own list that one does not own is
 * what the numbers cannot catch (both phones would see it), so each player checks their count.
 */
export function deviceWords(mine, theirs, name) {
  const n = (count) => (count === 1 ? "1 device" : `${count} devices`);
  return `These numbers cover your ${n(mine)} and ${name}'s ${n(theirs)}. If you have fewer phones and browsers signed in than that, do not mark this verified.`;
}
