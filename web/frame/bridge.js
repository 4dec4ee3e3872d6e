// Runs first in a script game's board frame (crates/server/src/board_frame.rs). The frame is a
// sandbox with an origin of its own: no cookies, no storage, no access to the page around it,
// no network. It learns what to draw only from the page's messages, and can only send moves
// back. This file gives the board script `board({...})` and `h(...)`, and draws the board
// whenever the page sends the room again. See docs/make-a-game.md, "Reference: the board".
"use strict";
(() => {
  let definition = null;
  let last = null; // the last "draw" message from the page
  const source = JSON.parse(document.getElementById("board-source").textContent);
  const root = document.getElementById("board");
  const problem = document.getElementById("problem");
  const send = (msg) => parent.postMessage({ capital: 1, ...msg }, "*");

  /** Shows an error of the board script in the frame (and tells the page, for its console). */
  function fail(text) {
    problem.textContent = text;
    problem.hidden = false;
    send({ type: "error", text });
  }

  // A board declares itself once: board({ draw(view, ctx) { ... } }).
  globalThis.board = function board(spec) {
    if (definition) throw new Error("board() was called twice: a file declares one board");
    if (!spec || typeof spec.draw !== "function") throw new Error("board() takes an object with a draw(view, ctx) function");
    definition = spec;
    if (last) draw(last);
  };
  // A file that holds the rules too calls game({...}): the rules run on the server, not here.
  globalThis.game = () => {};

  /** h("button", {class: "big", onclick: () => ...}, "Take 1"): an element, its attributes
   * (on... are listeners, style may be an object) and its children (text, elements, lists). */
  globalThis.h = function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  };

  /** The context a board's draw gets with the view: who I am, who plays, and move(). */
  function context(msg) {
    let sent = false;
    return Object.freeze({
      seat: msg.seat,
      players: msg.players,
      name: (seat) => (msg.players[seat] ?? `Seat ${seat + 1}`),
      turn: msg.turn,
      myTurn: msg.canMove,
      phase: msg.phase,
      outcome: msg.outcome,
      big: msg.big,
      /** Draws again with the same view: for a board's own choices (a picker) before a move. */
      redraw() {
        if (!sent) draw(msg);
      },
      move(move) {
        // One move per drawing: the page draws again once the server answers.
        if (sent || !msg.canMove) return false;
        sent = true;
        for (const b of root.querySelectorAll("button, input, select")) b.disabled = true;
        send({ type: "move", move });
        return true;
      },
    });
  }

  function draw(msg) {
    last = msg;
    document.body.classList.toggle("big", !!msg.big);
    if (!definition) return;
    try {
      const out = definition.draw(msg.view, context(msg));
      if (out !== undefined) root.replaceChildren(...[out].flat().filter((c) => c !== null && c !== false).map((c) => (c instanceof Node ? c : String(c))));
      problem.hidden = true;
    } catch (e) {
      fail(`${e && e.message ? e.message : e}${where(e)}`);
    }
  }

  /** " (nim.board.js line 12)" from an error's stack, when it says. */
  function where(e) {
    const m = e && typeof e.stack === "string" && e.stack.match(/([\w.-]+\.js):(\d+)/);
    return m ? ` (${m[1]} line ${m[2]})` : "";
  }

  addEventListener("message", (e) => {
    if (e.source !== parent || !e.data || e.data.capital !== 1) return;
    if (e.data.type === "draw") draw(e.data);
  });
  addEventListener("error", (e) => fail(`${e.message} (${source.file} line ${e.lineno})`));

  // The page sizes the frame to the board.
  new ResizeObserver(() => send({ type: "height", px: Math.ceil(document.documentElement.scrollHeight) })).observe(document.body);

  // Runs the board script (given as JSON in the page, so nothing in it can end a script tag).
  const script = document.createElement("script");
  script.textContent = `${source.text}\n//# sourceURL=${source.file}`;
  document.head.append(script);
  if (!definition && problem.hidden) fail(`${source.file} never called board({ draw(view, ctx) { ... } })`);
  send({ type: "ready" });
})();
