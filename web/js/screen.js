// The big screen: /screen/CODE on a projector or TV. It is its own guest player ("Big screen",
// with its own token, kept apart from a phone's on the same browser) and joins the room as a
// spectator, so it shows exactly the public state. It follows the room through rematches, and
// resumes like the phone app when the connection drops. Opened as /screen, it asks which game,
// creates the room as a spectator and hosts it: the host's controls are on the screen
// (screen-host.js) for as long as it is the host.

import { Connection, socketUrl } from "./protocol.js";
import { applyFrame, renderBoard, lastMoveLine } from "./boards.js";
import { messageItem } from "./chat.js";
import { createMoments } from "./fun/moments.js";
import { createRoomFun } from "./fun/room-fun.js";
import { setupSound, soundSwitch } from "./fun/sound.js";
import { drawStatus, fill, h, linkText } from "./dom.js";
import { renderMembers } from "./members.js";
import { gameName, joinLink, noteSeats, statusLine } from "./describe.js";
import { gameFor, setServerGames } from "./games/index.js";
import { loadServerInfo, mdnsHint } from "./info.js";
import { gamePicker, hostBar, playerActions } from "./screen-host.js";
import { countdownBanner, startCountdown, stopCountdown } from "./rematch.js";
import { showReplay } from "./replay.js";
import { createModels } from "./screen-models.js";

const KEY_TOKEN = "capital.screen.token";
const SCREEN_NAME = "Big screen";
const MAX_CHAT = 30;

const $ = (id) => document.getElementById(id);

// Script errors are collected so that the browser tests can check there were none.
window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));
let code = ((location.pathname.match(/^\/screen\/([A-Za-z]{4})\/?$/) || [])[1] || "").toUpperCase();
// `/screen` alone: this screen creates its room and hosts it.
const hosting = /^\/screen\/?$/.test(location.pathname);

// `replay`: the replay on show instead of the board; `leaders`: the lesson's leaderboard.
const state = { me: null, games: null, room: null, seq: 0, chat: new Map(), closed: false, replay: null, leaders: null };

// An announcement from the teacher's console shows under the status line, large; the
// audience's reactions float up the screen.
const onPush = (msg) => {
  if (msg.type === "announcement") note(`Announcement: ${msg.text}`);
  else if (msg.type === "reaction" && msg.code === code) float(msg);
  else if (msg.type === "signal") models.onSignal(msg);
};

/** One reaction rising from the bottom of the screen, at a random place, then gone. */
function float(msg) {
  const layer = $("bs-reactions");
  if (layer.childElementCount >= 40) return; // a busy audience: the screen stays readable
  const el = h("span", { class: "bs-float", "data-testid": "bs-float", "aria-hidden": "true" }, msg.emoji, h("small", {}, msg.name));
  el.style.left = `${5 + Math.random() * 85}%`;
  el.addEventListener("animationend", () => el.remove());
  layer.append(el);
}
const conn = new Connection(socketUrl(), { onOpen: connected, onEvent, onFrame, onPush, onStatus });
// A p2p room's game comes from the host's phone; the two models' panel (screen-models.js).
const models = createModels({ request: (type, fields) => conn.request(type, fields), redraw: () => draw() });

// Moments, sounds and the celebration (fun/), with this screen's own sound switch.
setupSound("capital.screen.sound");
$("bs-theme").before(soundSwitch({ words: true, cls: "btn btn-secondary btn-small bs-sound" }));
const fun = createRoomFun({
  big: true,
  meId: () => (state.me ? state.me.id : null),
  redraw: () => draw(),
  moments: createMoments({ big: true, into: document.querySelector(".bs-game") }),
});

async function connected(c) {
  const token = localStorage.getItem(KEY_TOKEN);
  let welcome;
  try {
    welcome = await c.request("hello", token ? { token } : { name: SCREEN_NAME }, { internal: true });
  } catch (err) {
    if (err.code === "bad_token" || err.code === "token_expired") {
      localStorage.removeItem(KEY_TOKEN); // the next try says hello as a new guest
    }
    throw err;
  }
  localStorage.setItem(KEY_TOKEN, welcome.token);
  state.me = { id: welcome.player_id, name: welcome.name };
  if (!state.games) {
    // The games' names and player counts (a game this page has no module for is still named).
    state.games = (await c.request("list_games", {}, { internal: true })).games;
    setServerGames(state.games);
  }
  if (!code) {
    // No room yet: pick a game on the screen, then create the room as its seatless host.
    fill($("bs-board"), gamePicker(state.games, (game) => createRoom(c, game)));
    $("bs-title").textContent = "Which game?";
    drawStatus($("bs-status"), { text: "Choose a game: the phones join once the room is open.", mood: "info" }, "status bs-status");
    return;
  }
  const resume = state.room ? { since: state.seq } : {};
  let reply;
  try {
    reply = await c.request("join_room", { code, as: "spectator", screen: true, ...resume }, { internal: true });
  } catch (err) {
    if (err.code === "no_such_room") {
      showGone(`There is no open room ${code}.`);
      c.stop();
      return;
    }
    throw err;
  }
  state.seq = reply.seq;
  if (reply.room) state.room = reply.room;
  noteSeats(state.room);
  if (!resume.since) state.chat.clear();
  for (const m of reply.chat) state.chat.set(m.seq, m);
  draw();
  loadLeaders();
}

/** The lesson's leaderboard (every room's wins since the teacher started the lesson). */
async function loadLeaders() {
  try {
    state.leaders = await conn.request("leaderboard", {}, { internal: true });
  } catch {
    return; // the room's own scoreboard still shows
  }
  draw();
}

/** The game that just finished (or the last one), step by step in place of the board. */
async function openReplay() {
  let replay;
  try {
    replay = await conn.request("replay", { code });
  } catch (err) {
    note(err.message || String(err));
    return;
  }
  if (state.replay) state.replay.close();
  state.replay = showReplay($("bs-board"), replay, {
    big: true,
    onClose: () => {
      state.replay = null;
      draw();
    },
  });
  $("bs-last").textContent = "";
}

/** Creates this screen's room (it hosts it, without a seat) and shows its code. */
async function createRoom(c, game) {
  let reply;
  try {
    reply = await c.request("create_room", { game, as: "spectator", screen: true });
  } catch (err) {
    note(err.message || String(err));
    return;
  }
  code = reply.code;
  history.replaceState(null, "", `/screen/${code}`);
  showCode();
  state.seq = reply.seq;
  state.room = reply.room;
  noteSeats(state.room);
  state.chat.clear();
  draw();
}

/** A line under the status for what the host's controls answered. */
function note(text) {
  $("bs-note").textContent = text;
}

/** The room's code, QR code and join link, once there is a room. */
function showCode() {
  $("bs-qr").style.visibility = "";
  $("bs-code").textContent = code;
  $("bs-code").setAttribute("aria-label", `Room code ${code.split("").join(" ")}`);
  $("bs-qr").src = `/qr/${code}.svg`;
  $("bs-qr").alt = `QR code to join room ${code}`;
  drawLink();
}

function onEvent(msg) {
  if (msg.code !== code || msg.seq <= state.seq) return;
  state.seq = msg.seq;
  if (msg.kind === "chat") {
    state.chat.set(msg.message.seq, msg.message);
    drawChat();
  } else if (msg.kind === "chat_removed") {
    state.chat.delete(msg.removed_seq);
    drawChat();
  } else if (msg.kind === "closed") {
    showGone(`Room ${code} has closed.`);
    conn.stop();
  } else {
    if (msg.kind === "rematch" && msg.starts_in_ms != null) startCountdown(msg.code, msg.starts_in_ms);
    else if (msg.kind === "started" || msg.kind === "game_changed") stopCountdown();
    const before = state.room;
    state.room = msg.room;
    noteSeats(msg.room);
    // A new game takes the board back from a replay.
    if (msg.kind === "started" && state.replay) state.replay.close();
    draw();
    if (msg.kind === "game_over") loadLeaders();
    fun.onEvent(msg, before);
  }
}

/** A real-time game's frame: the game's module draws it; the status and last lines follow when
 * their words change. */
function onFrame(msg) {
  const room = state.room;
  if (msg.code !== code || !room || room.phase !== "playing" || !applyFrame(room, msg)) return;
  drawStatus($("bs-status"), statusLine(room, state.me && state.me.id), "status bs-status");
  const last = lastMoveLine(room);
  if ($("bs-last").textContent !== last) $("bs-last").textContent = last;
}

function onStatus(status) {
  const banner = $("conn-banner");
  banner.hidden = status === "online" || status === "connecting" || status === "stopped";
  if (status === "replaced") $("conn-text").textContent = "This screen is open in another window.";
  else $("conn-text").textContent = "Reconnecting...";
}

function draw() {
  if (!state.room) return;
  models.sync(state.room);
  const room = models.overlay(state.room);
  const meId = state.me && state.me.id;
  $("bs-title").textContent = room.phase === "lobby" && room.game_no === 0
    ? `${gameName(room.game)}: join in!`
    : `${gameName(room.game)}${room.game_no > 1 ? ` - game ${room.game_no}` : ""}`;
  drawStatus($("bs-status"), statusLine(room, meId), "status bs-status");
  document.body.dataset.phase = room.phase;
  document.body.dataset.flow = gameFor(room.game).flow ? "flow" : "";
  if (state.replay) {
    // The replay keeps the board until it is closed (or the next game starts).
  } else if (room.state && room.phase !== "lobby") {
    fill($("bs-board"), renderBoard(room, { interactive: false, move: () => {}, big: true }), replayButton(room));
    const last = lastMoveLine(room);
    if ($("bs-last").textContent !== last) $("bs-last").textContent = last;
  } else {
    const text = room.game_no > 0
      ? "Rematch! The next game starts when the host is ready."
      : "Scan the code to join. The game shows here when it starts.";
    fill($("bs-board"), countdownBanner(room, true) || h("div", { class: "bs-waiting" }, text), replayButton(room));
    $("bs-last").textContent = "";
  }
  fill($("bs-players"), renderMembers(room, null, { hideId: meId }), scoreboard(room), lessonBoard());
  models.draw();
  const trouble = models.problem(room);
  if (trouble) note(trouble);
  drawHost();
  drawChat();
}

/** Games won in this room across rematches, most first. */
function scoreboard(room) {
  const lines = room.scoreboard || [];
  if (!lines.length) return null;
  return h(
    "div",
    { class: "bs-scoreboard", "data-testid": "scoreboard" },
    h("h2", { class: "section-title" }, "Wins in this room"),
    h("ol", {}, ...lines.map((l) => h("li", {}, h("b", {}, l.name), ` ${l.wins}`))),
  );
}

/** "Replay this game", once a game of this room has finished (not while one is on, nor during a
 * countdown), for games that keep a move log. */
function replayButton(room) {
  const finished = room.phase === "over" || (room.phase === "lobby" && room.game_no > 0 && !countdownBanner(room));
  // A p2p room's games ran on the host's phone: the server has no replay of them.
  if (!finished || gameFor(room.game).realtime || room.mode === "p2p") return null;
  const label = room.phase === "over" ? "Replay this game" : "Replay the last game";
  return h("button", { class: "btn btn-secondary bs-replay-open", type: "button", "data-testid": "bs-replay-open", onclick: openReplay }, label);
}

/** The lesson's best players: wins in every room since the lesson started. */
function lessonBoard() {
  const lines = (state.leaders && state.leaders.lines) || [];
  if (!lines.length) return null;
  return h(
    "div",
    { class: "bs-scoreboard", "data-testid": "leaderboard" },
    h("h2", { class: "section-title" }, "This lesson"),
    h("ol", {}, ...lines.slice(0, 5).map((l) => h("li", {}, h("b", {}, l.name), ` ${l.wins} of ${l.played}`))),
  );
}

/** The host's controls, while this screen is the host (a phone may be made host instead). */
function drawHost() {
  const room = state.room;
  const isHost = !!(state.me && room && room.host === state.me.id);
  document.body.dataset.host = isHost ? "screen" : "";
  if (!isHost) {
    fill($("bs-host"));
    fill($("bs-host-players"));
    return;
  }
  const ctx = { code, games: state.games || [], toast: note, request: (type, fields) => conn.request(type, fields) };
  fill($("bs-host"), hostBar(room, ctx));
  fill($("bs-host-players"), playerActions(room, ctx));
}

function drawChat() {
  const messages = [...state.chat.values()].sort((a, b) => a.seq - b.seq).slice(-MAX_CHAT);
  fill($("bs-chat"), messages.length ? messages.map((m) => messageItem(m, false)) : h("li", { class: "msg-empty" }, "Chat from the phones shows here."));
  $("bs-chat").scrollTop = $("bs-chat").scrollHeight;
}

/** A dead end (no such room, or it closed): say so, drop the code and QR nobody can use, and
 * offer the way back to the start. */
function showGone(text) {
  state.closed = true;
  document.body.dataset.phase = "gone";
  $("bs-title").textContent = text;
  $("bs-status").textContent = "Create a room on a phone, then open its big-screen address.";
  delete $("bs-status").dataset.said;
  document.querySelector(".bs-join").hidden = true;
  fill($("bs-board"), h("a", { class: "btn btn-primary btn-big", href: "/", "data-testid": "gone-home" }, "Go to Capital"));
  $("bs-last").textContent = "";
}

// A light theme for bright rooms, kept for this screen.
const KEY_THEME = "capital.screen.theme";
function applyTheme(theme) {
  document.body.dataset.theme = theme;
  $("bs-theme").textContent = theme === "light" ? "Dark theme" : "Light theme";
}
applyTheme(localStorage.getItem(KEY_THEME) || "dark");
$("bs-theme").addEventListener("click", () => {
  const next = document.body.dataset.theme === "light" ? "dark" : "light";
  localStorage.setItem(KEY_THEME, next);
  applyTheme(next);
});

// The screen stays on while the page shows (Screen Wake Lock, where the browser has it).
async function keepAwake() {
  try {
    if (navigator.wakeLock && document.visibilityState === "visible") await navigator.wakeLock.request("screen");
  } catch {
    // Not allowed (no user gesture yet, or not a secure context): the screen may dim.
  }
}
keepAwake();
document.addEventListener("visibilitychange", keepAwake);

if (!code && !hosting) {
  showGone("No room code in the address (it looks like /screen/KXMR).");
} else {
  if (code) showCode();
  else {
    // Until a game is picked there is no code: the join panel keeps its place, empty.
    $("bs-code").textContent = "····";
    $("bs-qr").style.visibility = "hidden";
    $("bs-link").textContent = "the room's address, once a game is picked";
  }
  // A screen plugged into the server itself shows the LAN address phones can open.
  loadServerInfo(() => code && drawLink());
  conn.start();
}

/** The join link (and the server's mDNS name, when it has one). */
function drawLink() {
  const mdns = mdnsHint();
  fill(
    $("bs-link"),
    linkText(joinLink(code)),
    mdns ? h("span", { class: "bs-mdns" }, h("br"), "or ", linkText(`${mdns}/join/${code}`)) : null,
  );
}
