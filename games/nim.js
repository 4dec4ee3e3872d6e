// Nim: a heap of stones; each turn a player takes 1, 2 or 3 of them. Whoever takes the last
// stone wins. A game script for Capital: see docs/make-a-game.md.
//
// The server keeps the game's state (the object setup returns) and calls these functions with
// it. They never change it in place: move returns the next state. That way the server can check
// every move, keep the history, and rebuild the game after a restart by playing the moves again.

game({
  name: "Nim",
  author: "Capital",
  about: "Take 1 to 3 stones; whoever takes the last one wins. Move: {\"take\": 2}",
  players: { min: 2, max: 2 },
  options: {
    stones: { label: "Stones", min: 5, max: 50, default: 15 },
  },

  // The state at the start. `options` has every option, defaults filled in.
  setup({ options }) {
    return { stones: options.stones, turn: 0, last: null };
  },

  // Whose move the game waits for: a list of seats (0 is the first player).
  turn(state) {
    return [state.turn];
  },

  // A move: check it, then return the next state. A move the rules refuse returns invalid(why):
  // the player sees why, and nothing changes.
  move(state, seat, move, { invalid }) {
    const take = move.take;
    if (!Number.isInteger(take) || take < 1 || take > 3) return invalid("take 1, 2 or 3 stones");
    if (take > state.stones) return invalid(`only ${state.stones} left`);
    return { stones: state.stones - take, turn: 1 - seat, last: { seat, take } };
  },

  // What a seat (or a spectator: seat is null) sees. Nim hides nothing.
  view(state, seat) {
    return state;
  },

  // null while the game goes on; then who won and why.
  outcome(state) {
    if (state.stones > 0) return null;
    return { winner: state.last.seat, reason: "last_stone" };
  },

  // A turn timer ran out: take one stone for the player (without this, they would lose).
  timeout(state, seat) {
    return { take: 1 };
  },
});
