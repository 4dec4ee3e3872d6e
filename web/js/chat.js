// The room chat: a drawer at the bottom of the room screen. Closed, it is one bar with the
// newest message and an unread count, so the board stays in view; open, it takes the lower part
// of the screen and the board shrinks to fit above it.
//
// Messages are kept by `seq` (the room's event number), so history, missed messages and live
// ones can arrive in any order and overlap without showing twice. A message I send shows at
// once as "sending..."; if the connection is down it waits and is sent again (with the same
// client_msg_id, so the server stores it once) when the connection is back. The log keeps the
// element of each message: a new one is put in its place, and nothing else is drawn again (a
// screen reader's live region hears only the new one).

import { charCounter, h, fill, srOnly } from "./dom.js";
import { avatar } from "./fun/avatar.js";
import { ROOM_CHAT_LABEL } from "./e2e/words.js";

export class Chat {
  /**
   * @param {HTMLElement} root  the <section> to draw into
   * @param {object} opts
   * @param {(text: string, clientMsgId: string) => Promise<object>} opts.send
   * @param {(beforeSeq: number) => Promise<{messages: object[], more: boolean}>} opts.older
   * @param {() => string|null} opts.meId
   * @param {() => boolean} opts.online
   * @param {(open: boolean) => void} opts.onToggle
   * @param {(who: {id: string, name: string}) => void} [opts.onPick]  a sender's name was tapped
   */
  constructor(root, opts) {
    this.root = root;
    this.opts = opts;
    this.messages = new Map(); // seq -> message
    this.outbox = []; // {text, clientMsgId, failed}
    this.items = new Map(); // seq -> its <li> in the log
    this.pendingItems = new Map(); // clientMsgId -> its <li> ("sending...")
    this.emptyItem = h("li", { class: "msg-empty" }, "No messages yet. Say hi!");
    this.more = false;
    this.unread = 0;
    this.open = false;
    this.build();
  }

  build() {
    this.badge = h("span", { class: "badge", "data-testid": "chat-unread", hidden: true });
    this.badgeWords = srOnly("");
    this.preview = h("span", { class: "chat-preview", "data-testid": "chat-preview" });
    this.toggle = h(
      "button",
      {
        class: "chat-toggle",
        type: "button",
        "aria-expanded": "false",
        "aria-controls": "chat-body",
        "data-testid": "chat-toggle",
      },
      h("span", { class: "chat-title" }, icon(), "Chat"),
      this.badge,
      this.badgeWords,
      this.preview,
      h("span", { class: "chevron", "aria-hidden": "true" }),
    );
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    this.olderButton = h("button", { class: "btn btn-link btn-small", type: "button", hidden: true }, "Show older messages");
    this.olderButton.addEventListener("click", () => this.loadOlder());
    this.log = h("ol", { class: "chat-log", "data-testid": "chat-log", "aria-live": "polite", "aria-label": "Messages" });
    this.input = h("input", {
      id: "chat-input",
      class: "chat-input",
      "data-testid": "chat-input",
      maxlength: "500",
      autocomplete: "off",
      enterkeyhint: "send",
      placeholder: "Say something nice",
      "aria-describedby": "chat-count",
    });
    const count = h("p", { id: "chat-count", class: "field-count", "data-testid": "chat-count" });
    const form = h(
      "form",
      { class: "chat-form", novalidate: true },
      h("label", { for: "chat-input", class: "sr-only" }, "Message"),
      this.input,
      h("button", { class: "btn btn-primary chat-send", "data-testid": "chat-send", type: "submit" }, "Send"),
      count,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    // Who can read room chat: said once, above its messages (docs/privacy.md).
    const who = h("p", { class: "chat-who", "data-testid": "chat-who", title: ROOM_CHAT_LABEL }, ROOM_CHAT_LABEL, " · ", h("a", { href: "/privacy" }, "why?"));
    this.body = h("div", { id: "chat-body", class: "chat-body", hidden: true }, who, this.olderButton, this.log, form);
    fill(this.root, this.toggle, this.body);
    this.drawCount = charCounter(this.input, count, 0.8);
  }

  /** A fresh room: the history the `joined` reply carried. */
  reset(messages, more) {
    this.messages.clear();
    this.items.clear();
    this.pendingItems.clear();
    this.log.replaceChildren();
    this.outbox = [];
    this.unread = 0;
    this.more = more;
    for (const m of messages) this.messages.set(m.seq, m);
    this.draw();
  }

  /** Messages missed while away (a `joined` reply after resuming). */
  addMissed(messages, more) {
    for (const m of messages) this.add(m);
    if (more) this.more = true; // there is a gap before these; "Show older" fills it
    this.draw();
  }

  /** A live `chat` event. */
  receive(message) {
    this.add(message);
    this.draw();
  }

  add(m) {
    if (this.messages.has(m.seq)) return;
    this.messages.set(m.seq, m);
    const mine = m.from === this.opts.meId();
    if (mine) {
      this.outbox = this.outbox.filter((p) => p.clientMsgId !== m.client_msg_id);
    } else if (!this.open || document.visibilityState !== "visible") {
      this.unread += 1;
    }
  }

  setOpen(open) {
    this.open = open;
    this.toggle.setAttribute("aria-expanded", String(open));
    this.root.classList.toggle("open", open);
    this.body.hidden = !open;
    if (open) {
      this.unread = 0;
      this.scrollToEnd();
    }
    this.drawBar();
    this.opts.onToggle(open);
  }

  async submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.drawCount();
    const pending = { text, clientMsgId: newMsgId(), failed: null };
    this.outbox.push(pending);
    this.draw();
    this.sendOne(pending);
  }

  async sendOne(pending) {
    if (!this.opts.online()) return; // sent by flush() when back online
    try {
      await this.opts.send(pending.text, pending.clientMsgId);
      // The `chat` event (which may already have arrived) replaces the pending copy.
    } catch (err) {
      if (["offline", "disconnected", "timeout"].includes(err.code)) return; // retried on flush
      pending.failed = err.message;
      this.draw();
    }
  }

  /** Back online: send what is waiting, with the same ids (the server stores each once). */
  flush() {
    for (const p of this.outbox) if (!p.failed) this.sendOne(p);
  }

  async loadOlder() {
    const first = Math.min(...this.messages.keys());
    if (!Number.isFinite(first)) return;
    this.olderButton.disabled = true;
    try {
      const page = await this.opts.older(first);
      for (const m of page.messages) this.messages.set(m.seq, m);
      this.more = page.more;
      const keepBottom = this.log.scrollHeight - this.log.scrollTop;
      this.draw();
      this.log.scrollTop = this.log.scrollHeight - keepBottom;
    } catch {
      // Leave the button for another try.
    } finally {
      this.olderButton.disabled = false;
    }
  }

  /** Puts each message and each pending one in its place in the log, in order, making an
   * element only for those new since the last time; the others are left as they are. */
  draw() {
    const me = this.opts.meId();
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    const sorted = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    const wanted = sorted.map((m) => {
      if (!this.items.has(m.seq)) this.items.set(m.seq, messageItem(m, m.from === me, this.opts.onPick));
      return this.items.get(m.seq);
    });
    const waiting = new Set(this.outbox.map((p) => p.clientMsgId));
    for (const [id, li] of this.pendingItems) {
      if (!waiting.has(id)) {
        li.remove();
        this.pendingItems.delete(id);
      }
    }
    for (const p of this.outbox) {
      let li = this.pendingItems.get(p.clientMsgId);
      if (!li) {
        li = h(
          "li",
          { class: "msg mine pending", "data-testid": "chat-message" },
          h("span", { class: "msg-name" }, "You"),
          h("span", { class: "msg-text" }, p.text),
          h("span", { class: "msg-meta" }),
        );
        this.pendingItems.set(p.clientMsgId, li);
      }
      li.classList.toggle("failed", !!p.failed);
      const meta = p.failed ? `Not sent: ${p.failed}` : "sending...";
      const metaEl = li.querySelector(".msg-meta");
      if (metaEl.textContent !== meta) metaEl.textContent = meta;
      wanted.push(li);
    }
    if (wanted.length === 0) wanted.push(this.emptyItem);
    else this.emptyItem.remove();
    // In order: each one after the one before it, moved only when it is not there already.
    let before = null;
    for (const li of wanted) {
      const next = before ? before.nextSibling : this.log.firstChild;
      if (li !== next) this.log.insertBefore(li, next);
      before = li;
    }
    this.olderButton.hidden = !this.more;
    if (atEnd || this.open) this.scrollToEnd();
    this.drawBar();
  }

  drawBar() {
    const last = [...this.messages.values()].sort((a, b) => a.seq - b.seq).pop();
    this.preview.textContent = this.open ? "" : last ? `${last.name}: ${last.text}` : "";
    this.badge.hidden = this.unread === 0;
    this.badge.textContent = String(this.unread);
    // The button is named by what it shows ("Chat", the count, the newest message); whether it
    // is open is its aria-expanded.
    this.badgeWords.textContent = this.unread ? ` unread, ` : ": ";
  }

  scrollToEnd() {
    requestAnimationFrame(() => {
      this.log.scrollTop = this.log.scrollHeight;
    });
  }
}

/**
 * One message: the sender's look and name, text, time. The text is set as text, never parsed as HTML. With `onPick`,
 * another sender's name is a button (to offer "Message").
 */
export function messageItem(m, mine, onPick = null) {
  const time = new Date(m.ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const name = mine
    ? h("span", { class: "msg-name", "data-testid": "chat-name" }, `${m.name} (you)`)
    : onPick
      ? h(
          "button",
          {
            class: "msg-name msg-name-btn",
            type: "button",
            "data-testid": "chat-name",
            "aria-label": `${m.name}: send a message`,
            onclick: () => onPick({ id: m.from, name: m.name }),
          },
          m.name,
        )
      : h("span", { class: "msg-name", "data-testid": "chat-name" }, m.name);
  return h(
    "li",
    { class: `msg with-look${mine ? " mine" : ""}`, "data-testid": "chat-message", "data-seq": m.seq },
    avatar(m.from, "msg-look"),
    name,
    h("span", { class: "msg-text", "data-testid": "chat-text" }, m.text),
    h("time", { class: "msg-meta", datetime: new Date(m.ts).toISOString() }, time),
  );
}

function icon() {
  return h("span", {
    class: "chat-icon",
    "aria-hidden": "true",
    html: '<svg viewBox="0 0 24 24"><path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>',
  });
}

export function newMsgId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
