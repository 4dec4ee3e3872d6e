"""Capital's encrypted direct messages in Python: HPKE and how Capital seals a message with it.

Two layers, both small enough to read against their specifications:

1. HPKE (RFC 9180), single-shot, in its authenticated mode (``mode_auth``, 0x02) and for one
   suite only: DHKEM(P-256, HKDF-SHA256) (KEM 0x0010), HKDF-SHA256 (KDF 0x0001) and
   AES-128-GCM (AEAD 0x0001).

   - ``labeled_extract`` / ``labeled_expand``: §4 (with the KEM's suite id of §4.1 inside the
     KEM, and the HPKE suite id of §5.1 in the key schedule);
   - ``_auth_encap`` / ``_auth_decap``: DHKEM's AuthEncap and AuthDecap, §4.1;
   - ``_key_schedule``: KeySchedule, §5.1, for mode_auth (§5.1.3), which has no PSK (``psk``
     and ``psk_id`` empty, as §5.1's VerifyPSKInputs requires);
   - ``hpke_seal`` / ``hpke_open``: the single-shot API, §6.1 (one message at sequence number 0,
     so the nonce is the base nonce, §5.2).

2. Capital's layer (docs/protocol.md, "Encrypted direct messages"): ``info`` is
   ``b"capital dm v1"``, the associated data is ``from + "\\n" + to + "\\n" + client_msg_id``, a
   device id is the first 8 bytes of SHA-256 of its public key in lower-case hex, and binary values
   travel as base64url without padding (RFC 4648 §5). ``seal_dm`` makes one copy of a message per
   device; ``open_dm`` opens this device's copy.

A key is a ``cryptography`` object (``DeviceKey``, an ``ec.EllipticCurvePrivateKey``); public
keys travel as the 65-byte uncompressed SEC1 point. Only the ``cryptography`` package is used
(pip install 'cryptography>=42'). ``test_capital_e2e.py`` tests it against the bytes in
``crates/e2e/tests/vectors/``: RFC 9180's own vector (appendix A.3.3) and Capital's.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# --- HPKE, RFC 9180, for DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM ----------------

MODE_AUTH = 0x02
KEM_ID, KDF_ID, AEAD_ID = 0x0010, 0x0001, 0x0001
# The suite ids that LabeledExtract and LabeledExpand put in front of every label:
# the KEM's (§4.1) inside the KEM, the whole suite's (§5.1) in the key schedule.
KEM_SUITE_ID = b"KEM" + KEM_ID.to_bytes(2, "big")
HPKE_SUITE_ID = b"HPKE" + b"".join(i.to_bytes(2, "big") for i in (KEM_ID, KDF_ID, AEAD_ID))
N_SECRET, N_K, N_N = 32, 16, 12  # shared secret, AES-128 key and GCM nonce lengths (§7)

# The order of P-256's group: a private key is a scalar in [1, ORDER).
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


# A device's key pair (or an ephemeral one): its private half, which knows its public half.
DeviceKey = ec.EllipticCurvePrivateKey


class DoesNotOpen(ValueError):
    """A sealed message did not open: not for this key, not from that sender, or altered."""


def _extract(salt: bytes, ikm: bytes) -> bytes:
    """HKDF-Extract (RFC 5869 §2.2): HMAC-SHA256 keyed with the salt."""
    mac = hmac.HMAC(salt, hashes.SHA256())
    mac.update(ikm)
    return mac.finalize()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    """HKDF-Expand (RFC 5869 §2.3)."""
    return HKDFExpand(hashes.SHA256(), length, info).derive(prk)


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    """LabeledExtract, RFC 9180 §4."""
    return _extract(salt, b"HPKE-v1" + suite_id + label + ikm)


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    """LabeledExpand, RFC 9180 §4."""
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return _expand(prk, labeled_info, length)


def generate_key() -> DeviceKey:
    """A new P-256 key pair (a device key, or an ephemeral one)."""
    return ec.generate_private_key(ec.SECP256R1())


def private_key(scalar: bytes) -> DeviceKey:
    """The key pair of a private key's 32 big-endian bytes."""
    value = int.from_bytes(scalar, "big")
    if len(scalar) != 32 or not 0 < value < ORDER:
        raise ValueError("not a P-256 private key")
    return ec.derive_private_key(value, ec.SECP256R1())


def private_bytes(key: DeviceKey) -> bytes:
    """A private key's 32 big-endian bytes, for a client that keeps its key in a file."""
    return key.private_numbers().private_value.to_bytes(32, "big")


def public_bytes(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    """SerializePublicKey (§7.1.1): the 65-byte uncompressed point 0x04 || X || Y."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        key = key.public_key()
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def public_key(data: bytes) -> ec.EllipticCurvePublicKey:
    """DeserializePublicKey (§7.1.1): uncompressed points only, and on the curve."""
    if len(data) != 65 or data[0] != 0x04:
        raise ValueError("not an uncompressed P-256 public key")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data)


def _dh(private: ec.EllipticCurvePrivateKey, public: ec.EllipticCurvePublicKey) -> bytes:
    """DH (§4.1, §7.1): the X coordinate of the shared point, 32 bytes."""
    return private.exchange(ec.ECDH(), public)


def _extract_and_expand(dh: bytes, kem_context: bytes) -> bytes:
    """DHKEM's ExtractAndExpand (§4.1)."""
    eae_prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", kem_context, N_SECRET)


def _auth_encap(
    recipient: ec.EllipticCurvePublicKey,
    sender: ec.EllipticCurvePrivateKey,
    ephemeral: ec.EllipticCurvePrivateKey,
) -> tuple[bytes, bytes]:
    """AuthEncap(pkR, skS) (§4.1); returns (shared_secret, enc)."""
    dh = _dh(ephemeral, recipient) + _dh(sender, recipient)
    enc = public_bytes(ephemeral)
    kem_context = enc + public_bytes(recipient) + public_bytes(sender)
    return _extract_and_expand(dh, kem_context), enc


def _auth_decap(
    enc: bytes, recipient: ec.EllipticCurvePrivateKey, sender: ec.EllipticCurvePublicKey
) -> bytes:
    """AuthDecap(enc, skR, pkS) (§4.1); returns the shared secret."""
    dh = _dh(recipient, public_key(enc)) + _dh(recipient, sender)
    kem_context = enc + public_bytes(recipient) + public_bytes(sender)
    return _extract_and_expand(dh, kem_context)


def _key_schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """KeySchedule (§5.1) for mode_auth (no PSK); returns (key, base_nonce)."""
    psk = psk_id = b""
    psk_id_hash = labeled_extract(HPKE_SUITE_ID, b"", b"psk_id_hash", psk_id)
    info_hash = labeled_extract(HPKE_SUITE_ID, b"", b"info_hash", info)
    context = bytes([MODE_AUTH]) + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE_ID, shared_secret, b"secret", psk)
    key = labeled_expand(HPKE_SUITE_ID, secret, b"key", context, N_K)
    base_nonce = labeled_expand(HPKE_SUITE_ID, secret, b"base_nonce", context, N_N)
    return key, base_nonce


def hpke_seal(
    sender: ec.EllipticCurvePrivateKey,
    recipient_public: bytes,
    info: bytes,
    aad: bytes,
    plaintext: bytes,
    *,
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
) -> tuple[bytes, bytes]:
    """SealAuth (§6.1): returns (enc, ct), ct being the ciphertext and its 16-byte tag.

    ``ephemeral`` is for tests that reproduce a known vector; leave it out otherwise (a fresh
    ephemeral key for every message is what keeps one message's key from opening another).
    """
    if ephemeral is None:
        ephemeral = generate_key()
    shared_secret, enc = _auth_encap(public_key(recipient_public), sender, ephemeral)
    key, base_nonce = _key_schedule(shared_secret, info)
    # Sequence number 0: the nonce is base_nonce XOR 0 (§5.2).
    return enc, AESGCM(key).encrypt(base_nonce, plaintext, aad)


def hpke_open(
    recipient: ec.EllipticCurvePrivateKey,
    sender_public: bytes,
    info: bytes,
    aad: bytes,
    enc: bytes,
    ct: bytes,
) -> bytes:
    """OpenAuth (§6.1): the plaintext, or DoesNotOpen."""
    try:
        shared_secret = _auth_decap(enc, recipient, public_key(sender_public))
        key, base_nonce = _key_schedule(shared_secret, info)
        return AESGCM(key).decrypt(base_nonce, ct, aad)
    except (InvalidTag, ValueError) as e:
        raise DoesNotOpen("does not open with this key (not for it, or altered)") from e


# --- Capital's direct messages ------------------------------------------------------------

INFO = b"capital dm v1"
_B64U = re.compile(r"[A-Za-z0-9_-]*")


def aad(from_: str, to: str, client_msg_id: str) -> bytes:
    """The associated data of a message: who sent it, to whom, under which client id."""
    return f"{from_}\n{to}\n{client_msg_id}".encode()


def device_id(public: bytes) -> str:
    """A device's id: the first 8 bytes of SHA-256 of its public key, in lower-case hex."""
    return hashlib.sha256(public).hexdigest()[:16]


def b64u(data: bytes) -> str:
    """Bytes as base64url without padding (RFC 4648 §5), as they travel in the protocol."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    """The bytes of base64url text without padding; ValueError for anything else."""
    if not _B64U.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u(data) != text:  # unused low bits set: another spelling of the same bytes
        raise ValueError("not base64url in its canonical form")
    return data


def seal_dm(
    sender: DeviceKey,
    from_: str,
    to: str,
    client_msg_id: str,
    text: str,
    device_publics: Iterable[bytes],
) -> list[dict]:
    """The message ``text`` from player ``from_`` to player ``to``, sealed by ``sender`` (a
    device of ``from_``) once for each public key in ``device_publics`` (the recipient's devices
    and the sender's own). Returns the copies as they travel: ``{"device", "enc", "ct"}``."""
    message_aad = aad(from_, to, client_msg_id)
    copies = []
    for public in device_publics:
        enc, ct = hpke_seal(sender, public, INFO, message_aad, text.encode())
        copies.append({"device": device_id(public), "enc": b64u(enc), "ct": b64u(ct)})
    return copies


def open_dm(
    me: DeviceKey,
    sender_public: bytes,
    from_: str,
    to: str,
    client_msg_id: str,
    copy: dict,
) -> str:
    """Opens this device's ``copy`` (``{"device", "enc", "ct"}``) of a message from ``from_`` to
    ``to`` sealed by the device whose public key is ``sender_public``; DoesNotOpen otherwise."""
    try:
        enc, ct = unb64u(copy["enc"]), unb64u(copy["ct"])
    except (KeyError, TypeError, ValueError) as e:
        raise DoesNotOpen("not a sealed copy") from e
    plaintext = hpke_open(me, sender_public, INFO, aad(from_, to, client_msg_id), enc, ct)
    try:
        return plaintext.decode()
    except UnicodeDecodeError as e:
        raise DoesNotOpen("the text is not UTF-8") from e
