// The console's list of game scripts (admin_scripts): each file with its game, author, whether
// new rooms may pick it, and the error of its last load (with file and line: what a student
// needs to fix it). A button turns a game off (new rooms cannot pick it; games being played go
// on) or on again; the server stores it, so it stays so across restarts.

import { h } from "./dom.js";

/** A table of `scripts`; `onSwitch(kind, on)` is called by the buttons. */
export function scriptTable(scripts, onSwitch) {
  if (!scripts.length) return h("p", { class: "teach-hint" }, "No game scripts: put one in the games folder, or run capital new-game NAME.");
  const rows = scripts.map((s) => {
    const state = s.on ? "on offer" : s.off ? "turned off" : "not loaded";
    const button = s.kind
      ? h(
          "button",
          {
            class: `btn btn-small ${s.off ? "btn-primary" : "btn-secondary"}`,
            type: "button",
            "data-testid": `script-switch-${s.kind}`,
            onclick: () => onSwitch(s.kind, s.off),
          },
          s.off ? "Turn on" : "Turn off",
        )
      : null;
    return h(
      "tr",
      { "data-testid": `script-${s.file}` },
      h("td", {}, h("strong", {}, s.kind || "?"), h("br"), h("span", { class: "teach-hint" }, `${s.file}${s.board ? ` + ${s.board}` : ""}${s.shipped ? " (shipped)" : ""}`)),
      h("td", {}, s.author || "–"),
      h("td", { "data-testid": `script-state-${s.file}` }, state),
      h("td", { class: "teach-error", "data-testid": `script-error-${s.file}` }, s.error || ""),
      h("td", {}, button),
    );
  });
  return h(
    "table",
    { class: "teach-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "Game"), h("th", {}, "Author"), h("th", {}, "Status"), h("th", {}, "Last error"), h("th", {}, h("span", { class: "sr-only" }, "Switch")))),
    h("tbody", {}, rows),
  );
}
