// The list of who is in a room: every seat (taken or open, each in its seat's colour) and the
// spectators. Shared by the phone's lobby and the big screen.

import { BUBBLE_ICON, h, initial, makePickable } from "./dom.js";
import { seatToken } from "./games/index.js";
import { leftName } from "./seats.js";

/**
 * The list of seats and spectators: avatar, name, "you", "host", a token (X / O / disc colour),
 * whose turn it is, and whether they are connected; all in words as well as in colour.
 * With `onPick(member)`, the other players' rows can be tapped (to offer "Message").
 */
export function renderMembers(room, meId, { showSpectators = true, hideId = null, onPick = null } = {}) {
  const list = h("ul", { class: "members", "data-testid": "players" });
  // In a game for more than two, seats left open at the start stay open until the next lobby.
  const seats = room.phase !== "lobby" && room.seats.length > 2 ? room.seats.filter((s) => s.player) : room.seats;
  for (const seat of seats) {
    const p = seat.player;
    const token = seatToken(room, seat.seat);
    const turn = room.phase === "playing" && (room.turn || []).includes(seat.seat);
    // A seat left during or after the game: who played there, as having left.
    const gone = leftName(room, seat.seat);
    const winner = room.phase === "over" && room.outcome && room.outcome.winner === seat.seat && (p || gone);
    const tags = [];
    if (gone) tags.push(h("span", { class: "tag tag-away" }, "left"));
    if (p && p.id === meId) tags.push(h("span", { class: "tag tag-you" }, "you"));
    if (p && p.id === room.host) tags.push(h("span", { class: "tag" }, "host"));
    if (p && !p.connected) tags.push(h("span", { class: "tag tag-away" }, "reconnecting..."));
    if (p && p.ready && room.phase === "lobby") tags.push(h("span", { class: "tag tag-ready", "data-testid": `ready-${seat.seat}` }, "ready"));
    if (turn) tags.push(h("span", { class: "tag tag-turn" }, "to play"));
    if (winner) tags.push(h("span", { class: "tag tag-win" }, "winner"));
    const pickable = onPick && p && p.id !== meId;
    const li = h(
      "li",
      {
        class: `member ${token.cls}${p ? "" : " empty"}${turn ? " turn" : ""}${p && !p.connected ? " away" : ""}${pickable ? " pickable" : ""}`,
        "data-testid": `seat-${seat.seat}`,
      },
      h("span", { class: "avatar", "aria-hidden": "true" }, p ? initial(p.name) : String(seat.seat + 1)),
      h("span", { class: "member-name" }, h("span", { class: "sr-only" }, `Seat ${seat.seat + 1}: `), p ? p.name : gone || "Open seat", ...tags),
      token.label ? h("span", { class: "token", title: `plays ${token.label}` }, token.label) : null,
      pickable ? h("span", { class: "member-more", "aria-hidden": "true", html: BUBBLE_ICON }) : null,
    );
    if (pickable) makePickable(li, `${p.name}: send a message`, () => onPick(p));
    list.append(li);
  }
  const watching = room.spectators.filter((m) => m.id !== hideId);
  if (showSpectators && watching.length > 0) {
    const names = watching.map((m) => {
      if (m.id === meId) return `${m.name} (you)`;
      if (!onPick) return m.name;
      return h("button", { class: "name-link", type: "button", onclick: () => onPick(m) }, m.name);
    });
    const joined = [];
    names.forEach((n, i) => joined.push(i === 0 ? "" : ", ", n));
    // The server lists the first 12 spectators and counts the rest.
    const total = Math.max(room.spectator_count ?? 0, room.spectators.length);
    const unlisted = total - room.spectators.length;
    if (unlisted > 0) joined.push(` and ${unlisted} more`);
    list.append(
      h(
        "li",
        { class: "member spectators", "data-testid": "spectators" },
        h("span", { class: "avatar", "aria-hidden": "true" }, String(watching.length + Math.max(0, unlisted))),
        h("span", { class: "member-name" }, "Watching: ", ...joined),
      ),
    );
  }
  return list;
}

