// Rock paper scissors (docs/games.md): both seats choose in secret each round; the view shows
// that a seat has chosen, and only your own choice, until the round is revealed. A round that
// resolves while the page watches is revealed after a 3-2-1 (fun/reveal.js): meanwhile the
// score is the one before the round, and nobody chooses the next one.

import { h } from "../dom.js";
import { listWords, seatName } from "../seats.js";
import { icon, sendFrom } from "./kit.js";
import { countdownEl, revealLeft, startReveal } from "../fun/reveal.js";

// Our own icons, drawn for Capital.
const ICONS = {
  rock: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M12 64 L20 32 L46 14 L76 20 L92 48 L84 80 L50 90 L22 82 Z" fill="currentColor"/><path d="M46 14 L54 46 L20 32 M54 46 L92 48 M54 46 L50 90" stroke="rgba(0,0,0,.28)" stroke-width="4" stroke-linejoin="round" fill="none"/></svg>',
  paper: '<svg viewBox="0 0 100 100" aria-hidden="true"><path d="M20 6 H64 L82 24 V94 H20 Z" fill="currentColor"/><path d="M64 6 V24 H82" fill="rgba(0,0,0,.25)"/><path d="M32 42 H70 M32 56 H70 M32 70 H58" stroke="rgba(0,0,0,.3)" stroke-width="5" stroke-linecap="round"/></svg>',
  scissors: '<svg viewBox="0 0 100 100" aria-hidden="true"><circle cx="26" cy="76" r="14" stroke="currentColor" stroke-width="8" fill="none"/><circle cx="74" cy="76" r="14" stroke="currentColor" stroke-width="8" fill="none"/><path d="M35 65 L70 6 M65 65 L30 6" stroke="currentColor" stroke-width="9" stroke-linecap="round"/><circle cx="50" cy="40" r="4.5" fill="rgba(0,0,0,.4)"/></svg>',
};

const CHOICES = ["rock", "paper", "scissors"];
const CHOICE_NAMES = { rock: "Rock", paper: "Paper", scissors: "Scissors" };

/** The game on show and how many of its rounds this page has seen: a round resolved since is
 * news, and is counted down; the rounds played before the page saw the game are not. */
let seen = { game: "", rounds: 0 };

/** The count left before the last round shows (3, 2, 1), or 0. Starts the count the first time
 * a new round is seen; the status line and the board both ask, in either order. */
function revealFor(room) {
  const st = room.state;
  if (!st || !Array.isArray(st.rounds)) return 0;
  const game = `${room.code}/${room.game_no}`;
  const n = st.rounds.length;
  if (seen.game !== game) seen = { game, rounds: n };
  else if (n > seen.rounds) {
    seen.rounds = n;
    startReveal(`${game}/${n}`);
  }
  return revealLeft(`${game}/${n}`);
}

function board(room, ctx) {
  const st = room.state;
  const me = ctx.seat;
  const wrap = h("div", { class: "rps", "data-testid": "board" });
  const toWin = Math.floor(st.best_of / 2) + 1;
  const counting = revealFor(room) > 0;
  const last = st.rounds[st.rounds.length - 1];
  // While the count goes on, the score is the one before the round.
  const points = (seat) => st.score[seat] - (counting && last && last.winner === seat ? 1 : 0);

  // The score, with who has already chosen this round (public: never what they chose).
  const score = h("div", { class: "rps-score" });
  [0, 1].forEach((seat) => {
    const chosen = room.phase === "playing" && !counting && st.chosen[seat];
    const waiting = room.phase === "playing" && !counting && !st.chosen[seat];
    score.append(
      h(
        "div",
        { class: `rps-side p${seat}`, "data-testid": `score-${seat}` },
        h("span", { class: "rps-name" }, me === seat ? `${seatName(room, seat)} (you)` : seatName(room, seat)),
        h("span", { class: "rps-points", "aria-label": `${points(seat)} points` }, String(points(seat))),
        h("span", { class: "rps-state" }, chosen ? "has chosen" : waiting ? "choosing..." : ""),
      ),
    );
    if (seat === 0) score.append(h("span", { class: "rps-vs", "aria-hidden": "true" }, ":"));
  });
  wrap.append(score);
  const round = counting ? st.rounds.length : st.round;
  wrap.append(h("p", { class: "rps-round" }, `Round ${round} - first to ${toWin} wins (best of ${st.best_of})`));

  // The last round: counted down, then revealed.
  if (counting) {
    wrap.append(h("div", { class: "rps-reveal rps-counting" }, countdownEl({ class: "reveal-count", "data-testid": "rps-countdown" })));
  } else if (last) {
    const result =
      last.winner === null ? "Tie: nobody scores" : `${me === last.winner ? "You win" : `${seatName(room, last.winner)} wins`} round ${st.rounds.length}`;
    wrap.append(
      h(
        "div",
        { class: "rps-reveal", "data-testid": "last-round", "aria-label": `Round ${st.rounds.length}: ${seatName(room, 0)} ${last.choices[0]}, ${seatName(room, 1)} ${last.choices[1]}. ${result}` },
        h("div", { class: `rps-shown p0${last.winner === 0 ? " won" : ""}` }, icon(ICONS[last.choices[0]]), h("span", {}, CHOICE_NAMES[last.choices[0]])),
        h("div", { class: "rps-result" }, result),
        h("div", { class: `rps-shown p1${last.winner === 1 ? " won" : ""}` }, icon(ICONS[last.choices[1]]), h("span", {}, CHOICE_NAMES[last.choices[1]])),
      ),
    );
  }

  // My choice buttons (players only, while playing).
  if (me !== null && room.phase === "playing") {
    const picks = h("div", { class: "rps-picks", role: "group", "aria-label": "Your choice" });
    for (const choice of CHOICES) {
      const picked = st.your_choice === choice;
      const b = h(
        "button",
        {
          class: `rps-pick${picked ? " picked" : ""}`,
          "data-testid": `choice-${choice}`,
          "aria-pressed": picked ? "true" : "false",
          disabled: !ctx.canMove || counting,
        },
        icon(ICONS[choice]),
        h("span", {}, CHOICE_NAMES[choice]),
      );
      b.addEventListener("click", () => sendFrom(wrap, ctx, { choice }, b));
      picks.append(b);
    }
    wrap.append(picks);
    if (st.your_choice) {
      wrap.append(h("p", { class: "rps-hint" }, `You chose ${CHOICE_NAMES[st.your_choice]}. It stays secret until both have chosen.`));
    }
  }
  return wrap;
}

/** Both may be on turn at once: "Your move: choose!", or who is still choosing. */
function status(room, me) {
  const turn = room.turn || [];
  if (me !== null && turn.includes(me)) return { text: "Your move: choose!", mood: "you" };
  const waiting = turn.map((s) => seatName(room, s));
  if (waiting.length === 0) return { text: "Revealing...", mood: "wait" };
  return { text: `Waiting for ${listWords(waiting)} to choose`, mood: "wait" };
}

function lastMove(room) {
  const n = room.state ? room.state.rounds.length : 0;
  return n > 0 ? `${n} round${n === 1 ? "" : "s"} played` : "";
}

function outcome(room) {
  const { winner, reason } = room.outcome;
  if (reason !== "best_of") return null;
  const score = room.state && room.state.score;
  return score ? `${score[winner]}-${score[1 - winner]} in rounds` : "";
}

export default {
  kind: "rps",
  name: "Rock paper scissors",
  blurb: "Pick in secret, then reveal",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M6 20c-2-6 3-11 8-11s9 3 9 8-3 9-9 9-7-2-8-6z" fill="#ff6b6b"/><path d="M27 6h12l4 4v16H27z" fill="#44d1e6"/><circle cx="16" cy="40" r="4" fill="none" stroke="#ffc83d" stroke-width="3"/><circle cx="32" cy="40" r="4" fill="none" stroke="#ffc83d" stroke-width="3"/><path d="M19 37l12-11M29 37L17 26" stroke="#ffc83d" stroke-width="3" stroke-linecap="round"/></svg>`,
  rematch: "seats swapped, the other player goes first.",
  ownPlayers: true,
  flow: true,
  board,
  status,
  lastMove,
  moveKey: (room) => String(room.state.rounds.length),
  suspense: (room) => (revealFor(room) > 0 ? { text: "Revealing...", mood: "wait" } : null),
  outcome,
};
