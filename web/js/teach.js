// The teacher's console (/teach): log in with an admin's account, then every few seconds the
// overview of every room (game, phase, players, watchers, code) and who is online; act on any
// room (remove a player with a reason, lock, end the game, close), announce to every phone or
// one room, start a new lesson (the leaderboard counts from then), see every game script (its
// author, status and last error) and turn one off, and read the audit log. Every action goes
// through the server's admin requests
// (docs/protocol.md, "The teacher's console"), which store it in the audit log first.

import { Connection, socketUrl } from "./protocol.js";
import { fill, h } from "./dom.js";
import { gameName } from "./describe.js";
import { setServerGames } from "./games/index.js";
import { scriptTable } from "./teach-scripts.js";

const KEY_TOKEN = "capital.teach.token";
const POLL_MS = 3000;
const $ = (id) => document.getElementById(id);

window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));

const state = { login: null, timer: null, lastChat: null, failing: false, switches: null };
const conn = new Connection(socketUrl(), { onOpen: connected, onEvent: () => {}, onPush: () => {}, onStatus: () => {} });

/** Every new socket: log in (with the form's password, or the kept token), then poll. */
async function connected(c) {
  const token = localStorage.getItem(KEY_TOKEN);
  let welcome;
  try {
    if (state.login) {
      welcome = await c.request("login", state.login, { internal: true });
      state.login = null;
    } else if (token) {
      welcome = await c.request("hello", { token }, { internal: true });
    } else {
      showLogin("");
      c.stop();
      return;
    }
  } catch (err) {
    localStorage.removeItem(KEY_TOKEN);
    showLogin(err.code === "login_failed" ? "Wrong username or password." : err.message || String(err));
    c.stop();
    return;
  }
  localStorage.setItem(KEY_TOKEN, welcome.token);
  if (!welcome.admin) {
    showLogin(`${welcome.username || welcome.name} is not an admin. On the server, run: capital admin grant ${welcome.username || "USERNAME"} (then log in again).`);
    localStorage.removeItem(KEY_TOKEN);
    c.stop();
    return;
  }
  setServerGames((await c.request("list_games", {}, { internal: true })).games);
  $("teach-login").hidden = true;
  $("teach-live").hidden = false;
  clearInterval(state.timer);
  state.timer = setInterval(refresh, POLL_MS);
  refresh();
}

function showLogin(error) {
  $("teach-live").hidden = true;
  $("teach-login").hidden = false;
  $("teach-login-error").textContent = error;
}

$("teach-login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.login = { username: $("teach-username").value.trim(), password: $("teach-password").value };
  conn.restart();
});

/** The overview and the audit log again. */
async function refresh() {
  try {
    const overview = await conn.request("admin_overview");
    drawOverview(overview);
    const audit = await conn.request("admin_audit", { limit: 50 });
    drawAudit(audit.entries);
    drawLeaders(await conn.request("leaderboard"));
    const scripts = await conn.request("admin_scripts");
    fill($("teach-scripts"), scriptTable(scripts.scripts, switchScript));
    if (state.failing) note("");
    state.failing = false;
  } catch (err) {
    state.failing = true;
    note(err.message || String(err));
  }
}

function drawOverview(o) {
  let rate = "";
  if (state.lastChat) {
    const minutes = (o.server_ms - state.lastChat.at) / 60000;
    if (minutes > 0) rate = `, ${Math.round((o.chat_total - state.lastChat.total) / minutes)} chat messages a minute`;
  }
  state.lastChat = { at: o.server_ms, total: o.chat_total };
  state.switches = { chat_off: o.chat_off, joins_paused: o.joins_paused };
  $("teach-pause").textContent = o.joins_paused ? "Let new players join" : "Pause new joins";
  $("teach-chat-all").textContent = o.chat_off ? "Chat on everywhere" : "Chat off everywhere";
  $("teach-stats").textContent = `${o.rooms_total} room${o.rooms_total === 1 ? "" : "s"} open, ${o.players_online} player${o.players_online === 1 ? "" : "s"} online${rate}`;
  const to = $("teach-announce-to");
  const chosen = to.value;
  fill(to, h("option", { value: "" }, "every phone"), ...o.rooms.map((r) => h("option", { value: r.code, selected: r.code === chosen }, `room ${r.code}`)));
  if (!o.rooms.length) {
    fill($("teach-rooms"), h("p", { class: "teach-hint" }, "No room is open."));
    return;
  }
  fill($("teach-rooms"), h("div", { class: "teach-rooms" }, ...o.rooms.map(roomCard)));
}

function roomCard(r) {
  const act = (label, testid, fields, cls = "btn-secondary") => {
    const b = h("button", { class: `btn ${cls} btn-small`, type: "button", "data-testid": testid }, label);
    b.addEventListener("click", () => admin(r.code, fields));
    return b;
  };
  const players = r.players.map((p) => {
    const kick = h("button", { class: "btn btn-danger btn-small", type: "button", "data-testid": `teach-kick-${r.code}-${p.name}` }, "Remove");
    kick.addEventListener("click", () => {
      const reason = h("input", { class: "input", maxlength: "200", "aria-label": `Why remove ${p.name}`, "data-testid": "teach-kick-reason" });
      const sure = h("button", { class: "btn btn-danger btn-small", type: "button", "data-testid": "teach-kick-confirm" }, `Remove ${p.name}`);
      sure.addEventListener("click", () => admin(r.code, { action: "kick", player: p.id, reason: reason.value }));
      kick.replaceWith(reason, sure);
      reason.focus();
    });
    const muted = (r.muted || []).includes(p.id);
    const mute = act(muted ? "Unmute" : "Mute", `teach-mute-${r.code}-${p.name}`, { action: "mute", player: p.id, muted: !muted });
    return h("li", { class: "teach-player" }, h("span", {}, `${p.name}${p.connected ? "" : " (offline)"}${p.id === r.host ? " (host)" : ""}${muted ? " (muted)" : ""}`), h("span", { class: "teach-actions" }, mute, kick));
  });
  const chat = (r.recent_chat || []).map((m) =>
    h(
      "li",
      { class: "teach-chat-line" },
      h("span", {}, `${m.name}: ${m.text}`),
      act("Remove", `teach-remove-${r.code}-${m.seq}`, { action: "remove_chat", seq: m.seq }, "btn-danger"),
    ),
  );
  return h(
    "article",
    { class: "card teach-room", "data-testid": `teach-room-${r.code}`, "aria-label": `Room ${r.code}` },
    h("h3", {}, `${r.code}: ${gameName(r.game)}`),
    h("p", { class: "teach-hint" }, `${r.phase}${r.game_no ? `, game ${r.game_no}` : ""}; ${r.spectators} watching${r.locked ? "; locked" : ""}${r.chat_off ? "; chat off" : ""}`),
    h("ul", { class: "teach-players" }, ...players),
    chat.length ? h("ul", { class: "teach-chat", "aria-label": `Room ${r.code}: last chat messages` }, ...chat) : null,
    h(
      "div",
      { class: "teach-actions" },
      act(r.locked ? "Unlock" : "Lock", `teach-lock-${r.code}`, { action: "lock", locked: !r.locked }),
      act(r.chat_off ? "Chat on" : "Chat off", `teach-chat-${r.code}`, { action: "chat_off", off: !r.chat_off }),
      r.phase === "playing" ? act("End the game", `teach-end-${r.code}`, { action: "end_game" }) : null,
      act("Close the room", `teach-close-${r.code}`, { action: "close" }, "btn-danger"),
    ),
  );
}

async function admin(code, fields) {
  try {
    await conn.request("admin_room", { code, ...fields });
    note(`Done: ${fields.action} in room ${code}.`);
  } catch (err) {
    note(err.message || String(err));
  }
  refresh();
}

/** Flips a server-wide switch. */
async function flip(key) {
  const on = !(state.switches && state.switches[key]);
  try {
    await conn.request("admin_server", { [key]: on });
    note(`Done: ${key.replace("_", " ")} ${on ? "on" : "off"} for the whole server.`);
  } catch (err) {
    note(err.message || String(err));
  }
  refresh();
}
$("teach-pause").addEventListener("click", () => flip("joins_paused"));
$("teach-chat-all").addEventListener("click", () => flip("chat_off"));
$("teach-new-lesson").addEventListener("click", async () => {
  try {
    await conn.request("new_lesson");
    note("A new lesson started: the leaderboard counts from now.");
  } catch (err) {
    note(err.message || String(err));
  }
  refresh();
});

/** Turns a script game on or off. */
async function switchScript(kind, on) {
  try {
    await conn.request("admin_script", { kind, on });
    note(on ? `${kind} is on offer again.` : `${kind} is off: new rooms cannot pick it (games being played go on).`);
  } catch (err) {
    note(err.message || String(err));
  }
  refresh();
}

/** Uploads the chosen script files into the server's games folder. */
$("teach-upload").addEventListener("submit", async (e) => {
  e.preventDefault();
  const files = [...$("teach-upload-files").files];
  const done = [];
  try {
    for (const f of files) {
      await conn.request("admin_upload_script", { file: f.name, source: await f.text() });
      done.push(f.name);
    }
    note(`Uploaded ${done.join(", ")}: see its status below in a moment.`);
    $("teach-upload").reset();
  } catch (err) {
    note(`${done.length ? `Uploaded ${done.join(", ")}; ` : ""}${err.message || String(err)}`);
  }
  setTimeout(refresh, 500);
});

/** Wins and games in every room since the lesson started. */
function drawLeaders(board) {
  const since = board.since_ms ? ` since ${new Date(board.since_ms).toLocaleTimeString()}` : "";
  fill(
    $("teach-leaders"),
    board.lines.length
      ? board.lines.map((l) => h("li", {}, `${l.name}: ${l.wins} won of ${l.played}`))
      : h("li", {}, `No game finished yet${since}.`),
  );
}

$("teach-announce").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("teach-announce-text").value;
  const code = $("teach-announce-to").value || undefined;
  try {
    await conn.request("announce", code ? { text, code } : { text });
    note(code ? `Announced in room ${code}.` : "Announced on every phone.");
    $("teach-announce-text").value = "";
  } catch (err) {
    note(err.message || String(err));
  }
  refresh();
});

function drawAudit(entries) {
  fill(
    $("teach-audit"),
    entries.length
      ? entries.map((e) => h("li", {}, `${new Date(e.ts).toLocaleTimeString()} ${e.admin}: ${e.action} ${e.target}${e.detail ? ` (${e.detail})` : ""}`))
      : h("li", {}, "Nothing yet."),
  );
}

function note(text) {
  $("teach-note").textContent = text;
}

conn.start();
