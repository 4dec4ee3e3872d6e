// The phone app: screens, state, and what happens on each message.
//
// Screens: name (or log in) -> home (join by code, or create a room) -> room (lobby, game,
// result; chat). Messages (the conversation list, one conversation) open over home or a room and
// go back to it; the account screen logs in or turns the guest into an account.
// The connection, hello and the token are the session's (session.js); what the page knows is in
// state.js.
//
// Resuming: the current room code lives in localStorage. After every hello we join the room
// again: with `since` = the last event seq we saw when this page already shows the room (then
// the reply has only what changed, or `room: null` when nothing did), without it after a reload.
// Then direct messages catch up.

import { Chat } from "./chat.js";
import { drawGamePicker, readOptions } from "./new-room.js";
import { roomView } from "./room-view.js";
import { Messages } from "./messages.js";
import { MessagesView } from "./messages-view.js";
import { loadServerInfo, setServerInfo } from "./info.js";
import { drawStatus, fill, h, initial } from "./dom.js";
import { friendly, gameName, isConnectionError, mySeat, noteSeats, statusLine } from "./describe.js";
import { state, WIDE } from "./state.js";
import { onScreenChange, showScreen, toast } from "./screens.js";
import { createSession, hasToken, lastName } from "./session.js";
import { createAccount } from "./account.js";

const KEY_ROOM = "capital.room";
const CODE_RE = /^[A-Za-z]{4}$/;

const $ = (id) => document.getElementById(id);

// Script errors are collected so that the browser tests can check there were none.
window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));

state.code = localStorage.getItem(KEY_ROOM);
let chosenGame = null; // kind selected on the home screen
let convFrom = "messages"; // where the conversation's back button goes: "messages", "home" or "room"

const session = createSession({
  onEvent: (msg) => onEvent(msg),
  onPush: (msg) => messages.onPush(msg),
  enterRoom: (c, welcome) => enterRoom(c, welcome),
  catchUp: (request) => messages.sync(request),
  forgetRoom: () => leaveRoomLocally(),
  forgetMessages: () => messages.reset(),
  askName: (message) => showNameScreen(message),
  askLogin: (notice, username) => account.show("login", { notice, username }),
  loginFailed: (error, username) => account.loginFailed(error, username),
  backOnline: () => {
    chat.flush();
    messages.backOnline();
  },
  redraw: () => drawRoom(),
});
const conn = session.conn;

const chat = new Chat($("chat"), {
  send: (text, clientMsgId) => conn.request("chat", { code: state.code, text, client_msg_id: clientMsgId }),
  older: (before) => conn.request("chat_history", { code: state.code, before, limit: 50 }),
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  onToggle: (open) => $("screen-room").classList.toggle("chat-open", open),
  onPick: (who) => pickPlayer(who),
});

const messages = new Messages({
  request: (type, fields) => conn.request(type, fields),
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  visible: () => state.screen === "conversation" && document.visibilityState === "visible",
  onUnread: () => drawBadges(),
  onChange: (id) => messagesView.changed(id),
  nameOf: (id) => knownName(id),
});

const messagesView = new MessagesView(messages, {
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  toast: (text, kind) => toast(text, kind),
  openConversation: (id, name) => openConversation(id, name, null, "messages"),
});

const account = createAccount({
  session,
  showHome: () => showHome(),
  showNameScreen: (message, notice) => showNameScreen(message, notice),
});

onScreenChange((before, name) => {
  if (before === "conversation" && name !== "conversation") messagesView.close();
  drawTurnBars();
});

// --- Start ---------------------------------------------------------------------------------

function boot() {
  const m = location.pathname.match(/^\/join\/([A-Za-z]{4})\/?$/);
  if (m) state.pendingJoin = { code: m[1].toUpperCase(), as: "player" };
  wireForms();
  chat.setOpen(WIDE.matches);
  // Where phones reach this server: a page opened on the server itself shows the LAN address.
  loadServerInfo(() => state.room && drawRoom());
  if (hasToken()) {
    conn.start();
  } else {
    showNameScreen();
  }
}

// --- Into the room, after hello ---------------------------------------------------------------

/** After hello: resume the room this page shows, or go where the address or storage says. */
async function enterRoom(c, welcome) {
  try {
    if (state.pendingJoin) {
      const { code, as } = state.pendingJoin;
      await join(c, code, as);
      state.pendingJoin = null;
    } else if (state.code && state.room && welcome.rooms.some((r) => r.code === state.code)) {
      // Same page, new socket: catch up on what was missed.
      const reply = await c.request("join_room", { code: state.code, since: state.seq }, { internal: true });
      applyJoined(reply, true);
    } else if (state.code && state.room) {
      // Away longer than the grace period: the seat is gone, but the room may still be there.
      toast("You were away too long and lost your seat.");
      await join(c, state.code, "player");
    } else if (state.code && welcome.rooms.some((r) => r.code === state.code)) {
      // After a reload: the whole room again.
      await join(c, state.code, "player");
    } else {
      if (state.code) toast(`You are no longer in room ${state.code}.`);
      leaveRoomLocally();
      showMain("home");
    }
  } catch (err) {
    if (isConnectionError(err)) throw err; // the next connection tries again
    state.pendingJoin = null;
    if (err.code === "no_such_room" && state.room) toast(`Room ${state.code} has closed.`);
    else toast(friendly(err));
    leaveRoomLocally();
    showMain("home");
    if (err.joinCode) {
      $("join-code").value = err.joinCode;
      $("join-error").textContent = friendly(err);
    }
  }
}

/** Joins `code` as a player, or as a spectator when every seat is taken or a game is on. */
async function join(c, code, as) {
  let reply;
  try {
    reply = await c.request("join_room", { code, as }, { internal: true });
  } catch (err) {
    if (as === "player" && (err.code === "room_full" || err.code === "wrong_phase")) {
      reply = await c.request("join_room", { code, as: "spectator" }, { internal: true });
      toast(err.code === "room_full" ? "Every seat is taken: you are watching." : "A game is on: you are watching.", "info");
    } else {
      err.joinCode = code;
      throw err;
    }
  }
  applyJoined(reply, false);
}

function onEvent(msg) {
  if (msg.code !== state.code) return; // a room this page no longer shows
  if (msg.seq <= state.seq) return; // already seen (the joined reply covered it)
  state.seq = msg.seq;
  if (msg.kind === "chat") {
    chat.receive(msg.message);
    return;
  }
  if (msg.kind === "closed") {
    toast(`Room ${state.code} has closed: ${msg.reason}.`);
    leaveRoomLocally();
    showMain("home");
    return;
  }
  const before = state.room;
  state.room = msg.room;
  noteSeats(msg.room);
  // A new game on a phone: fold the chat away so the board gets the room.
  if ((msg.kind === "started" || msg.kind === "rematch") && !WIDE.matches) chat.setOpen(false);
  drawRoom();
  buzzIfMyTurn(before, msg.room);
}

function applyJoined(reply, resumed) {
  const fresh = state.code !== reply.code || !resumed;
  state.code = reply.code;
  localStorage.setItem(KEY_ROOM, reply.code);
  state.seq = reply.seq;
  if (reply.room) state.room = reply.room;
  noteSeats(state.room);
  if (fresh) chat.reset(reply.chat, reply.more_chat);
  else chat.addMissed(reply.chat, reply.more_chat);
  history.replaceState(null, "", `/join/${reply.code}`);
  showMain("room");
  drawRoom();
}

/** Forgets the room on this page (after leaving, or when it closed). */
function leaveRoomLocally() {
  state.code = null;
  state.room = null;
  state.seq = 0;
  localStorage.removeItem(KEY_ROOM);
  chat.reset([], false);
  chat.setOpen(WIDE.matches);
  if (location.pathname !== "/") history.replaceState(null, "", "/");
}

// --- Screens ---------------------------------------------------------------------------------

/** Shows home or the room; while messages are open they stay, and go back to it after. */
function showMain(name) {
  state.under = name;
  if (state.screen === "messages" || state.screen === "conversation") {
    if (name === "home") drawHome();
    drawTurnBars();
    return;
  }
  if (name === "home") showHome();
  else showScreen("room");
}

/** The first screen: choose a name (or rename), with "log in" for account holders. */
function showNameScreen(message = "", notice = "") {
  showScreen("name");
  const joining = state.pendingJoin && state.pendingJoin.code;
  $("name-joining").hidden = !joining;
  if (joining) fill($("name-joining"), "You are joining room ", h("b", {}, joining));
  $("name-submit").textContent = joining ? `Join room ${joining}` : state.me ? "Save" : "Let's play";
  $("name-error").textContent = message;
  $("name-notice").textContent = notice;
  $("name-notice").hidden = !notice;
  $("name-login").parentElement.hidden = !!state.me; // renaming: already someone
  $("name-input").value = state.me ? state.me.name : lastName() || "";
  $("name-input").focus();
}

function showHome() {
  drawHome();
  showScreen("home");
}

function drawHome() {
  $("me-name").textContent = state.me ? state.me.name : "";
  $("me-initial").textContent = initial(state.me ? state.me.name : "?");
  const username = state.me && state.me.username;
  $("me-username").hidden = !username;
  $("me-username").textContent = username ? `@${username}` : "";
  drawMyRooms();
  drawGames();
  account.drawCard();
  drawBadges();
}

function drawGames() {
  const games = state.games || [];
  if (!chosenGame && games.length) chosenGame = games[0].kind;
  drawGamePicker($("game-list"), $("game-options"), games, chosenGame, (kind) => {
    chosenGame = kind;
    drawGames();
  });
}

function drawMyRooms() {
  const others = state.myRooms.filter((r) => r.code !== state.code);
  if (others.length === 0) return fill($("my-rooms"));
  fill(
    $("my-rooms"),
    h(
      "div",
      { class: "card" },
      h("h2", {}, "Your rooms"),
      others.map((r) =>
        h(
          "button",
          { class: "room-link", type: "button", onclick: () => joinFromHome(r.code, "player") },
          h("b", { class: "code-inline" }, r.code),
          h("span", {}, gameName(r.game)),
          h("span", { class: "room-link-go" }, "Rejoin"),
        ),
      ),
    ),
  );
}

function wireForms() {
  $("name-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("name-input").value.trim();
    if (!name) {
      $("name-error").textContent = "Please type a name, so others know who you are.";
      return;
    }
    state.wantName = name;
    $("name-error").textContent = "";
    showScreen("loading");
    conn.restart(); // a hello with the new name (and the token, when renaming)
  });

  $("change-name").addEventListener("click", () => showNameScreen());

  $("join-code").addEventListener("input", (e) => {
    e.target.value = e.target.value.toUpperCase().replace(/[^A-Z]/g, "").slice(0, 4);
    $("join-error").textContent = "";
  });
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    joinFromHome($("join-code").value, "player");
  });
  $("watch-submit").addEventListener("click", () => joinFromHome($("join-code").value, "spectator"));

  $("create-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("create-error").textContent = "";
    const button = e.submitter || $("create-form").querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const reply = await conn.request("create_room", {
        game: chosenGame,
        options: readOptions($("game-options")),
      });
      applyJoined(reply, false);
    } catch (err) {
      $("create-error").textContent = friendly(err);
    } finally {
      button.disabled = false;
    }
  });

  $("leave").addEventListener("click", () => {
    const room = state.room;
    const forfeit = room && room.phase === "playing" && mySeat(room) !== null;
    $("leave-text").textContent = forfeit
      ? "The game is still on: leaving now gives the win to the other player."
      : "You can come back with the code.";
    $("leave-dialog").showModal();
  });
  $("leave-dialog").addEventListener("close", async () => {
    if ($("leave-dialog").returnValue !== "leave") return;
    const code = state.code;
    try {
      await conn.request("leave_room", { code });
    } catch (err) {
      if (err.code !== "not_member" && err.code !== "no_such_room") {
        toast(friendly(err));
        return;
      }
    }
    state.myRooms = state.myRooms.filter((r) => r.code !== code);
    leaveRoomLocally();
    showHome();
  });

  wireMessages();
}

async function joinFromHome(typed, as) {
  const code = typed.trim().toUpperCase();
  if (!CODE_RE.test(code)) {
    $("join-error").textContent = "A room code is four letters, like KXMR.";
    $("join-code").focus();
    return;
  }
  $("join-error").textContent = "";
  try {
    await join(conn, code, as);
  } catch (err) {
    $("join-error").textContent = friendly(err, code);
  }
}

// --- Direct messages ---------------------------------------------------------------------------

function wireMessages() {
  $("messages-home").addEventListener("click", () => openMessages());
  $("messages-room").addEventListener("click", () => openMessages());
  $("messages-back").addEventListener("click", () => backToMain());
  $("dm-back").addEventListener("click", () => {
    if (convFrom === "messages") openMessages();
    else backToMain();
  });
  for (const bar of document.querySelectorAll(".turn-bar")) bar.addEventListener("click", () => backToMain());

  $("dm-block").addEventListener("click", async () => {
    const c = messages.convs.get(messages.current);
    if (!c) return;
    const name = c.name || "this player";
    if (messages.isBlocked(c.with)) {
      try {
        await messages.setBlocked(c.with, false);
        toast(`${name} can write to you again.`, "info");
      } catch (err) {
        toast(friendly(err));
      }
      return;
    }
    $("block-title").textContent = `Block ${name}?`;
    $("block-text").textContent = `${name} will not be able to write to you or see when you are online. You can unblock later.`;
    $("block-dialog").returnValue = "";
    $("block-dialog").showModal();
  });
  $("block-dialog").addEventListener("close", async () => {
    if ($("block-dialog").returnValue !== "block" || !messages.current) return;
    try {
      await messages.setBlocked(messages.current, true);
    } catch (err) {
      toast(friendly(err));
    }
  });

  $("person-dialog").addEventListener("close", () => {
    const who = pickedPlayer;
    pickedPlayer = null;
    if ($("person-dialog").returnValue !== "message" || !who) return;
    openConversation(who.id, who.name, who.connected, state.screen === "room" ? "room" : "home");
  });
}

/** The conversation list, over home or the room. */
function openMessages() {
  if (state.screen === "home" || state.screen === "room") state.under = state.screen;
  showScreen("messages");
  drawBadges();
  messagesView.drawList();
  messages.refresh();
}

/** One conversation; `from` is where its back button goes. */
function openConversation(id, name, online, from) {
  if (state.screen === "home" || state.screen === "room") state.under = state.screen;
  convFrom = from;
  showScreen("conversation");
  messagesView.open(id, name, online);
}

/** Back from the messages to the room (if still in one) or home. */
function backToMain() {
  if (state.under === "room" && state.room) {
    showScreen("room");
    drawRoom();
  } else {
    showHome();
  }
}

/** The unread count on the Messages buttons. */
function drawBadges() {
  const n = messages.totalUnread();
  for (const where of ["home", "room"]) {
    const badge = document.querySelector(`[data-testid=messages-badge-${where}]`);
    badge.hidden = n === 0;
    badge.textContent = n > 99 ? "99+" : String(n);
    $(`messages-${where}`).setAttribute("aria-label", n ? `Messages, ${n} unread` : "Messages");
  }
  $("messages-sub").textContent = n ? `${n} unread` : "";
}

/** On the messages screens, a bar that says when the game waits for me. */
function drawTurnBars() {
  const room = state.room;
  const me = room ? mySeat(room) : null;
  const mine = !!room && room.phase === "playing" && me !== null && (room.turn || []).includes(me);
  for (const bar of document.querySelectorAll(".turn-bar")) {
    bar.hidden = !mine || state.under !== "room";
    if (mine) {
      bar.setAttribute("aria-label", `Your turn in ${gameName(room.game)}: back to the game`);
      fill(bar, h("strong", { class: "turn-bar-text" }, "It's your turn!"), h("span", { class: "turn-bar-go" }, "Back to the game"));
    }
  }
}

let pickedPlayer = null;
/** Another player was tapped in a room (seat, side, spectator or chat sender): offer "Message". */
function pickPlayer(who) {
  if (!who || !who.id || (state.me && who.id === state.me.id)) return;
  const member = findMember(who.id);
  pickedPlayer = { id: who.id, name: who.name, connected: member ? member.connected : undefined };
  $("person-name").textContent = who.name;
  $("person-initial").textContent = initial(who.name);
  $("person-note").textContent = !member
    ? "No longer in this room."
    : member.connected
      ? "In this room with you."
      : "Offline right now: they get your message when they are back.";
  $("person-dialog").returnValue = "";
  $("person-dialog").showModal();
}

function findMember(id) {
  const room = state.room;
  if (!room) return null;
  for (const s of room.seats) if (s.player && s.player.id === id) return s.player;
  return room.spectators.find((m) => m.id === id) || null;
}

/** A player's name as the current room knows it (for a message from a stranger). */
function knownName(id) {
  const member = findMember(id);
  return member ? member.name : null;
}

// --- The room --------------------------------------------------------------------------------

function drawRoom() {
  const room = state.room;
  if (!room) return;
  const meId = state.me && state.me.id;
  $("room-game").textContent = gameName(room.game);
  $("room-code-small").textContent = room.code;
  const screen = $("screen-room");
  screen.dataset.phase = room.phase;
  screen.dataset.game = room.game;

  const line = statusLine(room, meId);
  if (!state.online && line.mood === "you") {
    line.mood = "wait";
    line.detail = "Waiting for the connection...";
  }
  drawStatus($("status"), line);
  $("watching-tag").hidden = !(room.you && room.you.role === "spectator");

  fill($("room-main"), roomView(room, { meId, online: state.online, send, toast, pick: pickPlayer }));
  drawTurnBars();
}

/** Sends a room request from a button; shows the server's refusal in words. */
async function send(button, type, fields) {
  if (button) button.disabled = true;
  try {
    await conn.request(type, fields);
  } catch (err) {
    toast(friendly(err));
    drawRoom(); // undo the board's "sending" state
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

let lastBuzz = "";
function buzzIfMyTurn(before, room) {
  const me = mySeat(room);
  const mine = room.phase === "playing" && me !== null && room.turn.includes(me);
  const wasMine = before && before.phase === "playing" && before.turn.includes(me);
  const key = `${room.game_no}:${state.seq}`;
  if (mine && !wasMine && document.visibilityState === "visible" && navigator.vibrate && lastBuzz !== key) {
    lastBuzz = key;
    try {
      navigator.vibrate(40);
    } catch {
      // Not allowed without a tap first: fine.
    }
  }
}

// A hook for the browser tests: lose the network for a while, and get it back.
window.capitalTest = {
  dropConnection: (ms) => conn.dropFor(ms),
  networkBack: () => conn.holdOver(),
  state: () => ({ code: state.code, seq: state.seq, online: state.online, me: state.me, screen: state.screen }),
  serverInfo: (info) => {
    setServerInfo(info);
    if (state.room) drawRoom();
  },
};

boot();
