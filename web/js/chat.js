// The room chat: a drawer at the bottom of the room screen. Closed, it is one bar with the
// newest message and an unread count, so the board stays in view; open, it takes the lower part
// of the screen and the board shrinks to fit above it.
//
// Messages are kept by `seq` (the room's event number), so history, missed messages and live
// ones can arrive in any order and overlap without showing twice. A message I send shows at
// once as "sending..."; if the connection is down it waits and is sent again (with the same
// client_msg_id, so the server stores it once) when the connection is back.

import { h, fill } from "./dom.js";

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
    this.more = false;
    this.unread = 0;
    this.open = false;
    this.build();
  }

  build() {
    this.badge = h("span", { class: "badge", "data-testid": "chat-unread", hidden: true });
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
    });
    const form = h(
      "form",
      { class: "chat-form", novalidate: true },
      h("label", { for: "chat-input", class: "sr-only" }, "Message"),
      this.input,
      h("button", { class: "btn btn-primary chat-send", "data-testid": "chat-send", type: "submit" }, "Send"),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.body = h("div", { id: "chat-body", class: "chat-body", hidden: true }, this.olderButton, this.log, form);
    fill(this.root, this.toggle, this.body);
  }

  /** A fresh room: the history the `joined` reply carried. */
  reset(messages, more) {
    this.messages.clear();
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

  draw() {
    const me = this.opts.meId();
    const sorted = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    const items = sorted.map((m) => messageItem(m, m.from === me, this.opts.onPick));
    for (const p of this.outbox) {
      items.push(
        h(
          "li",
          { class: `msg mine pending${p.failed ? " failed" : ""}`, "data-testid": "chat-message" },
          h("span", { class: "msg-name" }, "You"),
          h("span", { class: "msg-text" }, p.text),
          h("span", { class: "msg-meta" }, p.failed ? `Not sent: ${p.failed}` : "sending..."),
        ),
      );
    }
    if (items.length === 0) {
      items.push(h("li", { class: "msg-empty" }, "No messages yet. Say hi!"));
    }
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    fill(this.log, items);
    this.olderButton.hidden = !this.more;
    if (atEnd || this.open) this.scrollToEnd();
    this.drawBar();
  }

  drawBar() {
    const last = [...this.messages.values()].sort((a, b) => a.seq - b.seq).pop();
    this.preview.textContent = this.open ? "" : last ? `${last.name}: ${last.text}` : "";
    this.badge.hidden = this.unread === 0;
    this.badge.textContent = String(this.unread);
    this.badge.setAttribute("aria-label", `${this.unread} unread`);
    this.toggle.setAttribute(
      "aria-label",
      this.open ? "Close chat" : `Open chat${this.unread ? `, ${this.unread} unread` : ""}`,
    );
  }

  scrollToEnd() {
    requestAnimationFrame(() => {
      this.log.scrollTop = this.log.scrollHeight;
    });
  }
}

/**
 * One message: sender, text, time. The text is set as text, never parsed as HTML. With `onPick`,
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
    { class: `msg${mine ? " mine" : ""}`, "data-testid": "chat-message", "data-seq": m.seq },
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
