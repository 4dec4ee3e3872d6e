// The rules of a peer-to-peer room's game, on the host's phone: a hidden frame of
// /games/{kind}/rules (a sandbox with an origin of its own and no network, see
// web/frame/rules.js) that runs the game's script. Calls go to it as messages and come back as
// promises: call("move", state, seat, move) -> the next state, or {$invalid: why}.

import { h } from "../dom.js";

/** How long the frame may take to load its script (ms). */
const LOAD_MS = 10_000;

export class Rules {
  /** Loads the rules of the script game `kind` into a hidden frame. */
  constructor(kind) {
    this.kind = kind;
    this.next = 1;
    this.waiting = new Map(); // call id -> {resolve, reject}
    this.iframe = h("iframe", {
      src: `/games/${encodeURIComponent(kind)}/rules`,
      sandbox: "allow-scripts",
      referrerpolicy: "no-referrer",
      title: "The game's rules",
      hidden: true,
      "aria-hidden": "true",
      "data-testid": "rules-frame",
    });
    this.listener = (e) => this.heard(e);
    addEventListener("message", this.listener);
    this.ready = new Promise((resolve, reject) => {
      this.loaded = { resolve, reject };
      setTimeout(() => reject(new Error("the game's rules did not load")), LOAD_MS);
    });
    this.ready.catch(() => {}); // said by whoever awaits it
    document.body.append(this.iframe);
  }

  /** Calls the rule `name` with `args`: its answer, or throws the rule's error. */
  async call(name, ...args) {
    await this.ready;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.iframe.contentWindow.postMessage({ id, call: name, args }, "*");
    });
  }

  /** Takes the frame away; calls still waiting fail. */
  close() {
    removeEventListener("message", this.listener);
    this.iframe.remove();
    for (const w of this.waiting.values()) w.reject(new Error("the game's rules were closed"));
    this.waiting.clear();
  }

  heard(e) {
    if (e.source !== this.iframe.contentWindow || !e.data || typeof e.data !== "object") return;
    const data = e.data;
    if (data.ready === true) this.loaded.resolve();
    else if (data.ready === false) this.loaded.reject(new Error(String(data.error)));
    const w = this.waiting.get(data.id);
    if (!w) return;
    this.waiting.delete(data.id);
    if (data.ok) w.resolve(data.value);
    else w.reject(new Error(String(data.error)));
  }
}
