// The room screen's main area: the lobby (code, QR code, players, start) and the game (players
// face to face, the board, the result and rematch). Drawn from scratch from the room the server
// sent, every time it changes.
//
// ctx: { meId, online, send(button, type, fields), toast(text, kind), pick(member) }
// `pick` is called when another player is tapped (the app offers "Message").

import { renderBoard, lastMoveLine } from "./boards.js";
import { h, initial, linkText, makePickable, renderMembers } from "./dom.js";
import { amHost, gameName, joinLink, mySeat, seatToken, seatsTaken } from "./describe.js";
import { mdnsHint } from "./info.js";

/** The main area for the room's phase. */
export function roomView(room, ctx) {
  return room.phase === "lobby" ? lobby(room, ctx) : game(room, ctx);
}

function lobby(room, ctx) {
  const full = seatsTaken(room) === room.seats.length;
  const watching = room.you && room.you.role === "spectator";
  const link = joinLink(room.code);
  const mdns = mdnsHint();
  const share = h(
    "button",
    { class: "btn btn-secondary btn-small", type: "button", "data-testid": "share" },
    navigator.share ? "Share" : "Copy link",
  );
  share.addEventListener("click", () => shareLink(link, room, ctx));

  let action;
  if (amHost(room, ctx.meId)) {
    action = h(
      "button",
      {
        class: "btn btn-primary btn-block btn-big",
        "data-testid": "start",
        type: "button",
        disabled: !full || !ctx.online,
      },
      full ? "Start the game" : "Waiting for players...",
    );
    action.addEventListener("click", () => ctx.send(action, "start", { code: room.code }));
  } else {
    const note = watching
      ? "You are watching. The game shows here when it starts."
      : full
        ? "Ready! The host starts the game."
        : "Waiting for more players...";
    action = h("p", { class: "lobby-note" }, note);
  }

  return h(
    "div",
    { class: "lobby scroll" },
    room.game_no > 0
      ? h("p", { class: "lobby-round" }, `Game ${room.game_no + 1} in this room: seats swapped, the other player goes first.`)
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
      h("img", {
        class: "qr",
        src: `/qr/${room.code}.svg`,
        alt: `QR code to join room ${room.code}`,
        "data-testid": "qr",
        width: 112,
        height: 112,
      }),
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
    h("h2", { class: "section-title" }, `Players (${seatsTaken(room)}/${room.seats.length})`),
    renderMembers(room, ctx.meId, { onPick: ctx.pick }),
    action,
  );
}

function game(room, ctx) {
  const me = mySeat(room);
  const parts = [];
  // Rock paper scissors shows the players on its scoreboard; the others face to face on top.
  if (room.game !== "rps") parts.push(versus(room, ctx.meId, ctx.pick));
  else if (watchingCount(room)) parts.push(h("p", { class: "watchers" }, `${watchingCount(room)} watching`));
  const boardCtx = {
    interactive: ctx.online && me !== null,
    move: (mv) => ctx.send(null, "move", { code: room.code, move: mv }),
  };
  parts.push(h("div", { class: "board-wrap" }, renderBoard(room, boardCtx)));
  if (room.phase === "over") {
    let again;
    if (me !== null) {
      again = h(
        "button",
        { class: "btn btn-primary btn-big", type: "button", "data-testid": "rematch", disabled: !ctx.online },
        "Rematch",
      );
      again.addEventListener("click", () => ctx.send(again, "rematch", { code: room.code }));
    } else {
      again = h("p", { class: "lobby-note" }, "Waiting for the players to ask for a rematch...");
    }
    parts.push(h("div", { class: "result-actions" }, again));
  } else {
    parts.push(h("p", { class: "last-move", "data-testid": "last-move" }, lastMoveLine(room)));
  }
  return h("div", { class: "game" }, parts);
}

/** The two players face to face: their mark, name, and whose turn it is. */
function versus(room, meId, pick) {
  const sides = room.seats.map((seat) => {
    const p = seat.player;
    const token = seatToken(room, seat.seat);
    const turn = room.phase === "playing" && (room.turn || []).includes(seat.seat);
    const name = p ? (p.id === meId ? `${p.name} (you)` : p.name) : "Open seat";
    const away = p && !p.connected;
    const badge = token.label.length === 1 ? token.label : p ? initial(p.name) : "?";
    const side = h(
      "div",
      {
        class: `side ${token.cls}${turn ? " turn" : ""}${away ? " away" : ""}`,
        "data-testid": `side-${seat.seat}`,
      },
      h("span", { class: "avatar", "aria-hidden": "true" }, badge),
      h(
        "span",
        { class: "side-text" },
        h("span", { class: "side-name" }, name),
        away
          ? h("span", { class: "tag tag-away" }, "offline")
          : turn
            ? h("span", { class: "tag tag-turn" }, "to play")
            : null,
      ),
    );
    if (p && p.id !== meId && pick) {
      side.classList.add("pickable");
      makePickable(side, `${p.name}: send a message`, () => pick(p));
    }
    return side;
  });
  const watchers = watchingCount(room);
  return h(
    "div",
    { class: "versus" },
    sides[0],
    h("span", { class: "vs", "aria-hidden": "true" }, "vs"),
    sides[1],
    watchers ? h("span", { class: "watchers" }, `${watchers} watching`) : null,
  );
}

/** The phone's share sheet when there is one, else the clipboard. */
async function shareLink(link, room, ctx) {
  const text = `Play ${gameName(room.game)} with me on Capital: room ${room.code}`;
  try {
    if (navigator.share) {
      await navigator.share({ title: "Capital", text, url: link });
    } else {
      await navigator.clipboard.writeText(link);
      ctx.toast("Link copied.", "info");
    }
  } catch {
    // Cancelled, or no clipboard (plain http): the link is on screen anyway.
  }
}

/** How many watch: the server names at most 12 spectators and counts them all. */
function watchingCount(room) {
  return room.spectator_count ?? room.spectators.length;
}
