// The list of who is in a room: every seat (taken or open, each in its seat's colour) and the
// spectators. Shared by the phone's lobby and the big screen.

import { BUBBLE_ICON, h, srOnly } from "./dom.js";
import { avatar } from "./fun/avatar.js";
import { seatToken } from "./games/index.js";
import { leftName } from "./seats.js";

/**
 * The list of seats and spectators: avatar (the player's look, fun/avatar.js), name, "you", "host", a token (X / O / disc colour),
 * whose turn it is, and whether they are connected; all in words as well as in colour, and
 * read out whole ("Seat 2: Bo, host, reconnecting..., plays O: send a message").
 * With `onPick(member)`, the other players' rows are buttons (to offer "Message").
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
    // Each tag says a comma first, to a screen reader only.
    const tag = (cls, words, attrs = {}) => h("span", { class: `tag ${cls}`, ...attrs }, srOnly(", "), words);
    const tags = [];
    if (gone) tags.push(tag("tag-away", "left"));
    if (p && p.id === meId) tags.push(tag("tag-you", "you"));
    if (p && p.id === room.host) tags.push(tag("", "host"));
    if (p && !p.connected) tags.push(tag("tag-away", "reconnecting..."));
    if (p && p.ready && room.phase === "lobby") tags.push(tag("tag-ready", "ready", { "data-testid": `ready-${seat.seat}` }));
    if (turn) tags.push(tag("tag-turn", "to play"));
    if (winner) tags.push(tag("tag-win", "winner"));
    const pickable = onPick && p && p.id !== meId;
    const row = [
      p ? avatar(p.id) : h("span", { class: "avatar", "aria-hidden": "true" }, String(seat.seat + 1)),
      h("span", { class: "member-name" }, srOnly(`Seat ${seat.seat + 1}: `), p ? p.name : gone || "Open seat", ...tags),
      token.label ? h("span", { class: "token" }, srOnly(", plays "), token.label) : null,
      ...(pickable ? [h("span", { class: "member-more", "aria-hidden": "true", html: BUBBLE_ICON }), srOnly(": send a message")] : []),
    ];
    const li = h(
      "li",
      {
        class: `member ${token.cls}${p ? "" : " empty"}${turn ? " turn" : ""}${p && !p.connected ? " away" : ""}${pickable ? " pickable" : ""}`,
        "data-testid": `seat-${seat.seat}`,
      },
      pickable ? h("button", { class: "member-pick", type: "button", onclick: () => onPick(p) }, row) : row,
    );
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

