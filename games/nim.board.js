// Nim's board: what the phones and the big screen draw. It runs in the browser, in a sandboxed
// frame of its own (see docs/make-a-game.md, "2. A board"): it gets the view (what nim.js's view
// returns for this player) and a ctx, and returns what to show. It never changes the game
// itself: ctx.move(...) asks the server, which checks the move with nim.js and sends everyone
// the new view, and then draw is called again.

board({
  draw(view, ctx) {
    // The heap, one stone a character (on the big screen too: the font grows there).
    const heap = h("p", { class: "stones", "aria-label": `${view.stones} stones left` }, "●".repeat(view.stones) || "–");
    const left = h("p", { "data-testid": "stones" }, `${view.stones} stones left`);
    const last = view.last ? h("p", { class: "muted" }, `${ctx.name(view.last.seat)} took ${view.last.take}`) : null;
    // A board brings its own look with a <style> element.
    const style = h("style", {}, ".stones { font-size: 1.6em; letter-spacing: .15em; margin: 0; overflow-wrap: anywhere; }");

    if (ctx.phase !== "playing") return [style, left, heap, last];
    if (ctx.seat === null) return [style, h("p", {}, `${ctx.name(view.turn)} to take`), left, heap, last];
    if (!ctx.myTurn) return [style, h("p", {}, `Waiting for ${ctx.name(view.turn)}…`), left, heap, last];

    // My turn: one button for each number of stones I may take.
    const takes = [1, 2, 3].filter((n) => n <= view.stones);
    const buttons = takes.map((n) =>
      h("button", { "data-testid": `take-${n}`, onclick: () => ctx.move({ take: n }) }, `Take ${n}`),
    );
    return [style, h("p", {}, "Your turn: take the last stone to win"), h("div", { class: "row" }, buttons), left, heap, last];
  },
});
