// End-to-end encrypted direct messages, as the page uses them: this device's key published at
// every connection, other players' devices fetched (keys_of) and watched for changes, a message
// sealed for every device of both players, a received one opened, and the safety numbers that
// let two players check that the keys are really each other's. No DOM.
//
// The status of a conversation, as `status(other)` says it:
//   "insecure"    this page cannot encrypt (plain http): nothing is sealed here
//   "unknown"     the other player's keys have not been fetched yet
//   "none"        they have no device that can receive encrypted messages (their page is on http)
//   "changed"     their keys are not the ones this device last accepted: a warning before sending
//   "unverified"  encrypted, keys not compared
//   "verified"    encrypted, and the two compared their safety numbers
//
// A sealed message names the device that sealed it (`from_key`); it is opened only if that key
// is one its sender has listed (now or before), so a server cannot pass its own key off as
// theirs without the safety number changing.

import { b64u, openAuth, sealAuth, unb64u } from "./hpke.js";
import { canEncrypt, deviceFor } from "./device.js";
import { Trust, fingerprint, safetyDigits, shortPrint } from "./trust.js";

const INFO = "capital dm v1";
/** Keys remembered per contact, to open their older messages after a device is replaced. */
const REMEMBERED = 16;

const aad = (from, to, id) => `${from}\n${to}\n${id}`;
const hexOf = (fp) => shortPrint(fp);

/** Thrown by `fieldsFor` when a message must wait: the other player's keys changed. */
export class KeysChanged extends Error {
  constructor(other) {
    super("their keys changed");
    this.other = other;
  }
}

export class E2e {
  /**
   * @param {object} opts
   * @param {(type: string, fields: object) => Promise<object>} opts.request
   * @param {() => string|null} opts.meId
   */
  constructor(opts) {
    this.opts = opts;
    this.device = null; // {privateKey, publicRaw, id} once published
    this.keys = new Map(); // player id -> [{device, key}]
    this.fps = new Map(); // player id -> fingerprint hex (of the list in `keys`)
    this.setup = null; // the connection's own requests while it sets up (see `connected`)
  }

  /** A request: through the connection's setup requests until it is online. */
  request(type, fields) {
    return this.setup ? this.setup(type, fields) : this.opts.request(type, fields);
  }

  /** The connection is online: requests go the usual way from now on. */
  online() {
    this.setup = null;
  }

  /** Whether this page can encrypt at all. */
  get available() {
    return canEncrypt();
  }

  trust() {
    return new Trust(this.opts.meId());
  }

  /** After every (re)connection: this device's key, published; what was fetched, forgotten. */
  async connected(request) {
    this.keys.clear();
    this.fps.clear();
    this.setup = request; // messages caught up during setup are opened with it
    if (!this.available) return;
    try {
      const me = this.opts.meId();
      const device = await deviceFor(me);
      await request("publish_key", { key: b64u(device.publicRaw) });
      this.device = device;
    } catch (err) {
      this.device = null;
      // The connection dropped while it set up: it sets up again (and publishes) when back.
      if (["offline", "disconnected", "timeout"].includes(err && err.code)) throw err;
      window.capitalErrors?.push(`could not publish this device's key: ${err.message || err}`);
    }
  }

  /** A new player on this page. */
  reset() {
    this.device = null;
    this.keys.clear();
    this.fps.clear();
  }

  /** The devices of `player` (fetched again with `fresh`); notes a change of a contact's keys. */
  async keysOf(player, fresh = false) {
    if (!fresh && this.keys.has(player)) return this.keys.get(player);
    const reply = await this.request("keys_of", { player });
    const keys = reply.keys.map((k) => ({ device: k.device, key: k.key }));
    this.keys.set(player, keys);
    const fp = hexOf(await fingerprint(player, keys.map((k) => k.key)));
    this.fps.set(player, fp);
    if (player !== this.opts.meId() && keys.length) {
      const known = this.trust().of(player);
      // The first keys seen are taken as they come; later ones must be accepted (acceptChange
      // or markVerified), and only accepted keys are remembered.
      if (!known.seen) this.remember(player, fp, {});
    }
    return keys;
  }

  /** `player`'s keys as listed now are accepted (with `fp`); `extra` goes into the entry too. */
  remember(player, fp, extra) {
    const trust = this.trust();
    const known = trust.of(player);
    const keys = (this.keys.get(player) || []).map((k) => k.key);
    const remembered = [...new Set([...(known.keys || []), ...keys])].slice(-REMEMBERED);
    trust.set(player, { seen: fp, keys: remembered, ...extra });
    return keys;
  }

  /**
   * How far this device trusts the key that sealed a message from `player`: "verified" (in the
   * set the two compared), "accepted", or "new" (listed, but not accepted yet).
   */
  keyStanding(player, key) {
    const known = this.trust().of(player);
    if ((known.verifiedKeys || []).includes(key)) return "verified";
    return (known.keys || []).includes(key) ? "accepted" : "new";
  }

  /** The conversation's status with `other` (see the top of this file). */
  status(other) {
    if (!this.available || !this.device) return "insecure";
    const keys = this.keys.get(other);
    if (!keys) return "unknown";
    if (!keys.length) return "none";
    const { seen, verified } = this.trust().of(other);
    const fp = this.fps.get(other);
    if (seen && seen !== fp) return "changed";
    return verified === fp ? "verified" : "unverified";
  }

  /** The user saw the warning and goes on with `other`'s new keys (not verified any more). */
  acceptChange(other) {
    const fp = this.fps.get(other);
    if (fp) this.remember(other, fp, { verified: null, verifiedKeys: [] });
  }

  /**
   * The fields of a `dm` to `to`: `sealed` when both can, `text` when this page cannot encrypt
   * or `to` has no key (the caller says so on screen). Throws KeysChanged while `to`'s keys wait
   * to be accepted.
   */
  async fieldsFor(to, text, clientMsgId, fresh = false) {
    if (!this.available || !this.device) return { text };
    const me = this.opts.meId();
    let theirs = await this.keysOf(to, fresh);
    // Not in the clear on an old answer: they may have opened a secure page since it came.
    if (!theirs.length && !fresh) theirs = await this.keysOf(to, true);
    if (!theirs.length) return { text };
    if (this.status(to) === "changed") throw new KeysChanged(to);
    const mine = await this.keysOf(me, fresh);
    const devices = [...theirs, ...mine.filter((k) => !theirs.some((t) => t.device === k.device))];
    const copies = [];
    for (const d of devices) {
      const { enc, ct } = await sealAuth({
        recipientPublic: unb64u(d.key),
        senderPrivate: this.device.privateKey,
        senderPublic: this.device.publicRaw,
        info: INFO,
        aad: aad(me, to, clientMsgId),
        plaintext: text,
      });
      copies.push({ device: d.device, enc: b64u(enc), ct: b64u(ct) });
    }
    return { sealed: { from_key: b64u(this.device.publicRaw), copies } };
  }

  /** The text of a sealed message, opened with this device's copy; throws with the reason. */
  async open(m) {
    if (!this.available) throw new Error("this page cannot decrypt (it is not on https)");
    if (!this.device) throw new Error("this device has no key yet");
    const copy = m.sealed.copies.find((c) => c.device === this.device.id);
    if (!copy) throw new Error("sent before this device had its key");
    if (!(await this.isKeyOf(m.from, m.sealed.from_key))) throw new Error("not sealed by a device of its sender");
    const text = await openAuth({
      enc: unb64u(copy.enc),
      ct: unb64u(copy.ct),
      recipientPrivate: this.device.privateKey,
      recipientPublic: this.device.publicRaw,
      senderPublic: unb64u(m.sealed.from_key),
      info: INFO,
      aad: aad(m.from, m.to, m.client_msg_id),
    });
    return new TextDecoder("utf-8", { fatal: true }).decode(text);
  }

  /** Whether `key` is (or was, as this device remembers) one of `player`'s devices. */
  async isKeyOf(player, key) {
    let listed = this.keys.get(player);
    if (!listed || !listed.some((k) => k.key === key)) listed = await this.keysOf(player, true);
    if (listed.some((k) => k.key === key)) return true;
    return (this.trust().of(player).keys || []).includes(key);
  }

  /** The safety number with `other`, and the link its QR code carries. */
  async safety(other) {
    const me = this.opts.meId();
    const [mine, theirs] = [await this.keysOf(me, true), await this.keysOf(other, true)];
    const myFp = await fingerprint(me, mine.map((k) => k.key));
    const theirFp = await fingerprint(other, theirs.map((k) => k.key));
    return {
      digits: safetyDigits(me, myFp, other, theirFp),
      link: `${location.origin}/#verify=${me}.${shortPrint(myFp)}.${other}.${shortPrint(theirFp)}`,
      status: this.status(other),
      shown: shortPrint(theirFp),
    };
  }

  /**
   * The user compared the numbers that showed `other`'s keys as `shown` (from `safety`): those
   * keys are verified. False (and nothing changes) when the keys changed since they showed.
   */
  markVerified(other, shown) {
    const fp = this.fps.get(other);
    if (!fp || fp !== shown) return false;
    const keys = (this.keys.get(other) || []).map((k) => k.key);
    this.remember(other, fp, { verified: fp, verifiedKeys: keys });
    return true;
  }

  /**
   * A scanned link (`verify=A.fpA.B.fpB`, made on the other phone): "match" when it shows the
   * same keys this device sees for both, "mismatch" when not, "not-ours" when it is about other
   * players. Returns {result, other}. A link never verifies by itself: anyone (the server too)
   * can make a page open one, so the user confirms on the safety-number screen.
   */
  async checkLink(fragment) {
    const parts = fragment.split(".");
    const me = this.opts.meId();
    if (parts.length !== 4) return { result: "not-ours", other: null };
    const [a, fpA, b, fpB] = parts;
    const other = a === me ? b : b === me ? a : null;
    if (!other || other === me) return { result: "not-ours", other: null };
    const theirsFromLink = a === me ? fpB : fpA;
    const mineFromLink = a === me ? fpA : fpB;
    await this.keysOf(other, true);
    const mine = await this.keysOf(me, true);
    const myFp = hexOf(await fingerprint(me, mine.map((k) => k.key)));
    if (myFp !== mineFromLink || this.fps.get(other) !== theirsFromLink) return { result: "mismatch", other };
    return { result: "match", other };
  }
}
