// A game this page has no module for (the server offers it, see list_games): the game's own
// `about` line, its view as readable JSON, and a box to type a move as JSON. Enough to play any
// turn-based game the server adds, if not pretty.

import { h } from "../dom.js";
import { sendFrom } from "./kit.js";

// What was typed in the move box, per room: the board is redrawn on every event.
const drafts = new Map();

function board(room, ctx) {
  const about = ctx.info && ctx.info.about;
  const wrap = h("div", { class: "generic", "data-testid": "board" });
  if (about) wrap.append(h("p", { class: "generic-about" }, about));
  wrap.append(
    h("pre", { class: "generic-view", "data-testid": "view", tabindex: "0", "aria-label": "The game's state" }, JSON.stringify(room.state, null, 2)),
  );
  if (ctx.seat === null || room.phase !== "playing") return wrap;

  const id = `move-${room.code}`;
  const input = h("textarea", {
    id,
    class: "generic-move",
    "data-testid": "move-input",
    rows: 2,
    spellcheck: "false",
    autocapitalize: "off",
    placeholder: '{"cell": 4}',
  });
  input.value = drafts.get(room.code) || "";
  input.addEventListener("input", () => drafts.set(room.code, input.value));
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "move-error" });
  const send = h("button", { class: "btn btn-primary", type: "submit", "data-testid": "move-send", disabled: !ctx.canMove }, "Send move");
  const form = h("form", { class: "generic-form", novalidate: true }, h("label", { for: id }, "Your move, as JSON"), input, send, error);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    let mv;
    try {
      mv = JSON.parse(input.value);
    } catch {
      error.textContent = "That is not JSON: a move looks like {\"cell\": 4}.";
      return;
    }
    drafts.delete(room.code);
    sendFrom(wrap, ctx, mv, send);
  });
  wrap.append(form);
  return wrap;
}

/** The module for `kind` when this page has none: named by the server, or by its kind. */
export function genericGame(kind, info) {
  return {
    kind,
    name: (info && info.name) || kind,
    blurb: (info && info.about) || "",
    flow: true,
    board,
  };
}
