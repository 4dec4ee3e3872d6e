// Direct messages, the view: the conversation list and the open conversation, drawn from the
// model (messages.js) whenever it says something changed; the composer and "Show older"; who
// can read each message (e2e/words.js), and the notice at the top that says it for the whole
// conversation (with "Compare safety numbers", or the warning when the other's keys changed).

import { charCounter, fill, h, initial, shortTime, srOnly } from "./dom.js";
import { friendly, isConnectionError } from "./describe.js";
import { GO_ON, conversationNotice, heldWords, messageLabel } from "./e2e/words.js";

const $ = (id) => document.getElementById(id);

/** Ticks for my messages: one when stored, two when delivered, two in colour when read. */
const TICKS = {
  sent: '<svg viewBox="0 0 20 12"><path d="M2 6.5 5.5 10 12 2.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  double:
    '<svg viewBox="0 0 20 12"><path d="M1.5 6.5 5 10 11.5 2.5M8 9.2 8.8 10 15.3 2.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>',
};
const STATUS_WORDS = { sending: "Sending", sent: "Sent", delivered: "Delivered", read: "Read" };

export class MessagesView {
  /**
   * @param {import("./messages.js").Messages} model
   * @param {object} opts
   * @param {() => string|null} opts.meId
   * @param {() => boolean} opts.online
   * @param {(text: string, kind?: string) => void} opts.toast
   * @param {(id: string, name: string) => void} opts.openConversation  one was tapped in the list
   * @param {import("./e2e/e2e.js").E2e} opts.e2e
   * @param {(id: string, name: string) => void} opts.openVerify  compare safety numbers
   */
  constructor(model, opts) {
    this.model = model;
    this.opts = opts;
    this.wire();
  }

  /** Opens the conversation with `id` (from the list, or "Message" on a player in a room). */
  async open(id, name, online) {
    const c = this.model.select(id, name, online);
    $("dm-input").value = "";
    $("dm-input").dispatchEvent(new Event("input"));
    this.drawConversation(true);
    if (this.opts.online() && this.opts.e2e.available) {
      // Their devices and mine as they are now: a key change is shown before anything is sent.
      const e2e = this.opts.e2e;
      Promise.all([e2e.keysOf(id, true), e2e.keysOf(this.opts.meId(), true)])
        .catch(() => null)
        .then(() => this.model.current === id && this.drawConversation(false));
    }
    if (!c.loaded && this.opts.online()) {
      try {
        await this.model.loadNewest(c);
      } catch (err) {
        if (!isConnectionError(err)) this.opts.toast(friendly(err));
      }
      if (this.model.current === id) this.drawConversation(true);
    }
    this.model.markRead();
  }

  close() {
    this.model.close();
  }

  async loadOlder() {
    const c = this.model.convs.get(this.model.current);
    if (!c || !c.msgs.size) return;
    const button = $("dm-older");
    button.disabled = true;
    try {
      await this.model.loadOlder(c);
      const log = $("dm-log");
      const keepBottom = log.scrollHeight - log.scrollTop;
      this.drawConversation(false);
      log.scrollTop = log.scrollHeight - keepBottom;
    } catch (err) {
      this.opts.toast(friendly(err));
    } finally {
      button.disabled = false;
    }
  }

  /** The model changed conversation `id` (null: the list): redraw what is on show. */
  changed(id) {
    if (id && id === this.model.current && !$("screen-conversation").hidden) this.drawConversation(false);
    if (!$("screen-messages").hidden) this.drawList();
  }

  /** The conversation list: newest first, unread counts, who is online. */
  drawList() {
    const me = this.opts.meId();
    const list = this.model.conversations();
    const root = $("conv-list");
    if (list.length === 0) {
      fill(
        root,
        h(
          "li",
          { class: "conv-empty", "data-testid": "conversations-empty" },
          h("span", { class: "conv-empty-icon", "aria-hidden": "true", html: BIG_BUBBLES }),
          h("strong", {}, this.model.listed || !this.opts.online() ? "No messages yet" : "Loading..."),
          h("span", {}, NEW_HINT),
        ),
      );
      return;
    }
    fill(
      root,
      list.map((c) => {
        // No last message: the list left it out (too big for the reply); the conversation has it.
        const last = c.outbox.length
          ? { from: me, text: c.outbox[c.outbox.length - 1].text, ts: Date.now() }
          : c.last || { from: null, text: "Open to read", ts: 0 };
        const mine = last.from === me;
        const name = c.name || "Someone";
        return h(
          "li",
          {},
          h(
            "button",
            {
              class: `conv-item${c.unread ? " unread" : ""}`,
              type: "button",
              "data-testid": "conversation",
              "data-with": c.with,
              onclick: () => this.opts.openConversation(c.with, c.name),
            },
            avatar(name, c.online),
            h(
              "span",
              { class: "conv-text" },
              h(
                "span",
                { class: "conv-top" },
                h("b", { class: "conv-name" }, name),
                srOnly(`${c.unread ? `, ${c.unread} unread` : ""}: `),
                this.model.isBlocked(c.with) ? h("span", { class: "tag" }, "blocked") : null,
                h("time", { class: "conv-time" }, last.ts ? shortTime(last.ts) : ""),
              ),
              h(
                "span",
                { class: "conv-bottom" },
                h(
                  "span",
                  { class: "conv-preview", "data-testid": "conversation-preview" },
                  mine ? h("span", { class: "conv-you" }, "You: ") : null,
                  last.sealed && !last.opened ? "🔒 Encrypted message" : last.text,
                ),
                c.unread
                  ? h("span", { class: "badge", "data-testid": "conversation-unread", "aria-hidden": "true" }, String(c.unread))
                  : null,
              ),
            ),
          ),
        );
      }),
      h("li", { class: "conv-hint" }, NEW_HINT),
    );
  }

  /** The open conversation: header, messages with ticks, composer (or a blocked note). */
  drawConversation(toEnd) {
    const c = this.model.convs.get(this.model.current);
    if (!c) return;
    const me = this.opts.meId();
    const name = c.name || "Someone";
    $("dm-name").textContent = name;
    fill($("dm-avatar"), avatar(name, c.online));
    const presence = $("dm-presence");
    presence.textContent = c.online === true ? "online" : c.online === false ? "offline" : "";
    presence.className = `topbar-sub${c.online ? " is-online" : ""}`;
    const blocked = this.model.isBlocked(c.with);
    $("dm-block").textContent = blocked ? "Unblock" : "Block";
    $("dm-block").setAttribute("aria-label", `${blocked ? "Unblock" : "Block"} ${name}`);
    $("dm-form").hidden = blocked;
    $("dm-blocked").hidden = !blocked;
    $("dm-blocked-text").textContent = `You blocked ${name}: neither of you can write to the other.`;
    $("dm-input").placeholder = `Message ${name.length > 14 ? name.split(/\s+/)[0].slice(0, 14) : name}`;
    $("dm-older").hidden = !c.more;
    const status = this.opts.e2e.status(c.with);
    this.drawNotice(c, name, status);

    const sorted = [...c.msgs.values()].sort((a, b) => a.seq - b.seq);
    const lastMine = [...sorted].reverse().find((m) => m.from === me);
    const items = [];
    let day = "";
    for (const m of sorted) {
      const d = new Date(m.ts).toDateString();
      if (d !== day) {
        day = d;
        items.push(h("li", { class: "dm-day" }, dayWords(m.ts)));
      }
      const mine = m.from === me;
      const tick = this.model.statusOf(c, m);
      const text = m.sealed && !m.opened ? (m.unreadable ? "🔒 Encrypted message" : "🔒 Opening…") : m.text;
      const standing = m.sealed && !mine ? this.opts.e2e.keyStanding(c.with, m.sealed.from_key) : null;
      const who = messageLabel(m, status, name, standing, this.oddity(c, m, sorted));
      items.push(bubble(text, m.ts, mine, tick, m === lastMine, { "data-seq": m.seq, "data-sealed": m.sealed ? "yes" : "no" }, null, who));
    }
    for (const p of c.outbox) {
      const state = p.failed ? "failed" : p.held ? "held" : "sending";
      const why = p.held ? heldWords(status, p.heldFor, me, name) : p.failed;
      items.push(bubble(p.text, null, true, state, true, { class: "pending" }, why));
    }
    if (items.length === 0) {
      items.push(
        h(
          "li",
          { class: "msg-empty" },
          c.loaded
            ? `Say hello to ${name}. Only the two of you see these messages.`
            : this.opts.online()
              ? "Loading..."
              : "The messages show here when the connection is back.",
        ),
      );
    }
    const log = $("dm-log");
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    fill(log, items);
    if (toEnd || atEnd) {
      log.scrollTop = log.scrollHeight;
      requestAnimationFrame(() => (log.scrollTop = log.scrollHeight));
    }
  }

  /**
   * What is odd about a received message, as the server could have made it: "again" (a sealed
   * message with the id of an earlier one: delivered twice), "clear" (in the clear, in a
   * conversation that was encrypted: it may not be from them). Null for the rest.
   */
  oddity(c, m, sorted) {
    if (m.from !== c.with) return null;
    if (!m.sealed) return this.model.wasSealed(c) || this.opts.e2e.wasEncrypted(c.with) ? "clear" : null;
    const first = sorted.find((o) => o.client_msg_id === m.client_msg_id && o.from === m.from);
    return first && first.seq < m.seq ? "again" : null;
  }

  /** The notice at the top: who can read this conversation, and what to do about it. */
  drawNotice(c, name, status) {
    const wasSealed = this.model.wasSealed(c);
    const notice = conversationNotice(status, name, wasSealed);
    const actions = [];
    if (["verified", "unverified", "changed", "self-changed"].includes(status)) {
      actions.push(
        h("button", { class: "btn btn-small btn-secondary", type: "button", "data-testid": "dm-compare", onclick: () => this.opts.openVerify(c.with, name) }, "Compare safety numbers"),
      );
    }
    if (GO_ON[status]) {
      actions.push(
        h("button", { class: "btn btn-small btn-quiet", type: "button", "data-testid": "dm-accept-keys", onclick: () => this.model.sendHeld(c) }, GO_ON[status]),
      );
    }
    if (status === "insecure") {
      const secure = `https://${location.host}/`;
      actions.push(
        h("a", { class: "btn btn-small btn-secondary", href: secure, "data-testid": "dm-https-link" }, "Open the https address"),
        h("a", { class: "btn btn-small btn-quiet", href: `https://${location.host}/ca`, "data-testid": "dm-ca-link" }, "Install the certificate"),
      );
    }
    actions.push(h("a", { class: "dm-privacy-more", href: "/privacy" }, "Who can read my messages?"));
    const box = $("dm-privacy");
    box.className = `dm-privacy dm-privacy-${notice.kind}`;
    box.dataset.status = status;
    fill(box, h("strong", { "data-testid": "dm-privacy-title" }, notice.title), notice.text ? h("span", {}, notice.text) : null, h("span", { class: "dm-privacy-actions" }, actions));
    // Never in the clear where it was encrypted: no composer on an http page then.
    const closed = status === "insecure" && wasSealed;
    $("dm-input").disabled = closed;
    $("dm-form").querySelector("button[type=submit]").disabled = closed;
  }

  wire() {
    const drawCount = charCounter($("dm-input"), $("dm-count"), 0.8);
    $("dm-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const text = $("dm-input").value.trim();
      if (!text) return;
      $("dm-input").value = "";
      drawCount();
      this.model.send(text);
    });
    $("dm-older").addEventListener("click", () => this.loadOlder());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.model.markRead();
    });
  }
}

/** A round avatar with a green dot when the player is online. */
function avatar(name, online) {
  return h(
    "span",
    { class: "avatar dm-avatar" },
    h("span", { "aria-hidden": "true" }, initial(name)),
    online ? h("span", { class: "online-dot", title: "online" }) : null,
    online ? srOnly("online, ") : null,
  );
}

/**
 * One message bubble; mine carry their status as ticks (and in words for the last one), and
 * every stored one says who can read it (`who`).
 */
function bubble(text, ts, mine, status, showStatus, attrs = {}, failed = null, who = null) {
  const meta = [];
  if (ts) meta.push(h("time", { datetime: new Date(ts).toISOString() }, shortTime(ts)));
  if (mine && status === "sending") meta.push("sending...");
  if (mine && status === "held") meta.push(failed);
  if (mine && status === "failed") meta.push(`Not sent: ${failed}`);
  if (mine && (status === "sent" || status === "delivered" || status === "read")) {
    if (showStatus && status !== "sent") meta.push(h("span", { class: "dm-status-word" }, STATUS_WORDS[status]));
    meta.push(
      h("span", {
        class: `ticks ticks-${status}`,
        role: "img",
        "aria-label": STATUS_WORDS[status],
        title: STATUS_WORDS[status],
        html: status === "sent" ? TICKS.sent : TICKS.double,
      }),
    );
  }
  const flag = status === "failed" || status === "held" ? ` ${status}` : "";
  const cls = `dm${mine ? " mine" : ""}${attrs.class ? ` ${attrs.class}` : ""}${flag}`;
  return h(
    "li",
    { ...attrs, class: cls, "data-testid": "dm-message", "data-status": status || "received" },
    h("span", { class: "dm-text", "data-testid": "dm-text" }, text),
    h("span", { class: "dm-meta" }, meta),
    who ? h("span", { class: "dm-who", "data-testid": "dm-who" }, who) : null,
  );
}

function dayWords(ts) {
  const d = new Date(ts);
  const today = new Date();
  const yesterday = new Date(Date.now() - 24 * 3600 * 1000);
  if (d.toDateString() === today.toDateString()) return "Today";
  if (d.toDateString() === yesterday.toDateString()) return "Yesterday";
  return d.toLocaleDateString([], { weekday: "long", day: "numeric", month: "long" });
}

const NEW_HINT = "To write to someone new, tap their name in a room.";

const BIG_BUBBLES =
  '<svg viewBox="0 0 64 64"><path d="M8 10h34v22H22l-10 8v-8H8z" fill="none" stroke="currentColor" stroke-width="3" stroke-linejoin="round"/><path d="M46 22h10v20h-4v7l-9-7H28v-6" fill="none" stroke="currentColor" stroke-width="3" stroke-linejoin="round"/></svg>';
