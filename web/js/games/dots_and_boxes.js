// Dots and boxes (crates/games/src/dots_and_boxes.rs): 2 to 4 players take turns drawing a line
// between two neighbouring dots; whoever draws the fourth side of a box owns it and draws again.
// The view is the same for everyone: `rows` x `cols` boxes, `h` (rows + 1 rows of cols) and `v`
// (rows rows of cols + 1) with the seat that drew each line or null, `boxes` (the owner or null),
// `scores` and `last` ({dir, row, col}). A move is `{"dir": "h" | "v", "row": R, "col": C}`.
//
// The board is an SVG of dots. On my turn every free line has a large diamond around it to tap
// (the diamonds tile the board, so each is one dot spacing across). Drawn lines take the colour
// of the seat that drew them, owned boxes the owner's colour and initial, and the last line a
// white halo. Above it, the scores per seat with the seat on turn and its countdown: rooms of
// this game have a turn timer, and what is left is `deadlines[seat] - server_ms` when the room
// arrived, counted down on the phone's monotonic clock (never its wall clock).

import { h } from "../dom.js";
import { seatName, seatPlayer, who } from "../seats.js";

const SVG = "http://www.w3.org/2000/svg";
const GAP = 100; // dot spacing, in SVG units
const PAD = 26; // margin around the dots

/** An SVG element with attributes. */
function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const kid of kids) if (kid) el.append(kid);
  return el;
}

function initialOf(room, seat) {
  return (seatName(room, seat).trim()[0] || "?").toUpperCase();
}

/** Who drew a line, from the view. */
function drawer(st, line) {
  const grid = line.dir === "h" ? st.h : st.v;
  const row = grid[line.row];
  return row ? row[line.col] : null;
}

/** The boxes either side of a line: [[row, col], ...] inside the grid. */
function sides(st, line) {
  const out = [];
  if (line.dir === "h") {
    if (line.row > 0) out.push([line.row - 1, line.col]);
    if (line.row < st.rows) out.push([line.row, line.col]);
  } else {
    if (line.col > 0) out.push([line.row, line.col - 1]);
    if (line.col < st.cols) out.push([line.row, line.col]);
  }
  return out;
}

/** The boxes the last line closed: an owned box beside it was taken by it (it was one of its
 * four sides, so the box was open before). */
function taken(st) {
  if (!st.last) return [];
  return sides(st, st.last).filter(([r, c]) => st.boxes[r][c] !== null && st.boxes[r][c] !== undefined);
}

/** "the line across row 1, between columns 2 and 3" (dots counted from 1, top left). */
function lineWords(line) {
  if (line.dir === "h") return `the line across row ${line.row + 1}, between columns ${line.col + 1} and ${line.col + 2}`;
  return `the line down column ${line.col + 1}, between rows ${line.row + 1} and ${line.row + 2}`;
}

// The clocks on screen: one timer updates every `.db-clock` from its data-end (performance.now()
// time when the turn runs out); it stops when there is none left.
let ticker = null;
// When this page first saw each room object (the server's time is only valid at receipt).
const seenAt = new WeakMap();

function clockText(ms) {
  const secs = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
}

function tick() {
  const clocks = document.querySelectorAll(".db-clock[data-end]");
  if (!clocks.length) {
    clearInterval(ticker);
    ticker = null;
    return;
  }
  const now = performance.now();
  for (const el of clocks) {
    const left = Number(el.dataset.end) - now;
    const text = clockText(left);
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("low", left <= 10_000);
    el.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
  }
}

/** The countdown for `seat`, or null when the room has no timer running for it. */
function clock(room, seat) {
  const deadline = Array.isArray(room.deadlines) ? room.deadlines[seat] : null;
  if (room.phase !== "playing" || !Number.isFinite(deadline) || !Number.isFinite(room.server_ms)) return null;
  if (!seenAt.has(room)) seenAt.set(room, performance.now());
  const end = seenAt.get(room) + (deadline - room.server_ms);
  const left = end - performance.now();
  const el = h(
    "span",
    {
      class: `db-clock${left <= 10_000 ? " low" : ""}`,
      "data-testid": `db-clock-${seat}`,
      "data-end": String(end),
      "data-left": String(Math.max(0, Math.ceil(left / 1000))),
      role: "timer",
      "aria-label": `Time left for ${seatName(room, seat)}'s turn`,
    },
    clockText(left),
  );
  if (!ticker) ticker = setInterval(tick, 250);
  return el;
}

/** The scores: each seat's colour, name, boxes, and the turn with its countdown. */
function scores(room, ctx) {
  const st = room.state;
  const list = h("ul", { class: "db-seats", "aria-label": "Scores" });
  st.scores.forEach((score, seat) => {
    const p = seatPlayer(room, seat);
    // A seat left empty at the start is not in the game (one that left it shows as left).
    const left = Array.isArray(st.out) && st.out[seat];
    if (!p && score === 0 && !left && !(room.turn || []).includes(seat)) return;
    const turn = room.phase === "playing" && (room.turn || []).includes(seat);
    const won = room.phase === "over" && room.outcome && room.outcome.winner === seat;
    const name = ctx.seat === seat ? `${seatName(room, seat)} (you)` : seatName(room, seat);
    list.append(
      h(
        "li",
        {
          class: `db-seat p${seat % 8}${turn ? " turn" : ""}${p && !p.connected ? " away" : ""}`,
          "data-testid": `db-seat-${seat}`,
        },
        h("span", { class: "db-swatch", "aria-hidden": "true" }, initialOf(room, seat)),
        h("span", { class: "db-name" }, name),
        h(
          "span",
          { class: "db-score", "data-testid": `db-score-${seat}`, "data-score": score, "aria-label": `${score} ${score === 1 ? "box" : "boxes"}` },
          String(score),
        ),
        turn ? h("span", { class: "tag tag-turn" }, "to play") : null,
        turn ? clock(room, seat) : null,
        won ? h("span", { class: "tag tag-win" }, "winner") : null,
        left ? h("span", { class: "tag tag-away" }, "left") : null,
        p && !p.connected ? h("span", { class: "tag tag-away" }, "offline") : null,
      ),
    );
  });
  return list;
}

/** The dots, the lines drawn, the boxes owned and, on my turn, the free lines to tap. */
function grid(room, ctx, wrap) {
  const st = room.state;
  const width = st.cols * GAP + 2 * PAD;
  const height = st.rows * GAP + 2 * PAD;
  const at = (r, c) => [PAD + c * GAP, PAD + r * GAP];
  const svg = s("svg", {
    class: "db-grid",
    viewBox: `0 0 ${width} ${height}`,
    role: "group",
    "aria-label": `Dots and boxes, ${st.rows} by ${st.cols} boxes`,
    "data-testid": "db-grid",
  });
  svg.style.setProperty("--ratio", `${width} / ${height}`);
  svg.style.setProperty("--k", String(width / height));
  const last = st.last;
  const isLast = (dir, r, c) => !!last && last.dir === dir && last.row === r && last.col === c;
  const fresh = new Set(ctx.fresh ? taken(st).map(([r, c]) => `${r}-${c}`) : []);

  // Boxes first (underneath), with the owner's initial: colour is not the only signal.
  const boxes = s("g", { class: "db-boxes" });
  st.boxes.forEach((row, r) =>
    row.forEach((owner, c) => {
      const [x, y] = at(r, c);
      const owned = owner !== null && owner !== undefined;
      const g = s("g", {
        class: `db-box${owned ? ` owned p${owner % 8}` : ""}${fresh.has(`${r}-${c}`) ? " fresh" : ""}`,
        "data-testid": `box-${r}-${c}`,
        "data-owner": owned ? owner : "",
      });
      g.append(s("rect", { x: x + 6, y: y + 6, width: GAP - 12, height: GAP - 12, rx: 10 }));
      if (owned) {
        const t = s("text", { x: x + GAP / 2, y: y + GAP / 2, "text-anchor": "middle", "dominant-baseline": "central" });
        t.textContent = initialOf(room, owner);
        g.append(t, s("title", {}, `Box owned by ${seatName(room, owner)}`));
      }
      boxes.append(g);
    }),
  );
  svg.append(boxes);

  // Lines: the free ones faint, the drawn ones in their seat's colour, the last one haloed.
  const lines = s("g", { class: "db-lines" });
  const targets = s("g", { class: "db-targets" });
  const each = (dir, grid, fn) => grid.forEach((row, r) => row.forEach((seat, c) => fn(dir, r, c, seat)));
  const addLine = (dir, r, c, seat) => {
    const [x1, y1] = at(r, c);
    const [x2, y2] = dir === "h" ? [x1 + GAP, y1] : [x1, y1 + GAP];
    const drawn = seat !== null && seat !== undefined;
    const lastOne = isLast(dir, r, c);
    if (drawn && lastOne) lines.append(s("line", { class: "db-halo", x1, y1, x2, y2 }));
    lines.append(
      s("line", {
        class: `db-line${drawn ? ` drawn p${seat % 8}` : " free"}${lastOne ? " last" : ""}${lastOne && ctx.fresh ? " fresh" : ""}`,
        x1,
        y1,
        x2,
        y2,
        "data-testid": drawn ? `drawn-${dir}-${r}-${c}` : null,
        "data-seat": drawn ? seat : null,
      }),
    );
    if (!drawn && ctx.canMove) {
      // A diamond one spacing across around the line: the diamonds of all lines tile the board.
      const [mx, my] = [(x1 + x2) / 2, (y1 + y2) / 2];
      const half = GAP / 2;
      const t = s(
        "polygon",
        {
          class: "db-target",
          points: `${mx - half},${my} ${mx},${my - half} ${mx + half},${my} ${mx},${my + half}`,
          role: "button",
          tabindex: 0,
          "aria-label": `Draw ${lineWords({ dir, row: r, col: c })}`,
          "data-testid": `line-${dir}-${r}-${c}`,
          "data-dir": dir,
          "data-row": r,
          "data-col": c,
        },
      );
      const go = (e) => {
        e.preventDefault();
        if (wrap.classList.contains("sending")) return;
        wrap.classList.add("sending");
        t.classList.add("pending");
        ctx.move({ dir, row: r, col: c });
      };
      t.addEventListener("click", go);
      t.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") go(e);
      });
      targets.append(t);
    }
  };
  each("h", st.h, addLine);
  each("v", st.v, addLine);
  svg.append(lines);

  const dots = s("g", { class: "db-dots", "aria-hidden": "true" });
  for (let r = 0; r <= st.rows; r++) {
    for (let c = 0; c <= st.cols; c++) {
      const [cx, cy] = at(r, c);
      dots.append(s("circle", { cx, cy, r: 9 }));
    }
  }
  svg.append(dots, targets);
  return svg;
}

function board(room, ctx) {
  const wrap = h("div", {
    class: `db${ctx.big ? " db-big" : ""}${ctx.canMove ? " mine" : ""}`,
    "data-testid": "board",
    "data-my-turn": ctx.canMove ? "true" : "false",
  });
  wrap.append(scores(room, ctx), h("div", { class: "db-stage" }, grid(room, ctx, wrap)));
  if (!ctx.big && room.phase === "playing") {
    wrap.append(h("p", { class: "db-hint", "data-testid": "db-hint" }, ctx.canMove ? "Tap between two dots to draw a line." : ""));
  }
  return wrap;
}

function status(room, me) {
  const st = room.state;
  const turn = room.turn || [];
  if (turn.length !== 1) return null;
  const seat = turn[0];
  const again = !!st.last && drawer(st, st.last) === seat && taken(st).length > 0;
  if (me !== null && seat === me) {
    return { text: again ? "You took a box: draw again" : "Your turn: draw a line", mood: "you" };
  }
  if (again) return { text: `${seatName(room, seat)} took a box and draws again`, mood: "wait" };
  return null;
}

function lastMove(room) {
  const st = room.state;
  if (!st || !st.last) return "";
  const seat = drawer(st, st.last);
  const by = seat === null || seat === undefined ? "Someone" : who(room, seat);
  const boxes = taken(st).length;
  const took = boxes ? ` and took ${boxes === 1 ? "a box" : `${boxes} boxes`}` : "";
  return `${by} drew ${lineWords(st.last)}${took}`;
}

function outcome(room) {
  const st = room.state;
  const score = st && Array.isArray(st.scores) ? ` (${st.scores.join("-")})` : "";
  switch (room.outcome.reason) {
    case "most_boxes":
      return `Most boxes${score}`;
    case "tie":
      return `A tie for the most boxes${score}`;
    default:
      return null;
  }
}

export default {
  kind: "dots_and_boxes",
  name: "Dots and boxes",
  blurb: "Close a box to own it and go again, 2 to 4 players",
  art: `<svg viewBox="0 0 48 48" aria-hidden="true"><rect x="10" y="10" width="14" height="14" rx="2" fill="#ff6b6b" opacity=".55"/><path d="M10 10h14v14H10zM24 10h14" stroke="#ff6b6b" stroke-width="3" fill="none" stroke-linecap="round"/><path d="M24 24v14M38 10v14" stroke="#44d1e6" stroke-width="3" stroke-linecap="round"/><g fill="#f3f4ff"><circle cx="10" cy="10" r="3"/><circle cx="24" cy="10" r="3"/><circle cx="38" cy="10" r="3"/><circle cx="10" cy="24" r="3"/><circle cx="24" cy="24" r="3"/><circle cx="38" cy="24" r="3"/><circle cx="10" cy="38" r="3"/><circle cx="24" cy="38" r="3"/><circle cx="38" cy="38" r="3"/></g></svg>`,
  rematch: "same seats, a new board.",
  ownPlayers: true,
  board,
  status,
  lastMove,
  moveKey: (room) => JSON.stringify(room.state.last),
  outcome,
};
