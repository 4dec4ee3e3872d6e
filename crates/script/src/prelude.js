// Run in every game script's sandbox before the script itself. It gives the script `game(...)`
// to declare its rules and `invalid(...)` to refuse a move, takes away what would make a game
// depend on anything but its moves (the clock, Math.random), and defines the one entry point the
// server calls: __call(name, argsJson) -> resultJson.
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

  Object.defineProperty(globalThis, "__call", {
    value: (name, args) => {
      if (!definition) throw new Error("the script never called game({...})");
      if (name === "$meta") {
        const meta = { ...definition, $board: hasBoard };
        return JSON.stringify(meta, (key, value) => (typeof value === "function" ? true : value));
      }
      const rule = definition[name];
      if (typeof rule !== "function") return "null";
      const out = rule.apply(definition, [...JSON.parse(args), tools]);
      return JSON.stringify(out === undefined ? null : out);
    },
  });
})();
