// The first screens: the name screen (a new guest, or renaming; "log in" for account holders)
// and home: who I am, the rooms I am in, join by code (to play or to watch), and a new room of
// the chosen game (the New room card, new-room.js).

import { drawGamePicker, readMode, readOptions } from "./new-room.js";
import { charCounter, fill, h } from "./dom.js";
import { dress } from "./fun/avatar.js";
import { friendly, gameName } from "./describe.js";
import { state } from "./state.js";
import { showScreen } from "./screens.js";
import { lastName } from "./session.js";

const CODE_RE = /^[A-Za-z]{4}$/;

const $ = (id) => document.getElementById(id);

/**
 * @param {object} env
 * @param {import("./protocol.js").Connection} env.conn
 * @param {{join: Function, applyJoined: Function}} env.room  joining a room, and a room created
 * @param {() => void} env.drawAccountCard  home's account card (account.js)
 * @param {() => void} env.drawBadges  the unread count on the Messages button
 */
export function createHome({ conn, room, drawAccountCard, drawBadges }) {
  let chosenGame = null; // the kind selected in the New room card
  const drawNameCount = charCounter($("name-input"), $("name-count"));

  /** The first screen: choose a name (or rename), with "log in" for account holders. */
  function showNameScreen(message = "", notice = "") {
    $("name-cancel").hidden = !state.me; // renaming: a way back (and Back) to home
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
    drawNameCount();
    $("name-input").focus();
  }

  function showHome() {
    drawHome();
    showScreen("home");
  }

  function drawHome() {
    $("me-name").textContent = state.me ? state.me.name : "";
    if (state.me) dress($("me-initial"), state.me.id, "avatar-small");
    const username = state.me && state.me.username;
    $("me-username").hidden = !username;
    $("me-username").textContent = username ? `@${username}` : "";
    drawMyRooms();
    drawGames();
    drawAccountCard();
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

  async function joinFromHome(typed, as) {
    const code = typed.trim().toUpperCase();
    if (!CODE_RE.test(code)) {
      $("join-error").textContent = "A room code is four letters, like KXMR.";
      $("join-code").focus();
      return;
    }
    $("join-error").textContent = "";
    try {
      await room.join(conn, code, as);
    } catch (err) {
      $("join-error").textContent = friendly(err, code);
    }
  }

  /** A join failed after hello (a /join/CODE link, say): the code and why, in the join form. */
  function showJoinError(code, text) {
    $("join-code").value = code;
    $("join-error").textContent = text;
  }

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
  $("name-cancel").addEventListener("click", () => {
    state.wantName = null;
    if (conn.status === "stopped") {
      // The new name was refused and the connection ended: take it up again, as before.
      showScreen("loading");
      conn.restart();
    } else {
      showHome();
    }
  });

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
      const mode = readMode($("game-options"));
      const reply = await conn.request("create_room", {
        game: chosenGame,
        options: readOptions($("game-options")),
        ...(mode ? { mode } : {}),
      });
      room.applyJoined(reply, false);
    } catch (err) {
      $("create-error").textContent = friendly(err);
    } finally {
      button.disabled = false;
    }
  });

  return { showNameScreen, showHome, drawHome, showJoinError };
}
