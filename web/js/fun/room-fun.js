// The fun around a room's events, for the phone (room.js) and the big screen (screen.js): each
// page hands it every room event once it has drawn it, and it decides what the event is worth:
// a "joined" moment, a sound, a buzz, the win celebration. Everything but the moment waits for a
// reveal's 3-2-1 (reveal.js) when one counts, so no sound gives a result away before it shows.
//
//   phone        a move: a tick; my turn: two notes up and a short buzz; I won: the celebration,
//                a tune and a buzz; I lost: three notes down
//   big screen   a move: a tick; a winner: the celebration and the tune

import { afterReveal, onRevealEnd } from "./reveal.js";
import { celebrate, stopCelebration } from "./celebrate.js";
import { buzz, play } from "./sound.js";
import { gameFor } from "../games/index.js";
import { findMember, mySeat, rememberedName, seatPlayer } from "../seats.js";

/** The buzz for my turn, and for a win (on, off, on...), in ms. */
const TURN_BUZZ = 40;
const WIN_BUZZ = [90, 60, 180];

/**
 * @param {object} env
 * @param {boolean} env.big  the big screen (it has no seat, and celebrates every winner)
 * @param {() => string|null} env.meId
 * @param {() => void} env.redraw  draws the room again (at the end of a 3-2-1)
 * @param {{joined(member: object): void}} env.moments
 */
export function createRoomFun({ big, meId, redraw, moments }) {
  onRevealEnd(redraw);
  let lastTurn = ""; // the game and event of the last "your turn", said once

  /** After the page drew event `msg`; `before` is the room it showed until then. */
  function onEvent(msg, before) {
    const room = msg.room;
    if (!room) return;
    if (msg.kind === "joined") {
      const member = findMember(room, msg.player);
      if (member && member.id !== meId()) moments.joined(member);
      return;
    }
    if (msg.kind === "started" || msg.kind === "rematch" || msg.kind === "game_changed") stopCelebration();
    afterReveal(() => (msg.kind === "game_over" ? gameOver(room) : turnOrMove(msg, before, room)));
  }

  function turnOrMove(msg, before, room) {
    const me = big ? null : mySeat(room);
    const realtime = gameFor(room.game).realtime; // everyone rides at once: no turns, no ticks
    const mine = room.phase === "playing" && me !== null && (room.turn || []).includes(me);
    const wasMine = !!before && before.phase === "playing" && (before.turn || []).includes(me);
    const key = `${room.code}/${room.game_no}:${msg.seq}`;
    if (!realtime && mine && !wasMine && lastTurn !== key && document.visibilityState === "visible") {
      lastTurn = key;
      play("turn");
      buzz(TURN_BUZZ);
    } else if (!realtime && msg.kind === "moved") {
      play("move");
    }
  }

  function gameOver(room) {
    const seat = room.outcome ? room.outcome.winner : null;
    if (seat === null || seat === undefined) return;
    const p = seatPlayer(room, seat);
    const winner = { id: p ? p.id : null, name: p ? p.name : rememberedName(room, seat) };
    if (big) {
      celebrate(winner, { big: true });
      play("win");
      return;
    }
    const me = mySeat(room);
    if (me === seat) {
      celebrate(winner, { you: true });
      play("win");
      buzz(WIN_BUZZ);
    } else if (me !== null) {
      play("lose");
    }
  }

  return { onEvent };
}
