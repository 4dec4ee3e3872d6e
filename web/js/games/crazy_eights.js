// Crazy eights (crates/games/src/crazy_eights.rs): 2 to 6 players with hidden hands. Follow the
// suit or the rank of the top card; 8s are wild and name the suit to follow. A seat's view has its
// own `hand`; everyone sees `hands` (how many cards each seat holds), `top`, `suit`, `stock`,
// `drawn` and `draws` (cards drawn this turn, and allowed), and `last` (what happened last).
//
// A phone shows the table (every seat's card count, the top card, the suit to follow, the stock)
// and, for a player, the hand as big cards: the playable ones raised on your turn. Tapping an 8
// asks for the suit. The big screen shows the table only: a spectator's view has no hand.

import { h } from "../dom.js";
import { seatName, seatPlayer, who } from "../seats.js";
import { sendFrom } from "./kit.js";

const SUITS = {
  C: { name: "clubs", symbol: "\u2663", red: false },
  D: { name: "diamonds", symbol: "\u2666", red: true },
  H: { name: "hearts", symbol: "\u2665", red: true },
  S: { name: "spades", symbol: "\u2660", red: false },
};
const SUIT_ORDER = ["hearts", "spades", "diamonds", "clubs"];
const BY_NAME = Object.fromEntries(Object.values(SUITS).map((s) => [s.name, s]));
const RANK_WORDS = { A: "ace", J: "jack", Q: "queen", K: "king" };
const DECK = 52;

/** "10D" -> {rank: "10", suit: {name: "diamonds", ...}}. */
function parse(card) {
  return { rank: card.slice(0, -1), suit: SUITS[card.slice(-1)] || { name: "?", symbol: "?", red: false } };
}

/** "10D" -> "10 of diamonds"; "QS" -> "queen of spades". */
export function cardWords(card) {
  const { rank, suit } = parse(card);
  return `${RANK_WORDS[rank] || rank} of ${suit.name}`;
}

function suitWords(name) {
  const s = BY_NAME[name];
  return s ? `${s.symbol} ${name}` : name;
}

/** The rules the client needs to light up the right cards and buttons; the server decides. */
function rules(st) {
  const top = parse(st.top);
  const held = st.hands.reduce((a, b) => a + b, 0);
  const discards = DECK - st.stock - held;
  const canDraw = st.stock > 0 || discards > 1;
  return {
    playable: (card) => {
      const c = parse(card);
      return c.rank === "8" || c.suit.name === st.suit || c.rank === top.rank;
    },
    mayDraw: st.drawn < st.draws && canDraw,
    mayPass: st.drawn >= st.draws || !canDraw,
    canDraw,
  };
}

// The 8 tapped, waiting for its suit (kept across redraws of the same turn).
let pendingEight = null; // {key, card}
// My hand as last drawn, to mark the card just drawn.
const handMemo = new Map(); // `${code}/${game_no}` -> {cards, fresh: Set}

function turnKey(room) {
  return `${room.code}/${room.game_no}/${JSON.stringify(room.state.last)}/${room.state.drawn}`;
}

/** A card face: rank in the corner, a big suit symbol. */
function face(card, cls, attrs = {}) {
  const { rank, suit } = parse(card);
  return h(
    attrs.onclick || attrs.button ? "button" : "div",
    { ...attrs, button: null, class: `ce-card ${suit.red ? "red" : "black"} ${cls || ""}`, "data-card": card },
    h("span", { class: "ce-rank", "aria-hidden": "true" }, rank),
    h("span", { class: "ce-pip", "aria-hidden": "true" }, suit.symbol),
  );
}

function table(room, ctx) {
  const st = room.state;
  const seats = h("ul", { class: "ce-seats", "aria-label": "Players" });
  st.hands.forEach((count, seat) => {
    const p = seatPlayer(room, seat);
    const turn = room.phase === "playing" && (room.turn || []).includes(seat);
    const won = room.phase === "over" && room.outcome && room.outcome.winner === seat;
    const name = ctx.seat === seat ? `${seatName(room, seat)} (you)` : seatName(room, seat);
    seats.append(
      h(
        "li",
        {
          class: `ce-seat p${seat % 8}${turn ? " turn" : ""}${p && !p.connected ? " away" : ""}`,
          "data-testid": `ce-seat-${seat}`,
          "data-count": count,
        },
        h("span", { class: "ce-seat-top" }, h("span", { class: "ce-dot", "aria-hidden": "true" }), h("span", { class: "ce-seat-name" }, name)),
        h(
          "span",
          { class: "ce-seat-meta" },
          h("span", { class: "ce-count" }, `${count} ${count === 1 ? "card" : "cards"}`),
          turn ? h("span", { class: "tag tag-turn" }, "to play") : null,
          won ? h("span", { class: "tag tag-win" }, "winner") : null,
          p && !p.connected ? h("span", { class: "tag tag-away" }, "offline") : null,
        ),
      ),
    );
  });

  const top = parse(st.top);
  const named = top.suit.name !== st.suit;
  return h(
    "div",
    { class: "ce-table-wrap" },
    seats,
    h(
      "div",
      { class: "ce-table" },
      h(
        "div",
        { class: "ce-pile" },
        h("span", { class: "ce-label" }, "Top card"),
        face(st.top, `ce-top${ctx.fresh && st.last.action === "played" ? " fresh" : ""}`, {
          "data-testid": "top-card",
          role: "img",
          "aria-label": `Top card: ${cardWords(st.top)}`,
        }),
      ),
      h(
        "div",
        { class: "ce-facts" },
        h(
          "p",
          { class: `ce-suit ${BY_NAME[st.suit] && BY_NAME[st.suit].red ? "red" : "black"}${named ? " named" : ""}`, "data-testid": "suit", "data-suit": st.suit },
          h("span", { class: "ce-label" }, named ? "Suit named" : "Follow"),
          h("b", {}, suitWords(st.suit)),
        ),
        h(
          "p",
          { class: "ce-stock", "data-testid": "stock", "data-stock": st.stock },
          h("span", { class: "ce-label" }, "Stock"),
          h("b", {}, `${st.stock} ${st.stock === 1 ? "card" : "cards"}`),
        ),
      ),
    ),
  );
}

function board(room, ctx) {
  const st = room.state;
  const wrap = h("div", { class: `ce${ctx.big ? " ce-big" : ""}`, "data-testid": "board" }, table(room, ctx));
  if (ctx.big || ctx.seat === null || !Array.isArray(st.hand)) return wrap;
  wrap.append(hand(room, ctx, wrap));
  return wrap;
}

/** My hand, the Draw and Pass buttons, and the suit picker for an 8. */
function hand(room, ctx, wrap) {
  const st = room.state;
  const r = rules(st);
  const mine = ctx.canMove;
  const memoKey = `${room.code}/${room.game_no}`;
  let memo = handMemo.get(memoKey);
  if (!memo || memo.cards.join() !== st.hand.join()) {
    const drew = memo && st.last.action === "drew" && st.last.seat === ctx.seat;
    const fresh = drew ? st.hand.filter((c) => !memo.cards.includes(c)) : [];
    memo = { cards: st.hand.slice(), fresh: new Set(fresh) };
    handMemo.set(memoKey, memo);
  }

  const section = h("div", { class: "ce-mine" });
  const count = st.hand.length;
  section.append(h("h3", { class: "ce-hand-title", "data-testid": "hand-count" }, `Your hand: ${count} ${count === 1 ? "card" : "cards"}`));
  const cards = h("div", { class: "ce-hand", role: "group", "aria-label": `Your hand, ${count} cards`, "data-testid": "hand" });
  for (const card of st.hand) {
    const playable = mine && r.playable(card);
    const isNew = memo.fresh.has(card);
    const label = `${cardWords(card)}${isNew ? ", just drawn" : ""}${mine ? (playable ? ", playable" : ", cannot be played now") : ""}`;
    const b = face(card, `${playable ? "playable" : mine ? "dim" : ""}${isNew ? " new" : ""}`, {
      button: true,
      type: "button",
      "data-testid": `card-${card}`,
      "data-playable": playable ? "true" : "false",
      "aria-label": label,
      disabled: !playable,
    });
    b.addEventListener("click", () => {
      if (parse(card).rank === "8") {
        pendingEight = { key: turnKey(room), card };
        section.replaceWith(suitPicker(room, ctx, wrap, card));
        const first = wrap.querySelector("[data-testid=suit-hearts]");
        first.focus();
        first.closest(".ce-picker").scrollIntoView({ block: "nearest" });
      } else {
        sendFrom(wrap, ctx, { play: card }, b);
      }
    });
    cards.append(b);
  }
  section.append(cards);

  const draw = h(
    "button",
    { class: "btn btn-secondary ce-draw", type: "button", "data-testid": "draw", disabled: !(mine && r.mayDraw) },
    "Draw",
    h("small", {}, `${Math.max(0, st.draws - st.drawn)} of ${st.draws} left`),
  );
  draw.addEventListener("click", () => sendFrom(wrap, ctx, { draw: true }, draw));
  const pass = h("button", { class: "btn btn-secondary ce-pass", type: "button", "data-testid": "pass", disabled: !(mine && r.mayPass) }, "Pass");
  pass.addEventListener("click", () => sendFrom(wrap, ctx, { pass: true }, pass));
  section.append(h("div", { class: "ce-actions" }, draw, pass));
  section.append(h("p", { class: "ce-hint", "data-testid": "hint" }, hint(room, ctx, r)));

  if (pendingEight && pendingEight.key === turnKey(room) && mine && st.hand.includes(pendingEight.card)) {
    return suitPicker(room, ctx, wrap, pendingEight.card);
  }
  pendingEight = null;
  return section;
}

function hint(room, ctx, r) {
  const st = room.state;
  if (room.phase !== "playing") return "";
  if (!ctx.canMove) return "Wait for your turn.";
  const any = st.hand.some(r.playable);
  if (r.mayPass && !r.canDraw) return any ? "Nothing to draw: play or pass." : "Nothing to draw: pass.";
  if (r.mayPass) return any ? "Play a raised card, or pass." : "No card fits: pass.";
  return any ? "Play a raised card, or draw." : "No card fits: draw.";
}

/** Four big buttons: the suit an 8 names. */
function suitPicker(room, ctx, wrap, card) {
  const panel = h(
    "div",
    { class: "ce-picker", role: "group", "aria-label": `Name a suit for your ${cardWords(card)}`, "data-testid": "suit-picker" },
    h("p", { class: "ce-picker-title" }, `Your ${cardWords(card)}: which suit comes next?`),
  );
  const grid = h("div", { class: "ce-suit-grid" });
  for (const name of SUIT_ORDER) {
    const s = BY_NAME[name];
    const b = h(
      "button",
      { class: `ce-suit-btn ${s.red ? "red" : "black"}`, type: "button", "data-testid": `suit-${name}` },
      h("span", { class: "ce-pip", "aria-hidden": "true" }, s.symbol),
      h("span", {}, name[0].toUpperCase() + name.slice(1)),
    );
    b.addEventListener("click", () => {
      pendingEight = null;
      sendFrom(wrap, ctx, { play: card, suit: name }, b);
    });
    grid.append(b);
  }
  const cancel = h("button", { class: "btn btn-link", type: "button", "data-testid": "suit-cancel" }, "Keep the 8");
  cancel.addEventListener("click", () => {
    pendingEight = null;
    panel.replaceWith(hand(room, ctx, wrap));
  });
  panel.append(grid, cancel);
  return panel;
}

/** Only my own turn gets its own words; the generic line says whose turn it is. */
function status(room, me) {
  if (me === null || !(room.turn || []).includes(me)) return null;
  return { text: `Your turn: follow ${suitWords(room.state.suit)}`, mood: "you" };
}

function lastMove(room) {
  const st = room.state;
  if (!st || !st.last) return "";
  const last = st.last;
  switch (last.action) {
    case "dealt":
      return `Cards dealt: the ${cardWords(st.top)} is turned up`;
    case "played":
      return `${who(room, last.seat)} played the ${cardWords(last.card)}${last.suit ? ` and named ${last.suit}` : ""}`;
    case "drew":
      return `${who(room, last.seat)} drew a card`;
    case "passed":
      return `${who(room, last.seat)} passed`;
    case "dropped_out":
      return `${who(room, last.seat)} left the game; their cards went under the stock`;
    default:
      return "";
  }
}

function outcome(room) {
  const { winner, reason } = room.outcome;
  if (reason === "out") return "No cards left";
  if (reason === "last_player") return "Everyone else left";
  if (reason === "blocked") return winner === null || winner === undefined ? "Blocked: a tie on cards" : "Blocked: fewest cards left";
  return null;
}

export default {
  kind: "crazy_eights",
  name: "Crazy eights",
  blurb: "Follow suit or rank, 8s are wild, 2 to 6 players",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><rect x="6" y="9" width="22" height="32" rx="4" fill="#f3f4ff" transform="rotate(-12 17 25)"/><rect x="20" y="7" width="22" height="32" rx="4" fill="#fbfbff" stroke="#14162e" stroke-width="1.5" transform="rotate(10 31 23)"/><text x="31" y="30" font-size="16" font-weight="900" text-anchor="middle" fill="#d62839" font-family="sans-serif" transform="rotate(10 31 23)">8</text></svg>`,
  rematch: "same seats, a new deal.",
  ownPlayers: true,
  flow: true,
  board,
  status,
  lastMove,
  moveKey: (room) => `${room.state.stock}/${room.state.hands.join()}/${JSON.stringify(room.state.last)}`,
  outcome,
};
