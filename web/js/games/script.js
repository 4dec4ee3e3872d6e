// A script game with a board of its own (list_games gives its `board`, docs/make-a-game.md):
// the board is the student's code, so it runs in a frame that is a sandbox (`sandbox=
// "allow-scripts"`, and the server's Content-Security-Policy says so again): it has an origin
// of its own, so it cannot read this page's token, storage or cookies, reach into this page,
// or connect anywhere. The page tells it what to draw with a message (the view this player may
// see, the seats' names, whose turn), and takes from it only moves, which go to the server like
// any other and are checked by the game's rules there. The frame stays loaded across redraws
// (keep.js).

import { h } from "../dom.js";
import { keepSlot } from "../keep.js";
import { rememberedName } from "../seats.js";

/** The frame on show: a page shows one room's board (a new room or game kind makes another). */
let live = null;

/** Frames may be as tall as their board asks, within these bounds (px). */
const MIN_HEIGHT = 80;
const MAX_HEIGHT = 1600;

class Frame {
  constructor(key, src) {
    this.key = key;
    this.ready = false;
    this.last = null;
    this.ctx = null;
    this.iframe = h("iframe", {
      src,
      sandbox: "allow-scripts",
      referrerpolicy: "no-referrer",
      title: "The game's board",
      class: "script-frame",
      "data-testid": "script-frame",
    });
    this.root = h("div", { class: "script-board", "data-testid": "board", "data-keep": key }, this.iframe);
  }

  /** Sends the room to the frame (now, or once it says it is ready). */
  show(room, ctx) {
    this.ctx = ctx;
    const players = room.seats.map((s) => rememberedName(room, s.seat) || (s.player ? s.player.name : null));
    this.last = {
      capital: 1,
      type: "draw",
      view: room.state,
      seat: ctx.seat,
      players,
      turn: room.turn || [],
      canMove: !!ctx.canMove,
      phase: room.phase,
      outcome: room.outcome || null,
      big: !!ctx.big,
    };
    if (this.ready) this.post();
  }

  post() {
    if (this.iframe.contentWindow) this.iframe.contentWindow.postMessage(this.last, "*");
  }

  /** A message from the frame: ready, a move, its height, an error of its script. */
  heard(data) {
    if (data.type === "ready") {
      this.ready = true;
      if (this.last) this.post();
    } else if (data.type === "move") {
      // Only a move of mine, on my turn, once per drawing; the server checks it anyway.
      if (this.ctx && this.ctx.canMove && this.last && this.last.canMove) {
        this.last = { ...this.last, canMove: false };
        this.ctx.move(data.move);
      }
    } else if (data.type === "height") {
      const px = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Number(data.px) || 0));
      this.iframe.style.height = `${px}px`;
    } else if (data.type === "error") {
      console.warn(`The game's board: ${String(data.text).slice(0, 500)}`);
    }
  }
}

addEventListener("message", (e) => {
  // Only the frame on show, and only Capital's messages (a board has no other way to speak).
  if (!live || e.source !== live.iframe.contentWindow || !e.data || e.data.capital !== 1) return;
  live.heard(e.data);
});

function board(room, ctx) {
  const key = `${room.code}/${room.game}/${ctx.big ? "big" : "phone"}`;
  if (!live || live.key !== key) live = new Frame(key, ctx.info.board);
  live.show(room, ctx);
  return keepSlot(live.root);
}

/** The module for a script game that has a board (`info`: its list_games entry). */
export function scriptGame(kind, info) {
  return {
    kind,
    name: info.name || kind,
    blurb: info.about || "",
    flow: true,
    board,
  };
}
