#!/usr/bin/env python3
"""A small Capital client that plays tic-tac-toe or echoes encrypted direct messages, written
from docs/protocol.md.

Create a room and wait for an opponent:

    python3 capital_client.py --url ws://127.0.0.1:8080/ws --name Py --create tictactoe

Join a room someone else created:

    python3 capital_client.py --url ws://127.0.0.1:8080/ws --name Bot --join KXMR

It prints the room code on a line `CODE XXXX` (when it creates the room), plays legally
(the first free cell whenever it is its turn), prints `RESULT win`, `RESULT loss` or
`RESULT draw`, and exits 0. Any error exits 1.

Echo encrypted direct messages (end-to-end, with capital_e2e.py), three of them, then exit:

    python3 capital_client.py --url ws://127.0.0.1:8080/ws --name Echo --dm-echo --count 3

It publishes a device key, prints `PLAYER <its player id>`, and for each direct message it gets
prints `GOT <text>` and answers `echo: <text>`, sealed for every device of both players (it prints
`SENT dm_sent <seq>` when the server has stored the answer).

Needs Python 3.11+, `websockets` and `cryptography` (pip install -r requirements.txt).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import deque

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import capital_e2e as e2e


class ServerError(Exception):
    """An error reply: {"re": id, "type": "error", "code": ..., "message": ...}."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Client:
    """One connection to a Capital server.

    `request` sends a request with the next id and waits for the reply whose `re` matches.
    Room events and direct messages that arrive in the meantime are queued; `next_event` and
    `next_dm` hand them out in order.
    """

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.next_id = 1
        self.events: deque[dict] = deque()
        self.dms: deque[dict] = deque()

    async def _receive(self) -> dict:
        """The next frame from the server, as a dict."""
        return json.loads(await self.ws.recv())

    async def request(self, type_: str, **fields) -> dict:
        """Sends `{"id": n, "type": type_, ...fields}`; returns the reply or raises ServerError."""
        request_id = self.next_id
        self.next_id += 1
        await self.ws.send(json.dumps({"id": request_id, "type": type_, **fields}))
        while True:
            msg = await self._receive()
            if msg.get("re") == request_id:
                if msg["type"] == "error":
                    raise ServerError(msg["code"], msg["message"])
                return msg
            self._keep(msg)

    def _keep(self, msg: dict) -> None:
        """Queues a frame that is not the reply being waited for."""
        if msg.get("type") == "event":
            self.events.append(msg)
        elif msg.get("type") == "dm":
            self.dms.append(msg["message"])
        elif msg.get("type") == "error" and "re" not in msg:
            # The server could not read one of our frames at all.
            raise ServerError(msg["code"], msg["message"])
        # Anything else is a push this client does not use (dm_receipt, presence), or a reply
        # to an earlier request: we never leave one waiting.

    async def next_event(self) -> dict:
        """The next room event: a queued one first, otherwise the next to arrive."""
        while not self.events:
            self._keep(await self._receive())
        return self.events.popleft()

    async def next_dm(self) -> dict:
        """The next direct message pushed to us (its `message`), queued or to arrive."""
        while not self.dms:
            self._keep(await self._receive())
        return self.dms.popleft()


async def next_room(client: Client, code: str) -> dict:
    """Waits for the next event of room `code` that carries the room, and returns that room."""
    while True:
        event = await client.next_event()
        if event["code"] != code:
            continue
        kind = event["kind"]
        if kind == "chat":
            message = event["message"]
            print(f"CHAT {message['name']}: {message['text']}", flush=True)
        elif kind == "closed":
            raise RuntimeError(f"the room closed: {event['reason']}")
        elif "room" in event:
            return event["room"]


def seats_filled(room: dict) -> bool:
    return all(seat["player"] is not None for seat in room["seats"])


def choose_cell(room: dict) -> int:
    """The first free cell of the board: always legal."""
    return room["state"]["board"].index(None)


def show_board(room: dict) -> str:
    board = [mark or "." for mark in room["state"]["board"]]
    return "\n".join(" ".join(board[row * 3 : row * 3 + 3]) for row in range(3))


async def play(args: argparse.Namespace) -> str:
    """Connects, gets into a room, plays one game; returns "win", "loss" or "draw"."""
    async with connect(args.url, close_timeout=2) as ws:
        client = Client(ws)
        welcome = await client.request("hello", name=args.name)
        print(f"HELLO {welcome['name']} ({welcome['player_id']})", flush=True)

        if args.create:
            joined = await client.request("create_room", game=args.create)
            code = joined["code"]
            print(f"CODE {code}", flush=True)
            room = joined["room"]
            while not seats_filled(room):
                room = await next_room(client, code)
            await client.request("start", code=code)
        else:
            joined = await client.request("join_room", code=args.join)
            code = joined["code"]
            room = joined["room"]
        print(f"JOINED {code} as seat {room['you']['seat']}", flush=True)

        while room["phase"] != "over":
            seat = room["you"]["seat"]
            if room["phase"] == "playing" and seat in room["turn"]:
                cell = choose_cell(room)
                try:
                    await client.request("move", code=code, move={"cell": cell})
                    print(f"MOVE {cell}", flush=True)
                except ServerError as e:
                    # Cannot happen when we follow the room, but waiting for the next
                    # event is always a safe answer to a refused move.
                    print(f"REFUSED {cell}: {e}", file=sys.stderr, flush=True)
            # The events our move caused were queued before its reply; take the next one.
            room = await next_room(client, code)

        print(show_board(room), flush=True)
        winner = room["outcome"]["winner"]
        if winner is None:
            return "draw"
        return "win" if winner == room["you"]["seat"] else "loss"


class KeysChanged(Exception):
    """The server lists devices for `player` that these pins did not accept (`devices`), or none
    where there were some (`devices` empty): nothing was sealed or sent."""

    def __init__(self, player: str, devices: list[str]):
        super().__init__(f"{player}'s devices changed: {devices or 'none listed'} not accepted")
        self.player = player
        self.devices = devices


class Pins:
    """The device keys accepted for each player, its own player included. The first list seen
    for a player is accepted as it is (trust on first use); later, a key not accepted, or an
    empty list where there were keys, is a change to accept (`accept`) before sealing. One's own
    list too: a server that added a device of its own there would get a copy of every message
    sent, and the safety numbers would not show it."""

    def __init__(self) -> None:
        self.accepted: dict[str, set[str]] = {}

    def check(self, player: str, listed: list[dict], own: str | None = None) -> None:
        known = self.accepted.get(player)
        if not known:
            if listed:
                self.accepted[player] = {k["key"] for k in listed}
            return
        added = [k["device"] for k in listed if k["key"] not in known and k["key"] != own]
        if added or not listed:
            raise KeysChanged(player, added)

    def accept(self, player: str, listed: list[dict]) -> None:
        self.accepted.setdefault(player, set()).update(k["key"] for k in listed)


async def keys_of(client: Client, player: str) -> list[dict]:
    """The devices `player` can receive encrypted messages on, as `keys_of` lists them now."""
    reply = await client.request("keys_of", player=player)
    return reply["keys"]


async def send_sealed(
    client: Client,
    key: e2e.DeviceKey,
    pins: Pins,
    me: str,
    to: str,
    text: str,
    client_msg_id: str,
) -> dict:
    """Sends `text` to `to` end-to-end encrypted: one copy for each device of `to` and of `me`
    (including this one, sealed with `key`), once `pins` accepts both lists (else KeysChanged,
    and nothing is sent). Returns the `dm_sent` reply."""
    own = e2e.b64u(e2e.public_bytes(key))
    tries = 0
    while True:
        tries += 1
        devices: dict[str, bytes] = {}  # one copy a device, even if two players list a key
        for player in (to, me):
            listed = await keys_of(client, player)
            pins.check(player, listed, own)
            for k in listed:
                devices.setdefault(k["device"], e2e.unb64u(k["key"]))
        sealed = {
            "from_key": own,
            "copies": e2e.seal_dm(key, me, to, client_msg_id, text, list(devices.values())),
        }
        try:
            return await client.request("dm", to=to, client_msg_id=client_msg_id, sealed=sealed)
        except ServerError as e:
            # A device of either player came or went since keys_of: seal for the new list.
            if e.code != "keys_changed" or tries == 3:
                raise


def open_message(key: e2e.DeviceKey, message: dict, sender_keys: list[bytes]) -> str:
    """The text of a direct message as this device reads it (its copy opened with `key`), or
    the plain text of one that was not encrypted. `sender_keys`: the sender's devices
    (`keys_of`); a message sealed by any other key is refused, since otherwise a server could
    seal one with a key of its own and pass it off as theirs. Raises e2e.DoesNotOpen."""
    sealed = message.get("sealed")
    if sealed is None:
        return message["text"]
    if e2e.unb64u(sealed["from_key"]) not in sender_keys:
        raise e2e.DoesNotOpen("not sealed by a device of its sender")
    me = e2e.device_id(e2e.public_bytes(key))
    copy = next((c for c in sealed["copies"] if c["device"] == me), None)
    if copy is None:
        raise e2e.DoesNotOpen(f"no copy for this device ({me})")
    sender = e2e.unb64u(sealed["from_key"])
    return e2e.open_dm(key, sender, message["from"], message["to"], message["client_msg_id"], copy)


async def dm_echo(args: argparse.Namespace) -> str:
    """Connects, publishes a device key, answers `args.count` direct messages with their echo,
    sealed end to end; returns "echoed N"."""
    async with connect(args.url, close_timeout=2) as ws:
        client = Client(ws)
        welcome = await client.request("hello", name=args.name)
        me = welcome["player_id"]
        print(f"HELLO {welcome['name']} ({me})", flush=True)
        key = e2e.generate_key()  # a new device each run; keep private_bytes(key) to be one
        published = await client.request("publish_key", key=e2e.b64u(e2e.public_bytes(key)))
        print(f"DEVICE {published['device']}", flush=True)
        print(f"PLAYER {me}", flush=True)

        pins = Pins()  # the lists seen first; this bot never accepts a device added later
        echoed = 0
        while echoed < args.count:
            message = await client.next_dm()
            if message["from"] == me:
                continue  # our own message, as another of our devices sent it
            try:
                senders = await keys_of(client, message["from"])
                text = open_message(key, message, [e2e.unb64u(k["key"]) for k in senders])
            except ValueError as e:  # DoesNotOpen, or a from_key that is not base64url
                print(f"UNREADABLE {message['seq']}: {e}", file=sys.stderr, flush=True)
                continue
            print(f"GOT {text}", flush=True)
            to, answer = message["from"], f"echo: {text}"
            answer_id = f"echo-{to}-{message['seq']}"  # the same for a retry, unique otherwise
            if message.get("sealed") is None:  # they wrote in the clear: so do we
                sent = await client.request("dm", to=to, text=answer, client_msg_id=answer_id)
            else:
                try:
                    sent = await send_sealed(client, key, pins, me, to, answer, answer_id)
                except KeysChanged as e:
                    print(f"KEYS_CHANGED {e}", file=sys.stderr, flush=True)
                    continue
            print(f"SENT {sent['type']} {sent['seq']}", flush=True)
            echoed += 1
        return f"echoed {echoed}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Play tic-tac-toe, or echo encrypted direct messages, on a Capital server."
    )
    parser.add_argument("--url", required=True, help="e.g. ws://127.0.0.1:8080/ws")
    parser.add_argument("--name", default="Py", help="display name (1 to 24 characters)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--create", metavar="GAME", help="create a room of GAME (tictactoe)")
    which.add_argument("--join", metavar="CODE", help="join the room with this code")
    which.add_argument(
        "--dm-echo", action="store_true", help="answer direct messages with their echo, encrypted"
    )
    parser.add_argument(
        "--count", type=int, default=1, help="with --dm-echo: exit after this many messages"
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="give up after this many seconds"
    )
    args = parser.parse_args()
    if args.create and args.create != "tictactoe":
        parser.error("this client only knows how to play tictactoe")

    try:
        run = dm_echo if args.dm_echo else play
        result = asyncio.run(asyncio.wait_for(run(args), args.timeout))
    except ServerError as e:
        print(f"ERROR {e}", file=sys.stderr)
        return 1
    except ConnectionClosed as e:
        print(f"ERROR connection closed: {e}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, asyncio.TimeoutError) as e:
        print(f"ERROR {e!r}", file=sys.stderr)
        return 1
    print(f"RESULT {result}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
