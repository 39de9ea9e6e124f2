"""Read timeouts for the HTTP server: a client must send its request in bounded time.

uvicorn (0.54) keeps a connection whose headers trickle in forever: 1,200
connections sending a byte now and then were all still held after 40 s
(slowloris). `TimedH11Protocol` is uvicorn's h11 protocol with two clocks
per request: its headers must arrive within `HEADER_TIMEOUT_S` of the
connection (or of the previous response, on a kept-alive connection), and
the whole request, body included, within `READ_TIMEOUT_S`. A client that
is too slow is answered 408 and disconnected; the app never sees it.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0  # a 2 MiB upload at 40 KB/s still arrives
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                     b"connection: close\r\ncontent-length: 34\r\n\r\nthe request took too long to send\n")


class TimedH11Protocol(H11Protocol):
    header_timeout_s = HEADER_TIMEOUT_S
    read_timeout_s = READ_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._clocks: list[asyncio.TimerHandle] = []
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._clocks = [self.loop.call_later(self.header_timeout_s, self._too_slow, "headers"),
                        self.loop.call_later(self.read_timeout_s, self._too_slow, "request")]

    def _disarm(self, which: slice = slice(None)) -> None:
        for clock in getattr(self, "_clocks", [])[which]:
            clock.cancel()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in (h11.SEND_BODY, h11.DONE):
            self._disarm(slice(0, 1))  # the headers are in
        if self.conn.their_state is h11.DONE:
            self._disarm()  # the whole request is in: the app's time is its own

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection has the same time

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self, what: str) -> None:
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()
