// {{name}}'s BOARD: what the phones and the big screen show. It runs in the browser, inside a
// sandbox: it cannot see anything of the page around it (not the player's login, not other
// rooms), only what the server's rules let this player see. Save it and reload the page.
//
// draw(view, ctx) is called every time something changes, and returns what to show.
//   view        what {{kind}}.js's view() returned for this player
//   ctx.seat    my seat (0, 1, ...), or null on the big screen and for watchers
//   ctx.myTurn  true when it is my move now
//   ctx.move(m) sends a move to the server (which checks it with the rules)
//   ctx.name(s) the name of the player in seat s
//   ctx.phase   "playing" or "over"; ctx.big is true on the big screen
// h(tag, attributes, ...children) makes an element: h("button", {onclick: f}, "Roll").

const FACES = ["", "⚀", "⚁", "⚂", "⚃", "⚄", "⚅"];

board({
  draw(view, ctx) {
    // Everyone's score, the player on turn marked.
    const scores = view.scores.map((score, seat) =>
      h("p", { class: seat === view.turn ? "" : "muted" }, `${seat === view.turn ? "▶ " : ""}${ctx.name(seat)}: ${score}`),
    );
    const die = h("p", { class: "big-text", "data-testid": "die" }, view.roll ? FACES[view.roll] : "🎲");
    const pot = h("p", { "data-testid": "pot" }, `Pot: ${view.pot}   (first to ${view.target})`);

    if (ctx.phase !== "playing" || !ctx.myTurn) {
      const waiting = ctx.phase === "playing" ? h("p", {}, `${ctx.name(view.turn)} is rolling…`) : null;
      return [h("div", {}, scores), die, pot, waiting];
    }
    // My turn: two buttons, each sends a move.
    const buttons = h("div", { class: "row" },
      h("button", { "data-testid": "roll", onclick: () => ctx.move({ roll: true }) }, "Roll"),
      h("button", { "data-testid": "hold", class: "light", disabled: view.pot === 0, onclick: () => ctx.move({ hold: true }) }, `Hold ${view.pot}`),
    );
    return [h("div", {}, scores), die, pot, h("p", {}, "Your turn!"), buttons];
  },
});
