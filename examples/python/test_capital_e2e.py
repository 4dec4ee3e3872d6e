"""Checks capital_e2e.py against the committed vectors in crates/e2e/tests/vectors/, and the
client's pins (which devices it accepted for each player).

Run from this directory with ``python3 -m unittest`` (no pytest needed). The Rust test
``crates/server/tests/python_client.rs`` runs it too, so ``cargo test`` fails when this does.
"""

from __future__ import annotations

import json
import unittest
from pathlib import Path

import capital_e2e as e2e
from capital_client import KeysChanged, Pins

VECTORS = Path(__file__).resolve().parent / "../../crates/e2e/tests/vectors"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def flip_last_byte(text: str) -> str:
    """The same base64url value with its last byte changed."""
    data = bytearray(e2e.unb64u(text))
    data[-1] ^= 0x01
    return e2e.b64u(bytes(data))


class Rfc9180Vector(unittest.TestCase):
    """RFC 9180 appendix A.3.3: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, mode_auth."""

    def setUp(self):
        self.v = load("hpke-auth-p256.json")["vector"]
        self.assertEqual(
            (self.v["mode"], self.v["kem_id"], self.v["kdf_id"], self.v["aead_id"]),
            (e2e.MODE_AUTH, e2e.KEM_ID, e2e.KDF_ID, e2e.AEAD_ID),
        )
        # Only the first encryption is at sequence number 0, which is all single-shot uses.
        self.first = self.v["encryptions"][0]

    def hex(self, key: str, of: dict | None = None) -> bytes:
        return bytes.fromhex((of or self.v)[key])

    def test_the_keys_match_their_public_halves(self):
        self.assertEqual(e2e.public_bytes(e2e.private_key(self.hex("skRm"))), self.hex("pkRm"))
        self.assertEqual(e2e.public_bytes(e2e.private_key(self.hex("skSm"))), self.hex("pkSm"))

    def test_the_kem_and_the_key_schedule_give_the_vectors_values(self):
        # Each step on its own, so that a failure says which one is wrong.
        recipient = e2e.private_key(self.hex("skRm"))
        sender = e2e.public_key(self.hex("pkSm"))
        shared_secret = e2e._auth_decap(self.hex("enc"), recipient, sender)
        self.assertEqual(shared_secret.hex(), self.v["shared_secret"])
        _key, base_nonce = e2e._key_schedule(shared_secret, self.hex("info"))
        self.assertEqual(base_nonce.hex(), self.first["nonce"])

    def test_the_first_encryption_opens_to_its_plaintext(self):
        recipient = e2e.private_key(self.hex("skRm"))
        pt = e2e.hpke_open(
            recipient,
            self.hex("pkSm"),
            self.hex("info"),
            self.hex("aad", self.first),
            self.hex("enc"),
            self.hex("ct", self.first),
        )
        self.assertEqual(pt, self.hex("pt", self.first))

    def test_another_sender_or_aad_does_not_open(self):
        recipient = e2e.private_key(self.hex("skRm"))
        info, aad, enc = self.hex("info"), self.hex("aad", self.first), self.hex("enc")
        args = [info, aad, enc, self.hex("ct", self.first)]
        with self.assertRaises(e2e.DoesNotOpen):
            e2e.hpke_open(recipient, self.hex("pkRm"), *args)
        args[1] = b"Count-1"
        with self.assertRaises(e2e.DoesNotOpen):
            e2e.hpke_open(recipient, self.hex("pkSm"), *args)

    def test_sealing_with_the_vectors_ephemeral_key_gives_its_bytes(self):
        if "skEm" not in self.v:
            self.skipTest("the vector file has no skEm")
        enc, ct = e2e.hpke_seal(
            e2e.private_key(self.hex("skSm")),
            self.hex("pkRm"),
            self.hex("info"),
            self.hex("aad", self.first),
            self.hex("pt", self.first),
            ephemeral=e2e.private_key(self.hex("skEm")),
        )
        self.assertEqual(enc.hex(), self.v["enc"])
        self.assertEqual(ct.hex(), self.first["ct"])


class CapitalVectors(unittest.TestCase):
    """crates/e2e/tests/vectors/capital-dm.json: messages sealed as Capital seals them."""

    def setUp(self):
        self.file = load("capital-dm.json")
        self.messages = self.file["messages"]

    def open(self, m: dict, **changes) -> str:
        """Opens message ``m``'s copy, with any of from_/to/client_msg_id/enc/ct changed."""
        fields = {"from_": m["from"], "to": m["to"], "client_msg_id": m["client_msg_id"]}
        fields.update((k, v) for k, v in changes.items() if k in fields)
        copy = {k: changes.get(k, m[k]) for k in ("device", "enc", "ct")}
        me = e2e.private_key(e2e.unb64u(m["recipient_private"]))
        return e2e.open_dm(me, e2e.unb64u(m["sender_public"]), copy=copy, **fields)

    def test_the_file_is_for_this_info(self):
        self.assertEqual(self.file["info"].encode(), e2e.INFO)
        self.assertGreaterEqual(len(self.messages), 3)

    def test_every_message_opens_to_its_text(self):
        for m in self.messages:
            with self.subTest(client_msg_id=m["client_msg_id"]):
                self.assertEqual(self.open(m), m["text"])
                aad = e2e.aad(m["from"], m["to"], m["client_msg_id"])
                self.assertEqual(aad, m["aad"].encode())

    def test_device_ids_and_keys_match(self):
        for m in self.messages:
            with self.subTest(client_msg_id=m["client_msg_id"]):
                public = e2e.unb64u(m["recipient_public"])
                self.assertEqual(e2e.device_id(public), m["device"])
                me = e2e.private_key(e2e.unb64u(m["recipient_private"]))
                self.assertEqual(e2e.public_bytes(me), public)

    def test_a_changed_byte_or_another_conversation_does_not_open(self):
        for m in self.messages:
            for change in (
                {"ct": flip_last_byte(m["ct"])},
                {"enc": flip_last_byte(m["enc"])},
                {"from_": m["to"], "to": m["from"]},
                {"client_msg_id": m["client_msg_id"] + "x"},
            ):
                with self.subTest(client_msg_id=m["client_msg_id"], change=sorted(change)):
                    with self.assertRaises(e2e.DoesNotOpen):
                        self.open(m, **change)


class RoundTrip(unittest.TestCase):
    def test_each_device_opens_its_own_copy(self):
        ana, bo_phone, bo_laptop = e2e.generate_key(), e2e.generate_key(), e2e.generate_key()
        devices = [e2e.public_bytes(k) for k in (bo_phone, bo_laptop, ana)]
        copies = e2e.seal_dm(ana, "pa", "pb", "m1", "hi Bo 👋", devices)
        self.assertEqual([c["device"] for c in copies], [e2e.device_id(d) for d in devices])
        ana_public = e2e.public_bytes(ana)
        for copy, key in zip(copies, (bo_phone, bo_laptop, ana)):
            self.assertEqual(e2e.open_dm(key, ana_public, "pa", "pb", "m1", copy), "hi Bo 👋")
        with self.assertRaises(e2e.DoesNotOpen):  # another device's copy
            e2e.open_dm(bo_laptop, ana_public, "pa", "pb", "m1", copies[0])
        with self.assertRaises(e2e.DoesNotOpen):  # another sender
            e2e.open_dm(bo_phone, devices[1], "pa", "pb", "m1", copies[0])

    def test_a_private_key_survives_its_bytes(self):
        key = e2e.generate_key()
        again = e2e.private_key(e2e.private_bytes(key))
        self.assertEqual(e2e.public_bytes(again), e2e.public_bytes(key))
        self.assertEqual(len(e2e.public_bytes(key)), 65)
        self.assertEqual(len(e2e.device_id(e2e.public_bytes(key))), 16)


class Base64Url(unittest.TestCase):
    def test_no_padding_and_no_other_alphabet(self):
        self.assertEqual(e2e.b64u(bytes([0xFB, 0xFF])), "-_8")
        self.assertEqual(e2e.unb64u("-_8"), bytes([0xFB, 0xFF]))
        for bad in ("+/8=", "-_8=", "+/8", "-_9", "A"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                e2e.unb64u(bad)


def device(name: str) -> dict:
    return {"device": f"dev-{name}", "key": f"key-{name}", "since": 0}


class PinsTest(unittest.TestCase):
    """The first list is accepted; a device added later, or no devices where there were some, is
    a change until accepted; a device that went is not; this device's own key never is."""

    def test_an_added_device_is_a_change_until_accepted(self):
        pins = Pins()
        pins.check("bo", [device("a")])
        with self.assertRaises(KeysChanged) as changed:
            pins.check("bo", [device("a"), device("b")])
        self.assertEqual((changed.exception.player, changed.exception.devices), ("bo", ["dev-b"]))
        pins.accept("bo", [device("b")])
        pins.check("bo", [device("a"), device("b")])
        pins.check("bo", [device("b")])

    def test_no_devices_where_there_were_some_and_the_own_key(self):
        pins = Pins()
        pins.check("bo", [])
        pins.check("bo", [device("a")])
        with self.assertRaises(KeysChanged) as changed:
            pins.check("bo", [])
        self.assertEqual(changed.exception.devices, [])
        pins.check("me", [device("me")], own="key-me")
        pins.check("me", [device("me"), device("laptop")], own="key-laptop")
        with self.assertRaises(KeysChanged):
            pins.check("me", [device("me"), device("x")], own="key-me")


if __name__ == "__main__":
    unittest.main()
