// The game of a peer-to-peer room, on the host's phone: the host runs the rules (in the rules
// frame, rules.js), keeps the state, checks every move (is it that seat's turn, do the rules
// take it), and sends each player what their seat may see: `view(state, seat)`, whose turn it
// is and, at the end, the outcome. Nobody else ever gets the state itself. A big screen
// watching gets the spectators' view, `view(state, null)`, and the host's figures (tally.js).
// The messages (docs/protocol.md, "Peer-to-peer rooms"):
//
//   host -> player  {t: "view", game, seat, phase: "playing"|"over", state, turn, outcome}
//   player -> host  {t: "move", move}
//   host -> player  {t: "invalid", why}          that move was refused; nothing changed
//   player -> host  {t: "took", ms}              how long my last move took me
//   host -> screen  {t: "view", seat: null, ...} and {t: "stats", games, moves, timed, p50_ms, p99_ms}
//   host -> player  {t: "bye"}                   the host's page is going (the game ends)

import { Rules } from "./rules.js";
import { Tally } from "./tally.js";

export class GameHost {
  /**
   * @param {string} kind  the script game
   * @param {(seat: number|null, msg: object) => void} sendTo  sends a message to the player of a
   *   seat (the host's own seat included: the page draws it), or with seat null to the screens
   * @param {() => boolean} watched  whether a big screen is connected (views and figures for it)
   */
  constructor(kind, sendTo, watched = () => false) {
    this.rules = new Rules(kind);
    this.sendTo = sendTo;
    this.watched = watched;
    this.tally = new Tally();
    this.game = 0; // games started on this phone
    this.players = []; // player id by seat, for the game on
    this.state = null;
    this.turn = [];
    this.outcome = null;
    this.queue = Promise.resolve(); // one move at a time, in order
  }

  /** The seat of player `id` in the game on, or null. */
  seatOf(id) {
    const seat = this.players.indexOf(id);
    return seat < 0 ? null : seat;
  }

  /** Starts a game for `players` (ids by seat) with `options`, from a fresh seed. */
  start(players, options) {
    return this.serially(async () => {
      this.game += 1;
      this.players = [...players];
      const seed = crypto.getRandomValues(new Uint32Array(1))[0];
      await this.rules.call("seed", seed);
      this.state = await this.rules.call("setup", { players: players.length, options });
      this.tally.gameStarted();
      await this.derive();
    });
  }

  /** A move of `seat`: refused (the reason) or played (null), and everyone sees the result. */
  play(seat, move) {
    return this.serially(async () => {
      if (this.state === null || this.outcome) return "the game is over";
      if (!this.turn.includes(seat)) return "it is not your turn";
      const next = await this.rules.call("move", this.state, seat, move);
      if (next === null) return "the rules did not answer that move";
      if (next && typeof next === "object" && next.$invalid !== undefined) return String(next.$invalid);
      this.state = next;
      this.tally.moved(seat);
      await this.derive();
      return null;
    });
  }

  /** What the seat `seat` sees now (null: a screen), to send again (a connection that opened or
   * came back). */
  resend(seat) {
    return this.serially(async () => {
      await this.sendView(seat);
      if (seat === null) this.sendStats();
    });
  }

  /** `seat`'s phone says how long its last move took; the screens get the new figures. */
  took(seat, ms) {
    if (this.tally.took(seat, ms)) this.sendStats();
  }

  /** The figures, to the screens. */
  sendStats() {
    if (this.watched()) this.sendTo(null, { t: "stats", ...this.tally.view() });
  }

  /** Takes the rules frame away. */
  close() {
    this.rules.close();
  }

  /** What follows from the state: the outcome, whose turn, each seat's view (sent). */
  async derive() {
    this.outcome = await this.rules.call("outcome", this.state);
    const turn = this.outcome ? [] : await this.rules.call("turn", this.state);
    this.turn = (Array.isArray(turn) ? turn : []).filter((s) => Number.isInteger(s) && s >= 0 && s < this.players.length);
    for (let seat = 0; seat < this.players.length; seat++) await this.sendView(seat);
    if (this.watched()) {
      await this.sendView(null);
      this.sendStats();
    }
  }

  async sendView(seat) {
    if (this.state === null) return;
    const view = await this.rules.call("view", this.state, seat);
    this.sendTo(seat, {
      t: "view",
      game: this.game,
      seat,
      phase: this.outcome ? "over" : "playing",
      state: view === null ? this.state : view,
      turn: this.turn,
      outcome: this.outcome,
    });
  }

  serially(f) {
    const run = this.queue.then(f);
    this.queue = run.catch(() => {});
    return run;
  }
}
