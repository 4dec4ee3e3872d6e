// Words for what the room shows: names, whose turn it is, how a game ended. Shared by the
// phone app and the big screen, so both say the same thing. Everything here reads only the
// `room` object the server sent (crates/protocol/src/server.rs, RoomView), plus the names of
// who sat where (see noteSeats), for a result whose winner has left.

import { publicOrigin } from "./info.js";

/** Human names of the games we know how to draw (the server's `list_games` has the rest). */
export const GAME_NAMES = {
  tictactoe: "Tic-tac-toe",
  connect_four: "Connect four",
  rps: "Rock paper scissors",
};

/** A line for players on each game (the server's `about` is written for developers). */
export const GAME_BLURBS = {
  tictactoe: "Three in a row wins",
  connect_four: "Drop discs, four in a line wins",
  rps: "Pick in secret, then reveal",
};

export function gameName(kind) {
  return GAME_NAMES[kind] || kind;
}

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
function rememberedName(room, seat) {
  const p = seatPlayer(room, seat);
  if (p) return p.name;
  const known = lastSeated.get(room.code);
  const name = known && known.game_no === room.game_no ? known.names[seat] : undefined;
  return name || `Seat ${seat + 1}`;
}

/**
 * What a seat plays as, in words and as a CSS class: "X"/"O" in tic-tac-toe, a disc colour in
 * connect four. Colour is never the only signal: the words go with it everywhere.
 */
export function seatToken(room, seat) {
  const cls = `p${seat}`;
  if (room.game === "tictactoe") {
    const marks = (room.state && room.state.marks) || ["X", "O"];
    return { label: marks[seat] || "?", cls };
  }
  if (room.game === "connect_four") {
    return { label: seat === 0 ? "Coral" : "Cyan", cls };
  }
  return { label: "", cls };
}

/** "Ana" or "You" (capitalised for the start of a sentence). */
export function who(room, seat) {
  return mySeat(room) === seat ? "You" : seatName(room, seat);
}

/** How many seats are taken. */
export function seatsTaken(room) {
  return room.seats.filter((s) => s.player).length;
}

/**
 * The one line that says what is going on, for the status bar (an aria-live region):
 * `{text, mood}` where mood is "you" (your move), "wait", "win", "lose", "draw" or "info".
 */
export function statusLine(room, meId) {
  const me = mySeat(room);
  if (room.phase === "lobby") {
    const missing = room.seats.length - seatsTaken(room);
    if (missing > 0) {
      return { text: `Waiting for ${missing === 1 ? "1 more player" : `${missing} more players`}`, mood: "wait" };
    }
    const host = memberName(room, room.host);
    if (meId && room.host === meId) return { text: "Everyone is here!", mood: "you" };
    return { text: `Waiting for ${host} to start`, mood: "wait" };
  }
  if (room.phase === "over") return outcomeLine(room);
  // Playing.
  const turn = room.turn || [];
  if (room.game === "rps") {
    if (me !== null && turn.includes(me)) return { text: "Your move: choose!", mood: "you" };
    const waiting = turn.map((s) => seatName(room, s));
    if (waiting.length === 0) return { text: "Revealing...", mood: "wait" };
    return { text: `Waiting for ${listWords(waiting)} to choose`, mood: "wait" };
  }
  if (me !== null && turn.includes(me)) {
    const token = seatToken(room, me).label;
    return { text: token ? `Your turn (you are ${token})` : "Your turn", mood: "you" };
  }
  if (turn.length === 1) {
    const s = turn[0];
    const token = seatToken(room, s).label;
    return { text: `${seatName(room, s)}'s turn${token ? ` (${token})` : ""}`, mood: "wait" };
  }
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

/** Why the game ended, in a few words. */
function outcomeDetail(room) {
  const { winner, reason } = room.outcome;
  switch (reason) {
    case "line":
      return "Three in a row";
    case "four_in_a_row":
      return "Four in a row";
    case "draw":
      return "The board is full";
    case "best_of": {
      const score = room.state && room.state.score;
      return score ? `${score[winner]}-${score[1 - winner]} in rounds` : "";
    }
    case "forfeit": {
      if (winner === null || winner === undefined) return "A player left";
      const loser = room.seats.find((s) => s.seat !== winner);
      const name = loser ? rememberedName(room, loser.seat) : "";
      return `${name && !name.startsWith("Seat ") ? name : "The other player"} left the game`;
    }
    default:
      return reason ? reason.replace(/_/g, " ") : "";
  }
}

/** True when player `meId` is the host of the room. */
export function amHost(room, meId) {
  return !!meId && room.host === meId;
}

/** The name of a member by id (seated or watching). */
export function memberName(room, id) {
  for (const s of room.seats) if (s.player && s.player.id === id) return s.player.name;
  for (const m of room.spectators) if (m.id === id) return m.name;
  return "the host";
}

/** "Ana", "Ana and Bo", "Ana, Bo and Cy". */
export function listWords(words) {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
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
    case "not_your_turn":
      return "Not your turn yet: wait for the other player.";
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
