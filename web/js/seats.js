// Who sits where in a room: seat names, my seat, who has left. Read only from the `room` object
// the server sent (crates/protocol/src/server.rs, RoomView), plus the names this page has seen
// in each seat (see noteSeats). Knows no game: the game modules (games/) use it too.

/** The member sitting in `seat`, or null. */
export function seatPlayer(room, seat) {
  const s = room.seats[seat];
  return (s && s.player) || null;
}

/** My seat in the room, or null (spectator or not a member). */
export function mySeat(room) {
  return room.you && room.you.role === "player" ? room.you.seat : null;
}

/** A seat's name as others read it: the player's name, or "Seat 2" when empty. */
export function seatName(room, seat) {
  const p = seatPlayer(room, seat);
  return p ? p.name : `Seat ${seat + 1}`;
}

/** "Ana" or "You" (capitalised for the start of a sentence). */
export function who(room, seat) {
  return mySeat(room) === seat ? "You" : seatName(room, seat);
}

/** How many seats are taken. */
export function seatsTaken(room) {
  return room.seats.filter((s) => s.player).length;
}

/** True when the game waits for `seat` (my seat when left out) and the room is playing. */
export function onTurn(room, seat = mySeat(room)) {
  return room.phase === "playing" && seat !== null && (room.turn || []).includes(seat);
}

// The last player seen in each seat of each room, and of which game: after a game ends, a player
// may leave, and the result should still say who won.
const lastSeated = new Map(); // code -> {game_no, names: [name | undefined]}

/** Remembers who sits where in `room` (call with every room received). */
export function noteSeats(room) {
  if (!room || !room.code) return;
  let known = lastSeated.get(room.code);
  if (!known || known.game_no !== room.game_no) {
    // A new game (seats may have swapped): only names from this game count.
    known = { game_no: room.game_no, names: [] };
    lastSeated.set(room.code, known);
  }
  for (const s of room.seats) if (s.player) known.names[s.seat] = s.player.name;
}

/** A seat's player, or the last one this page saw there during this game, or "Seat 2". */
export function rememberedName(room, seat) {
  const p = seatPlayer(room, seat);
  if (p) return p.name;
  return leftName(room, seat) || `Seat ${seat + 1}`;
}

/** Who sat in `seat`, now empty, during this game (they left it), or null: a result still says
 * who played there. Never in the lobby, where an empty seat is an open seat. */
export function leftName(room, seat) {
  if (room.phase === "lobby" || seatPlayer(room, seat)) return null;
  const known = lastSeated.get(room.code);
  return (known && known.game_no === room.game_no && known.names[seat]) || null;
}

/** True when player `meId` is the host of the room. */
export function amHost(room, meId) {
  return !!meId && room.host === meId;
}

/** A member by id (seated or watching), or null. */
export function findMember(room, id) {
  for (const s of room.seats) if (s.player && s.player.id === id) return s.player;
  return (room.spectators || []).find((m) => m.id === id) || null;
}

/** The name of a member by id (seated or watching). */
export function memberName(room, id) {
  const m = findMember(room, id);
  return m ? m.name : "the host";
}

/** "Ana", "Ana and Bo", "Ana, Bo and Cy". */
export function listWords(words) {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
