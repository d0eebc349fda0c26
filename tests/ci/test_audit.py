"""The CI dependency audit (.ci/audit) against a local OSV-protocol service on loopback: it
fails on a known vulnerability, passes a clean lock, and never passes silently when the
advisory database cannot be reached."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parents[2] / ".ci" / "audit"
ADVISORY = {
    "id": "GHSA-tptp-0000-0001",
    "summary": "A made-up advisory for this test",
    "modified": "2026-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}

pytestmark = pytest.mark.skipif(
    shutil.which("uv") is None and not os.environ.get("TENDERPOINT_REQUIRE_ALL"),
    reason="uv is not on PATH",
)


def _osv_handler(vulnerable: set[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # /v1/querybatch
            queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["queries"]
            short = {"id": ADVISORY["id"], "modified": ADVISORY["modified"]}
            self._send(
                {
                    "results": [
                        {"vulns": [short]} if q["package"]["name"] in vulnerable else {}
                        for q in queries
                    ]
                }
            )

        def do_GET(self) -> None:  # /v1/vulns/<id>
            self._send(ADVISORY)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def osv_service() -> Iterator[Callable[[set[str]], str]]:
    servers: list[HTTPServer] = []

    def start(vulnerable: set[str]) -> str:
        server = HTTPServer(("127.0.0.1", 0), _osv_handler(vulnerable))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


def _audit(service_url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TENDERPOINT_REQUIRE_AUDIT"}
    return subprocess.run(
        ["bash", str(AUDIT)],
        env=env | {"TENDERPOINT_AUDIT_SERVICE_URL": service_url, **extra},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_a_known_vulnerability_fails_and_is_named(osv_service):
    result = _audit(osv_service({"django"}))
    assert result.returncode == 1
    assert "GHSA-tptp-0000-0001" in result.stdout
    assert "known vulnerability" in result.stderr


def test_a_clean_lock_passes(osv_service):
    result = _audit(osv_service(set()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no known vulnerability" in result.stdout


def test_an_unreachable_database_is_announced_not_passed_silently():
    result = _audit(_closed_port_url())
    assert result.returncode == 0
    assert "DEPENDENCY AUDIT NOT PERFORMED" in result.stdout
    assert "DEPENDENCY AUDIT NOT PERFORMED" in result.stderr
    assert "SKIPPED" in result.stdout


def test_an_unreachable_database_fails_when_the_audit_is_required():
    result = _audit(_closed_port_url(), TENDERPOINT_REQUIRE_AUDIT="1")
    assert result.returncode == 1
    assert "DEPENDENCY AUDIT NOT PERFORMED" in result.stderr
