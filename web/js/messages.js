// Direct messages, the model: every conversation this page knows of, its messages, the receipts
// for mine and the unread counts. No DOM: messages-view.js draws the list and the open
// conversation from it, and is told through `onChange` when to redraw.
//
// What the page knows of each conversation is kept by `seq` (the conversation's own message
// numbers, shared by both directions), so pushed messages, history pages and the catch-up after
// a reconnection can overlap and arrive in any order without showing anything twice.
//
// - On every (re)connection, `sync()` asks for the conversation list (names, who is online,
//   unread counts) and, for each conversation this page has loaded, the messages after the last
//   seq it saw (`dm_history {after}`), page by page, so nothing is missed.
// - Receipts say "every message of mine up to seq N is delivered / read": they are kept as two
//   marks per conversation, so a receipt that arrives before the reply to the send still counts.
// - Sending is messages-send.js's (mixed in below): what I write, sealed or not, held or sent.
// - End-to-end encryption is e2e/e2e.js's: a sealed message is opened as it arrives (its `text`
//   is filled in then; `unreadable` says why when it cannot be; a refusal for load, such as
//   `rate_limited`, is tried again a little later).
// - The protocol has no "who have I blocked" request: blocks made on this device are remembered
//   in localStorage, per player.

import { sending } from "./messages-send.js";

const PAGE = 50;
const CATCH_UP_PAGE = 200;
/** Tries to open a message the server's load kept from opening (rate_limited, busy). */
const OPEN_TRIES = 5;
const OPEN_AGAIN_MS = 2000;

export class Messages {
  /**
   * @param {object} opts
   * @param {(type: string, fields: object, options?: object) => Promise<object>} opts.request
   * @param {() => string|null} opts.meId
   * @param {() => boolean} opts.online
   * @param {() => boolean} opts.visible  the conversation screen is the one on show, in a page in view
   * @param {() => void} opts.onUnread  unread counts may have changed
   * @param {(id: string|null) => void} opts.onChange  conversation `id` changed (null: only the list)
   * @param {(id: string) => string|null} opts.nameOf  a name known from a room, for a stranger
   * @param {import("./e2e/e2e.js").E2e} opts.e2e  sealing and opening
   */
  constructor(opts) {
    this.opts = opts;
    this.convs = new Map(); // player id -> conversation
    this.current = null; // the player id of the conversation on screen
    this.listed = false; // the list has come from the server at least once
    this.refreshTimer = null;
  }

  /** A new identity on this page: forget everything. */
  reset() {
    this.convs.clear();
    this.current = null;
    this.listed = false;
    this.opts.onUnread();
  }

  conv(id, name) {
    let c = this.convs.get(id);
    if (!c) {
      c = {
        with: id,
        name: name || this.opts.nameOf(id) || "",
        online: null, // unknown until the list or a presence says
        unread: 0,
        last: null,
        msgs: new Map(), // seq -> message
        loaded: false, // the newest page was fetched: later catch-ups go on from it
        floor: 0, // the seq just before the first message of that page
        more: false, // older messages exist before the first one here
        delivered: 0, // my messages up to this seq reached their device
        read: 0, // ... and were read
        readSent: 0, // the last seq this page reported read
        outbox: [], // {text, clientMsgId, failed}
      };
      this.convs.set(id, c);
    } else if (name && !c.name) {
      c.name = name;
    }
    return c;
  }

  totalUnread() {
    let n = 0;
    for (const c of this.convs.values()) n += c.unread;
    return n;
  }

  /** The conversations to list: those with a message (or one on its way, or that the server
   * listed), newest first. */
  conversations() {
    return [...this.convs.values()].filter((c) => c.last || c.outbox.length || c.inList).sort((a, b) => lastTs(b) - lastTs(a));
  }

  /** What a message of mine shows: "sent" (stored), "delivered" or "read". Null for theirs. */
  statusOf(c, m) {
    if (m.from !== this.opts.meId()) return null;
    return m.seq <= c.read || m.read ? "read" : m.seq <= c.delivered || m.delivered ? "delivered" : "sent";
  }

  // --- From the server -------------------------------------------------------------------

  /** A pushed message that is not a room event. */
  onPush(msg) {
    if (msg.type === "dm") this.receive(msg.message);
    else if (msg.type === "dm_receipt") this.receipt(msg.with, msg.seq, msg.status);
    else if (msg.type === "presence") this.presence(msg.player, msg.name, msg.online);
  }

  receive(m) {
    const me = this.opts.meId();
    const other = m.from === me ? m.to : m.from;
    const c = this.conv(other);
    const fresh = this.add(c, m);
    if (fresh && m.from !== me) {
      if (this.isOpen(other)) this.markRead();
      else c.unread += 1;
    }
    if (!c.name) this.refreshSoon(); // a stranger wrote: the list has their name
    this.changed(other);
  }

  /** Stores a message once; returns true when it was new. */
  add(c, m) {
    const had = c.msgs.get(m.seq);
    const merged = had ? { ...had, ...m } : { ...m };
    if (had && had.opened) Object.assign(merged, { text: had.text, opened: true, unreadable: null });
    c.msgs.set(m.seq, merged);
    if (merged.sealed && !merged.opened) this.open(c, merged);
    if (!c.last || m.seq >= c.last.seq) c.last = c.msgs.get(m.seq);
    if (m.from === this.opts.meId()) {
      c.outbox = c.outbox.filter((p) => p.clientMsgId !== m.client_msg_id);
      if (m.read) c.read = Math.max(c.read, m.seq);
      if (m.delivered || m.read) c.delivered = Math.max(c.delivered, m.seq);
    }
    return !had;
  }

  /** Opens a sealed message (once), and redraws when its text is known. */
  open(c, m) {
    if (m.opening) return;
    m.opening = true;
    m.text = "";
    const now = () => c.msgs.get(m.seq) || m; // add() may have put a merged copy in its place
    this.opts.e2e.open(m).then(
      (text) => Object.assign(now(), { text, opened: true, unreadable: null }),
      (err) => {
        // Offline (a request to the server that failed for want of a connection): opened again
        // when the connection is back (backOnline). The server too busy for the keys_of it
        // takes: again shortly. Anything else (no copy for this device, not from a key of its
        // sender, altered) is why it cannot be read: not isConnectionError, which counts an
        // error without a code as one, and e2e.js's errors have none.
        if (droppedConnection(err)) return;
        const tries = (now().tries || 0) + 1;
        now().tries = tries;
        if (["rate_limited", "busy"].includes(err.code) && tries < OPEN_TRIES) {
          setTimeout(() => !now().opened && this.open(c, now()), OPEN_AGAIN_MS * tries);
        } else {
          Object.assign(now(), { unreadable: err.message || String(err) });
        }
      },
    ).finally(() => {
      m.opening = false;
      now().opening = false;
      this.changed(c.with);
    });
  }

  /** Whether the conversation has an encrypted message (it must never go on in the clear). */
  wasSealed(c) {
    for (const m of c.msgs.values()) if (m.sealed) return true;
    return false;
  }

  receipt(other, seq, status) {
    const c = this.conv(other);
    c.delivered = Math.max(c.delivered, seq);
    if (status === "read") c.read = Math.max(c.read, seq);
    this.changed(other);
  }

  presence(other, name, online) {
    const c = this.convs.get(other);
    if (!c) return;
    c.online = online;
    if (name) c.name = name;
    this.changed(other);
  }

  /**
   * After every (re)connection: the list, then whatever loaded conversations missed. Uses
   * `request` as given (the app passes the connection's internal requests during setup).
   */
  async sync(request) {
    const reply = await request("conversations", {});
    this.applyList(reply.conversations);
    // Catch up from what this page had seen (not from the list's newest message).
    for (const c of this.convs.values()) {
      if (c.loaded) await this.catchUp(c, request);
      else if (c.with === this.current) await this.loadNewest(c, request);
    }
    if (this.current) this.markRead();
    this.changed(this.current);
  }

  applyList(list) {
    const me = this.opts.meId();
    this.listed = true;
    for (const v of list) {
      const c = this.conv(v.with, v.name);
      c.name = v.name;
      c.online = v.online;
      c.unread = this.isOpen(v.with) ? 0 : v.unread;
      c.inList = true; // listed, even when its last message was too big to come with the list
      if (v.last) {
        this.add(c, v.last);
        if (v.last.from === me) {
          // Every message of mine up to the newest shares its status (receipts are cumulative).
          if (v.last.read) c.read = Math.max(c.read, v.last.seq);
          if (v.last.delivered || v.last.read) c.delivered = Math.max(c.delivered, v.last.seq);
        }
      }
    }
  }

  /**
   * The last seq up to which this page has every message, from the first one it loaded. Seqs
   * have no holes in a conversation, so a missing number is a message this page missed (sent
   * while it was offline and delivered to another device, say) even when newer ones are here
   * (pushed at reconnection, or the list's "last").
   */
  seenUpTo(c) {
    let seq = c.floor;
    while (c.msgs.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Everything after the last seq seen, page by page. */
  async catchUp(c, request) {
    for (;;) {
      const after = this.seenUpTo(c);
      const page = await request("dm_history", { with: c.with, after, limit: CATCH_UP_PAGE });
      for (const m of page.messages) this.add(c, m);
      if (!page.more || page.messages.length === 0 || this.seenUpTo(c) === after) break;
    }
  }

  async loadNewest(c, request = (type, fields) => this.opts.request(type, fields)) {
    const page = await request("dm_history", { with: c.with, limit: PAGE });
    if (page.messages.length) c.floor = page.messages[0].seq - 1;
    for (const m of page.messages) this.add(c, m);
    // Messages pushed before this page may leave a gap below it; "Show older" fills it.
    c.more = page.more;
    c.loaded = true;
  }

  /** The page of messages before the first one here. */
  async loadOlder(c) {
    const before = Math.min(...c.msgs.keys());
    const page = await this.opts.request("dm_history", { with: c.with, before, limit: PAGE });
    for (const m of page.messages) this.add(c, m);
    c.more = page.more;
  }

  /** Asks for the list again (names, who is online, unread counts). */
  async refresh() {
    if (!this.opts.online()) return;
    try {
      const reply = await this.opts.request("conversations", {});
      this.applyList(reply.conversations);
      this.changed(null);
    } catch {
      // The next sync will do it.
    }
  }

  /** Soon, once for a burst of messages from strangers. */
  refreshSoon() {
    if (this.refreshTimer || !this.opts.online()) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh();
    }, 300);
  }

  /** The connection is up again (after sync): send what waits, report what was read. */
  backOnline() {
    this.flush();
    this.markRead();
    for (const c of this.convs.values()) {
      for (const m of c.msgs.values()) if (m.sealed && !m.opened && !m.unreadable) this.open(c, m);
    }
  }

  // --- Reading ---------------------------------------------------------------------------

  /** The conversation with `id` is on screen, where its new messages are read at once. */
  isOpen(id) {
    return this.current === id && this.opts.visible();
  }

  /** The conversation with `id` is the one on screen from now on (name and presence as known). */
  select(id, name, online) {
    const c = this.conv(id, name);
    if (name) c.name = name;
    if (c.online === null && typeof online === "boolean") c.online = online;
    this.current = id;
    return c;
  }

  close() {
    this.current = null;
  }

  /** Tells the server (and so the sender) that what is on screen has been read. */
  markRead() {
    const c = this.convs.get(this.current);
    if (!c || !this.isOpen(c.with)) return;
    const me = this.opts.meId();
    let newest = 0;
    for (const m of c.msgs.values()) if (m.from !== me && m.seq > newest) newest = m.seq;
    c.unread = 0;
    if (newest > c.readSent && this.opts.online()) {
      c.readSent = newest;
      this.opts.request("dm_read", { with: c.with, seq: newest }).catch(() => {
        c.readSent = 0; // try again next time
      });
    }
    this.opts.onUnread();
  }

  // --- Blocking --------------------------------------------------------------------------

  blockedKey() {
    return `capital.blocked.${this.opts.meId()}`;
  }

  blockedSet() {
    try {
      return new Set(JSON.parse(localStorage.getItem(this.blockedKey()) || "[]"));
    } catch {
      return new Set();
    }
  }

  isBlocked(id) {
    return this.blockedSet().has(id);
  }

  async setBlocked(id, on) {
    await this.opts.request(on ? "block" : "unblock", { player: id });
    const set = this.blockedSet();
    if (on) set.add(id);
    else set.delete(id);
    localStorage.setItem(this.blockedKey(), JSON.stringify([...set]));
    const c = this.convs.get(id);
    if (c) {
      if (on) c.online = false; // a block hides presence both ways
      for (const p of c.outbox) if (p.failed) p.failed = null;
      if (!on) this.flush();
    }
    this.changed(id);
  }

  changed(id) {
    this.opts.onUnread();
    this.opts.onChange(id);
  }
}

/** A request failed because the connection is down (protocol.js's own codes for it). */
function droppedConnection(err) {
  return !!err && ["offline", "disconnected", "timeout"].includes(err.code);
}

Object.assign(Messages.prototype, sending);

function lastTs(c) {
  if (c.outbox.length) return Date.now();
  return c.last ? c.last.ts : 0;
}
