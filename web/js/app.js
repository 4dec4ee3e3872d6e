// The phone app: screens, state, and what happens on each message.
//
// Screens: name -> home (join by code, or create a room) -> room (lobby, game, result; chat).
// The room screen is drawn only from the last `room` the server sent (every state event carries
// the whole room as this player sees it) plus the chat messages; nothing is guessed locally.
//
// Identity and resuming: the token from `welcome` and the current room code live in
// localStorage. On every (re)connection we say hello with the token, then join the room again:
// with `since` = the last event seq we saw when this page already shows the room (then the reply
// has only what changed, or `room: null` when nothing did), without it after a reload.

import { Connection, socketUrl } from "./protocol.js";
import { Chat } from "./chat.js";
import { drawGamePicker, readOptions } from "./home.js";
import { roomView } from "./room.js";
import { drawStatus, fill, h, initial } from "./dom.js";
import { friendly, gameName, isConnectionError, mySeat, sentence, statusLine } from "./describe.js";

const KEY_TOKEN = "capital.token";
const KEY_NAME = "capital.name";
const KEY_ROOM = "capital.room";
const CODE_RE = /^[A-Za-z]{4}$/;
/** Wide screens show the chat as a column beside the game, always open. */
const WIDE = matchMedia("(min-width: 900px)");

const $ = (id) => document.getElementById(id);

// Script errors are collected so that the browser tests can check there were none.
window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));

const state = {
  me: null, // {id, name} from welcome
  games: null, // from list_games
  chosenGame: null, // kind selected on the home screen
  code: localStorage.getItem(KEY_ROOM), // the room this page is in (or goes back to)
  room: null, // the last RoomView received for `code`
  seq: 0, // the last event seq seen in `code`
  pendingJoin: null, // {code, as} to join once connected (from /join/CODE or the home form)
  wantName: null, // a name to say hello with (first visit or renaming)
  online: false,
  myRooms: [], // open rooms this player belongs to, from welcome
};

const conn = new Connection(socketUrl(), {
  onOpen: connected,
  onEvent,
  onStatus,
});

const chat = new Chat($("chat"), {
  send: (text, clientMsgId) => conn.request("chat", { code: state.code, text, client_msg_id: clientMsgId }),
  older: (before) => conn.request("chat_history", { code: state.code, before, limit: 50 }),
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  onToggle: (open) => $("screen-room").classList.toggle("chat-open", open),
});

// --- Start ---------------------------------------------------------------------------------

function boot() {
  const m = location.pathname.match(/^\/join\/([A-Za-z]{4})\/?$/);
  if (m) state.pendingJoin = { code: m[1].toUpperCase(), as: "player" };
  wireForms();
  chat.setOpen(WIDE.matches);
  if (localStorage.getItem(KEY_TOKEN)) {
    conn.start();
  } else {
    showNameScreen();
  }
}

// --- Connection ------------------------------------------------------------------------------

/** Runs on every new socket: hello, then back into the room. Throws to retry later. */
async function connected(c) {
  const token = localStorage.getItem(KEY_TOKEN);
  const hello = token ? { token } : { name: state.wantName };
  if (token && state.wantName) hello.name = state.wantName;
  let welcome;
  try {
    welcome = await c.request("hello", hello, { internal: true });
  } catch (err) {
    if (err.code === "bad_token" || err.code === "token_expired") {
      // The server does not know us (data reset, or another server): start afresh.
      localStorage.removeItem(KEY_TOKEN);
      c.stop();
      showNameScreen("This server no longer knows you. Choose a name to start again.");
    } else if (err.code === "bad_name") {
      c.stop();
      showNameScreen(sentence(err.message));
    }
    throw err;
  }
  localStorage.setItem(KEY_TOKEN, welcome.token);
  localStorage.setItem(KEY_NAME, welcome.name);
  state.me = { id: welcome.player_id, name: welcome.name };
  state.wantName = null;
  state.myRooms = welcome.rooms;
  if (!state.games) {
    state.games = (await c.request("list_games", {}, { internal: true })).games;
  }
  await enterRoom(c, welcome);
}

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
      showHome();
    }
  } catch (err) {
    if (isConnectionError(err)) throw err; // the next connection tries again
    state.pendingJoin = null;
    if (err.code === "no_such_room" && state.room) toast(`Room ${state.code} has closed.`);
    else toast(friendly(err));
    leaveRoomLocally();
    showHome();
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

function onStatus(status, detail) {
  state.online = status === "online";
  document.body.classList.toggle("offline", !state.online);
  const dot = $("conn-dot");
  dot.className = `conn-dot ${state.online ? "on" : "off"}`;
  dot.setAttribute("aria-label", state.online ? "Connected" : "Not connected");
  clearInterval(countdown);
  if (status === "online") {
    if (!$("conn-banner").hidden) {
      showBanner("Back online", false);
      setTimeout(() => state.online && hideBanner(), 1200);
    }
    chat.flush();
  } else if (status === "reconnecting") {
    // Count down to the next try, so the page never looks stuck.
    const tick = () => {
      const secs = detail.retryAt ? Math.round((detail.retryAt - Date.now()) / 1000) : 0;
      showBanner(secs >= 1 ? `Reconnecting in ${secs} s...` : "Reconnecting...", secs >= 1);
    };
    tick();
    countdown = setInterval(tick, 1000);
  } else if (status === "replaced") {
    showBanner("Capital is open in another tab or phone.", true, "Use here");
  } else if (status === "connecting") {
    hideBanner();
  }
  if (state.room) drawRoom(); // enable or disable the controls
}
let countdown = null;

function showBanner(text, withButton, buttonText = "Retry now") {
  const banner = $("conn-banner");
  $("conn-text").textContent = text;
  $("conn-retry").hidden = !withButton;
  $("conn-retry").textContent = buttonText;
  banner.classList.toggle("ok", text === "Back online");
  banner.hidden = false;
  document.body.classList.add("has-banner");
}

function hideBanner() {
  $("conn-banner").hidden = true;
  document.body.classList.remove("has-banner");
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
    showHome();
    return;
  }
  const before = state.room;
  state.room = msg.room;
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
  if (fresh) chat.reset(reply.chat, reply.more_chat);
  else chat.addMissed(reply.chat, reply.more_chat);
  history.replaceState(null, "", `/join/${reply.code}`);
  showScreen("room");
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

function showScreen(name) {
  for (const id of ["loading", "name", "home", "room"]) $(`screen-${id}`).hidden = id !== name;
  document.title = name === "room" && state.code ? `Capital - room ${state.code}` : "Capital";
}

function showNameScreen(message = "") {
  showScreen("name");
  const joining = state.pendingJoin && state.pendingJoin.code;
  $("name-joining").hidden = !joining;
  if (joining) fill($("name-joining"), "You are joining room ", h("b", {}, joining));
  $("name-submit").textContent = joining ? `Join room ${joining}` : "Let's play";
  $("name-error").textContent = message;
  $("name-input").value = state.me ? state.me.name : localStorage.getItem(KEY_NAME) || "";
  $("name-input").focus();
}

function showHome() {
  showScreen("home");
  $("me-name").textContent = state.me ? state.me.name : "";
  $("me-initial").textContent = initial(state.me ? state.me.name : "?");
  drawMyRooms();
  drawGames();
}

function drawGames() {
  const games = state.games || [];
  if (!state.chosenGame && games.length) state.chosenGame = games[0].kind;
  drawGamePicker($("game-list"), $("game-options"), games, state.chosenGame, (kind) => {
    state.chosenGame = kind;
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
        game: state.chosenGame,
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

  $("toast-close").addEventListener("click", () => ($("toast").hidden = true));

  $("conn-retry").addEventListener("click", () => {
    if (conn.status === "replaced") conn.restart();
    else conn.wake();
  });
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

  fill($("room-main"), roomView(room, { meId, online: state.online, send, toast }));
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

// --- Messages for people -----------------------------------------------------------------------

let toastTimer = null;
function toast(text, kind = "error") {
  const el = $("toast");
  $("toast-text").textContent = text;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 6000);
}

// A hook for the browser tests: lose the network for a while, and get it back.
window.capitalTest = {
  dropConnection: (ms) => conn.dropFor(ms),
  networkBack: () => conn.holdOver(),
  state: () => ({ code: state.code, seq: state.seq, online: state.online, me: state.me }),
};

boot();
