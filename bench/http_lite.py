"""A lean HTTP/1.1 keep-alive client for the load generators: asyncio streams, nothing else.

The load generator shares the 2-core machine with the server it measures. aiohttp cost about
1 ms of CPU per request here (49.5 s for 46,800 requests in the 6,000-candidate run), which at
1,000 requests a second is half the machine. This client writes one request and reads one
response on a pooled connection, about a tenth of that, so the machine's CPU goes to the
server. It speaks only what the exam server answers: Content-Length or chunked bodies,
keep-alive, ``Connection: close``.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]  # lower-cased names, in order (Set-Cookie repeats)
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                found[key.strip()] = val.strip()
        return found


class Pool:
    """At most ``size`` connections to one host; a request waits for a free one."""

    def __init__(self, base: str, size: int, timeout: float = 300.0):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.size, self.timeout = size, timeout
        self.free: deque = deque()
        self.waiters: deque = deque()
        self.opened = 0
        self.resent = 0  # requests sent again because the server had closed an idle connection

    async def _acquire(self, fresh: bool = False):
        """(connection, reused): a pooled one, a new one, or the next one released."""
        if self.free and not fresh:
            return self.free.pop(), True
        if self.opened < self.size:
            self.opened += 1
            try:
                return await asyncio.open_connection(self.host, self.port), False
            except BaseException:
                self.opened -= 1
                raise
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        conn = await waiter
        return (conn, True) if conn is not None else await self._acquire(fresh)

    def _release(self, conn) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.free.append(conn)

    def _discard(self, conn) -> None:
        self.opened -= 1
        conn[1].close()
        while self.waiters:  # a waiter may open a new connection in its place
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None, *,
                      json=None, data: dict | None = None) -> Response:  # fmt: skip
        body = b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if json is not None:
            body = jsonlib.dumps(json).encode()
            head.append("Content-Type: application/json")
        elif data is not None:
            body = urlencode(data).encode()
            head.append("Content-Type: application/x-www-form-urlencoded")
        if body or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        head.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        payload = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        async with asyncio.timeout(self.timeout):
            conn, reused = await self._acquire()
            try:
                response, keep = await _exchange(conn, payload, method)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self._discard(conn)
                if not reused or getattr(exc, "partial", b""):
                    raise
                # The server closed an idle kept-alive connection before it read this request
                # (nothing came back): send it once more on a new one, as browsers do.
                self.resent += 1
                conn, _reused = await self._acquire(fresh=True)
                try:
                    response, keep = await _exchange(conn, payload, method)
                except BaseException:
                    self._discard(conn)
                    raise
            except BaseException:
                self._discard(conn)
                raise
        if keep:
            self._release(conn)
        else:
            self._discard(conn)
        return response

    def close(self) -> None:
        for _reader, writer in self.free:
            writer.close()
        self.free.clear()


async def _exchange(conn, payload: bytes, method: str) -> tuple[Response, bool]:
    reader, writer = conn
    writer.write(payload)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = []
    length, chunked, keep = None, False, not lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers.append((name, value))
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection":
            keep = value.lower() == "keep-alive" if lines[0].startswith("HTTP/1.0") else value.lower() != "close"
    if method == "HEAD" or status in (204, 304):
        body = b""
    elif chunked:
        body = await _chunked(reader)
    elif length is not None:
        body = await reader.readexactly(length)
    else:  # until the server closes
        body, keep = await reader.read(), False
    return Response(status, headers, body), keep


async def _chunked(reader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from our server
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


# What a failed exchange raises: refused or reset connections, a cut-off answer, a timeout.
NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError)
