"""`mixedcrew serve`: registered by mixedcrew.cli.web, says which extra is missing, one line on a bad URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import typer
from typer.testing import CliRunner

from mixedcrew.cli import web as commands


def serve_app() -> typer.Typer:
    app = typer.Typer()
    commands.register(app)

    @app.command()
    def other() -> None:  # a second command, so that typer keeps `serve` as a subcommand
        pass

    return app


def test_serve_is_registered_with_its_options():
    result = CliRunner().invoke(serve_app(), ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--host", "--port", "--max-upload"):
        assert option in result.output


def test_without_the_web_extra_serve_names_it(monkeypatch):
    real = commands.importlib.util.find_spec
    monkeypatch.setattr(commands.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("fastapi", "icalendar") else real(name, *a))
    result = CliRunner().invoke(serve_app(), ["serve"])
    assert result.exit_code == 2
    assert "pip install 'mixedcrew[web]'" in result.stderr and "fastapi, icalendar missing" in result.stderr


def test_a_bad_database_url_is_one_line(tmp_path):
    pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")
    for url, words in [("mysql://x/y", "database 'mysql' is not supported"),
                       ("not a url", "is not a URL"),
                       ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot open database")]:
        result = CliRunner().invoke(serve_app(), ["serve", "--db", url])
        assert result.exit_code == 2, url
        assert words in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert CliRunner().invoke(serve_app(), ["serve", "--max-upload", "0"]).exit_code == 2


def test_mixedcrew_serve_runs_from_any_folder(tmp_path):
    """The real command: a SQLite file by URL, pages and assets served with another working directory."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")
    from webtools import free_port

    port = free_port()
    db = tmp_path / "data" / "serve.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mixedcrew.cli import main; main()", "serve", "--db", f"sqlite:///{db}",
         "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:  # up: it answers, and asks for a credential
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 401:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline
            time.sleep(0.1)
        login = httpx.get(f"{base}/", headers={"accept": "text/html"})
        assert login.status_code == 401 and 'action="/login"' in login.text
        assert httpx.get(f"{base}/static/vendor/plotly.min.js").status_code == 200
        assert httpx.get(f"{base}/static/app.css").status_code == 200
        assert db.exists()
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=20)[0].decode()
    assert f"database sqlite:///{db}" in out and f"serving on http://127.0.0.1:{port}/" in out
    assert "no user yet: make the first administrator with `mixedcrew users add NAME --admin" in out
    assert "Traceback" not in out
