// Run in every game script's sandbox before the script itself. It gives the script `game(...)`
// to declare its rules and `invalid(...)` to refuse a move, takes away what would make a game
// depend on anything but its moves (the clock, Math.random), and defines the one entry point the
// server calls: __call(name, argsJson) -> resultJson, for one rule or for `$play` (a move and all
// that follows from it) and `$derive` (what follows from a state) in one call.
"use strict";
(() => {
  const draw = globalThis.__draw; // (n) -> a whole number in 0..n-1 from the game's seeded generator
  delete globalThis.__draw;
  let definition = null;
  let hasBoard = false;

  Object.defineProperty(globalThis, "game", {
    value: function game(rules) {
      if (definition) throw new Error("game() was called twice: a script declares one game");
      if (!rules || typeof rules !== "object") throw new Error("game() takes an object with the rules");
      definition = rules;
    },
  });
  // A file may hold its board too: the server only notes that it has one (the board runs in the
  // browser, never here).
  Object.defineProperty(globalThis, "board", {
    value: function board() {
      hasBoard = true;
    },
  });
  Object.defineProperty(globalThis, "invalid", {
    value: function invalid(why) {
      return { $invalid: String(why === undefined ? "not a legal move" : why) };
    },
  });

  // Random numbers come only from the game's generator: replaying the moves replays the dice.
  const whole = (n, what) => {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new RangeError(`${what} needs a whole number from 1 to 2^32, got ${n}`);
    }
    return draw(n);
  };
  const random = Object.freeze({
    /** A whole number from 0 to n - 1. */
    int: (n) => whole(n, "random.int(n)"),
    /** One item of a non-empty list. */
    pick: (list) => list[whole(list.length, "random.pick(list)")],
    /** A shuffled copy of a list. */
    shuffle: (list) => {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = draw(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  });
  const tools = Object.freeze({ random, invalid: globalThis.invalid });

  // No clock: a game must not depend on when it is played.
  delete globalThis.Date;
  Math.random = () => {
    throw new Error("Math.random is not available in a game: use the random given to setup and move");
  };

  // One rule, called with `args` (fresh values: no other rule sees them).
  const rule = (name, args) => {
    const f = definition[name];
    if (typeof f !== "function") return null;
    const out = f.apply(definition, [...args, tools]);
    return out === undefined ? null : out;
  };
  // What follows from a state (as JSON), in a fixed order: the outcome, whose turn (none once
  // over), and the view of each seat and then of spectators (the state itself without view()).
  // Each rule gets its own copy of the state, so that a rule that changes it in place changes
  // nothing the next one sees (a view that wrote into it would show the next seat).
  const derive = (stateJson, players) => {
    const copy = () => JSON.parse(stateJson);
    const outcome = rule("outcome", [copy()]);
    const turn = outcome === null ? rule("turn", [copy()]) : [];
    const views = [];
    for (let seat = 0; seat <= players; seat++) {
      const view = rule("view", [copy(), seat === players ? null : seat]);
      views.push(view === null ? copy() : view);
    }
    return { outcome, turn, views };
  };

  Object.defineProperty(globalThis, "__call", {
    value: (name, args) => {
      if (!definition) throw new Error("the script never called game({...})");
      if (name === "$meta") {
        const meta = { ...definition, $board: hasBoard };
        return JSON.stringify(meta, (key, value) => (typeof value === "function" ? true : value));
      }
      // [state, players]: what follows from the state (see derive).
      if (name === "$derive") {
        const [state, players] = JSON.parse(args);
        return JSON.stringify(derive(JSON.stringify(state), players));
      }
      // [state, seat, move, players]: the move, then (unless it was refused or returned
      // nothing) what follows from the next state, in one call.
      if (name === "$play") {
        const [state, seat, move, players] = JSON.parse(args);
        const next = rule("move", [state, seat, move]);
        if (next === null || next.$invalid !== undefined) return JSON.stringify({ next });
        const nextJson = JSON.stringify(next);
        return `{"next":${nextJson},"then":${JSON.stringify(derive(nextJson, players))}}`;
      }
      return JSON.stringify(rule(name, JSON.parse(args)));
    },
  });
})();
