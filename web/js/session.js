// The session: the one connection to the server, who this page is on it, and what the page
// shows of it (the banner, the dots, "Reconnecting in 3 s...").
//
// Identity: the token from `welcome` (or `registered`) lives in localStorage, with the name, the
// player id it is for and, for an account, the username. On every (re)connection we say hello
// with the token (or log in, when the player just typed a username and password), then the
// hooks take the page back where it was: into the room (room.js), then the direct messages.
// An account's token expires: hello then fails with `token_expired` and the page asks to log in.

import { Connection, socketUrl } from "./protocol.js";
import { state } from "./state.js";
import { toast } from "./screens.js";
import { friendly, isConnectionError, sentence } from "./describe.js";
import { setServerGames } from "./games/index.js";

const KEY_TOKEN = "capital.token";
const KEY_NAME = "capital.name";
const KEY_PLAYER = "capital.player"; // the player id the token is for
const KEY_ACCOUNT = "capital.account"; // the username, while the token is an account's session
const KEY_USERNAME = "capital.username"; // the last account used here, to fill in the login form

const $ = (id) => document.getElementById(id);

/** This device has a token: it says hello as that player. */
export function hasToken() {
  return !!localStorage.getItem(KEY_TOKEN);
}

/** The name this device last played under (to fill in the name screen). */
export function lastName() {
  return localStorage.getItem(KEY_NAME);
}

/** The last account used here (to fill in the login form). */
export function lastUsername() {
  return localStorage.getItem(KEY_USERNAME);
}

/** A guest became an account (`registered`): its new token, and its username for next time. */
export function rememberAccount(token, username) {
  localStorage.setItem(KEY_TOKEN, token); // the guest token no longer works
  localStorage.setItem(KEY_ACCOUNT, username);
  localStorage.setItem(KEY_USERNAME, username);
}

/**
 * The connection and the hello on each new socket. `hooks` is how the session reaches the rest
 * of the app:
 *   onEvent(msg), onFrame(msg), onPush(msg)  room events, real-time frames, the other pushes
 *   enterRoom(c, welcome)      after hello: back into the room (throws to retry later)
 *   catchUp(request)           then the direct messages, with the connection's setup requests
 *   forgetRoom(), forgetMessages()  this page changes player
 *   askName(message)           the name screen, saying why
 *   askLogin(notice, username) the login screen: the session ended
 *   loginFailed(error, username)  the login screen again, with what went wrong
 *   backOnline()               online again: send what waits
 *   redraw()                   the room's controls follow the connection
 */
export function createSession(hooks) {
  const conn = new Connection(socketUrl(), {
    onOpen: connected,
    onEvent: (msg) => hooks.onEvent(msg),
    onFrame: (msg) => hooks.onFrame(msg),
    onPush: (msg) => hooks.onPush(msg),
    onStatus,
  });
  let countdown = null;

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
      setServerGames(state.games);
    }
    await hooks.enterRoom(c, welcome);
    try {
      await hooks.catchUp((type, fields) => c.request(type, fields, { internal: true }));
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
        hooks.askLogin(notice, account || localStorage.getItem(KEY_USERNAME) || "");
      } else if (err.code === "bad_token") {
        // The server does not know us (data reset, or another server): start afresh.
        localStorage.removeItem(KEY_TOKEN);
        state.me = null;
        c.stop();
        hooks.askName("This server no longer knows you. Choose a name to start again.");
      } else if (err.code === "bad_name") {
        c.stop();
        hooks.askName(sentence(err.message));
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
      hooks.loginFailed(error, username);
      throw err;
    }
  }

  /** This page changes player (a login, or a logout): forget the other one's room and messages. */
  function forgetPlayer() {
    hooks.forgetRoom();
    state.myRooms = [];
    state.me = null;
    hooks.forgetMessages();
    localStorage.removeItem(KEY_PLAYER);
  }

  /** After `logout`: this device forgets the session and the player, and stays offline. */
  function end() {
    conn.stop();
    localStorage.removeItem(KEY_TOKEN);
    localStorage.removeItem(KEY_NAME);
    localStorage.removeItem(KEY_ACCOUNT);
    forgetPlayer();
    state.pendingJoin = null;
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
      hooks.backOnline();
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
    if (state.room) hooks.redraw(); // enable or disable the controls
  }

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

  $("conn-retry").addEventListener("click", () => {
    if (conn.status === "replaced") conn.restart();
    else conn.wake();
  });

  return { conn, forgetPlayer, end };
}
