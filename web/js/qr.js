// A QR code encoder, written from the standard (ISO/IEC 18004): the page draws the QR code of a
// link itself (a device's verification link, say) instead of asking the server for one.
//
// Only what Capital's links need: byte mode (the text's UTF-8 bytes), error correction level M
// (15% of the symbol can be lost), versions 1 to 10 (21x21 to 57x57 modules; up to 213 bytes),
// the smallest version that fits. The steps, in the standard's order:
// 1. the data bits: mode 0100, the byte count (8 bits, 16 from version 10), the bytes, a
//    terminator of up to four 0s, 0s to a byte boundary, then the pad bytes 0xEC 0x11 ...;
// 2. the codewords split into blocks, each given its Reed-Solomon error correction codewords
//    (GF(256) modulo x^8+x^4+x^3+x^2+1, generator polynomial (x-a^0)(x-a^1)...(x-a^(n-1)));
// 3. the blocks interleaved: the first data codeword of every block, then the second, ..., then
//    the error correction codewords the same way;
// 4. the function patterns: finders with separators, timing, alignment patterns, the dark
//    module, room for the format information (and the version information from version 7);
// 5. the bits placed in two-module columns zigzagging up and down from the bottom right;
// 6. each of the eight masks tried and scored with the four penalty rules; the lowest wins,
//    and its format information (level and mask, BCH-coded) is written in.
//
// `qrMatrix(text)` is the symbol as rows of booleans (true = dark); `qrSvg(text, {label})` is an
// SVG image of it with the four-module quiet zone around it.

/** The quiet zone around the symbol, in modules (the standard's minimum). */
const QUIET = 4;
const MAX_VERSION = 10;

/** Level M's blocks per version: [error correction codewords per block, [[blocks, data
 * codewords per block], ...]] (the standard's table 9). */
const BLOCKS_M = [
  null,
  [10, [[1, 16]]],
  [16, [[1, 28]]],
  [26, [[1, 44]]],
  [18, [[2, 32]]],
  [24, [[2, 43]]],
  [16, [[4, 27]]],
  [18, [[4, 31]]],
  [22, [[2, 38], [2, 39]]],
  [22, [[3, 36], [2, 37]]],
  [26, [[4, 43], [1, 44]]],
];

/** The rows and columns of the alignment patterns' centres per version (annex E). */
const ALIGNMENT = [
  null,
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
];

/** Level M in the format information: its two bits are 00. */
const LEVEL_M_BITS = 0b00;

// --- GF(256) and Reed-Solomon ----------------------------------------------------------------

/** Powers of the generator a = 2 (doubled, so a product's exponent needs no modulo) and their
 * logarithms, with the field's polynomial x^8+x^4+x^3+x^2+1 (0x11d). */
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = EXP[i + 255] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}

function gfMul(a, b) {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/** The generator polynomial of degree `n`, highest coefficient first (it is 1). */
function generator(n) {
  let poly = [1];
  for (let i = 0; i < n; i++) {
    // poly * (x + a^i): in GF(2^8) minus is plus.
    const next = new Array(poly.length + 1).fill(0);
    poly.forEach((c, j) => {
      next[j] ^= c;
      next[j + 1] ^= gfMul(c, EXP[i]);
    });
    poly = next;
  }
  return poly;
}

/** The error correction codewords of `data`: the remainder of data(x) * x^n by the generator. */
function reedSolomon(data, n) {
  const gen = generator(n);
  const rem = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ rem.shift();
    rem.push(0);
    for (let i = 0; i < n; i++) rem[i] ^= gfMul(gen[i + 1], factor);
  }
  return rem;
}

/** The remainder of value(x) * x^degree by `poly` over GF(2), for the BCH-coded format and
 * version information. */
function bchRemainder(value, poly, degree) {
  let r = value << degree;
  for (let bit = 31 - Math.clz32(r); bit >= degree; bit--) {
    if ((r >> bit) & 1) r ^= poly << (bit - degree);
  }
  return r;
}

// --- the data codewords ----------------------------------------------------------------------

function dataCodewords(version) {
  return BLOCKS_M[version][1].reduce((sum, [count, len]) => sum + count * len, 0);
}

function countBits(version) {
  return version < 10 ? 8 : 16;
}

/** The smallest version whose level-M symbol holds `length` bytes in byte mode. */
function versionFor(length) {
  for (let v = 1; v <= MAX_VERSION; v++) {
    if (4 + countBits(v) + 8 * length <= 8 * dataCodewords(v)) return v;
  }
  throw new RangeError(`${length} bytes is too long for a QR code of version ${MAX_VERSION}`);
}

/** Step 1: the data codewords of `bytes` in a symbol of `version`. */
function encodeData(bytes, version) {
  const bits = [];
  const push = (value, width) => {
    for (let i = width - 1; i >= 0; i--) bits.push((value >> i) & 1);
  };
  push(0b0100, 4); // byte mode
  push(bytes.length, countBits(version));
  for (const b of bytes) push(b, 8);
  const capacity = 8 * dataCodewords(version);
  push(0, Math.min(4, capacity - bits.length)); // the terminator
  push(0, (8 - (bits.length % 8)) % 8);
  const codewords = [];
  for (let i = 0; i < bits.length; i += 8) {
    codewords.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  }
  for (let pad = 0xec; codewords.length < capacity / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

/** Steps 2 and 3: the blocks with their error correction, interleaved, as a list of bits. */
function interleave(codewords, version) {
  const [ecLen, groups] = BLOCKS_M[version];
  const blocks = [];
  let at = 0;
  for (const [count, len] of groups) {
    for (let i = 0; i < count; i++) {
      const data = codewords.slice(at, at + len);
      at += len;
      blocks.push({ data, ec: reedSolomon(data, ecLen) });
    }
  }
  const out = [];
  const longest = Math.max(...blocks.map((b) => b.data.length));
  for (let i = 0; i < longest; i++) {
    for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
  }
  for (let i = 0; i < ecLen; i++) for (const b of blocks) out.push(b.ec[i]);
  return out.flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (byte >> i) & 1));
}

// --- the symbol ------------------------------------------------------------------------------

/** A square of modules (`dark[y][x]`) and which of them are function patterns. */
class QrSymbol {
  constructor(version) {
    this.version = version;
    this.size = 17 + 4 * version;
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  /** Sets a function module (never masked, never holds data). */
  set(x, y, dark) {
    this.dark[y][x] = dark;
    this.fixed[y][x] = true;
  }

  /** Step 4: everything but the data. The format information is written as light for now,
   * which reserves its modules. */
  drawFunctionPatterns() {
    const { size, version } = this;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0); // timing patterns: dark on even rows and columns
      this.set(i, 6, i % 2 === 0);
    }
    // Finders (7x7 rings around a 3x3 core) with their light separators, clipped at the edges.
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const [x, y] = [cx + dx, cy + dy];
          if (x < 0 || y < 0 || x >= size || y >= size) continue;
          const ring = Math.max(Math.abs(dx), Math.abs(dy));
          this.set(x, y, ring !== 2 && ring !== 4);
        }
      }
    }
    // Alignment patterns at every pair of centres, except the three corners of the finders.
    const centres = ALIGNMENT[version];
    const last = centres.length - 1;
    centres.forEach((cy, i) => {
      centres.forEach((cx, j) => {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
          }
        }
      });
    });
    this.drawFormat(0);
    this.set(8, size - 8, true); // the dark module
    if (version >= 7) {
      // Version information: 6 bits and 12 of BCH(18, 6), in two 6x3 blocks.
      const bits = (version << 12) | bchRemainder(version, 0x1f25, 12);
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >> i) & 1) === 1;
        const [a, b] = [size - 11 + (i % 3), Math.floor(i / 3)];
        this.set(b, a, dark); // bottom left
        this.set(a, b, dark); // top right
      }
    }
  }

  /** The 15 format bits (level, mask, BCH(15, 5), XOR 101010000010010) in both copies; bit 0
   * is the least significant. */
  drawFormat(mask) {
    const size = this.size;
    const data = (LEVEL_M_BITS << 3) | mask;
    const bits = ((data << 10) | bchRemainder(data, 0x537, 10)) ^ 0x5412;
    const bit = (i) => ((bits >> i) & 1) === 1;
    // Around the top-left finder: up column 8 (skipping the timing row), then left along row 8.
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    // The second copy: row 8 under the top-right finder, column 8 beside the bottom-left one.
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
  }

  /** Step 5: the bits in the free modules, two columns at a time from the right, going up then
   * down; column 6 (the vertical timing pattern) is skipped. Left-over modules stay light. */
  placeData(bits) {
    let next = 0;
    let upward = true;
    for (let right = this.size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let step = 0; step < this.size; step++) {
        const y = upward ? this.size - 1 - step : step;
        for (const x of [right, right - 1]) {
          if (this.fixed[y][x]) continue;
          this.dark[y][x] = next < bits.length && bits[next] === 1;
          next++;
        }
      }
      upward = !upward;
    }
  }

  /** A copy with data mask `mask` applied (XOR where the mask's condition holds). */
  masked(mask) {
    const copy = new QrSymbol(this.version);
    copy.fixed = this.fixed;
    copy.dark = this.dark.map((row, y) =>
      row.map((dark, x) => (this.fixed[y][x] ? dark : dark !== MASKS[mask](y, x))),
    );
    copy.drawFormat(mask);
    return copy;
  }
}

/** The eight data masks, by row `i` and column `j` (table 10). */
const MASKS = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

// --- the penalty rules (7.8.3) ---------------------------------------------------------------

/** Rules 1 and 3 along one row or column: runs of five or more of a colour (3 points, plus 1
 * per module over five), and 1:1:3:1:1 finder look-alikes with four light modules on either
 * side (40 points each; beyond the edge is the light quiet zone). */
function linePenalty(line) {
  let score = 0;
  let run = 1;
  for (let i = 1; i <= line.length; i++) {
    if (i < line.length && line[i] === line[i - 1]) {
      run++;
      continue;
    }
    if (run >= 5) score += 3 + (run - 5);
    run = 1;
  }
  const light = (from, to) => {
    for (let i = from; i < to; i++) if (i >= 0 && i < line.length && line[i]) return false;
    return true;
  };
  const core = [true, false, true, true, true, false, true];
  for (let k = 0; k + 7 <= line.length; k++) {
    const looksLikeFinder = core.every((dark, d) => line[k + d] === dark);
    if (looksLikeFinder && (light(k - 4, k) || light(k + 7, k + 11))) score += 40;
  }
  return score;
}

/** The whole score of a masked symbol: rules 1 and 3 on every row and column, rule 2 (3 points
 * per 2x2 block of one colour) and rule 4 (10 points per 5% that the dark share is off 50%). */
function penalty(dark) {
  const size = dark.length;
  let score = 0;
  let darkCount = 0;
  for (let y = 0; y < size; y++) {
    score += linePenalty(dark[y]);
    score += linePenalty(dark.map((row) => row[y]));
    for (let x = 0; x < size; x++) {
      if (dark[y][x]) darkCount++;
      if (x + 1 < size && y + 1 < size) {
        const c = dark[y][x];
        if (dark[y][x + 1] === c && dark[y + 1][x] === c && dark[y + 1][x + 1] === c) score += 3;
      }
    }
  }
  const percent = (darkCount * 100) / (size * size);
  return score + 10 * Math.floor(Math.abs(percent - 50) / 5);
}

// --- the API ---------------------------------------------------------------------------------

/** The QR code of `text` (byte mode, UTF-8, level M, the smallest version from 1 to 10) as
 * rows of modules, `true` for dark, without the quiet zone. Throws a RangeError when the text
 * is too long (over 213 bytes). */
export function qrMatrix(text) {
  const bytes = new TextEncoder().encode(text);
  const version = versionFor(bytes.length);
  const symbol = new QrSymbol(version);
  symbol.drawFunctionPatterns();
  symbol.placeData(interleave(encodeData(bytes, version), version));
  let best = null;
  let bestScore = Infinity;
  for (let mask = 0; mask < MASKS.length; mask++) {
    const candidate = symbol.masked(mask);
    const score = penalty(candidate.dark);
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return best.dark;
}

function escapeXml(s) {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  return String(s).replace(/[&<>"']/g, (c) => entities[c]);
}

/** An SVG image of `text`'s QR code: one unit per module, the quiet zone around it, dark on
 * white whatever the page's colours, scaled by whoever shows it (width and height from CSS).
 * `label` is its accessible name (by default "QR code: " and the text). */
export function qrSvg(text, { label } = {}) {
  const rows = qrMatrix(text);
  const n = rows.length + 2 * QUIET;
  let path = "";
  rows.forEach((row, y) => {
    // One rectangle per run of dark modules in a row.
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      const start = x;
      while (x + 1 < row.length && row[x + 1]) x++;
      const w = x - start + 1;
      path += `M${start + QUIET} ${y + QUIET}h${w}v1h-${w}z`;
    }
  });
  const name = escapeXml(label ?? `QR code: ${text}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}" role="img" ` +
    `aria-label="${name}" shape-rendering="crispEdges">` +
    `<rect width="${n}" height="${n}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
