// The room this page is in: joining it (as a player, or watching when the seats are taken),
// going back into it after every hello, following its events, leaving it; and the room screen
// around its main area (room-view.js) and its chat (chat.js).
//
// Resuming: the room's code lives in localStorage. After every hello we join the room again:
// with `since` = the last event seq we saw when this page already shows the room (then the reply
// has only what changed, or `room: null` when nothing did), without it after a reload.

import { Chat } from "./chat.js";
import { createMoments } from "./fun/moments.js";
import { createP2p } from "./p2p/room.js";
import { createHostActions } from "./room-host.js";
import { createRoomFun } from "./fun/room-fun.js";
import { setupSound, soundSwitch } from "./fun/sound.js";
import { focusKeeper } from "./focus.js";
import { roomView } from "./room-view.js";
import { startCountdown, stopCountdown } from "./rematch.js";
import { drawStatus, fill } from "./dom.js";
import { dress } from "./fun/avatar.js";
import { friendly, gameName, isConnectionError, mySeat, noteSeats, seatsTaken, statusLine } from "./describe.js";
import { announce, applyFrame, lastMoveLine } from "./boards.js";
import { gameFor } from "./games/index.js";
import { state, WIDE } from "./state.js";
import { setAddress, showScreen, toast } from "./screens.js";

const KEY_ROOM = "capital.room";

const $ = (id) => document.getElementById(id);

/**
 * @param {object} env
 * @param {import("./protocol.js").Connection} env.conn
 * @param {() => void} env.showHome
 * @param {() => void} env.drawHome  home is under the messages screens: redraw it there
 * @param {(code: string, text: string) => void} env.showJoinError  a join failed: say so on home
 * @param {() => void} env.drawTurnBars  the messages screens' "your turn" bars
 * @param {(id: string, name: string, online: boolean|undefined, from: string) => void} env.openConversation
 */
export function createRoom({ conn, showHome, drawHome, showJoinError, drawTurnBars, openConversation }) {
  state.code = localStorage.getItem(KEY_ROOM); // the room this page goes back to
  let pickedPlayer = null; // the player tapped last, while the person dialog is open
  const focus = focusKeeper($("room-main")); // the main area is redrawn from scratch
  // Moments, sounds, buzzes and the celebration (fun/); the sound switch is in the room's header.
  setupSound("capital.sound");
  $("messages-room").before(soundSwitch({ cls: "icon-btn" }));
  const host = createHostActions({ request: (type, fields) => conn.request(type, fields), toast });
  const fun = createRoomFun({
    big: false,
    meId: () => (state.me ? state.me.id : null),
    redraw: () => drawRoom(),
    moments: createMoments({ onShow: () => state.screen === "room" }),
  });

  const chat = new Chat($("chat"), {
    send: (text, clientMsgId) => conn.request("chat", { code: state.code, text, client_msg_id: clientMsgId }),
    older: (before) => conn.request("chat_history", { code: state.code, before, limit: 50 }),
    meId: () => (state.me ? state.me.id : null),
    online: () => state.online,
    onToggle: (open) => $("screen-room").classList.toggle("chat-open", open),
    onPick: (who) => pickPlayer(who),
  });
  chat.setOpen(WIDE.matches);
  // A peer-to-peer room's game, on the phones (p2p/): drawn over the server's room.
  const p2p = createP2p({ request: (type, fields) => conn.request(type, fields), redraw: () => drawRoom(), toast });

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
        // Away longer than the grace period: the seat is gone, but the room may still be there,
        // and a seat in it (join says so only if it ends up watching).
        await join(c, state.code, "player", { late: true });
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
      const closed = err.code === "no_such_room" && state.room ? `Room ${state.code} has closed.` : null;
      leaveRoomLocally();
      showMain("home");
      // Said once: in the join form when home is on show (it says which code), else a toast.
      if (err.joinCode && !closed && state.screen === "home") showJoinError(err.joinCode, friendly(err));
      else toast(closed || friendly(err));
    }
    sayBadLink();
  }

  /** The page was opened at /join/ and something that is no room code: say so once. */
  function sayBadLink() {
    if (state.badLink === null) return;
    const typed = [...state.badLink].slice(0, 20).join("");
    state.badLink = null;
    const text = `The link you opened ends in "${typed}", which is not a room code. A room code is four letters, like KXMR.`;
    if (state.screen === "home") showJoinError("", text);
    else toast(text);
  }

  /** Joins `code` as a player, or as a spectator when every seat is taken or a game is on (and
   * says so, once). `late`: back after the grace period, so a seat was lost if none is free. */
  async function join(c, code, as, { late = false } = {}) {
    let reply;
    try {
      reply = await c.request("join_room", { code, as }, { internal: true });
    } catch (err) {
      if (as === "player" && (err.code === "room_full" || err.code === "wrong_phase")) {
        reply = await c.request("join_room", { code, as: "spectator" }, { internal: true });
        const why = late
          ? "You were away too long and lost your seat"
          : err.code === "room_full"
            ? "Every seat is taken"
            : "A game is on";
        toast(`${why}: you are watching.`, late ? "error" : "info");
      } else {
        err.joinCode = code;
        throw err;
      }
    }
    applyJoined(reply, false);
  }

  /** What a removed chat message shows instead of its text. */
  const REMOVED = "(message removed by the teacher)";

  function onEvent(msg) {
    if (msg.code !== state.code) return; // a room this page no longer shows
    if (msg.seq <= state.seq) return; // already seen (the joined reply covered it)
    state.seq = msg.seq;
    if (msg.kind === "chat") {
      chat.receive(msg.message);
      return;
    }
    if (msg.kind === "chat_removed") {
      // The teacher removed a message: it goes from this phone too.
      const gone = chat.messages.get(msg.removed_seq);
      if (gone) chat.messages.set(msg.removed_seq, { ...gone, text: REMOVED, removed: true });
      // Drawn again, without its text (the log keeps the elements it drew).
      chat.items.get(msg.removed_seq)?.remove();
      chat.items.delete(msg.removed_seq);
      chat.draw();
      return;
    }
    if (msg.kind === "closed") {
      toast(`Room ${state.code} has closed: ${msg.reason}.`);
      leaveRoomLocally();
      showMain("home");
      return;
    }
    if (msg.kind === "kicked" && state.me && msg.player === state.me.id) {
      // The host removed me: say why, and leave (the room will not take me back).
      const why = msg.reason ? `: "${msg.reason}"` : ".";
      toast(`The host removed you from room ${state.code}${why}`);
      leaveRoomLocally();
      showMain("home");
      return;
    }
    if (msg.kind === "rematch" && msg.starts_in_ms != null) startCountdown(msg.code, msg.starts_in_ms);
    else if (msg.kind === "started" || msg.kind === "game_changed") stopCountdown();
    const before = state.room;
    state.room = msg.room;
    noteSeats(msg.room);
    // The move that ends a game comes with nobody's turn, and game_over follows at once: only
    // that one is drawn (the status would flash "Waiting..." before every result).
    if (msg.room.phase === "playing" && !(msg.room.turn || []).length && !gameFor(msg.room.game).realtime) return;
    // A new game on a phone: fold the chat away so the board gets the room.
    if ((msg.kind === "started" || msg.kind === "rematch") && !WIDE.matches) chat.setOpen(false);
    drawRoom();
    fun.onEvent(msg, before);
  }

  /** A real-time game's frame: the game's module draws it; only the lines that say what is going
   * on (status, last move, the live region) follow here, and only when their words change. */
  function onFrame(msg) {
    const room = state.room;
    if (msg.code !== state.code || !room || room.phase !== "playing") return;
    if (!applyFrame(room, msg) || state.screen !== "room") return;
    drawStatus($("status"), statusLine(room, state.me && state.me.id));
    const last = document.querySelector("#room-main [data-testid=last-move]");
    const words = lastMoveLine(room);
    if (last && last.textContent !== words) last.textContent = words;
    announce($("announce"), room);
  }

  /** A real-time input: sent at once, never answered (the next frames show what it did). */
  function sendInput(code, input) {
    conn.send("input", { code, input });
  }

  function applyJoined(reply, resumed) {
    const fresh = state.code !== reply.code || !resumed;
    state.code = reply.code;
    localStorage.setItem(KEY_ROOM, reply.code);
    state.seq = reply.seq;
    if (reply.room) state.room = reply.room;
    noteSeats(state.room);
    const said = reply.chat.map((m) => (m.removed ? { ...m, text: REMOVED } : m));
    if (fresh) chat.reset(said, reply.more_chat);
    else chat.addMissed(said, reply.more_chat);
    showMain("room");
    setAddress(`/join/${reply.code}`);
    drawRoom();
  }

  /** Forgets the room on this page (after leaving, or when it closed). */
  function leaveRoomLocally() {
    p2p.reset();
    state.code = null;
    state.room = null;
    state.seq = 0;
    localStorage.removeItem(KEY_ROOM);
    chat.reset([], false);
    chat.setOpen(WIDE.matches);
    setAddress("/");
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

  function drawRoom() {
    if (!state.room) return;
    const meId = state.me && state.me.id;
    p2p.sync(state.room, meId);
    const room = p2p.overlay(state.room);
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

    const ctx = { meId, online: state.online, send, input: sendInput, toast, pick: pickPlayer, p2p: p2p.line(room) };
    focus.redraw(() => fill($("room-main"), roomView(room, ctx)));
    announce($("announce"), room);
    drawTurnBars();
  }

  /** Sends a room request from a button; shows the server's refusal in words. */
  async function send(button, type, fields) {
    if (button) button.disabled = true;
    try {
      // In a peer-to-peer room, start and move are the host's phone's, not the server's.
      const local = p2p.take(type, fields, state.room);
      if (local) await local;
      else if (type === "move") await timedMove(fields);
      else await conn.request(type, fields);
    } catch (err) {
      // No connection: the banner says so already.
      if (!isConnectionError(err)) toast(friendly(err));
      drawRoom(); // undo the board's "sending" state
    } finally {
      if (button && button.isConnected) button.disabled = false;
    }
  }

  /** A move through the server; while a big screen watches, the phone tells the server how long
   * it took, from the tap to the server's answer (`move_time`), for the screen's comparison of
   * the two models. */
  async function timedMove(fields) {
    const tapped = performance.now();
    await conn.request("move", fields);
    const ms = Math.round(performance.now() - tapped);
    if (state.room && state.room.code === fields.code && state.room.screens > 0) {
      conn.request("move_time", { code: fields.code, ms }).catch(() => {}); // only a figure
    }
  }

  /** Another player was tapped in a room (seat, side, spectator or chat sender): offer "Message". */
  function pickPlayer(who) {
    if (!who || !who.id || (state.me && who.id === state.me.id)) return;
    const member = findMember(who.id);
    pickedPlayer = { id: who.id, name: who.name, connected: member ? member.connected : undefined };
    $("person-name").textContent = who.name;
    dress($("person-initial"), who.id, "avatar-big");
    $("person-note").textContent = !member
      ? "No longer in this room."
      : member.connected
        ? "In this room with you."
        : "Offline right now: they get your message when they are back.";
    host.preparePerson(state.room, state.me && state.me.id, who);
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

  $("leave").addEventListener("click", () => {
    const room = state.room;
    const forfeit = room && room.phase === "playing" && mySeat(room) !== null;
    const others = room ? seatsTaken(room) - 1 : 0;
    // A game that goes on without a seat that leaves shows which seats are `out` in its state.
    const goesOn = others >= 2 && room && room.state && Array.isArray(room.state.out);
    $("leave-text").textContent = !forfeit
      ? "You can come back with the code."
      : others === 1
        ? "The game is still on: leaving now gives the win to the other player."
        : goesOn
          ? "The game is still on: the others play on without you, and you cannot come back into it."
          : "The game is still on: leaving now ends it for everyone.";
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

  $("person-dialog").addEventListener("close", () => {
    const who = pickedPlayer;
    pickedPlayer = null;
    if (!who || host.personClosed(state.room, $("person-dialog").returnValue, who)) return;
    if ($("person-dialog").returnValue !== "message") return;
    openConversation(who.id, who.name, who.connected, state.screen === "room" ? "room" : "home");
  });

  return {
    enterRoom,
    join,
    applyJoined,
    onEvent,
    onFrame,
    onSignal: (msg) => p2p.onSignal(msg),
    leaveRoomLocally,
    drawRoom,
    knownName,
    flushChat: () => chat.flush(),
  };
}
