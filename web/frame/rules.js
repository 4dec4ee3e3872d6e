// Runs first in a script game's rules frame (crates/server/src/rules_frame.rs), on the phone
// of a peer-to-peer room's host: the game's rules run here, not on the server. The frame is a
// sandbox with an origin of its own: no cookies, no storage, no access to the page around it,
// no network. It gives the rules script `game({...})` and `invalid(...)` as the server's
// runtime does (crates/script/src/prelude.js), with a seeded generator for `random` (the page
// chooses the seed), and answers the page's calls:
//
//   page  -> frame  {id, call: "seed", args: [n]}       n: a whole number, 0 to 2^32 - 1
//   page  -> frame  {id, call: "setup"|"turn"|"move"|"view"|"outcome", args: [...]}
//   frame -> page   {id, ok: true, value}  or  {id, ok: false, error: "why (nim.js line 12)"}
//
// and once, when the script has run: {ready: true}, or {ready: false, error}. The arguments
// are those the server gives (setup [{players, options}], turn [state], move [state, seat,
// move], view [state, seat], outcome [state]); every rule also gets {random, invalid} last. A
// refused move answers {$invalid: why}; a rule the script lacks answers null. Values go both
// ways as JSON: each call gets fresh copies, so a rule that changes its state changes nothing.
"use strict";
(() => {
  const source = JSON.parse(document.getElementById("rules-source").textContent);
  const send = (msg) => parent.postMessage(msg, "*");
  let definition = null;

  // xoshiro128**, its four words filled from the seed by splitmix32.
  const s = new Uint32Array(4);
  function seed(n) {
    let x = n >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (!(s[0] | s[1] | s[2] | s[3])) s[0] = 1;
  }
  const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
  function next32() {
    const out = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return out;
  }
  /** A whole number in 0..n-1, without bias (n at most 2^32). */
  function draw(n) {
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = next32();
      if (x < limit) return x % n;
    }
  }
  seed(0);

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
  const invalid = (why) => ({ $invalid: String(why === undefined ? "not a legal move" : why) });
  const tools = Object.freeze({ random, invalid });

  Object.defineProperty(globalThis, "game", {
    value: function game(rules) {
      if (definition) throw new Error("game() was called twice: a script declares one game");
      if (!rules || typeof rules !== "object") throw new Error("game() takes an object with the rules");
      definition = rules;
    },
  });
  Object.defineProperty(globalThis, "invalid", { value: invalid });
  // A file that holds its board too calls board(...): the board runs in its own frame.
  Object.defineProperty(globalThis, "board", { value: () => {} });
  // As on the server: no clock, no Math.random (a game depends only on its moves and seed).
  delete globalThis.Date;
  Math.random = () => {
    throw new Error("Math.random is not available in a game: use the random given to setup and move");
  };

  const RULES = new Set(["setup", "turn", "move", "view", "outcome"]);

  /** " (nim.js line 12)" from an error's stack, when it says. */
  function where(e) {
    const m = e && typeof e.stack === "string" && e.stack.match(/([\w.-]+\.js):(\d+)/);
    return m ? ` (${m[1]} line ${m[2]})` : "";
  }

  function call(name, args) {
    if (name === "seed") {
      seed(Number(args[0]) || 0);
      return null;
    }
    if (!RULES.has(name)) throw new Error(`no such call: ${name}`);
    if (!definition) throw new Error(`${source.file} never called game({...})`);
    const f = definition[name];
    if (typeof f !== "function") return null;
    const out = f.apply(definition, [...JSON.parse(JSON.stringify(args)), tools]);
    return out === undefined ? null : JSON.parse(JSON.stringify(out));
  }

  addEventListener("message", (e) => {
    if (e.source !== parent || !e.data || typeof e.data.call !== "string" || !Array.isArray(e.data.args)) return;
    const { id } = e.data;
    try {
      send({ id, ok: true, value: call(e.data.call, e.data.args) });
    } catch (err) {
      send({ id, ok: false, error: `${err && err.message ? err.message : err}${where(err)}` });
    }
  });

  // Runs the rules script (given as JSON in the page, so nothing in it can end a script tag).
  let failed = null;
  addEventListener("error", (e) => {
    failed = failed || `${e.message} (${source.file} line ${e.lineno})`;
  });
  const script = document.createElement("script");
  script.textContent = `${source.text}\n//# sourceURL=${source.file}`;
  document.head.append(script);
  if (failed || !definition) send({ ready: false, error: failed || `${source.file} never called game({...})` });
  else send({ ready: true });
})();
