// "Can somebody read my messages?", answered with one of your own messages (the newest direct
// message of this player): what the phone sends, what someone on the same Wi-Fi sees over http
// and over https, the row the server keeps (the real one, from `dm_stored`), and what the
// teacher's console can show. Then the same for room chat. The course asks the question; this
// screen is the product answering it for its own users (docs/privacy.md says it at length).

import { fill, h } from "./dom.js";
import { friendly } from "./describe.js";
import { onPlainHttp } from "./e2e/words.js";
import { setAddress, showScreen } from "./screens.js";
import { state } from "./state.js";

const $ = (id) => document.getElementById(id);

/** Long base64 values shortened for the screen (the row itself is shown as stored). */
function shorten(value) {
  return typeof value === "string" && value.length > 40 ? `${value.slice(0, 24)}…(${value.length} characters)` : value;
}

function pretty(obj, short = false) {
  return JSON.stringify(obj, (k, v) => (short && k !== "" ? shorten(v) : v), 2);
}

function section(title, testid, ...body) {
  return h("section", { class: "card privacy-card", "data-testid": testid }, h("h2", {}, title), ...body);
}

const code = (text, testid) => h("pre", { class: "privacy-code", "data-testid": testid }, text);

/**
 * @param {object} env
 * @param {(type: string, fields: object) => Promise<object>} env.request
 * @param {import("./messages.js").Messages} env.messages
 * @param {import("./e2e/e2e.js").E2e} env.e2e
 * @param {() => void} env.showHome
 */
export function createPrivacy({ request, messages, e2e, showHome }) {
  // Opened at /privacy: the screen shows once connected (home may set the address first).
  let wanted = location.pathname === "/privacy";
  async function openPrivacy() {
    setAddress("/privacy");
    showScreen("privacy");
    fill($("privacy-body"), h("p", {}, "Looking for your newest direct message…"));
    try {
      fill($("privacy-body"), await draw());
    } catch (err) {
      fill($("privacy-body"), h("p", { role: "alert" }, friendly(err)));
    }
  }

  async function newest() {
    if (!messages.listed) await messages.refresh();
    const c = messages.conversations().find((c) => c.last);
    return c ? { c, m: c.last } : null;
  }

  async function draw() {
    const found = await newest();
    const parts = [];
    const http = onPlainHttp();
    parts.push(
      h(
        "p",
        { class: "privacy-lead", "data-testid": "privacy-transport" },
        http
          ? "This page came over plain http: what your phone sends travels in the clear over the Wi-Fi."
          : location.protocol === "https:"
            ? "This page came over https: what your phone sends is encrypted on the way to the server (TLS)."
            : "This page runs on the server machine itself: what it sends never crosses the Wi-Fi.",
      ),
    );
    if (!found) {
      parts.push(h("p", { "data-testid": "privacy-none" }, "You have no direct messages yet. Write to someone (tap their name in a room), then come back: this page shows that very message as it travels and as it is kept."));
    } else {
      parts.push(...(await dmSections(found.c, found.m, http)));
    }
    parts.push(
      section(
        "Room chat",
        "privacy-room-chat",
        h("p", {}, "Room chat is not end-to-end encrypted, on purpose: the server keeps it as text, and the teacher reads it in the console to keep the room friendly. Over https nobody on the Wi-Fi can read it; over http anyone can."),
      ),
    );
    parts.push(h("p", { class: "privacy-more" }, "The whole story, with what each person can and cannot read: docs/privacy.md in Capital's source."));
    return parts;
  }

  async function dmSections(c, m, http) {
    const me = state.me.id;
    const name = c.name || "the other player";
    const mine = m.from === me;
    let text = m.text;
    if (m.sealed && !m.opened) {
      try {
        text = await e2e.open(m);
      } catch (err) {
        text = `(this device cannot open it: ${err.message})`;
      }
    }
    const sent = m.sealed
      ? { id: 7, type: "dm", to: m.to, client_msg_id: m.client_msg_id, sealed: m.sealed }
      : { id: 7, type: "dm", to: m.to, text: m.text, client_msg_id: m.client_msg_id };
    const frame = JSON.stringify(sent);
    const { row } = await request("dm_stored", { with: c.with, seq: m.seq });
    const who = m.sealed ? `only your devices and ${name}'s` : "the server, and whoever runs it";
    return [
      section(
        mine ? `Your message to ${name}` : `${name}'s message to you`,
        "privacy-message",
        h("blockquote", { class: "privacy-quote", "data-testid": "privacy-text" }, text),
        h("p", {}, m.sealed ? `End-to-end encrypted: ${who} can turn it back into these words.` : "Not end-to-end encrypted: it is stored as you see it."),
      ),
      section(
        mine ? "What your phone sent" : `What ${name}'s phone sent`,
        "privacy-sent",
        h("p", {}, m.sealed ? "The text is not in it: each copy is sealed for one device (ct), and only that device's private key opens it." : "The text is in it, as typed."),
        code(pretty(sent, true), "privacy-frame"),
      ),
      section(
        "Someone on the same Wi-Fi",
        "privacy-wifi",
        h("h3", {}, `Over http${http ? " (this page)" : ""}`),
        h("p", {}, m.sealed ? "They can read the frame above: who writes to whom, when, and the sealed copies, but not the text." : "They can read the frame above, text and all."),
        h("h3", {}, `Over https${location.protocol === "https:" ? " (this page)" : ""}`),
        h("p", { "data-testid": "privacy-tls" }, `They see only that this phone talks to the server, when, and about ${frame.length + 29} bytes of encrypted data (a TLS record). Nothing of the frame.`),
      ),
      section(
        "What the server keeps",
        "privacy-row",
        h("p", {}, "This is the message's row in the server's database, as the person who runs the server could read it:"),
        code(pretty(row), "privacy-row-json"),
        h("p", {}, row.sealed ? "The text column is empty; the sealed column holds only ciphertext. The server still knows who wrote to whom and when (it needs that to deliver)." : "The text column holds the message as written."),
      ),
      section(
        "The teacher's console",
        "privacy-console",
        h("p", {}, "The console shows rooms, players and room chat, so that the teacher can moderate. It has no view of direct messages. The person who runs the Pi could open the database: they would see the row above."),
      ),
    ];
  }

  $("privacy-back").addEventListener("click", () => {
    setAddress("/");
    showHome();
  });
  $("home-privacy").addEventListener("click", (e) => {
    e.preventDefault();
    openPrivacy();
  });

  /** After a connection: the screen, if the page was opened at /privacy. */
  function checkAddress() {
    if (!wanted) return;
    wanted = false;
    openPrivacy();
  }

  return { openPrivacy, checkAddress };
}
