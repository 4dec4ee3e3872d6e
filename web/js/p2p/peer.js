// A player's side of a peer-to-peer room (any member but the host): one connection to the
// host's phone (signal.js), asked for with a `{hello: 1}` signal; the moves go over it, and the
// views the host sends back are what the board draws. When the connection closes during a
// game, the game is over for this phone: the host's phone, which ran it, is gone. After each of
// its moves, the phone tells the host how long the move took it (from sending it to the view
// that answered), for the big screen's figures. A big screen is a peer too, with no seat: it
// says so in its hello, and gets the spectators' view and the host's figures (`stats`).

import { Link } from "./signal.js";

export class Peer {
  /**
   * @param {string} host  the host's player id
   * @param {(to: string, data: object) => Promise<unknown>} signal
   * @param {() => void} changed  something to draw again
   * @param {(why: string) => void} refused  the host refused a move
   * @param {{screen?: boolean}} [as]  a big screen's peer
   */
  constructor(host, signal, changed, refused, { screen = false } = {}) {
    this.host = host;
    this.screen = screen;
    this.sentAt = null; // when my move in flight went (performance.now())
    this.stats = null; // the host's last {t: "stats"} (a screen's)
    this.signal = signal;
    this.changed = changed;
    this.refused = refused;
    this.link = null;
    this.view = null; // the last {t: "view"} from the host
    this.hostLeft = false; // the connection closed while a game was on
    this.failed = false; // it never opened in time
  }

  /** Asks the host for a connection (again, after one closed). */
  hello() {
    this.failed = false;
    const link = this.newLink();
    this.link = link;
    this.signal(this.host, this.screen ? { hello: 1, screen: true } : { hello: 1 }).catch(() => {
      // The host is not connected to the server now: asked again on the next room change.
      link.close();
      if (this.link === link) this.link = null;
    });
  }

  /** Whether a connection is open, or being made. */
  get linked() {
    return !!this.link && (this.link.state === "open" || this.link.state === "connecting");
  }

  /** Signalling from the host. */
  heard(data) {
    if (data.sdp && data.sdp.type === "offer" && (!this.link || this.link.channel)) {
      // A new offer: the host starts over (this page, or the host's, came back).
      if (this.link) this.link.close();
      this.link = this.newLink();
    }
    if (this.link) this.link.heard(data).catch((err) => console.warn(`p2p: ${err.message}`));
  }

  /** Sends my move to the host; false when there is no connection. */
  move(move) {
    if (!this.link || this.link.state !== "open") return false;
    this.sentAt = performance.now();
    this.link.send({ t: "move", move });
    return true;
  }

  close() {
    if (this.link) this.link.close();
    this.link = null;
  }

  newLink() {
    return new Link({
      peer: this.host,
      offerer: false,
      signal: (data) => this.signal(this.host, data),
      onOpen: () => this.changed(),
      onMessage: (msg) => this.got(msg),
      onClose: (link) => {
        if (link !== this.link) return;
        if (link.state === "failed") this.failed = true;
        else if (this.view && this.view.phase === "playing") this.hostLeft = true;
        this.changed();
      },
    });
  }

  got(msg) {
    if (msg.t === "view" && msg.state !== undefined) {
      if (this.sentAt !== null) {
        // The view that answers my move: how long it took, for the host's figures.
        this.link.send({ t: "took", ms: Math.round(performance.now() - this.sentAt) });
        this.sentAt = null;
      }
      this.view = msg;
      this.hostLeft = false;
      this.changed();
    } else if (msg.t === "stats") {
      this.stats = msg;
      this.changed();
    } else if (msg.t === "bye") {
      // The host's page is going: the game with it.
      if (this.view && this.view.phase === "playing") this.hostLeft = true;
      this.close();
      this.changed();
    } else if (msg.t === "invalid") {
      this.sentAt = null;
      this.refused(String(msg.why || "the host refused that move"));
      this.changed();
    }
  }
}
