"""Run the app with the test job kinds: `python serve_for_tests.py DB_URL PORT` (loopback only)."""

from __future__ import annotations

import sys

import uvicorn
from webtools import TEST_KINDS

from mixedcrew.web.app import create_app
from mixedcrew.web.settings import WebSettings

if __name__ == "__main__":
    db_url, port = sys.argv[1], int(sys.argv[2])
    settings = WebSettings(db_url=db_url, heartbeat_s=0.2, stale_after_s=2.0)
    uvicorn.run(create_app(settings, kinds=TEST_KINDS), host="127.0.0.1", port=port, log_level="warning")
