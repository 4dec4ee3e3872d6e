// The account screens: log in, or turn the guest into an account (register); log out; and the
// account card on home ("save your progress", or who is logged in). A session that expired
// comes back here (session.js says why), with the username filled in. Passwords are sent once,
// on their own connection's first request or in `register`, and never kept.

import { h, fill, initial } from "./dom.js";
import { friendly } from "./describe.js";
import { state } from "./state.js";
import { hideToast, showScreen, toast } from "./screens.js";
import { hasToken, lastUsername, rememberAccount } from "./session.js";

const USERNAME_RE = /^[A-Za-z0-9_.-]{3,20}$/;

const $ = (id) => document.getElementById(id);

/**
 * @param {object} env
 * @param {ReturnType<import("./session.js").createSession>} env.session
 * @param {() => void} env.showHome
 * @param {(message?: string, notice?: string) => void} env.showNameScreen
 */
export function createAccount({ session, showHome, showNameScreen }) {
  const conn = session.conn;
  let accountMode = "login"; // the account screen: "login" or "register"

  /**
   * The account screen. `mode`: "login" or "register" (a guest who is connected claims an account).
   * `notice` says why we are here (a session that expired); `error` what went wrong last time.
   */
  function showAccountScreen(mode, { notice = "", error = "", username = null, keepNotice = false } = {}) {
    const register = mode === "register" && !!state.me;
    accountMode = register ? "register" : "login";
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
      $("account-username").value = register ? "" : lastUsername() || "";
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
      if (accountMode === "register") showAccountScreen("login");
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
      if (accountMode === "register") {
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
    if (state.me && hasToken()) {
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
      rememberAccount(reply.token, reply.username);
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
    session.end();
    hideToast();
    showNameScreen("", "You are logged out. Log in again, or play as a guest.");
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

  /** A login failed (wrong password, throttled, no connection): the form again, saying why. */
  function loginFailed(error, username) {
    showAccountScreen("login", { error, username, keepNotice: true });
    $("account-password").focus();
  }

  wireAccount();
  return { show: showAccountScreen, loginFailed, drawCard: drawAccountCard };
}
