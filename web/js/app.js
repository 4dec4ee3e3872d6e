// The phone app: screens, state, and what happens on each message.
//
// Screens: name (or log in) -> home (join by code, or create a room) -> room (lobby, game,
// result; chat). Messages (the conversation list, one conversation) open over home or a room and
// go back to it; the account screen logs in or turns the guest into an account.
// The room screen is drawn only from the last `room` the server sent (every state event carries
// the whole room as this player sees it) plus the chat messages; nothing is guessed locally.
//
// Identity and resuming: the token from `welcome` (or `registered`) and the current room code
// live in localStorage. On every (re)connection we say hello with the token (or log in, when the
// player just typed a username and password), then join the room again: with `since` = the last
// event seq we saw when this page already shows the room (then the reply has only what changed,
// or `room: null` when nothing did), without it after a reload. Then direct messages catch up.
// An account's token expires: hello then fails with `token_expired` and the page asks to log in.

import { Connection, socketUrl } from "./protocol.js";
import { Chat } from "./chat.js";
import { drawGamePicker, readOptions } from "./home.js";
import { roomView } from "./room-view.js";
import { Messages } from "./messages.js";
import { MessagesView } from "./messages-view.js";
import { loadServerInfo, setServerInfo } from "./info.js";
import { drawStatus, fill, h, initial } from "./dom.js";
import { friendly, gameName, isConnectionError, mySeat, noteSeats, sentence, statusLine } from "./describe.js";

const KEY_TOKEN = "capital.token";
const KEY_NAME = "capital.name";
const KEY_ROOM = "capital.room";
const KEY_PLAYER = "capital.player"; // the player id the token is for
const KEY_ACCOUNT = "capital.account"; // the username, while the token is an account's session
const KEY_USERNAME = "capital.username"; // the last account used here, to fill in the login form
const USERNAME_RE = /^[A-Za-z0-9_.-]{3,20}$/;
const CODE_RE = /^[A-Za-z]{4}$/;
/** Wide screens show the chat as a column beside the game, always open. */
const WIDE = matchMedia("(min-width: 900px)");

const $ = (id) => document.getElementById(id);

// Script errors are collected so that the browser tests can check there were none.
window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));

const state = {
  me: null, // {id, name, username} from welcome
  games: null, // from list_games
  chosenGame: null, // kind selected on the home screen
  code: localStorage.getItem(KEY_ROOM), // the room this page is in (or goes back to)
  room: null, // the last RoomView received for `code`
  seq: 0, // the last event seq seen in `code`
  pendingJoin: null, // {code, as} to join once connected (from /join/CODE or the home form)
  wantName: null, // a name to say hello with (first visit or renaming)
  wantLogin: null, // {username, password} to log in with on the next connection
  online: false,
  myRooms: [], // open rooms this player belongs to, from welcome
  screen: "loading", // the screen on show
  under: "home", // "home" or "room": what the messages screens go back to
  convFrom: "messages", // where the conversation's back button goes: "messages", "home" or "room"
  accountMode: "login", // the account screen: "login" or "register"
};

const conn = new Connection(socketUrl(), {
  onOpen: connected,
  onEvent,
  onPush: (msg) => messages.onPush(msg),
  onStatus,
});

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

// --- Start ---------------------------------------------------------------------------------

function boot() {
  const m = location.pathname.match(/^\/join\/([A-Za-z]{4})\/?$/);
  if (m) state.pendingJoin = { code: m[1].toUpperCase(), as: "player" };
  wireForms();
  chat.setOpen(WIDE.matches);
  // Where phones reach this server: a page opened on the server itself shows the LAN address.
  loadServerInfo(() => state.room && drawRoom());
  if (localStorage.getItem(KEY_TOKEN)) {
    conn.start();
  } else {
    showNameScreen();
  }
}

// --- Connection ------------------------------------------------------------------------------

/** Runs on every new socket: hello (or login), back into the room, then direct messages.
 * Throws to retry later. */
async function connected(c) {
  const welcome = state.wantLogin ? await logIn(c) : await hello(c);
  const before = localStorage.getItem(KEY_PLAYER) || (state.me && state.me.id);
  if (before && before !== welcome.player_id) forgetPlayer(); // another account on this page
  localStorage.setItem(KEY_TOKEN, welcome.token);
  localStorage.setItem(KEY_NAME, welcome.name);
  localStorage.setItem(KEY_PLAYER, welcome.player_id);
  if (welcome.username) {
    localStorage.setItem(KEY_ACCOUNT, welcome.username);
    localStorage.setItem(KEY_USERNAME, welcome.username);
  } else {
    localStorage.removeItem(KEY_ACCOUNT);
  }
  state.me = { id: welcome.player_id, name: welcome.name, username: welcome.username || null };
  state.wantName = null;
  state.myRooms = welcome.rooms;
  if (!state.games) {
    state.games = (await c.request("list_games", {}, { internal: true })).games;
  }
  await enterRoom(c, welcome);
  try {
    await messages.sync((type, fields) => c.request(type, fields, { internal: true }));
  } catch (err) {
    if (isConnectionError(err)) throw err;
    console.warn("direct messages could not catch up", err);
  }
}

/** Says hello: as the player of the stored token, or as a new guest with the chosen name. */
async function hello(c) {
  const token = localStorage.getItem(KEY_TOKEN);
  const fields = token ? { token } : { name: state.wantName };
  if (token && state.wantName) fields.name = state.wantName;
  try {
    return await c.request("hello", fields, { internal: true });
  } catch (err) {
    const account = localStorage.getItem(KEY_ACCOUNT);
    if (err.code === "token_expired" || (err.code === "bad_token" && account)) {
      // An account's session ended: log in again (the username is filled in). The room stays
      // remembered, to go back to after logging in as the same player.
      localStorage.removeItem(KEY_TOKEN);
      state.me = null;
      c.stop();
      const notice =
        err.code === "token_expired"
          ? "Your session has expired. Log in again to carry on."
          : "This device is no longer logged in. Log in again to carry on.";
      showAccountScreen("login", { notice, username: account || localStorage.getItem(KEY_USERNAME) || "" });
    } else if (err.code === "bad_token") {
      // The server does not know us (data reset, or another server): start afresh.
      localStorage.removeItem(KEY_TOKEN);
      state.me = null;
      c.stop();
      showNameScreen("This server no longer knows you. Choose a name to start again.");
    } else if (err.code === "bad_name") {
      c.stop();
      showNameScreen(sentence(err.message));
    }
    throw err;
  }
}

/** Logs in with what was typed on the account screen. The password is used once, never kept. */
async function logIn(c) {
  const { username, password } = state.wantLogin;
  state.wantLogin = null;
  try {
    const welcome = await c.request("login", { username, password }, { internal: true });
    toast(`Logged in as ${welcome.username || username}.`, "info");
    return welcome;
  } catch (err) {
    // Wrong password, throttled or no connection: say so on the form, and wait for the player.
    c.stop();
    const error = isConnectionError(err)
      ? "Could not reach the server. Check the Wi-Fi, then try again."
      : friendly(err);
    showAccountScreen("login", { error, username, keepNotice: true });
    $("account-password").focus();
    throw err;
  }
}

/** This page changes player (a login, or a logout): forget the other one's room and messages. */
function forgetPlayer() {
  leaveRoomLocally();
  state.myRooms = [];
  state.me = null;
  messages.reset();
  localStorage.removeItem(KEY_PLAYER);
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

function onStatus(status, detail) {
  state.online = status === "online";
  document.body.classList.toggle("offline", !state.online);
  for (const dot of document.querySelectorAll(".conn-dot")) {
    dot.className = `conn-dot ${state.online ? "on" : "off"}`;
    dot.setAttribute("aria-label", state.online ? "Connected" : "Not connected");
  }
  clearInterval(countdown);
  if (status === "online") {
    if (!$("conn-banner").hidden) {
      showBanner("Back online", false);
      setTimeout(() => state.online && hideBanner(), 1200);
    }
    chat.flush();
    messages.backOnline();
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
  } else if (status === "connecting" || status === "stopped") {
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

const SCREENS = ["loading", "name", "account", "home", "room", "messages", "conversation"];

function showScreen(name) {
  if (state.screen === "conversation" && name !== "conversation") messagesView.close();
  state.screen = name;
  for (const id of SCREENS) $(`screen-${id}`).hidden = id !== name;
  const titles = { room: state.code ? `room ${state.code}` : "", messages: "messages", conversation: "messages" };
  document.title = titles[name] ? `Capital - ${titles[name]}` : "Capital";
  drawTurnBars();
}

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
  $("name-input").value = state.me ? state.me.name : localStorage.getItem(KEY_NAME) || "";
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
  drawAccountCard();
  drawBadges();
}

/** Home's account card: "save your progress" for a guest; who is logged in, and log out. */
function drawAccountCard() {
  const card = $("account-card");
  const username = state.me && state.me.username;
  if (username) {
    const out = h("button", { class: "btn btn-secondary btn-small", type: "button", "data-testid": "logout" }, "Log out");
    out.addEventListener("click", () => logOut(out));
    fill(
      card,
      h(
        "div",
        { class: "account-row" },
        h("span", { class: "avatar account-avatar", "aria-hidden": "true" }, initial(username)),
        h(
          "span",
          { class: "account-who" },
          h("span", { class: "label" }, "Logged in as"),
          h("b", { "data-testid": "account-name" }, username),
        ),
        out,
      ),
      h("p", { class: "form-note" }, "Log in with it on another device to play there with your rooms and messages."),
    );
    return;
  }
  fill(
    card,
    h("h2", {}, "Save your progress"),
    h(
      "p",
      { class: "form-note" },
      "Create an account to keep your name, rooms and messages, and to use them on any device.",
    ),
    h(
      "button",
      {
        class: "btn btn-secondary btn-block",
        type: "button",
        "data-testid": "create-account",
        onclick: () => showAccountScreen("register"),
      },
      "Create an account",
    ),
    h(
      "p",
      { class: "account-offer" },
      "Have one already? ",
      h(
        "button",
        {
          class: "btn btn-link btn-inline",
          type: "button",
          "data-testid": "open-login",
          onclick: () => showAccountScreen("login"),
        },
        "Log in",
      ),
    ),
  );
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

  $("toast-close").addEventListener("click", () => hideToast());

  $("conn-retry").addEventListener("click", () => {
    if (conn.status === "replaced") conn.restart();
    else conn.wake();
  });

  wireAccount();
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

// --- Accounts ----------------------------------------------------------------------------------

/**
 * The account screen. `mode`: "login" or "register" (a guest who is connected claims an account).
 * `notice` says why we are here (a session that expired); `error` what went wrong last time.
 */
function showAccountScreen(mode, { notice = "", error = "", username = null, keepNotice = false } = {}) {
  const register = mode === "register" && !!state.me;
  state.accountMode = register ? "register" : "login";
  showScreen("account");
  hideToast();
  if (!keepNotice) {
    $("account-notice").textContent = notice;
    $("account-notice").hidden = !notice;
  }
  $("account-title").textContent = register ? "Create an account" : "Log in";
  const guest = state.me && !state.me.username ? state.me.name : null;
  $("account-intro").textContent = register
    ? `Keep ${state.me.name}, your rooms and your messages, and log in on any device.`
    : guest
      ? `Logging in here switches this device from the guest ${guest} to your account.`
      : "Log in to get your name, rooms and messages on this device.";
  $("account-username-hint").hidden = !register;
  $("account-password-hint").hidden = !register;
  $("account-password").setAttribute("autocomplete", register ? "new-password" : "current-password");
  $("account-submit").textContent = register ? "Create account" : "Log in";
  $("account-submit").disabled = false;
  $("account-error").textContent = error;
  if (username !== null) $("account-username").value = username || "";
  else if (!$("account-username").value) {
    $("account-username").value = register ? "" : localStorage.getItem(KEY_USERNAME) || "";
  }
  $("account-password").value = "";
  setPeek(false);
  if (register) {
    $("account-switch-text").textContent = "Have an account already?";
    $("account-switch").textContent = "Log in";
  } else if (state.me && !state.me.username) {
    $("account-switch-text").textContent = "No account yet?";
    $("account-switch").textContent = "Create one";
  } else {
    $("account-switch-text").textContent = "New here?";
    $("account-switch").textContent = "Play as a guest";
  }
  const first = $("account-username").value ? $("account-password") : $("account-username");
  if (!error) first.focus();
}

function setPeek(show) {
  $("account-password").type = show ? "text" : "password";
  $("account-peek").textContent = show ? "Hide" : "Show";
  $("account-peek").setAttribute("aria-pressed", String(show));
  $("account-peek").setAttribute("aria-label", show ? "Hide the password" : "Show the password");
}

function wireAccount() {
  $("name-login").addEventListener("click", () => showAccountScreen("login"));
  $("account-peek").addEventListener("click", () => setPeek($("account-password").type === "password"));
  $("account-username").addEventListener("input", () => ($("account-error").textContent = ""));
  $("account-password").addEventListener("input", () => ($("account-error").textContent = ""));

  $("account-switch").addEventListener("click", () => {
    if (state.accountMode === "register") showAccountScreen("login");
    else if (state.me && !state.me.username) showAccountScreen("register");
    else leaveAccountScreen();
  });
  $("account-back").addEventListener("click", () => leaveAccountScreen());

  $("account-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = $("account-username").value.trim();
    const password = $("account-password").value;
    const error = (text, field) => {
      $("account-error").textContent = text;
      $(field).focus();
    };
    if (state.accountMode === "register") {
      if (!USERNAME_RE.test(username)) return error(friendly({ code: "bad_username" }), "account-username");
      if (password.length < 8 || password.length > 128) return error(friendly({ code: "bad_password" }), "account-password");
      await register(username, password);
      return;
    }
    if (!username) return error("Type your username.", "account-username");
    if (!password) return error("Type your password.", "account-password");
    $("account-error").textContent = "";
    $("account-submit").disabled = true;
    $("account-submit").textContent = "Logging in...";
    state.wantLogin = { username, password };
    conn.restart(); // login is the first request of a connection
  });
}

/** Back from the account screen: home when someone is here, else the start. */
function leaveAccountScreen() {
  if (state.me && localStorage.getItem(KEY_TOKEN)) {
    if (conn.status === "stopped") {
      // A failed login ended the guest's connection: take it up again.
      showScreen("loading");
      conn.restart();
    } else if (state.room) {
      showScreen("room");
    } else {
      showHome();
    }
    return;
  }
  showNameScreen();
}

async function register(username, password) {
  const button = $("account-submit");
  button.disabled = true;
  $("account-error").textContent = "";
  try {
    const reply = await conn.request("register", { username, password });
    localStorage.setItem(KEY_TOKEN, reply.token); // the guest token no longer works
    localStorage.setItem(KEY_ACCOUNT, reply.username);
    localStorage.setItem(KEY_USERNAME, reply.username);
    state.me.username = reply.username;
    $("account-password").value = "";
    showHome();
    toast(`Account created. You are ${reply.username}: log in with it on any device.`, "info");
  } catch (err) {
    const field = err.code === "bad_password" ? "account-password" : "account-username";
    $("account-error").textContent = friendly(err);
    $(field).focus();
  } finally {
    button.disabled = false;
  }
}

/** Ends this device's session: back to the start, with "log in" one tap away. */
async function logOut(button) {
  button.disabled = true;
  try {
    await conn.request("logout");
  } catch (err) {
    toast(friendly(err));
    button.disabled = false;
    return;
  }
  conn.stop();
  localStorage.removeItem(KEY_TOKEN);
  localStorage.removeItem(KEY_NAME);
  localStorage.removeItem(KEY_ACCOUNT);
  forgetPlayer();
  state.pendingJoin = null;
  hideToast();
  showNameScreen("", "You are logged out. Log in again, or play as a guest.");
}

// --- Direct messages ---------------------------------------------------------------------------

function wireMessages() {
  $("messages-home").addEventListener("click", () => openMessages());
  $("messages-room").addEventListener("click", () => openMessages());
  $("messages-back").addEventListener("click", () => backToMain());
  $("dm-back").addEventListener("click", () => {
    if (state.convFrom === "messages") openMessages();
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
  state.convFrom = from;
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

// --- Messages for people -----------------------------------------------------------------------

function hideToast() {
  clearTimeout(toastTimer);
  $("toast").hidden = true;
}

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
  state: () => ({ code: state.code, seq: state.seq, online: state.online, me: state.me, screen: state.screen }),
  serverInfo: (info) => {
    setServerInfo(info);
    if (state.room) drawRoom();
  },
};

boot();
