// {{name}}: a game for Capital, made with `capital new-game {{kind}}`. It is Pig, a dice game:
// on your turn, roll as often as you like and add up what you roll, but a 1 loses it all and
// ends your turn. Hold to bank what you have. First to {{target}} wins.
//
// This file is the RULES. The server runs it (never the phones): it checks every move with it,
// so nobody can cheat. Its partner, {{kind}}.board.js, draws the game on the phones.
// Save this file and the server reloads it within two seconds; its terminal (and the teacher's
// console) show any mistake with its line. Read docs/make-a-game.md for everything a game can do.

game({
  // What the phones show in their list of games.
  name: "{{name}}",
  author: "Your name",
  about: 'Roll to add to your pot (a 1 loses it), hold to bank it. Moves: {"roll": true} or {"hold": true}',
  // How many may play: a room has `max` seats, and its host may start with `min`.
  players: { min: 2, max: 4 },
  // What the host may choose when creating a room.
  options: {
    target: { label: "Points to win", min: 10, max: 100, step: 5, default: {{target}} },
  },

  // The state at the start: any JSON you like. Keep EVERYTHING the game needs in it.
  setup({ players, options }) {
    return {
      scores: Array(players).fill(0), // one score per seat: seat 0 is the first player
      pot: 0, // what the player on turn has rolled so far this turn
      roll: null, // the last die rolled, to show it
      turn: 0, // whose turn it is
      target: options.target,
    };
  },

  // Which seats the game waits for. Only they may move.
  turn(state) {
    return [state.turn];
  },

  // A move arrives from `seat`. Check it; return the NEXT state (never change `state` itself),
  // or invalid("why"): that player sees why, and nothing changes.
  // `random` is the only randomness there is (Math.random is switched off): the server replays
  // the same dice when it rebuilds a game after a restart.
  move(state, seat, move, { random, invalid }) {
    const next = (seat + 1) % state.scores.length;
    if (move.roll === true) {
      const roll = random.int(6) + 1; // 0..5, plus one
      if (roll === 1) return { ...state, pot: 0, roll, turn: next }; // bust: the turn passes
      return { ...state, pot: state.pot + roll, roll };
    }
    if (move.hold === true) {
      if (state.pot === 0) return invalid("roll at least once before you hold");
      const scores = state.scores.map((s, i) => (i === seat ? s + state.pot : s));
      return { ...state, scores, pot: 0, roll: null, turn: next };
    }
    return invalid('send {"roll": true} or {"hold": true}');
  },

  // What each seat may see (seat is null for the big screen). Pig hides nothing; a card game
  // would give each seat only its own hand here (see docs/make-a-game.md, hidden information).
  view(state, seat) {
    return state;
  },

  // null while the game goes on; then who won, and why (a word or two).
  outcome(state) {
    const winner = state.scores.findIndex((s) => s >= state.target);
    return winner >= 0 ? { winner, reason: "reached_target" } : null;
  },

  // With a turn timer, a player who runs out of time holds (or rolls, with nothing to hold).
  timeout(state, seat) {
    return state.pot > 0 ? { hold: true } : { roll: true };
  },
});
