#!/usr/bin/env python3
"""A small Capital client that plays tic-tac-toe, written from docs/protocol.md.

Create a room and wait for an opponent:

    python3 capital_client.py --url ws://127.0.0.1:8080/ws --name Py --create tictactoe

Join a room someone else created:

    python3 capital_client.py --url ws://127.0.0.1:8080/ws --name Bot --join KXMR

It prints the room code on a line `CODE XXXX` (when it creates the room), plays legally
(the first free cell whenever it is its turn), prints `RESULT win`, `RESULT loss` or
`RESULT draw`, and exits 0. Any error exits 1.

Needs Python 3.11+ and `websockets` (pip install -r requirements.txt).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import deque

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


class ServerError(Exception):
    """An error reply: {"re": id, "type": "error", "code": ..., "message": ...}."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Client:
    """One connection to a Capital server.

    `request` sends a request with the next id and waits for the reply whose `re` matches.
    Room events that arrive in the meantime are queued; `next_event` hands them out in order.
    """

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.next_id = 1
        self.events: deque[dict] = deque()

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
            if msg.get("type") == "event":
                self.events.append(msg)
            elif msg.get("type") == "error" and "re" not in msg:
                # The server could not read one of our frames at all.
                raise ServerError(msg["code"], msg["message"])
            # Anything else is a direct-message push (dm, dm_receipt, presence), which this
            # client does not use, or a reply to an earlier request: we never leave one waiting.

    async def next_event(self) -> dict:
        """The next room event: a queued one first, otherwise the next to arrive."""
        if self.events:
            return self.events.popleft()
        while True:
            msg = await self._receive()
            if msg.get("type") == "event":
                return msg
            if msg.get("type") == "error" and "re" not in msg:
                raise ServerError(msg["code"], msg["message"])


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


def main() -> int:
    parser = argparse.ArgumentParser(description="Play tic-tac-toe on a Capital server.")
    parser.add_argument("--url", required=True, help="e.g. ws://127.0.0.1:8080/ws")
    parser.add_argument("--name", default="Py", help="display name (1 to 24 characters)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--create", metavar="GAME", help="create a room of GAME (tictactoe)")
    which.add_argument("--join", metavar="CODE", help="join the room with this code")
    parser.add_argument(
        "--timeout", type=float, default=300, help="give up after this many seconds"
    )
    args = parser.parse_args()
    if args.create and args.create != "tictactoe":
        parser.error("this client only knows how to play tictactoe")

    try:
        result = asyncio.run(asyncio.wait_for(play(args), args.timeout))
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
