"""Caps on request bodies: size, enforced while they stream in (413, unread), and JSON nesting (422)."""

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


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= 1:
        return body.count(b"[") + body.count(b"{")
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _is_json(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return not kind or kind == b"application/json" or kind.endswith(b"+json")


class JsonLimit:
    """JSON bodies: at most `limit` bytes (413) and `max_depth` levels of nesting (422), before parsing.

    Python's JSON parser recurses; a body of 100 000 nested brackets would
    otherwise end as an unhelpful error deep in the framework.
    """

    def __init__(self, app: ASGIApp, limit: int, max_depth: int):
        self.app = app
        self.limit = limit
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") or not _is_json(
                scope):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return await _reply(send, 413, {"detail": f"the JSON body is over {self.limit} bytes; "
                                                          "send less at a time"})
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        depth = json_depth(body)
        if depth > self.max_depth:
            return await _reply(send, 422, {"detail": [{"loc": ["body"], "type": "json_too_deep", "msg": (
                f"JSON nested {depth} levels deep; at most {self.max_depth} are accepted")}]})
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _reply(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
