// Liar's dice's board. Each phone sees its own dice (the view from liars_dice.js has only
// those), how many dice the others have, the bid to beat, and, on its turn, a bid picker and a
// Liar! button. The big screen (ctx.seat is null) sees no dice but the last reveal.

const FACES = ["", "⚀", "⚁", "⚂", "⚃", "⚄", "⚅"];

// What the picker shows, kept across drawings (draw runs again whenever anything changes).
let pick = null;

board({
  draw(view, ctx) {
    const out = [];
    if (view.mine) {
      out.push(h("p", { class: "big-text", "data-testid": "my-dice", "aria-label": `Your dice: ${view.mine.join(", ")}` }, view.mine.map((d) => FACES[d]).join(" ")));
    }
    out.push(
      h("div", { class: "row muted" }, view.counts.map((n, seat) => h("span", {}, `${ctx.name(seat)}: ${n} ${n === 1 ? "die" : "dice"}`))),
    );
    if (view.reveal) {
      const r = view.reveal;
      out.push(h("p", { "data-testid": "reveal" }, `${ctx.name(r.caller)} called ${r.bid.count} × ${FACES[r.bid.face]}: there were ${r.shown}. ${ctx.name(r.loser)} loses a die.`));
    }
    const total = view.counts.reduce((a, b) => a + b, 0);
    out.push(h("p", { "data-testid": "bid" }, view.bid ? `Bid to beat: ${view.bid.count} × ${FACES[view.bid.face]} (${ctx.name(view.bid.seat)})` : "No bid yet"));
    if (ctx.phase !== "playing") return out;
    if (!ctx.myTurn) {
      out.push(h("p", {}, ctx.seat === null ? `${ctx.name(view.turn)} to bid` : `Waiting for ${ctx.name(view.turn)}…`));
      return out;
    }

    // The lowest bid above the last one, to start the picker from.
    const lowest = !view.bid ? { count: 1, face: 2 } : view.bid.face < 6 ? { count: view.bid.count, face: view.bid.face + 1 } : { count: view.bid.count + 1, face: 1 };
    const higher = (b) => !view.bid || b.count > view.bid.count || (b.count === view.bid.count && b.face > view.bid.face);
    if (!pick || !higher(pick) || pick.count > total) pick = { ...lowest };
    const step = (what, by) => () => {
      // Faces go round (6, then 1); counts stop at the ends.
      const next = what === "face" ? { ...pick, face: (pick.face % 6) + 1 } : { ...pick, count: pick.count + by };
      if (next.face >= 1 && next.face <= 6 && next.count >= 1 && next.count <= total) pick = next;
      ctx.redraw();
    };
    out.push(
      h("div", { class: "row" },
        h("button", { class: "light", "aria-label": "fewer", onclick: step("count", -1) }, "−"),
        h("span", { class: "big-text", "data-testid": "pick" }, `${pick.count} × ${FACES[pick.face]}`),
        h("button", { class: "light", "aria-label": "more", onclick: step("count", 1) }, "+"),
        h("button", { class: "light", "aria-label": "next face", onclick: step("face") }, "face"),
      ),
      h("div", { class: "row" },
        h("button", { "data-testid": "bid-send", disabled: !higher(pick), onclick: () => ctx.move({ bid: pick }) }, "Bid"),
        view.bid ? h("button", { "data-testid": "call", onclick: () => ctx.move({ call: true }) }, "Liar!") : null,
      ),
    );
    return out;
  },
});
