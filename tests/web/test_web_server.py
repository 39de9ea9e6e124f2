"""The server's doors: bad --port and a port in use are one line and exit 2 before "serving on";
a client that sends its headers or body too slowly (slowloris) is answered 408 and let go."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

import uvicorn  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from mixedcrew.cli import app as cli_app  # noqa: E402
from mixedcrew.web.server import run  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402
from mixedcrew.web.timeouts import TimedH11Protocol  # noqa: E402


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_a_bad_port_is_one_line_exit_2(port: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--port", port, "--db", f"sqlite:///{tmp_path}/w.db"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"--port: must be from 1 to 65535, got {port}"


def test_a_port_in_use_is_one_line_before_serving_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        status = run(WebSettings(db_url=f"sqlite:///{tmp_path}/w.db"), host="127.0.0.1", port=port)
    finally:
        taken.close()
    err = capsys.readouterr().err
    assert status == 2
    assert f"mixedcrew serve: --port {port}: cannot listen on 127.0.0.1:{port}: already in use" in err
    assert "serving on" not in err


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


class _Quick(TimedH11Protocol):
    header_timeout_s = 0.5
    read_timeout_s = 1.5


@pytest.fixture
def server() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(_hello, http=_Quick, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(srv.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    yield port
    srv.should_exit = True
    thread.join(5)


def _talk(port: int, parts: list[bytes], pause: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        for part in parts:
            c.sendall(part)
            time.sleep(pause)
        chunks = []
        while chunk := c.recv(4096):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_prompt_request_is_served(server: int) -> None:
    reply = _talk(server, [b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"], 0)
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"ok")


def test_slow_headers_are_cut_off(server: int) -> None:
    t0 = time.monotonic()
    reply = _talk(server, [b"GET / HTTP/1.1\r\n", b"Host: x\r\n", b"X-a: b\r\n"], 0.4)
    assert reply.startswith(b"HTTP/1.1 408") and time.monotonic() - t0 < 4


def test_a_slow_body_is_cut_off(server: int) -> None:
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    reply = _talk(server, [head, b"a" * 10, b"b" * 10, b"c" * 10, b"d" * 10], 0.45)
    assert reply.startswith(b"HTTP/1.1 408")
