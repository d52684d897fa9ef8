"""How `coordination serve` runs uvicorn: bounded connections, headers and waiting.

uvicorn limits how long an idle keep-alive connection stays open, but not how long a
client may take to send its request: a client trickling its headers (slowloris) or
its body would hold its connection for ever. `RequestDeadlineProtocol` closes a
connection whose request has not arrived whole within `REQUEST_SECONDS` of the
connection opening or of the previous response.
"""

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_SECONDS = 10.0


class RequestDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request to arrive whole."""

    request_seconds = REQUEST_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # the request is in: the handler may take its time

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # the next request on this keep-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_limits(request_seconds: float = REQUEST_SECONDS) -> dict[str, Any]:
    """Options for uvicorn.run / uvicorn.Config, shared by `coordination serve` and tests."""
    # Worker processes receive the protocol class by pickling: the default is the
    # module's own class; another deadline (tests) makes a subclass in this process.
    protocol = RequestDeadlineProtocol
    if request_seconds != RequestDeadlineProtocol.request_seconds:

        class RequestDeadline(RequestDeadlineProtocol):
            pass

        RequestDeadline.request_seconds = request_seconds
        protocol = RequestDeadline
    return {
        "http": protocol,
        # uvloop (a dependency) when the platform has it: measured here, a third more
        # requests per second than asyncio's own loop at 8 clients, and less CPU each.
        "loop": "auto",
        "timeout_keep_alive": 5,  # seconds an idle keep-alive connection stays open
        "limit_concurrency": 200,  # connections or requests at once; beyond: 503
        "h11_max_incomplete_event_size": 16 * 1024,  # request line and headers, bytes
        "backlog": 256,
        "timeout_graceful_shutdown": 10,
    }
