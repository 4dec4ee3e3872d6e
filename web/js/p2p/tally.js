// What the host's phone measures of a peer-to-peer room's games, for the comparison of the two
// models on the big screen (docs/models.md): the games and moves it ran, and how long each move
// took the phone that made it. The host times its own moves; another player's phone says how long
// its move took (`{t: "took", ms}`, from sending the move to the view that answered it), once for
// each move the host took from that seat. The server-mode figures are the server's own
// (`room_stats`); these never go through the server: the host sends them to the big screen over
// its data channel (`{t: "stats", ...}`).

/** The latest move times kept (the percentiles are of these), as the server keeps them. */
export const MAX_TIMES = 512;
/** The longest time a move may be said to take, in milliseconds. */
export const MAX_MOVE_MS = 60_000;
/** Moves of one seat that may wait for their time. */
const MAX_UNTIMED = 4;

export class Tally {
  constructor() {
    this.games = 0;
    this.moves = 0;
    this.timed = 0;
    this.times = [];
    this.untimed = new Map(); // seat -> moves not yet timed
  }

  gameStarted() {
    this.games += 1;
    this.untimed.clear();
  }

  /** The host took a move of `seat`. */
  moved(seat) {
    this.moves += 1;
    this.untimed.set(seat, Math.min(MAX_UNTIMED, (this.untimed.get(seat) || 0) + 1));
  }

  /** `seat`'s phone says its move took `ms`: taken once for each of its moves (true), else not. */
  took(seat, ms) {
    const owed = this.untimed.get(seat) || 0;
    if (!owed || !Number.isFinite(ms) || ms < 0 || ms > MAX_MOVE_MS) return false;
    this.untimed.set(seat, owed - 1);
    this.timed += 1;
    this.times.push(Math.round(ms));
    if (this.times.length > MAX_TIMES) this.times.shift();
    return true;
  }

  /** The figures: {games, moves, timed, p50_ms, p99_ms} (the percentiles null before a time). */
  view() {
    const sorted = [...this.times].sort((a, b) => a - b);
    return { games: this.games, moves: this.moves, timed: this.timed, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99) };
  }
}

/** The nearest-rank `p`th percentile of `sorted` (null of nothing), as the server counts it. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1];
}
