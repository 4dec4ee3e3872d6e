// HPKE (RFC 9180) for Capital's end-to-end encrypted direct messages: single-shot seal and open
// in the authenticated mode (mode_auth, 0x02) of one suite only,
//
//   KEM  DHKEM(P-256, HKDF-SHA256)  0x0010   (RFC 9180 §4.1, §7.1)
//   KDF  HKDF-SHA256                0x0001   (§7.2)
//   AEAD AES-128-GCM                0x0001   (§7.3)
//
// built from WebCrypto's primitives alone: ECDH P-256 `deriveBits` is the KEM's DH (its 32 bytes
// are the x-coordinate of the shared point, which is what §7.1.1 says DH returns for P-256),
// HMAC-SHA256 is HKDF's Extract and Expand (RFC 5869), and AES-GCM seals. The wire format around
// it (info, aad, device ids, base64url) is the one crates/e2e implements in Rust; both are
// checked against RFC 9180's own test vector for this suite and against each other
// (crates/e2e/tests/vectors/, run in a browser by crates/server/tests/browser/e2e_vectors.rs).
//
// What is here, in the RFC's order:
// - §4:     LabeledExtract / LabeledExpand, with the suite ids "KEM"||0x0010 (inside the KEM)
//           and "HPKE"||0x0010||0x0001||0x0001 (the key schedule).
// - §4.1:   ExtractAndExpand, AuthEncap (the sender's side) and AuthDecap (the recipient's).
// - §5.1:   KeySchedule for mode_auth (no PSK: psk and psk_id are empty).
// - §5.2:   the AEAD with nonce = base_nonce XOR seq; Capital seals one message per context,
//           so seq is always 0 (nonce = base_nonce). `seq` can be given only so that the
//           RFC's later test encryptions can be opened too.
// - §6.1:   single-shot SealAuth / OpenAuth: `sealAuth` and `openAuth` below.
//
// Keys: a device's private key is a non-extractable WebCrypto ECDH key (it can be kept in
// IndexedDB, never read back out); public keys travel as the 65-byte uncompressed SEC1 point
// 0x04 || X || Y (SerializePublicKey, §7.1.1). The sender's private key is used too (the
// second DH of AuthEncap is DH(skS, pkR)), so both keys need the usage "deriveBits".
//
// Byte arguments (info, aad, plaintext) may be Uint8Arrays or strings (taken as UTF-8).

const MODE_AUTH = 0x02;
const N_SECRET = 32; // KEM shared secret, bytes (DHKEM(P-256, HKDF-SHA256))
const N_PK = 65; // serialized public key (and enc), bytes
const N_SK = 32; // private key scalar, bytes
const N_K = 16; // AES-128-GCM key, bytes
const N_N = 12; // AES-GCM nonce, bytes
const N_H = 32; // SHA-256 output, bytes

const ECDH = { name: "ECDH", namedCurve: "P-256" };
const utf8 = new TextEncoder();

/** The sealed message does not open: wrong key, sender, info or aad, or a changed byte. */
export class DoesNotOpen extends Error {
  constructor(why) {
    super(`the sealed message does not open: ${why}`);
    this.name = "DoesNotOpen";
  }
}

// --- bytes -------------------------------------------------------------------------------

/** `x` as bytes: a Uint8Array as it is, an ArrayBuffer viewed, a string as UTF-8. */
function bytes(x, what) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (typeof x === "string") return utf8.encode(x);
  throw new TypeError(`${what}: expected a Uint8Array or a string`);
}

/** The concatenation of byte arrays. */
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** I2OSP(n, len): `n` as `len` big-endian bytes (RFC 8017 §4.1). */
function i2osp(n, len) {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0 && n > 0; i--) {
    out[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

/** Checks that `raw` is a serialized P-256 public key: 65 bytes, 0x04 || X || Y. */
function checkPublic(raw, what) {
  if (!(raw instanceof Uint8Array) || raw.length !== N_PK || raw[0] !== 0x04) {
    throw new TypeError(`${what}: expected a 65-byte uncompressed P-256 point (0x04 || X || Y)`);
  }
  return raw;
}

/** Base64url without padding (RFC 4648 §5), as on Capital's wire. */
export function b64u(data) {
  const view = bytes(data, "b64u");
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of base64url `text` (without padding); throws on anything else. */
export function unb64u(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TypeError("not base64url without padding");
  }
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  // atob ignores bits left over in the last character: only the one spelling of the bytes is
  // taken, as on the Rust side, so that a value compares equal exactly when its bytes do.
  if (b64u(out) !== text) throw new TypeError("not base64url without padding (stray bits at the end)");
  return out;
}

// --- HKDF-SHA256 (RFC 5869) and the labeled forms (RFC 9180 §4) ----------------------------

const HPKE_V1 = utf8.encode("HPKE-v1");
/** suite_id inside the KEM: "KEM" || I2OSP(kem_id, 2). */
const KEM_SUITE = concat(utf8.encode("KEM"), i2osp(0x0010, 2));
/** suite_id of the key schedule: "HPKE" || kem_id || kdf_id || aead_id. */
const HPKE_SUITE = concat(utf8.encode("HPKE"), i2osp(0x0010, 2), i2osp(0x0001, 2), i2osp(1, 2));

async function hmac(key, data) {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

/** HKDF-Extract(salt, ikm). An empty salt is HashLen zeros (RFC 5869 §2.2), which is also
 * what HMAC makes of an empty key; WebCrypto refuses empty HMAC keys, so it is spelled out. */
function extract(salt, ikm) {
  return hmac(salt.length === 0 ? new Uint8Array(N_H) : salt, ikm);
}

/** HKDF-Expand(prk, info, len): T(1) || T(2) || ... cut to `len` bytes. */
async function expand(prk, info, len) {
  const out = new Uint8Array(len);
  let t = new Uint8Array(0);
  for (let i = 1, at = 0; at < len; i++) {
    t = await hmac(prk, concat(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(t.length, len - at)), at);
    at += t.length;
  }
  return out;
}

/** LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
function labeledExtract(suite, salt, label, ikm) {
  return extract(salt, concat(HPKE_V1, suite, utf8.encode(label), ikm));
}

/** LabeledExpand(prk, label, info, L) =
 * Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L). */
function labeledExpand(suite, prk, label, info, len) {
  return expand(prk, concat(i2osp(len, 2), HPKE_V1, suite, utf8.encode(label), info), len);
}

// --- the KEM: DHKEM(P-256, HKDF-SHA256), RFC 9180 §4.1 -----------------------------------

function importPublic(raw) {
  return crypto.subtle.importKey("raw", raw, ECDH, true, []);
}

/** DH(sk, pk): the x-coordinate of sk * pk, 32 bytes (§7.1.1). */
async function dh(privateKey, publicRaw) {
  const publicKey = await importPublic(publicRaw);
  const bits = await crypto.subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256);
  return new Uint8Array(bits);
}

/** ExtractAndExpand(dh, kem_context): the KEM's shared secret. */
async function extractAndExpand(dhBytes, kemContext) {
  const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", dhBytes);
  return labeledExpand(KEM_SUITE, prk, "shared_secret", kemContext, N_SECRET);
}

/** AuthEncap(pkR, skS): a fresh ephemeral key (or the one given, for tests); returns the
 * shared secret and enc, the ephemeral public key. */
async function authEncap(recipientPublic, senderPrivate, senderPublic, ephemeral) {
  const eph = ephemeral ?? (await generateDeviceKey());
  const enc = checkPublic(eph.publicRaw, "ephemeral.publicRaw");
  const dhBytes = concat(
    await dh(eph.privateKey, recipientPublic),
    await dh(senderPrivate, recipientPublic),
  );
  const kemContext = concat(enc, recipientPublic, senderPublic);
  return { sharedSecret: await extractAndExpand(dhBytes, kemContext), enc };
}

/** AuthDecap(enc, skR, pkS): the shared secret the sender had. */
async function authDecap(enc, recipientPrivate, recipientPublic, senderPublic) {
  const dhBytes = concat(
    await dh(recipientPrivate, enc),
    await dh(recipientPrivate, senderPublic),
  );
  const kemContext = concat(enc, recipientPublic, senderPublic);
  return extractAndExpand(dhBytes, kemContext);
}

// --- the key schedule, RFC 9180 §5.1, and the AEAD nonce, §5.2 ----------------------------

/** KeySchedule(mode_auth, shared_secret, info, "", ""): the AEAD key and base nonce. */
async function keySchedule(sharedSecret, info) {
  const empty = new Uint8Array(0);
  const pskIdHash = await labeledExtract(HPKE_SUITE, empty, "psk_id_hash", empty);
  const infoHash = await labeledExtract(HPKE_SUITE, empty, "info_hash", info);
  const context = concat(Uint8Array.of(MODE_AUTH), pskIdHash, infoHash);
  const secret = await labeledExtract(HPKE_SUITE, sharedSecret, "secret", empty);
  const key = await labeledExpand(HPKE_SUITE, secret, "key", context, N_K);
  const baseNonce = await labeledExpand(HPKE_SUITE, secret, "base_nonce", context, N_N);
  return { key, baseNonce };
}

/** The AES-GCM parameters of message `seq`: nonce = base_nonce XOR I2OSP(seq, Nn). */
function gcm(baseNonce, seq, aad) {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError("seq: a non-negative integer");
  const iv = i2osp(seq, N_N).map((b, i) => b ^ baseNonce[i]);
  return { name: "AES-GCM", iv, additionalData: aad, tagLength: 128 };
}

function aesKey(key, usage) {
  return crypto.subtle.importKey("raw", key, { name: "AES-GCM" }, false, [usage]);
}

// --- single-shot seal and open in mode_auth, RFC 9180 §6.1 --------------------------------

/**
 * SealAuth(pkR, info, aad, pt, skS): encrypts `plaintext` to the recipient's public key,
 * authenticated as the holder of `senderPrivate` (whose public key is `senderPublic`).
 * `ephemeral` ({privateKey, publicRaw}) replaces the fresh ephemeral key, for test vectors
 * only; `seq` (default 0) likewise. Returns {enc: 65 bytes, ct: ciphertext || 16-byte tag}.
 */
export async function sealAuth({
  recipientPublic,
  senderPrivate,
  senderPublic,
  info,
  aad,
  plaintext,
  ephemeral,
  seq = 0,
}) {
  checkPublic(recipientPublic, "recipientPublic");
  checkPublic(senderPublic, "senderPublic");
  const { sharedSecret, enc } = await authEncap(
    recipientPublic,
    senderPrivate,
    senderPublic,
    ephemeral,
  );
  const { key, baseNonce } = await keySchedule(sharedSecret, bytes(info, "info"));
  const aes = await aesKey(key, "encrypt");
  const pt = bytes(plaintext, "plaintext");
  const ct = await crypto.subtle.encrypt(gcm(baseNonce, seq, bytes(aad, "aad")), aes, pt);
  return { enc: new Uint8Array(enc), ct: new Uint8Array(ct) };
}

/**
 * OpenAuth(enc, skR, info, aad, ct, pkS): the plaintext bytes of a message sealed by
 * `sealAuth` to this recipient (`recipientPrivate`, whose public key is `recipientPublic`)
 * from the sender whose public key is `senderPublic`. Throws `DoesNotOpen` when it does not
 * open (another key, sender, info or aad, or any changed byte); a `TypeError` when an argument
 * is not even of the right shape.
 */
export async function openAuth({
  enc,
  ct,
  recipientPrivate,
  recipientPublic,
  senderPublic,
  info,
  aad,
  seq = 0,
}) {
  checkPublic(enc, "enc");
  checkPublic(recipientPublic, "recipientPublic");
  checkPublic(senderPublic, "senderPublic");
  let sharedSecret;
  try {
    sharedSecret = await authDecap(enc, recipientPrivate, recipientPublic, senderPublic);
  } catch (e) {
    // Not a point on the curve (WebCrypto checks when importing it).
    throw new DoesNotOpen(`enc or the sender's key is not a valid P-256 key (${e.name})`);
  }
  const { key, baseNonce } = await keySchedule(sharedSecret, bytes(info, "info"));
  const aes = await aesKey(key, "decrypt");
  try {
    const pt = await crypto.subtle.decrypt(gcm(baseNonce, seq, bytes(aad, "aad")), aes, ct);
    return new Uint8Array(pt);
  } catch {
    throw new DoesNotOpen("the tag does not match (another key, sender, aad, or a changed byte)");
  }
}

// --- device keys --------------------------------------------------------------------------

/** A new device key: {privateKey: a non-extractable ECDH P-256 CryptoKey for "deriveBits",
 * publicRaw: its 65-byte public key}. */
export async function generateDeviceKey() {
  const pair = await crypto.subtle.generateKey(ECDH, false, ["deriveBits"]);
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicRaw };
}

/** For test vectors: the private key whose scalar is `d` (32 bytes) and whose public key is
 * `publicRaw` (65 bytes), as a non-extractable ECDH CryptoKey for "deriveBits". WebCrypto
 * refuses a `d` that does not belong to the public key. */
export function importPrivateForTests(d, publicRaw) {
  if (!(d instanceof Uint8Array) || d.length !== N_SK) {
    throw new TypeError("d: expected a 32-byte P-256 scalar");
  }
  checkPublic(publicRaw, "publicRaw");
  const jwk = {
    kty: "EC",
    crv: "P-256",
    d: b64u(d),
    x: b64u(publicRaw.subarray(1, 33)),
    y: b64u(publicRaw.subarray(33, 65)),
  };
  return crypto.subtle.importKey("jwk", jwk, ECDH, false, ["deriveBits"]);
}

/** A device's id: lowercase hex of the first 8 bytes of SHA-256(public key), 16 characters. */
export async function deviceId(publicRaw) {
  checkPublic(publicRaw, "publicRaw");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", publicRaw));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}
