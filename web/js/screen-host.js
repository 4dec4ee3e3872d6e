// The big screen as host: when a screen created its room (/screen with no code), the host's
// controls are on the screen itself, as buttons that work with a click or the keyboard: start,
// end the game, next game, change the game, lock the room, and per player "make host" and
// "remove". A phone the teacher makes host gets the controls instead.
//
// ctx: { code, request(type, fields) -> Promise, games (from list_games), toast(text) }

import { h } from "./dom.js";
import { gameName, lobbyCount } from "./describe.js";

/** The game picker a screen shows before it has a room: one big button per game. */
export function gamePicker(games, pick) {
  const list = h("div", { class: "bs-picker", role: "list", "aria-label": "Choose a game" });
  for (const g of games) {
    const players = g.min_players === g.max_players ? `${g.min_players} players` : `${g.min_players} to ${g.max_players} players`;
    const b = h(
      "button",
      { class: "btn btn-secondary bs-pick", type: "button", role: "listitem", "data-testid": `host-game-${g.kind}` },
      h("b", {}, g.name),
      h("span", { class: "bs-pick-players" }, players),
    );
    b.addEventListener("click", () => pick(g.kind));
    list.append(b);
  }
  return list;
}

/** The host's bar for `room`: what the host may do now. */
export function hostBar(room, ctx) {
  const bar = h("div", { class: "bs-host", role: "toolbar", "aria-label": "Host controls", "data-testid": "host-bar" });
  const act = (label, testid, type, fields, { primary = false, disabled = false } = {}) => {
    const b = h("button", { class: `btn ${primary ? "btn-primary" : "btn-secondary"}`, type: "button", "data-testid": testid, disabled }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await ctx.request(type, { code: room.code, ...fields });
      } catch (err) {
        ctx.toast(err.message || String(err));
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  if (room.phase === "lobby") {
    const count = lobbyCount(room);
    const label = count.missing > 0 ? `Waiting for ${count.missing} more` : `Start with ${count.taken}`;
    bar.append(act(label, "host-start", "start", {}, { primary: true, disabled: count.missing > 0 }));
  } else if (room.phase === "playing") {
    bar.append(act("End this game", "host-end", "end_game", {}));
  } else {
    bar.append(act("Next game", "host-next", "rematch", {}, { primary: true }));
  }
  if (room.phase !== "playing") {
    const select = h("select", { class: "bs-select", "aria-label": "Change the game", "data-testid": "host-change" });
    for (const g of ctx.games) {
      select.append(h("option", { value: g.kind, selected: g.kind === room.game }, gameName(g.kind)));
    }
    select.addEventListener("change", async () => {
      try {
        await ctx.request("change_game", { code: room.code, game: select.value });
      } catch (err) {
        ctx.toast(err.message || String(err));
        select.value = room.game;
      }
    });
    bar.append(h("label", { class: "bs-change" }, "Game ", select));
  }
  bar.append(act(room.locked ? "Unlock the room" : "Lock the room", "host-lock", "lock", { locked: !room.locked }));
  return bar;
}

/** Per player: "make host" and "remove" (asks first), for the host's player list. */
export function playerActions(room, ctx) {
  const list = h("ul", { class: "bs-actions", "aria-label": "Players", "data-testid": "host-players" });
  const members = [...room.seats.filter((s) => s.player).map((s) => s.player), ...room.spectators];
  for (const m of members) {
    if (m.id === room.host) continue;
    const make = h("button", { class: "btn btn-secondary btn-small", type: "button", "data-testid": `host-make-${m.name}` }, "Make host");
    make.addEventListener("click", () => ctx.request("set_host", { code: room.code, player: m.id }).catch((e) => ctx.toast(e.message)));
    const kick = h("button", { class: "btn btn-danger btn-small", type: "button", "data-testid": `host-kick-${m.name}` }, "Remove");
    const row = h("li", { class: "bs-action" }, h("span", { class: "bs-action-name" }, m.name), make, kick);
    // Removing is for good: the host says why (the phone shows it) and confirms.
    kick.addEventListener("click", () => {
      const reason = h("input", { class: "input", maxlength: "200", "aria-label": `Why remove ${m.name} (they will see it)`, "data-testid": "host-kick-reason", placeholder: "Why (they will see it)" });
      const sure = h("button", { class: "btn btn-danger btn-small", type: "button", "data-testid": "host-kick-confirm" }, `Remove ${m.name} for good`);
      const cancel = h("button", { class: "btn btn-secondary btn-small", type: "button" }, "Cancel");
      const form = h("li", { class: "bs-action bs-kick" }, reason, sure, cancel);
      sure.addEventListener("click", () => ctx.request("kick", { code: room.code, player: m.id, reason: reason.value }).catch((e) => ctx.toast(e.message)));
      cancel.addEventListener("click", () => form.replaceWith(row));
      row.replaceWith(form);
      reason.focus();
    });
    list.append(row);
  }
  return list;
}
