// The room screen's main area: the lobby (code, QR code, players, start) and the game (players
// face to face, the board, the result and rematch). Drawn from scratch from the room the server
// sent, every time it changes.
//
// ctx: { meId, online, send(button, type, fields), input(code, value), toast(text, kind), pick(member), p2p }
// `input` sends a real-time game's input (never answered).
// `p2p` is set in a peer-to-peer room ({text, problem, link}, p2p/room.js): the room says so.
// `pick` is called when another player is tapped (the app offers "Message").

import { renderBoard, lastMoveLine } from "./boards.js";
import { h, linkText, srOnly } from "./dom.js";
import { avatar } from "./fun/avatar.js";
import { renderMembers } from "./members.js";
import { amHost, gameName, joinLink, leftName, lobbyCount, mySeat, seatToken } from "./describe.js";
import { gameFor, serverGame } from "./games/index.js";
import { mdnsHint } from "./info.js";
import { countdownBanner, rematchActions } from "./rematch.js";
import { lockRow } from "./room-host.js";

/** The main area for the room's phase: its parts, in order (phone.css lays them out side by
 * side on a landscape phone). */
export function roomView(room, ctx) {
  return room.phase === "lobby" ? lobby(room, ctx) : game(room, ctx);
}

function lobby(room, ctx) {
  const count = lobbyCount(room);
  const ready = count.missing === 0;
  const more = count.missing === 1 ? "1 more player" : `${count.missing} more players`;
  const watching = room.you && room.you.role === "spectator";
  const link = joinLink(room.code);
  const mdns = mdnsHint();
  const share = h(
    "button",
    { class: "btn btn-secondary btn-small", type: "button", "data-testid": "share" },
    navigator.share ? "Share" : "Copy link",
  );
  share.addEventListener("click", () => shareLink(link, room, ctx));

  // Who said they are ready (the host starts when they like; this only tells them who is).
  const seated = room.seats.filter((s) => s.player);
  const readyCount = seated.filter((s) => s.player.ready || s.player.id === room.host).length;
  const mine = room.seats.find((s) => s.player && s.player.id === ctx.meId);
  let action;
  if (amHost(room, ctx.meId)) {
    action = h(
      "button",
      {
        class: "btn btn-primary btn-block btn-big",
        "data-testid": "start",
        type: "button",
        disabled: !ready || !ctx.online,
      },
      !ready ? `Waiting for ${more}...` : count.full ? "Start the game" : `Start with ${count.taken} players`,
    );
    action.addEventListener("click", () => ctx.send(action, "start", { code: room.code }));
    if (seated.length > 1) {
      const all = readyCount === seated.length;
      action = h(
        "div",
        { class: "lobby-actions" },
        h("p", { class: "lobby-note", "data-testid": "ready-count" }, all ? "Everyone is ready." : `${readyCount} of ${seated.length} ready`),
        action,
      );
    }
  } else if (mine) {
    const isReady = !!mine.player.ready;
    const toggle = h(
      "button",
      {
        class: `btn ${isReady ? "btn-secondary" : "btn-primary"} btn-block btn-big`,
        "data-testid": "ready",
        type: "button",
        "aria-pressed": String(isReady),
        disabled: !ctx.online,
      },
      isReady ? "Ready \u2713 (tap if not)" : "I'm ready",
    );
    toggle.addEventListener("click", () => ctx.send(toggle, "ready", { code: room.code, ready: !isReady }));
    const note = ready ? (isReady ? "The host starts the game." : "Tap when you are ready to play.") : `Waiting for ${more}...`;
    action = h("div", { class: "lobby-actions" }, h("p", { class: "lobby-note" }, note), toggle);
  } else {
    const note = watching ? "You are watching. The game shows here when it starts." : `Waiting for ${more}...`;
    action = h("p", { class: "lobby-note" }, note);
  }

  // Everyone asked for the rematch: the next game starts by itself, counted down over the action.
  const counting = countdownBanner(room);
  if (counting) action = h("div", { class: "lobby-actions" }, counting);

  // The action (Start, Ready) stays in view below the rest, which scrolls.
  const lobbyDiv = h(
    "div",
    { class: "lobby scroll" },
    p2pLine(room, ctx),
    room.game_no > 0
      ? h("p", { class: "lobby-round" }, `Game ${room.game_no + 1} in this room${gameFor(room.game).rematch ? `: ${gameFor(room.game).rematch}` : "."}`)
      : null,
    h(
      "div",
      { class: "invite card" },
      h(
        "div",
        { class: "invite-code" },
        h("span", { class: "label" }, "Room code"),
        h(
          "div",
          { class: "big-code", "data-testid": "room-code", "aria-label": `Room code ${room.code.split("").join(" ")}` },
          room.code,
        ),
        h("span", { class: "invite-hint" }, "Scan the code or open the link to join"),
      ),
      h(
        "button",
        {
          class: "qr-open",
          type: "button",
          "data-testid": "qr-open",
          "aria-label": `QR code to join room ${room.code}: show it full screen`,
          onclick: () => showQr(room.code, link),
        },
        h("img", { class: "qr", src: `/qr/${room.code}.svg`, alt: "", "data-testid": "qr", width: 112, height: 112 }),
      ),
      h(
        "div",
        { class: "invite-link" },
        h(
          "div",
          { class: "invite-links" },
          h("a", { class: "join-link", href: link, "data-testid": "join-link" }, linkText(link)),
          mdns
            ? h(
                "span",
                { class: "mdns-hint", "data-testid": "mdns-hint" },
                "or ",
                linkText(`${mdns}/join/${room.code}`),
              )
            : null,
        ),
        share,
      ),
    ),
    h("h2", { class: "section-title" }, `Players (${count.taken}/${count.max})`),
    room.screens > 0 ? h("p", { class: "lobby-hint", "data-testid": "on-screen" }, "Showing on the big screen too.") : null,
    renderMembers(room, ctx.meId, { onPick: ctx.pick }),
    count.min < count.max
      ? h("p", { class: "lobby-hint", "data-testid": "lobby-hint" }, ready
          ? `${count.min} to ${count.max} players: the host may start now, or wait for more.`
          : `${count.min} to ${count.max} players: waiting for ${more}.`)
      : null,
    lockRow(room, ctx),
  );
  return [lobbyDiv, h("div", { class: "room-actions" }, action)];
}

function game(room, ctx) {
  const me = mySeat(room);
  const parts = [];
  const module = gameFor(room.game);
  // Some boards show the players themselves (a scoreboard, a card table); the others get the
  // players face to face on top.
  if (!module.ownPlayers) parts.push(versus(room, ctx.meId, ctx.pick));
  else if (watchingCount(room)) parts.push(h("p", { class: "watchers" }, `${watchingCount(room)} watching`));
  const boardCtx = {
    interactive: ctx.online && me !== null,
    move: (mv) => ctx.send(null, "move", { code: room.code, move: mv }),
    input: (value) => ctx.input && ctx.input(room.code, value),
  };
  if (ctx.p2p) parts.push(p2pLine(room, ctx));
  parts.push(h("div", { class: `board-wrap${module.flow ? " flow" : ""}` }, renderBoard(room, boardCtx)));
  // The audience (everyone without a seat in this game) cheers: the big screen floats it.
  if (me === null && room.phase === "playing" && room.screens > 0) parts.push(reactions(room, ctx));
  if (room.phase === "over") {
    const actions = ctx.p2p ? p2pAgain(room, ctx) : rematchActions(room, ctx);
    parts.push(h("div", { class: "result-actions room-actions" }, ...actions, otherModel(room, ctx)));
  } else {
    parts.push(h("p", { class: "last-move", "data-testid": "last-move" }, lastMoveLine(room)));
  }
  return h("div", { class: "game" }, parts);
}

/** What a peer-to-peer room says about its model, and what went wrong with the connection. */
function p2pLine(room, ctx) {
  const p2p = ctx.p2p;
  if (!p2p) return null;
  // The way on when the phones cannot connect: the same game, through the server.
  const viaServer = p2p.serverInstead && amHost(room, ctx.meId) ? h("button", { class: "btn btn-secondary btn-small", type: "button", "data-testid": "p2p-server-instead" }, "Play through the server instead") : null;
  if (viaServer) {
    viaServer.addEventListener("click", () => ctx.send(viaServer, "change_game", { code: room.code, game: room.game, options: room.options, mode: "server" }));
  }
  return h(
    "div",
    { class: "p2p-note", "data-testid": "p2p-note", "data-link": p2p.link },
    h("p", { class: "lobby-note" }, p2p.text),
    p2p.problem ? h("p", { class: "lobby-note p2p-problem", role: "alert", "data-testid": "p2p-problem" }, p2p.problem) : null,
    p2p.retry
      ? h("button", { class: "btn btn-secondary btn-small", type: "button", "data-testid": "p2p-retry", onclick: p2p.retry }, "Try again")
      : null,
    viaServer,
  );
}

/** After a game of a script game, the host's way to play the next one in the other model (the
 * big screen compares the two: screen-models.js). */
function otherModel(room, ctx) {
  const g = serverGame(room.game);
  if (!amHost(room, ctx.meId) || !g || !(g.author || g.board)) return null;
  const mode = room.mode === "p2p" ? "server" : "p2p";
  const label = mode === "p2p" ? "Next game peer to peer" : "Next game through the server";
  const b = h("button", { class: "btn btn-secondary", type: "button", "data-testid": "switch-model", disabled: !ctx.online }, label);
  b.addEventListener("click", () => ctx.send(b, "change_game", { code: room.code, game: room.game, options: room.options, mode }));
  return b;
}

/** After a peer-to-peer game: the host starts another on their phone; the others wait for it. */
function p2pAgain(room, ctx) {
  if (!amHost(room, ctx.meId)) {
    return ctx.p2p.problem ? [] : [h("p", { class: "lobby-note", "data-testid": "rematch-note" }, "The host may start another game.")];
  }
  const again = h("button", { class: "btn btn-primary btn-big", type: "button", "data-testid": "rematch" }, "Play again");
  again.addEventListener("click", () => ctx.send(again, "start", { code: room.code }));
  return [again];
}

/** The players face to face (two) or side by side (more): their mark, name, whose turn it is. */
function versus(room, meId, pick) {
  // Seats left empty at the start stay empty for the game: only the players show.
  const seats = room.seats.length > 2 ? room.seats.filter((s) => s.player) : room.seats;
  const sides = seats.map((seat) => {
    const p = seat.player;
    const token = seatToken(room, seat.seat);
    const turn = room.phase === "playing" && (room.turn || []).includes(seat.seat);
    // A seat left during or after the game still shows who played there, as having left.
    const gone = leftName(room, seat.seat);
    const name = p ? (p.id === meId ? `${p.name} (you)` : p.name) : gone || "Open seat";
    const away = p && !p.connected;
    const note = gone ? "left" : away ? "offline" : turn ? "to play" : null;
    // The player's look, with the seat's mark (X, O) on its corner; "?" for a seat left empty.
    const face = p ? avatar(p.id) : h("span", { class: "avatar", "aria-hidden": "true" }, token.label.length === 1 ? token.label : "?");
    if (p && token.label.length === 1) face.append(h("span", { class: "avatar-mark" }, token.label));
    // A button when it can be tapped (to offer "Message"); read out whole either way.
    const pickable = p && p.id !== meId && pick;
    const side = h(
      pickable ? "button" : "div",
      {
        class: `side ${token.cls}${turn ? " turn" : ""}${away ? " away" : ""}${pickable ? " pickable" : ""}`,
        "data-testid": `side-${seat.seat}`,
        type: pickable ? "button" : null,
        onclick: pickable ? () => pick(p) : null,
      },
      face,
      h(
        "span",
        { class: "side-text" },
        h("span", { class: "side-name" }, name),
        token.label ? srOnly(`, plays ${token.label}`) : null,
        note ? h("span", { class: `tag ${turn && !gone && !away ? "tag-turn" : "tag-away"}` }, srOnly(", "), note) : null,
        pickable ? srOnly(": send a message") : null,
      ),
    );
    return side;
  });
  const watchers = watchingCount(room);
  if (sides.length !== 2) {
    return h(
      "div",
      { class: "versus versus-many" },
      sides,
      watchers ? h("span", { class: "watchers" }, `${watchers} watching`) : null,
    );
  }
  return h(
    "div",
    { class: "versus" },
    sides[0],
    h("span", { class: "vs", "aria-hidden": "true" }, "vs"),
    sides[1],
    watchers ? h("span", { class: "watchers" }, `${watchers} watching`) : null,
  );
}

/** The phone's share sheet when there is one, else the clipboard; said in words either way. */
async function shareLink(link, room, ctx) {
  const text = `Play ${gameName(room.game)} with me on Capital: room ${room.code}`;
  if (navigator.share) {
    try {
      await navigator.share({ title: "Capital", text, url: link });
    } catch {
      // Cancelled: nothing to say.
    }
    return;
  }
  // Before any await: copying by selection needs the tap that asked for it.
  const copied = navigator.clipboard ? null : copyBySelection(link);
  if (copied === null) {
    try {
      await navigator.clipboard.writeText(link);
      ctx.toast(`Link copied: ${link}`, "info");
      return;
    } catch {
      // Not allowed here: try the selection.
    }
  }
  if (copied || copyBySelection(link)) ctx.toast(`Link copied: ${link}`, "info");
  else ctx.toast("This browser would not copy it: press and hold the link to copy it.");
}

/** Copies `text` the old way, from a selected text field (no clipboard API on plain http, which
 * is not a secure context): true when the browser says it did. */
function copyBySelection(text) {
  const field = h("textarea", { class: "copy-field", readonly: true, "aria-hidden": "true", tabindex: "-1" });
  field.value = text;
  document.body.append(field);
  const before = document.activeElement;
  field.select();
  field.setSelectionRange(0, text.length);
  let done = false;
  try {
    done = document.execCommand("copy");
  } catch {
    done = false;
  }
  field.remove();
  if (before && before.focus) before.focus({ preventScroll: true });
  return done;
}

/** The QR code full screen, to hold up for others to scan; a tap anywhere closes it. */
function showQr(code, link) {
  const dialog = document.getElementById("qr-dialog");
  document.getElementById("qr-full").src = `/qr/${code}.svg`;
  document.getElementById("qr-full").alt = `QR code to join room ${code}`;
  document.getElementById("qr-code").textContent = code;
  document.getElementById("qr-code").setAttribute("aria-label", `Room code ${code.split("").join(" ")}`);
  document.getElementById("qr-link").replaceChildren(...linkText(link));
  dialog.onclick = () => dialog.close();
  dialog.showModal();
}

/** How many watch: the server names at most 12 spectators and counts them all. */
function watchingCount(room) {
  return room.spectator_count ?? room.spectators.length;
}

/** What the audience may send the big screen (the server's list of reactions). */
const REACTIONS = ["👏", "😂", "😮", "🔥", "❤️", "👍", "🎉", "😢"];

/** A row of reaction buttons for someone watching. */
function reactions(room, ctx) {
  const row = h("div", { class: "reactions", role: "group", "aria-label": "Cheer on the big screen", "data-testid": "reactions" });
  for (const emoji of REACTIONS) {
    const b = h("button", { class: "btn btn-secondary reaction", type: "button", "aria-label": `Send ${emoji}`, "data-testid": `react-${REACTIONS.indexOf(emoji)}` }, emoji);
    b.addEventListener("click", () => ctx.send(null, "react", { code: room.code, emoji }));
    row.append(b);
  }
  return row;
}
