// Whom this device trusts, and the numbers two players compare to earn it.
//
// A player's fingerprint is SHA-256 of "capital safety v1\n" + their id + "\n" + their public
// keys (base64url, sorted, one per line): it changes when they get a new device (or when the
// server hands out a key that is not theirs, which is what comparing catches). The safety number
// of a pair is 30 digits from each fingerprint (six groups of five: each group is five bytes read
// as a number, modulo 100000), the smaller player id's first, so both phones show the same 60
// digits. The QR code carries the same two fingerprints (their first 16 bytes, in hex) in a link.
//
// Per player (contacts, and the player themself) this device remembers, in localStorage per
// player on this page:
// - `keys`: the device keys it accepted (the first list seen is taken as it comes: trust on
//   first use; a key added later is a change, shown before the next message is sent).
// - `verifiedKeys`: the keys the two players compared with their safety numbers.
// - `clearOk`: they had keys, have none now, and the user chose to write unencrypted anyway.
// - `encrypted`: a sealed message went either way (the conversation is never continued in the
//   clear from this origin without saying so).

const LABEL = "capital safety v1";

const enc = new TextEncoder();

function hex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A player's fingerprint (32 bytes) over their keys (base64url strings). */
export async function fingerprint(playerId, keys) {
  const text = [LABEL, playerId, ...[...keys].sort()].join("\n");
  return new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
}

/** The short form that travels in a verification link: the first 16 bytes, in hex. */
export function shortPrint(fp) {
  return hex(fp.slice(0, 16));
}

function thirtyDigits(fp) {
  const groups = [];
  for (let i = 0; i < 30; i += 5) {
    let n = 0;
    for (let j = i; j < i + 5; j += 1) n = n * 256 + fp[j];
    groups.push(String(n % 100000).padStart(5, "0"));
  }
  return groups;
}

/** The 60 digits two players compare, as twelve groups of five. */
export function safetyDigits(meId, myFp, otherId, theirFp) {
  const [first, second] = meId < otherId ? [myFp, theirFp] : [theirFp, myFp];
  return [...thirtyDigits(first), ...thirtyDigits(second)];
}

/** This device's memory of its contacts' fingerprints, for the player `meId`. */
export class Trust {
  constructor(meId) {
    this.key = `capital.trust.${meId}`;
  }

  all() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "{}") || {};
    } catch {
      return {};
    }
  }

  of(other) {
    return this.all()[other] || {};
  }

  set(other, entry) {
    const all = this.all();
    all[other] = { ...this.of(other), ...entry };
    localStorage.setItem(this.key, JSON.stringify(all));
  }
}
