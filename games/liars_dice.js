// Liar's dice, for 2 to 6: everyone rolls five dice under a cup and sees only their own. In
// turn, players bid on how many dice of one face are on the whole table ("four 3s"); each bid
// must be higher than the last. Instead of bidding, a player may call the last bid a lie: the
// cups are lifted, and whoever was wrong loses a die. Lose all your dice and you are out; the
// last player with dice wins. A game script for Capital: see docs/make-a-game.md.
//
// Hidden information: the state holds every player's dice, but view() gives each player only
// their own (and how many dice the others have). The server never sends the state itself.

const DICE = 5;

// A fresh roll of `count` dice, each 1 to 6, from the game's own random numbers.
function roll(count, random) {
  return Array.from({ length: count }, () => random.int(6) + 1);
}

// The next seat after `seat` that still has dice.
function next(state, seat) {
  const n = state.dice.length;
  for (let step = 1; step <= n; step++) {
    const s = (seat + step) % n;
    if (state.dice[s].length > 0) return s;
  }
  return seat;
}

// Everyone still in rolls again; `starter` bids first.
function newRound(state, starter, random) {
  return {
    ...state,
    dice: state.dice.map((d) => roll(d.length, random)),
    bid: null,
    turn: state.dice[starter].length > 0 ? starter : next(state, starter),
  };
}

game({
  name: "Liar's dice",
  author: "Capital",
  about: 'Bid how many dice of a face are on the table, or call the last bid a lie. Moves: {"bid": {"count": 4, "face": 3}} or {"call": true}',
  players: { min: 2, max: 6 },
  rotateSeats: false,

  setup({ players }, { random }) {
    const dice = Array.from({ length: players }, () => roll(DICE, random));
    return { dice, bid: null, turn: 0, reveal: null };
  },

  turn(state) {
    return [state.turn];
  },

  move(state, seat, move, { random, invalid }) {
    if (move.call === true) {
      if (!state.bid) return invalid("there is no bid to call yet: make one");
      const { count, face, seat: bidder } = state.bid;
      const shown = state.dice.flat().filter((d) => d === face).length;
      // The bid was true: the caller loses a die. A lie: the bidder does.
      const loser = shown >= count ? seat : bidder;
      const dice = state.dice.map((d, s) => (s === loser ? d.slice(1) : d));
      const reveal = { dice: state.dice, bid: state.bid, caller: seat, shown, loser };
      return newRound({ ...state, dice, reveal }, loser, random);
    }
    const bid = move.bid;
    if (!bid || !Number.isInteger(bid.count) || !Number.isInteger(bid.face)) {
      return invalid('bid like {"bid": {"count": 4, "face": 3}}, or call: {"call": true}');
    }
    if (bid.face < 1 || bid.face > 6) return invalid("a face is 1 to 6");
    const total = state.dice.flat().length;
    if (bid.count < 1 || bid.count > total) return invalid(`a count is 1 to ${total}, the dice on the table`);
    const last = state.bid;
    if (last && !(bid.count > last.count || (bid.count === last.count && bid.face > last.face))) {
      return invalid(`bid higher than ${last.count} × ${last.face}: more dice, or the same number of a higher face`);
    }
    return { ...state, bid: { count: bid.count, face: bid.face, seat }, turn: next(state, seat) };
  },

  // Your own dice; of the others, only how many they have. The last reveal is public.
  view(state, seat) {
    return {
      mine: seat === null ? null : state.dice[seat],
      counts: state.dice.map((d) => d.length),
      bid: state.bid,
      turn: state.turn,
      reveal: state.reveal,
    };
  },

  outcome(state) {
    const left = state.dice.map((d, s) => (d.length > 0 ? s : -1)).filter((s) => s >= 0);
    return left.length === 1 ? { winner: left[0], reason: "last_with_dice" } : null;
  },

  // Out of time: call the bid if there is one, else bid one of a kind.
  timeout(state) {
    return state.bid ? { call: true } : { bid: { count: 1, face: 6 } };
  },

  // A player who leaves loses their dice; the game goes on without them.
  dropOut(state, seat) {
    const dice = state.dice.map((d, s) => (s === seat ? [] : d));
    const after = { ...state, dice };
    return state.turn === seat ? { ...after, turn: next(after, seat) } : after;
  },
});
