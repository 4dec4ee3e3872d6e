// End-to-end encrypted direct messages, as the page uses them: this device's key published at
// every connection, other players' devices fetched (keys_of) and watched for changes, a message
// sealed for every device of both players, a received one opened, and the safety numbers that
// let two players check that the keys are really each other's. No DOM.
//
// The status of a conversation, as `status(other)` says it:
//   "insecure"      this page cannot encrypt (plain http): nothing is sealed here
//   "nokey"         this page could encrypt, but this device has no key (it could not be made or
//                   published): nothing goes out until it has one
//   "unknown"       the other player's keys have not been fetched yet
//   "none"          they have no device that can receive encrypted messages (their page is on
//                   http), and never had one, or the user accepted that they have none now
//   "self-changed"  the server lists a device for *me* that this device has not accepted: a
//                   warning before sending (a device added to my list would read my messages)
//   "changed"       their list has a device this device has not accepted: a warning before sending
//   "lost"          they had devices, and the server lists none now: a warning, and nothing in
//                   the clear unless the user says so
//   "unverified"    encrypted, keys not compared
//   "verified"      encrypted, and every device listed now is one the two compared
//
// Only additions count as changes: a device that is gone cannot read anything new. The first
// devices seen for a player are accepted as they come (trust on first use; for my own list, at
// the first connection of this device); later ones must be accepted (acceptChange) or verified.
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
/** A key list fetched this recently is fresh enough to say a key is not on it. */
const FRESH_MS = 3000;

const aad = (from, to, id) => `${from}\n${to}\n${id}`;
const hexOf = (fp) => shortPrint(fp);

/**
 * Thrown by `fieldsFor` when a message must wait: `other`'s keys changed (`other` is the
 * sender when it is their own list that has a new device).
 */
export class KeysChanged extends Error {
  constructor(other) {
    super("their keys changed");
    this.other = other;
  }
}

/** Thrown by `fieldsFor` when this device has no key and cannot get one: nothing is sent. */
export class NoDeviceKey extends Error {
  constructor(why) {
    super(`This browser has no encryption key (${why}), so the message was not sent. Reload the page to try again.`);
    this.code = "no_device_key";
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
    this.device = null; // {privateKey, publicRaw, id, key} once published
    this.keys = new Map(); // player id -> [{device, key, since}]
    this.fps = new Map(); // player id -> fingerprint hex (of the list in `keys`)
    this.fetching = new Map(); // player id -> the keys_of on its way (shared by every caller)
    this.fetchedAt = new Map(); // player id -> when `keys` came
    this.setup = null; // the connection's own requests while it sets up (see `connected`)
    this.lastError = null; // why the device has no key, when it has none
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

  /**
   * After every (re)connection: this device's key, published, and this player's own list
   * fetched (its first one is accepted as it comes); what was fetched before, forgotten.
   */
  async connected(request) {
    this.forget();
    this.setup = request; // messages caught up during setup are opened with it
    if (!this.available) return;
    try {
      await this.publish();
      await this.keysOf(this.opts.meId(), true);
    } catch (err) {
      // The connection dropped while it set up: it sets up again (and publishes) when back.
      if (droppedConnection(err)) throw err;
      window.capitalErrors?.push(`could not publish this device's key: ${err.message || err}`);
    }
  }

  /** This device's key (made once, kept in IndexedDB), published; `device` is set on success. */
  async publish() {
    try {
      const device = await deviceFor(this.opts.meId());
      await this.request("publish_key", { key: b64u(device.publicRaw) });
      this.device = { ...device, key: b64u(device.publicRaw) };
      this.lastError = null;
    } catch (err) {
      this.device = null;
      this.lastError = err.message || String(err);
      throw err;
    }
  }

  /** A new player on this page. */
  reset() {
    this.device = null;
    this.forget();
  }

  forget() {
    this.keys.clear();
    this.fps.clear();
    this.fetching.clear();
    this.fetchedAt.clear();
  }

  /**
   * The devices of `player` (fetched again with `fresh`). Callers at the same time share one
   * request, so opening a long history asks once, not once a message.
   */
  async keysOf(player, fresh = false) {
    if (!fresh && this.keys.has(player)) return this.keys.get(player);
    if (!this.fetching.has(player)) {
      const asking = this.fetchKeys(player).finally(() => this.fetching.delete(player));
      this.fetching.set(player, asking);
    }
    return this.fetching.get(player);
  }

  async fetchKeys(player) {
    const reply = await this.request("keys_of", { player });
    const keys = [];
    for (const k of reply.keys) {
      if (!keys.some((x) => x.device === k.device)) keys.push({ device: k.device, key: k.key, since: k.since });
    }
    this.keys.set(player, keys);
    this.fetchedAt.set(player, Date.now());
    this.fps.set(player, hexOf(await fingerprint(player, keys.map((k) => k.key))));
    const known = this.trust().of(player);
    // The first keys seen are taken as they come; later ones must be accepted (acceptChange
    // or markVerified), and only accepted keys are remembered.
    if (keys.length && !(known.keys || []).length) this.remember(player, {});
    else if (keys.length && known.clearOk) this.trust().set(player, { clearOk: false });
    return keys;
  }

  /** `player`'s keys as listed now are accepted; `extra` goes into the entry too. */
  remember(player, extra) {
    const trust = this.trust();
    const known = trust.of(player);
    const keys = (this.keys.get(player) || []).map((k) => k.key);
    const remembered = [...new Set([...(known.keys || []), ...keys])].slice(-REMEMBERED);
    trust.set(player, { keys: remembered, ...extra });
    return keys;
  }

  /** The devices listed for `player` now that this device has not accepted (never this one). */
  added(player) {
    const accepted = new Set(this.trust().of(player).keys || []);
    const own = this.device && this.device.key;
    return (this.keys.get(player) || []).filter((k) => !accepted.has(k.key) && k.key !== own);
  }

  /** Whether `player` had devices this device accepted, none is listed now, and the user has not
   * accepted that. */
  lostKeys(player) {
    const known = this.trust().of(player);
    const keys = this.keys.get(player);
    return !!keys && !keys.length && (known.keys || []).length > 0 && !known.clearOk;
  }

  /** How many devices `player` has, as listed now (null: not fetched). */
  deviceCount(player) {
    const keys = this.keys.get(player);
    return keys ? keys.length : null;
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
    if (!this.available) return "insecure";
    if (!this.device) return "nokey";
    const keys = this.keys.get(other);
    if (!keys) return "unknown";
    const known = this.trust().of(other);
    if (!keys.length) return this.lostKeys(other) ? "lost" : "none";
    if (this.added(this.opts.meId()).length) return "self-changed";
    if (this.added(other).length) return "changed";
    const verified = known.verifiedKeys || [];
    return keys.every((k) => verified.includes(k.key)) ? "verified" : "unverified";
  }

  /**
   * The user saw the warning the status shows and goes on: with a device added to their own
   * list ("self-changed"), with `other`'s new keys ("changed"), or with their having none
   * ("lost": messages go unencrypted, until they have a key again). Accepting never verifies:
   * a new key is "unverified".
   */
  acceptChange(other) {
    const status = this.status(other);
    if (status === "self-changed") this.remember(this.opts.meId(), {});
    else if (status === "changed") this.remember(other, {});
    else if (status === "lost") this.trust().set(other, { clearOk: true });
  }

  /** A sealed message went to, or came from, `other`: a conversation that was encrypted. */
  noteEncrypted(other) {
    if (!this.trust().of(other).encrypted) this.trust().set(other, { encrypted: true });
  }

  /** Whether this device has seen an encrypted message with `other`. */
  wasEncrypted(other) {
    return !!this.trust().of(other).encrypted;
  }

  /**
   * The fields of a `dm` to `to`: `sealed` when both can, `text` when this page cannot encrypt
   * or `to` has never had a key (or the user accepted that they have none: the caller says so
   * on screen). Throws KeysChanged while keys wait to be accepted, and NoDeviceKey when this
   * device has no key of its own and cannot get one: never the clear on that account.
   */
  async fieldsFor(to, text, clientMsgId, fresh = false) {
    if (!this.available) return { text };
    const me = this.opts.meId();
    let theirs = await this.keysOf(to, fresh);
    // Not in the clear on an old answer: they may have opened a secure page since it came.
    if (!theirs.length && !fresh) theirs = await this.keysOf(to, true);
    if (!theirs.length) {
      // They had devices, and the server lists none now: not in the clear on its word alone.
      if (this.lostKeys(to)) throw new KeysChanged(to);
      return { text };
    }
    if (!this.device) await this.publishOrRefuse();
    let mine = await this.keysOf(me, fresh);
    if (!mine.some((k) => k.device === this.device.id)) {
      // This device fell off its own list (another one took its place): back on it first.
      await this.publishOrRefuse();
      mine = await this.keysOf(me, true);
    }
    const status = this.status(to);
    if (status === "self-changed") throw new KeysChanged(me);
    if (status === "changed") throw new KeysChanged(to);
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
    this.noteEncrypted(to);
    return { sealed: { from_key: this.device.key, copies } };
  }

  /** Publishes this device's key again, or throws NoDeviceKey (a dropped connection as it is). */
  async publishOrRefuse() {
    try {
      await this.publish();
    } catch (err) {
      if (droppedConnection(err)) throw err;
      throw new NoDeviceKey(err.message || String(err));
    }
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
    const opened = new TextDecoder("utf-8", { fatal: true }).decode(text);
    // The rules the server applies to a message it can read (text.rs): it could not check these.
    if (!opened.trim()) throw new Error("it is empty, which a message may not be");
    if (/[^\P{Cc}\n\t]/u.test(opened)) throw new Error("it has control characters, which a message may not have");
    this.noteEncrypted(m.from === this.opts.meId() ? m.to : m.from);
    return opened;
  }

  /** Whether `key` is (or was, as this device remembers) one of `player`'s devices. */
  async isKeyOf(player, key) {
    let listed = this.keys.get(player);
    const stale = Date.now() - (this.fetchedAt.get(player) || 0) > FRESH_MS;
    if (!listed || (stale && !listed.some((k) => k.key === key))) listed = await this.keysOf(player, true);
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
    this.remember(other, { verifiedKeys: keys });
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

/** A request failed because the connection is down (protocol.js's own codes for it). */
function droppedConnection(err) {
  return !!err && ["offline", "disconnected", "timeout"].includes(err.code);
}
