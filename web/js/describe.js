// Words for what the room shows: whose turn it is, how a game ended. Shared by the phone app
// and the big screen, so both say the same thing. Everything here reads only the `room` object
// the server sent (crates/protocol/src/server.rs, RoomView), the server's list of games, and the
// names of who sat where (seats.js), for a result whose winner has left. What is particular to a
// game comes from its module (games/).

import { publicOrigin } from "./info.js";
import { secondsLeft } from "./rematch.js";
import { gameFor, gameName, playerRange, seatToken } from "./games/index.js";
import { listWords, memberName, mySeat, rememberedName, seatName, seatsTaken } from "./seats.js";

export { gameName, seatToken };
export { amHost, findMember, leftName, listWords, memberName, mySeat, noteSeats, seatName, seatPlayer, seatsTaken, who } from "./seats.js";

/** The lobby in numbers: seats taken, the fewest and most players, and how many are missing. */
export function lobbyCount(room) {
  const { min, max } = playerRange(room);
  const taken = seatsTaken(room);
  return { taken, min, max, missing: Math.max(0, min - taken), full: taken >= max };
}

/**
 * The one line that says what is going on, for the status bar (an aria-live region):
 * `{text, mood}` where mood is "you" (your move), "wait", "win", "lose", "draw" or "info".
 */
export function statusLine(room, meId) {
  const me = mySeat(room);
  if (room.phase === "lobby") {
    if (secondsLeft(room)) return { text: "Rematch! The next game is about to start", mood: "info" };
    const { taken, missing, full } = lobbyCount(room);
    if (missing > 0) {
      return { text: `Waiting for ${missing === 1 ? "1 more player" : `${missing} more players`}`, mood: "wait" };
    }
    const host = memberName(room, room.host);
    if (meId && room.host === meId) {
      return full ? { text: "Everyone is here!", mood: "you" } : { text: `${taken} players: start when ready`, mood: "you" };
    }
    return { text: `Waiting for ${host} to start`, mood: "wait" };
  }
  // A result being revealed (a 3-2-1, fun/reveal.js) is not said before it shows.
  const suspense = gameFor(room.game).suspense;
  const held = suspense && room.state ? suspense(room) : null;
  if (held) return held;
  if (room.phase === "over") return outcomeLine(room);
  // Playing.
  const own = gameFor(room.game).status;
  const line = own && room.state ? own(room, me) : null;
  if (line) return line;
  const turn = room.turn || [];
  if (me !== null && turn.includes(me)) {
    const token = seatToken(room, me).label;
    return { text: token ? `Your turn (you are ${token})` : "Your turn", mood: "you" };
  }
  if (turn.length === 1) {
    const s = turn[0];
    const token = seatToken(room, s).label;
    return { text: `${seatName(room, s)}'s turn${token ? ` (${token})` : ""}`, mood: "wait" };
  }
  if (turn.length > 1) return { text: `Waiting for ${listWords(turn.map((s) => seatName(room, s)))}`, mood: "wait" };
  return { text: "Waiting...", mood: "wait" };
}

/**
 * The outcome of the last game: a headline ("You won!", "Ana won", "It's a draw!"), a detail
 * ("Three in a row", "2-1", "Bo left the game") and a mood.
 */
export function outcomeLine(room) {
  const outcome = room.outcome;
  if (!outcome) return { text: "Game over", detail: "", mood: "info" };
  const me = mySeat(room);
  const detail = outcomeDetail(room);
  if (outcome.winner === null || outcome.winner === undefined) {
    if (outcome.reason === "forfeit") return { text: "Game abandoned", detail, mood: "draw" };
    return { text: "It's a draw!", detail, mood: "draw" };
  }
  if (me === outcome.winner) return { text: "You won!", detail, mood: "win" };
  return { text: `${rememberedName(room, outcome.winner)} won`, detail, mood: me === null ? "info" : "lose" };
}

/** Why the game ended, in a few words: the game's own words, or these. */
function outcomeDetail(room) {
  const { winner, reason } = room.outcome;
  const own = gameFor(room.game).outcome;
  const words = own ? own(room) : null;
  if (words !== null && words !== undefined) return words;
  switch (reason) {
    case "forfeit": {
      if (winner === null || winner === undefined) return "A player left";
      const loser = room.seats.find((s) => s.seat !== winner);
      const name = loser ? rememberedName(room, loser.seat) : "";
      return `${name && !name.startsWith("Seat ") ? name : "The other player"} left the game`;
    }
    case "last_player":
      return "Everyone else left";
    default:
      return reason ? reason.replace(/_/g, " ") : "";
  }
}

/** The link that opens the app straight into a room. */
export function joinLink(code) {
  return `${publicOrigin()}/join/${code}`;
}

// --- Errors in words ---------------------------------------------------------------------------

/** True for failures of the connection (retry later) rather than refusals by the server. */
export function isConnectionError(err) {
  return !err || !err.code || ["offline", "disconnected", "timeout"].includes(err.code);
}

/** A server error in words for people: our own wording for the common ones, else its message. */
export function friendly(err, code) {
  switch (err.code) {
    case "offline":
    case "disconnected":
    case "timeout":
      return "No connection to the server right now. Reconnecting...";
    case "no_such_room":
      return `There is no open room ${code || err.joinCode || ""}. Check the code and try again.`.replace("  ", " ");
    case "room_locked":
      return `Room ${code || err.joinCode || ""} is locked: ask the host to open it.`.replace("  ", " ");
    case "joins_paused":
      return "The teacher has paused joining for now. Try again in a moment.";
    case "kicked":
      return "The host removed you from this room, so you cannot join it again.";
    case "not_your_turn":
      return "It is not your turn yet.";
    case "illegal_move":
      return `That move is not allowed: ${err.message}.`;
    case "game_over":
      return "The game is already over.";
    case "seats_not_filled":
      return `Not everyone is here yet: ${err.message}.`;
    // Accounts.
    case "login_failed":
      return "Wrong username or password. Check both and try again.";
    case "rate_limited":
      return `Too many tries: ${waitWords(err.message)}`;
    case "username_taken":
      return "That username is taken. Try another one.";
    case "bad_username":
      return "A username is 3 to 20 letters, digits, dots, dashes or underscores (no spaces).";
    case "bad_password":
      return "A password needs 8 to 128 characters.";
    case "already_registered":
      return "You already have an account.";
    case "token_expired":
      return "Your session has expired. Please log in again.";
    case "not_registered":
      return "Only an account can log out: a guest would be lost for good. Create an account first.";
    // Direct messages.
    case "blocked":
      return "You cannot message this player: one of you has blocked the other.";
    case "no_such_player":
      return "That player does not exist on this server any more.";
    case "bad_text":
      return "A message must have some text, and not too much.";
    default:
      return sentence(err.message || String(err));
  }
}

/** "too many attempts; try again in 42 seconds" -> "please wait 42 seconds and try again." */
function waitWords(message) {
  const m = /(\d+)\s*second/.exec(message || "");
  if (!m) return "please wait a little and try again.";
  const secs = Number(m[1]);
  if (secs >= 90) return `please wait ${Math.ceil(secs / 60)} minutes and try again.`;
  return `please wait ${secs} ${secs === 1 ? "second" : "seconds"} and try again.`;
}

/** "cell 4 is taken" -> "Cell 4 is taken." */
export function sentence(text) {
  const s = String(text).trim();
  if (!s) return "Something went wrong.";
  const first = s[0].toUpperCase() + s.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
