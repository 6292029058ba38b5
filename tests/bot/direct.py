"""Calling the web process's ASGI app directly, counting what it reads.

A real server buffers and hides how much of a request the app consumed; here each
`receive()` hands the app one chunk, so a test can assert the app stopped reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    # Bytes of the request body the app took with receive().
    read: int
    chunks_read: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


async def _call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]],
                chunks: Iterable[bytes]) -> Answer:
    source = iter(chunks)
    pending = next(source, None)
    read = chunks_read = 0
    started: dict[str, Any] = {}
    body = bytearray()

    async def receive() -> dict[str, Any]:
        nonlocal pending, read, chunks_read
        if pending is None:
            # Nothing more to send: the client waits (as a real one would) until the
            # app has answered; a test never gets here without an answer.
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}
        chunk, pending = pending, next(source, None)
        read += len(chunk)
        chunks_read += 1
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": raw_path,
        "raw_path": raw_path.encode("utf-8", "surrogateescape"),
        "query_string": query.encode("latin-1", "replace"), "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    response_headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                        for k, v in started.get("headers", [])}
    return Answer(started["status"], response_headers, bytes(body), read, chunks_read)


def call(app: Any, method: str, path: str, *, headers: dict[str, str | bytes] | None = None,
         chunks: Iterable[bytes] = ()) -> Answer:
    """One request to `app`; `chunks` is the body as the client sends it."""
    raw = [(k.lower().encode("latin-1"), v if isinstance(v, bytes) else v.encode("latin-1"))
           for k, v in (headers or {}).items()]
    return asyncio.run(_call(app, method, path, raw, chunks))
