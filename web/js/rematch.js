// The rematch, in one step: after a game each seated player taps Rematch (the server keeps it as
// their `ready`, so everyone sees who is in); once all are in, the room is back in the lobby and
// the next game starts by itself after a countdown (`starts_in_ms` on the `rematch` event). The
// host may also start it at once. Shared by the phone and the big screen.

import { h } from "./dom.js";
import { amHost, listWords, mySeat } from "./seats.js";

// The countdown on show: the room's code and when its next game starts (this page's clock).
let countdown = null;

/** A `rematch` event with a countdown: the next game starts in `ms`. */
export function startCountdown(code, ms) {
  countdown = ms > 0 ? { code, at: Date.now() + ms } : null;
}

/** The countdown is over or called off (the game started, or the host changed the game). */
export function stopCountdown() {
  countdown = null;
}

/** Whole seconds left before the room's next game starts, or 0 when none is counting down. */
export function secondsLeft(room) {
  if (!countdown || room.phase !== "lobby" || countdown.code !== room.code) return 0;
  return Math.max(0, Math.ceil((countdown.at - Date.now()) / 1000));
}

/** "Next game in 3": a banner that counts itself down (and goes once the game starts), or
 * null. `big` on the big screen. */
export function countdownBanner(room, big = false) {
  if (!secondsLeft(room)) return null;
  const words = () => `Next game in ${secondsLeft(room) || 1}...`;
  const el = h("p", { class: `countdown${big ? " bs-countdown" : ""}`, "data-testid": "countdown", role: "status" }, words());
  const timer = setInterval(() => {
    if (!el.isConnected || !secondsLeft(room)) {
      clearInterval(timer);
      return;
    }
    if (el.textContent !== words()) el.textContent = words();
  }, 200);
  return el;
}

/** Who asked for a rematch, by name, and who did not yet (seated players only). */
export function rematchAsks(room) {
  const seated = room.seats.filter((s) => s.player).map((s) => s.player);
  return { asked: seated.filter((p) => p.ready), waiting: seated.filter((p) => !p.ready) };
}

/** The result's actions: Rematch for a seated player (or who they wait for once they asked, and
 * the host's Start now); a line for everyone else. `ctx.send(button, type, fields)`. */
export function rematchActions(room, ctx) {
  const { asked, waiting } = rematchAsks(room);
  const names = (players) => listWords(players.map((p) => p.name));
  if (mySeat(room) === null) {
    const words = asked.length
      ? `${names(asked)} ${asked.length === 1 ? "wants" : "want"} a rematch...`
      : "Waiting for the players to ask for a rematch...";
    return [h("p", { class: "lobby-note", "data-testid": "rematch-note" }, words)];
  }
  const mine = asked.some((p) => p.id === ctx.meId);
  const others = asked.filter((p) => p.id !== ctx.meId);
  const label = mine
    ? `Waiting for ${names(waiting)}...`
    : others.length
      ? `Rematch: ${names(others)} ${others.length === 1 ? "is" : "are"} in`
      : "Rematch";
  const again = h(
    "button",
    { class: "btn btn-primary btn-big", type: "button", "data-testid": "rematch", disabled: !ctx.online || mine },
    label,
  );
  again.addEventListener("click", () => ctx.send(again, "rematch", { code: room.code }));
  const parts = [again];
  if (mine && amHost(room, ctx.meId)) {
    const now = h("button", { class: "btn btn-secondary", type: "button", "data-testid": "start-now", disabled: !ctx.online }, "Start now");
    now.addEventListener("click", () => ctx.send(now, "start", { code: room.code }));
    parts.push(now);
  }
  return parts;
}
