// The home screen's "New room" card: the games the server offers (from list_games) and a form
// for each game's options, built from its default options.

import { h, fill } from "./dom.js";
import { GAME_BLURBS } from "./describe.js";

/**
 * Draws the game cards into `list` and the chosen game's options into `options`.
 * Options are redrawn only when the chosen game changes, so a redraw keeps what was picked.
 */
export function drawGamePicker(list, options, games, chosen, onChoose) {
  fill(
    list,
    games.map((g) =>
      h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": g.kind === chosen ? "true" : "false",
          class: "game-card",
          "data-testid": `game-${g.kind}`,
          onclick: () => onChoose(g.kind),
        },
        h("span", { class: `game-art art-${g.kind}`, "aria-hidden": "true" }),
        h("span", { class: "game-text" }, h("b", {}, g.name), h("small", {}, GAME_BLURBS[g.kind] || g.about)),
      ),
    ),
  );
  const game = games.find((g) => g.kind === chosen);
  const kind = game ? game.kind : "";
  if (options.dataset.game !== kind) {
    options.dataset.game = kind;
    fill(options, game ? optionFields(game) : null);
  }
}

/** Form fields for a game's options, built from its defaults. */
function optionFields(game) {
  const fields = [];
  for (const [key, value] of Object.entries(game.options || {})) {
    const id = `opt-${key}`;
    const label = key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
    if (key === "best_of" && typeof value === "number") {
      // Odd numbers only: a segmented control is quicker than typing.
      const group = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Best of" });
      for (const n of [1, 3, 5, 7, 9]) {
        const b = h(
          "button",
          {
            type: "button",
            role: "radio",
            "aria-checked": n === value ? "true" : "false",
            "data-option": key,
            "data-value": n,
            "data-testid": `opt-best_of-${n}`,
          },
          String(n),
        );
        b.addEventListener("click", () => {
          for (const other of group.children) other.setAttribute("aria-checked", String(other === b));
        });
        group.append(b);
      }
      fields.push(h("div", { class: "option" }, h("span", { class: "label" }, "Best of (rounds)"), group));
    } else if (typeof value === "boolean") {
      fields.push(
        h("label", { class: "option option-check" }, h("input", { type: "checkbox", id, "data-option": key, checked: value }), label),
      );
    } else if (typeof value === "number") {
      fields.push(
        h("div", { class: "option" }, h("label", { for: id }, label), h("input", { type: "number", id, "data-option": key, value, inputmode: "numeric" })),
      );
    } else if (typeof value === "string") {
      fields.push(h("div", { class: "option" }, h("label", { for: id }, label), h("input", { id, "data-option": key, value })));
    }
  }
  return fields;
}

/** The options as chosen in the form, for create_room. */
export function readOptions(container) {
  const options = {};
  for (const el of container.querySelectorAll("[data-option]")) {
    const key = el.dataset.option;
    if (el.getAttribute("role") === "radio") {
      if (el.getAttribute("aria-checked") === "true") options[key] = Number(el.dataset.value);
    } else if (el.type === "checkbox") options[key] = el.checked;
    else if (el.type === "number") options[key] = Number(el.value);
    else options[key] = el.value;
  }
  return options;
}
