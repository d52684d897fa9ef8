"""ASGI middleware: request id and one log line per request; security headers; body size."""

import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coordination.entrypoints.api.problems import problem
from coordination.entrypoints.api.security_headers import security_headers

log = structlog.get_logger()


class RequestContext:
    """Binds a request id, echoes it as X-Request-ID, and logs one line per request:
    route, status, agency and the time until the answer started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started, logged = time.perf_counter(), False

        def log_request(status: int) -> None:
            nonlocal logged
            logged = True
            route = getattr(scope.get("route"), "path", "unmatched")
            agency = scope["state"].get("agency")
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            log.info("request", method=scope["method"], route=route, status=status,
                     agency=agency, duration_ms=duration_ms)  # fmt: skip

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", request_id.encode())]  # fmt: skip
                # Logged before the answer leaves: a client that has its answer never
                # looks for a line that is not yet written.
                log_request(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not logged:  # nothing was answered here: an error escaped (500 outside)
                log_request(500)
            structlog.contextvars.clear_contextvars()


class SecurityHeaders:
    """Adds the security headers to every response the app sends (a route's own win).

    A 500 is sent by Starlette's outermost error middleware, outside this one:
    problems.handle_unexpected adds the same headers there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(scope["path"], scope["scheme"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ClientGone(Exception):
    """The client closed the connection (or was cut off) before its body was whole."""


class BodyGuard:
    """Refuses bodies over the limit (413) before anything reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        too_long = length.isdigit() and int(length) > self.max_bytes
        try:
            body = None if too_long else await self._read(receive)
        except ClientGone:
            return  # it left before its body was whole: nothing to answer, nothing to do
        if body is None:
            refusal = problem(413, "payload-too-large", "Payload too large",
                              f"the body is over {self.max_bytes} bytes")  # fmt: skip
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
