// The connection to the server: one WebSocket at /ws speaking the JSON protocol of
// crates/protocol (see docs/protocol.md).
//
// - Requests carry an `id`; the reply carries it back as `re`. `request()` returns a promise of
//   the reply, or rejects with a ServerError ({code, message}) when the server refused.
// - Frames without `re` are pushed: room events go to `onEvent`, a real-time game's frames to
//   `onFrame`, the rest (direct messages, receipts, presence) to `onPush`.
// - `send()` is for requests that are never answered (a real-time game's `input`): nothing
//   waits for a reply.
// - When the socket drops (phone locked, Wi-Fi gone, server restarted) the connection waits a
//   little and opens a new socket: 0.3 s, then 1 s, 2 s, 4 s, ... (less up to half of each, for
//   jitter), at most 2 s while the page is on screen and 10 s while it is hidden; at once when
//   the page comes back on screen or the browser says the network is back. A socket that has
//   not opened after 10 s is given up and tried again. After every open it calls
//   `onOpen(conn)`, which says hello and rejoins rooms; only once that resolves is the
//   connection "online" again.
// - A ping every 20 s notices a connection that died without a close (common on phones).

/** A refused request: `code` is the protocol's error code, `message` is for people. */
export class ServerError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The address of the WebSocket, on the host that served this page. */
export function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

const PING_EVERY_MS = 20000;
const PING_TIMEOUT_MS = 10000;
const REQUEST_TIMEOUT_MS = 15000;
const MAX_BACKOFF_MS = 10000; // while the page is hidden (a locked phone)
// While the page is on screen someone is waiting: a short outage must not leave them staring at
// "Reconnecting in 8 s..." after the network is back.
const MAX_VISIBLE_BACKOFF_MS = 2000;
const OPEN_TIMEOUT_MS = 10000;

export class Connection {
  /**
   * @param {object} handlers
   * @param {(conn: Connection) => Promise<void>} handlers.onOpen  hello and rejoin, on every open
   * @param {(msg: object) => void} handlers.onEvent  a pushed room event
   * @param {(msg: object) => void} [handlers.onFrame]  a real-time game's frame (not numbered)
   * @param {(msg: object) => void} [handlers.onPush]  any other pushed message (dm, presence...)
   * @param {(status: string, detail: object) => void} handlers.onStatus
   *   "connecting" | "online" | "reconnecting" | "replaced" | "stopped"
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.nextId = 1;
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.status = "idle";
    this.attempt = 0; // failed opens in a row, for the backoff
    this.retryTimer = null;
    this.retryAt = 0;
    this.retryDelay = 0; // the last wait before a new socket, in ms (for the browser tests)
    this.openTimer = null; // gives up on a socket that does not open
    this.pingTimer = null;
    this.stopped = false;
    this.everOnline = false; // "connecting" the first time, "reconnecting" after
    this.holdUntil = 0; // testing aid: no reconnect before this time (see dropFor)
    this.restarting = false; // restart(): open again at once, without the "reconnecting" state

    // Phones: come back at once when the page is shown again or the network returns.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.wake();
    });
    window.addEventListener("online", () => this.wake());
  }

  /** Opens the first connection. */
  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes for good (no reconnect). */
  stop() {
    this.stopped = true;
    this.restarting = false;
    clearTimeout(this.retryTimer);
    this.setStatus("stopped");
    if (this.socket) this.socket.close(1000, "bye");
  }

  /**
   * Drops the current socket and connects again at once (to say hello with a new name, or to
   * log in): a deliberate new start, so it shows as "connecting", not as a lost connection.
   */
  restart() {
    this.stopped = false;
    this.attempt = 0;
    this.everOnline = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket) {
      this.restarting = true;
      this.socket.close(1000, "restart");
    } else {
      this.open();
    }
  }

  /** Reconnects now if we are waiting to. */
  wake() {
    if (this.stopped || this.status === "replaced") return;
    if (Date.now() < this.holdUntil) return;
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.open();
    } else if (this.status === "online") {
      this.ping(); // a cheap check that the socket still works
    }
  }

  /** Testing aid: drop the connection as a lost network would, and stay away for `ms`. */
  dropFor(ms) {
    this.holdUntil = Date.now() + ms;
    if (this.socket) this.socket.close(4999, "simulated network loss");
  }

  /** Testing aid: the network is back; reconnect now. */
  holdOver() {
    this.holdUntil = 0;
    this.wake();
  }

  setStatus(status, detail = {}) {
    this.status = status;
    this.handlers.onStatus(status, detail);
  }

  open() {
    this.retryTimer = null;
    if (this.stopped) return;
    this.setStatus(this.attempt === 0 && !this.everOnline ? "connecting" : "reconnecting", {
      attempt: this.attempt,
    });
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (err) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    // A connect on a network that is not there can hang for a long time: try afresh instead.
    clearTimeout(this.openTimer);
    this.openTimer = setTimeout(() => {
      if (socket === this.socket && socket.readyState === WebSocket.CONNECTING) socket.close();
    }, OPEN_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(this.openTimer);
      this.onOpen(socket);
    };
    socket.onmessage = (e) => this.onMessage(e.data);
    socket.onclose = (e) => this.onClose(socket, e);
    socket.onerror = () => {}; // onclose follows and handles it
  }

  async onOpen(socket) {
    try {
      await this.handlers.onOpen(this);
    } catch (err) {
      // onOpen decides itself what a failure means (e.g. a bad token stops the connection).
      // Anything but a refusal or a dropped connection is a bug: report it like any script error.
      if (!(err instanceof ServerError)) {
        if (window.reportError) window.reportError(err);
        else console.error(err);
      }
      if (socket === this.socket && socket.readyState === WebSocket.OPEN && !this.stopped) {
        socket.close(4998, "setup failed");
      }
      return;
    }
    if (socket !== this.socket || this.stopped) return;
    this.attempt = 0;
    this.everOnline = true;
    this.setStatus("online");
    this.schedulePing();
  }

  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      console.warn("not JSON from the server", text);
      return;
    }
    if (msg.re !== undefined && msg.re !== null) {
      const waiting = this.pending.get(msg.re);
      if (!waiting) return;
      this.pending.delete(msg.re);
      clearTimeout(waiting.timer);
      if (msg.type === "error") waiting.reject(new ServerError(msg.code, msg.message));
      else waiting.resolve(msg);
    } else if (msg.type === "event") {
      this.handlers.onEvent(msg);
    } else if (msg.type === "frame") {
      if (this.handlers.onFrame) this.handlers.onFrame(msg);
    } else if (msg.type === "error") {
      console.warn("server error without a request", msg);
    } else if (this.handlers.onPush) {
      this.handlers.onPush(msg);
    }
  }

  onClose(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearTimeout(this.openTimer);
    clearTimeout(this.pingTimer);
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new ServerError("disconnected", "the connection dropped"));
    }
    this.pending.clear();
    if (this.stopped) return;
    if (this.restarting) {
      this.restarting = false;
      this.open();
      return;
    }
    if (event.code === 4000) {
      // Another tab or phone took over this player. Fighting back would loop forever.
      this.setStatus("replaced");
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    const visible = document.visibilityState === "visible";
    const base = Math.min(visible ? MAX_VISIBLE_BACKOFF_MS : MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    // Jitter, so that a classroom of phones does not knock all at once after a restart; never
    // past the cap.
    let delay = this.attempt === 0 ? 300 : base * (0.5 + Math.random() * 0.5);
    delay = Math.max(delay, this.holdUntil - Date.now());
    this.attempt += 1;
    this.retryDelay = delay;
    this.retryAt = Date.now() + delay;
    this.setStatus("reconnecting", { attempt: this.attempt, retryAt: this.retryAt });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  schedulePing() {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(), PING_EVERY_MS);
  }

  /** Sends a ping; no pong in time means the socket is dead, so it is closed and replaced. */
  ping() {
    const socket = this.socket;
    if (!socket || this.status !== "online") return;
    const dead = setTimeout(() => {
      if (socket === this.socket) socket.close(4997, "no pong");
    }, PING_TIMEOUT_MS);
    this.request("ping", {}, { internal: true })
      .then(() => {
        clearTimeout(dead);
        if (socket === this.socket) this.schedulePing();
      })
      .catch(() => clearTimeout(dead));
  }

  /**
   * Sends a request the server never answers (a real-time `input`): no reply is awaited, and
   * nothing is sent while the connection is not online. Returns true when it went out.
   */
  send(type, fields = {}) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.status !== "online") return false;
    socket.send(JSON.stringify({ id: this.nextId++, type, ...fields }));
    return true;
  }

  /**
   * Sends a request and resolves with the reply.
   * Only `internal` requests (hello and rejoining in onOpen) may be sent before the connection
   * is online again; the rest fail at once with code "offline", so the UI can say so.
   */
  request(type, fields = {}, { internal = false } = {}) {
    const socket = this.socket;
    const ready = socket && socket.readyState === WebSocket.OPEN;
    if (!ready || (!internal && this.status !== "online")) {
      return Promise.reject(new ServerError("offline", "not connected; reconnecting"));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ServerError("timeout", "the server did not answer in time"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ id, type, ...fields }));
    });
  }
}
