// The phone host's controls (a phone that created its room, or that was made host): lock or
// open the room, from the lobby; and on any other member, from the dialog that tapping them opens
// (room.js, pickPlayer), make them host or remove them with a reason, which their phone shows.
// The big screen has the same controls when it hosts (screen-host.js). The server checks that
// this phone is the host; a refusal is said in words.

import { h } from "./dom.js";
import { amHost, friendly, isConnectionError } from "./describe.js";

const $ = (id) => document.getElementById(id);

/** The lobby's line about the lock: the host's Lock / Unlock button with what it means, or, for
 * the others, that the room is locked (nothing when it is not). ctx: { meId, online, send }. */
export function lockRow(room, ctx) {
  const note = room.locked ? "Locked: nobody new can join (players in the room can come back)." : "Lock the room once everyone is in.";
  if (!amHost(room, ctx.meId)) {
    return room.locked ? h("p", { class: "lobby-hint", "data-testid": "room-locked" }, "The host has locked the room: nobody new can join.") : null;
  }
  const button = h(
    "button",
    { class: "btn btn-secondary btn-small", type: "button", "data-testid": "lock-room", "aria-pressed": String(!!room.locked), disabled: !ctx.online },
    "Lock the room",
  );
  button.addEventListener("click", () => ctx.send(button, "lock", { code: room.code, locked: !room.locked }));
  return h("div", { class: "host-row" }, h("p", { class: "host-note", "data-testid": room.locked ? "room-locked" : "room-open" }, note), button);
}

/**
 * The host's part of the person dialog. `request(type, fields)` sends a request; `toast(text)`
 * says a refusal.
 */
export function createHostActions({ request, toast }) {
  let target = null; // {code, id, name}: who the kick dialog is about

  /** Before the person dialog opens on `who` in `room`: the host's buttons, for the host only. */
  function preparePerson(room, meId, who) {
    const mine = !!room && amHost(room, meId) && who.id !== meId;
    $("person-host-actions").hidden = !mine;
  }

  /** The person dialog closed with `value`: true when it was one of the host's buttons. */
  function personClosed(room, value, who) {
    if (!room || (value !== "kick" && value !== "host")) return false;
    if (value === "host") {
      send("set_host", { code: room.code, player: who.id });
      return true;
    }
    target = { code: room.code, id: who.id, name: who.name };
    $("kick-title").textContent = `Remove ${who.name} from the room?`;
    $("kick-reason").value = "";
    $("kick-dialog").returnValue = "";
    $("kick-dialog").showModal();
    return true;
  }

  async function send(type, fields) {
    try {
      await request(type, fields);
    } catch (err) {
      if (!isConnectionError(err)) toast(friendly(err));
    }
  }

  $("kick-dialog").addEventListener("close", () => {
    const who = target;
    target = null;
    if ($("kick-dialog").returnValue !== "kick" || !who) return;
    send("kick", { code: who.code, player: who.id, reason: $("kick-reason").value.trim() });
  });

  return { preparePerson, personClosed };
}
