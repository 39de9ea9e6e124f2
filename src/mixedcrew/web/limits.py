"""A cap on request bodies, enforced while they stream in: larger ones get 413, unread."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_text(limit: int) -> str:
    return f"the request is too large: uploads may be at most {limit} bytes"


class BodyTooLarge(HTTPException):
    """Raised from the body stream; an HTTPException so that FastAPI's parsing passes it on as 413."""

    def __init__(self, limit: int):
        super().__init__(413, too_large_text(limit))


def too_large_body(limit: int, html: bool) -> tuple[bytes, bytes]:
    text = too_large_text(limit)
    if html:
        page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Too large</title></head>"
                f"<body><h1>Upload too large</h1><p>{text}.</p><p><a href='/'>Back to the scenarios</a></p>"
                "</body></html>")
        return page.encode(), b"text/html; charset=utf-8"
    return json.dumps({"detail": text}).encode(), b"application/json"


class BodyLimit:
    """Refuse bodies over `limit` bytes: by Content-Length at once, or while counting the stream."""

    def __init__(self, app: ASGIApp, limit: int, shown_limit: int | None = None):
        self.app = app
        self.limit = limit
        self.shown = shown_limit or limit  # the documented upload limit, for messages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        html = b"text/html" in headers.get(b"accept", b"")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(send, html)
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.shown)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, html)

    async def _refuse(self, send: Send, html: bool) -> None:
        body, kind = too_large_body(self.shown, html)
        headers: list[Any] = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                              (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
