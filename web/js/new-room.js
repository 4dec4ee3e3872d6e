// The home screen's "New room" card: the games the server offers (from list_games) and a form
// for the chosen game's options, drawn from its `options_schema` (docs/protocol.md, list_games):
// an integer with a few values is a row of buttons, with more a number with - and + steppers; a
// boolean is a checkbox; a choice is a select. Defaults filled in. A script game may also be
// played peer to peer (the host's phone runs it, docs/protocol.md "Peer-to-peer rooms"): a
// checkbox under the options, read by readMode.

import { h, fill } from "./dom.js";
import { gameFor } from "./games/index.js";

/** An integer with at most this many values is a row of buttons. */
const MAX_SEGMENTS = 6;

/**
 * Draws the game cards into `list` and the chosen game's options into `options`.
 * Options are redrawn only when the chosen game changes, so a redraw keeps what was picked.
 */
export function drawGamePicker(list, options, games, chosen, onChoose) {
  fill(
    list,
    games.map((g) => {
      const module = gameFor(g.kind);
      const players = g.min_players && g.max_players && g.min_players !== g.max_players ? `${g.min_players} to ${g.max_players} players` : "";
      return h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": g.kind === chosen ? "true" : "false",
          class: "game-card",
          "data-testid": `game-${g.kind}`,
          onclick: () => onChoose(g.kind),
        },
        h("span", { class: `game-art${module.art ? "" : " game-art-none"}`, "aria-hidden": "true", html: module.art || "" }),
        h(
          "span",
          { class: "game-text" },
          h("b", {}, g.name),
          h("small", {}, module.blurb || g.about),
          players && !(module.blurb || "").includes("players") ? h("small", {}, players) : null,
        ),
      );
    }),
  );
  const game = games.find((g) => g.kind === chosen);
  const kind = game ? game.kind : "";
  if (options.dataset.game !== kind) {
    options.dataset.game = kind;
    fill(options, game ? optionFields(game) : null);
  }
}

/** Form fields for a game's options, one per entry of its schema, and the peer-to-peer choice
 * for a script game. */
function optionFields(game) {
  const fields = schemaFields(game);
  // A script game (it has an author or a board of its own) may run on the host's phone.
  if (game.author || game.board) {
    fields.push(
      h(
        "label",
        { class: "option option-check" },
        h("input", { type: "checkbox", id: "room-p2p", "data-mode": "p2p", "data-testid": "room-p2p" }),
        "Peer to peer (the host's phone runs the game)",
      ),
    );
  }
  return fields;
}

/** `"p2p"` when the form asks for a peer-to-peer room, else null (the server runs the game). */
export function readMode(container) {
  const box = container.querySelector("[data-mode=p2p]");
  return box && box.checked ? "p2p" : null;
}

function schemaFields(game) {
  const defaults = game.options || {};
  return (game.options_schema || []).map((spec) => {
    const value = spec.key in defaults ? defaults[spec.key] : spec.default;
    switch (spec.type) {
      case "integer":
        return integerField(spec, value);
      case "boolean":
        return h(
          "label",
          { class: "option option-check" },
          h("input", { type: "checkbox", id: `opt-${spec.key}`, "data-option": spec.key, "data-testid": `opt-${spec.key}`, checked: !!value }),
          spec.label,
        );
      case "choice":
        return choiceField(spec, value);
      default:
        return null; // a type this page does not know: the server's default applies
    }
  });
}

/** The values an integer option may take: min, min + step, ... up to max. */
function steps(spec) {
  const step = spec.step > 0 ? spec.step : 1;
  const values = [];
  for (let n = spec.min; n <= spec.max && values.length <= MAX_SEGMENTS; n += step) values.push(n);
  return values;
}

function integerField(spec, value) {
  const id = `opt-${spec.key}`;
  const values = steps(spec);
  if (values.length <= MAX_SEGMENTS) {
    // A few values: a segmented control is quicker than typing.
    const group = h("div", {
      class: "segmented",
      role: "radiogroup",
      "aria-labelledby": `${id}-label`,
      style: `grid-template-columns: repeat(${values.length}, 1fr)`,
    });
    for (const n of values) {
      const b = h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": n === value ? "true" : "false",
          "data-option": spec.key,
          "data-value": n,
          "data-testid": `opt-${spec.key}-${n}`,
        },
        String(n),
      );
      b.addEventListener("click", () => {
        for (const other of group.children) other.setAttribute("aria-checked", String(other === b));
      });
      group.append(b);
    }
    return h("div", { class: "option" }, h("span", { class: "label", id: `${id}-label` }, spec.label), group);
  }
  // Many values: a number between - and + buttons.
  const step = spec.step > 0 ? spec.step : 1;
  const input = h("input", {
    type: "number",
    id,
    "data-option": spec.key,
    "data-testid": id,
    value,
    min: spec.min,
    max: spec.max,
    step,
    inputmode: "numeric",
  });
  const nudge = (by) => {
    const n = Number(input.value) + by;
    const clamped = Math.min(spec.max, Math.max(spec.min, Number.isFinite(n) ? n : spec.default));
    input.value = String(spec.min + Math.round((clamped - spec.min) / step) * step);
  };
  const less = h("button", { type: "button", class: "stepper-btn", "aria-label": `${spec.label}: less`, onclick: () => nudge(-step) }, "\u2212");
  const more = h("button", { type: "button", class: "stepper-btn", "aria-label": `${spec.label}: more`, onclick: () => nudge(step) }, "+");
  return h("div", { class: "option" }, h("label", { for: id }, spec.label), h("div", { class: "stepper" }, less, input, more));
}

function choiceField(spec, value) {
  const id = `opt-${spec.key}`;
  const select = h("select", { id, "data-option": spec.key, "data-testid": id });
  (spec.choices || []).forEach((c, i) => {
    select.append(h("option", { value: String(i), selected: c.value === value }, c.label));
  });
  select.choices = spec.choices || [];
  return h("div", { class: "option" }, h("label", { for: id }, spec.label), select);
}

/** The options as chosen in the form, for create_room. */
export function readOptions(container) {
  const options = {};
  for (const el of container.querySelectorAll("[data-option]")) {
    const key = el.dataset.option;
    if (el.getAttribute("role") === "radio") {
      if (el.getAttribute("aria-checked") === "true") options[key] = Number(el.dataset.value);
    } else if (el.tagName === "SELECT") {
      const choice = el.choices[Number(el.value)];
      if (choice) options[key] = choice.value;
    } else if (el.type === "checkbox") options[key] = el.checked;
    else if (el.type === "number") options[key] = Number(el.value);
    else options[key] = el.value;
  }
  return options;
}
