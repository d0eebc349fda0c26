"""The web commands: version, serve's refusals, and the demo run for real on a free port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tenderpoint
from tenderpoint.cli import app

runner = CliRunner()


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TENDERPOINT_", "DJANGO_", "DATABASE_URL"))
    }
    env["TENDERPOINT_REQUIRE_ALL"] = os.environ.get("TENDERPOINT_REQUIRE_ALL", "")
    return env | extra


def _tenderpoint(*args: str, env: dict[str, str], timeout: float = 180):
    return subprocess.run(
        [sys.executable, "-m", "tenderpoint", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _form_post(opener, url: str, fields: dict[str, str]) -> str:
    """Post ``fields`` to the form at ``url`` (with its CSRF token); returns the final URL."""
    with opener.open(url, timeout=60) as response:
        form, url = response.read().decode(), response.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, f"the form at {url} has no CSRF token"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode(),
        headers={"Referer": url},
    )
    with opener.open(request, timeout=60) as response:
        return response.url


def _signed_in(base: str, email: str, code: str | None = None):
    """A browser-like opener signed in as ``email`` through the log-in form (and its second
    factor when ``code`` is given)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    landed = _form_post(
        opener, f"{base}/accounts/login/", {"login": email, "password": "tenderpoint-demo"}
    )
    if code is not None:
        landed = _form_post(opener, landed, {"code": code})
    assert "/accounts/" not in landed, landed
    return opener


def _read(opener, url: str) -> str:
    with opener.open(url, timeout=120) as response:
        return response.read().decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_version():
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == tenderpoint.__version__


def test_serve_refuses_debug(monkeypatch):
    monkeypatch.setenv("TENDERPOINT_DEBUG", "true")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "Refusing to serve with TENDERPOINT_DEBUG on" in result.output


def test_serve_refuses_to_run_without_a_secret(monkeypatch):
    monkeypatch.delenv("TENDERPOINT_DEBUG", raising=False)
    monkeypatch.delenv("TENDERPOINT_SECRET_KEY", raising=False)
    monkeypatch.delenv("TENDERPOINT_SECRET_KEY_FILE", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "without TENDERPOINT_SECRET_KEY" in result.output


@pytest.mark.parametrize(
    ("https", "by_proxy", "refused"),
    [
        ("false", None, True),
        ("false", "false", True),
        ("false", "true", False),
        (None, None, False),
    ],
)
def test_serve_refuses_plain_http_unless_a_trusted_proxy_terminates_tls(https, by_proxy, refused):
    """Defect 7: TENDERPOINT_HTTPS=false served plain HTTP without HSTS or secure cookies."""
    from tenderpoint.cli.web import _plain_http_refusal

    environ = {}
    if https is not None:
        environ["TENDERPOINT_HTTPS"] = https
    if by_proxy is not None:
        environ["TENDERPOINT_TLS_TERMINATED_BY_PROXY"] = by_proxy
    with pytest.MonkeyPatch.context() as patch:
        for name in ("TENDERPOINT_HTTPS", "TENDERPOINT_TLS_TERMINATED_BY_PROXY"):
            patch.delenv(name, raising=False)
        for name, value in environ.items():
            patch.setenv(name, value)
        refusal = _plain_http_refusal()
        result = runner.invoke(app, ["serve"]) if refused else None
    assert (refusal is not None) == refused
    if refused:
        assert "TENDERPOINT_TLS_TERMINATED_BY_PROXY=true" in refusal
        assert result.exit_code == 2
        assert "Refusing to serve plain HTTP" in result.output


def test_reset_refuses_a_directory_the_demo_did_not_create(tmp_path: Path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = _tenderpoint(
        "demo", "--reset", "--no-serve", "--data-dir", str(tmp_path), env=_clean_env()
    )
    assert result.returncode == 2
    assert (tmp_path / "precious.txt").exists()


def test_demo_refuses_a_directory_with_other_data(tmp_path: Path):
    (tmp_path / "tenderpoint.sqlite3").write_text("a clinic's real database")
    result = _tenderpoint("demo", "--no-serve", "--data-dir", str(tmp_path), env=_clean_env())
    assert result.returncode == 2
    assert "holds data the demo did not create" in result.stderr
    assert not (tmp_path / "demo-data-dir").exists()


def test_the_serving_process_reads_the_static_manifest_written_after_its_setup(
    tmp_path: Path, settings
):
    """The demo's serving process sets Django up before the static files are collected on a
    fresh data directory, and ``django.setup()`` already builds the storage, which reads its
    manifest then: none yet. Left so, every ``{% static %}`` raised and every page was a 500;
    ``reload_static_manifest`` reads what is on disk now."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    from tenderpoint.cli.web import reload_static_manifest
    from tenderpoint.web.common.storage import GzipManifestStaticFilesStorage

    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "tenderpoint.web.common.storage.GzipManifestStaticFilesStorage"},
    }
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("tenderpoint/site.css")
    # What ``collectstatic`` leaves on disk, written by another storage (another process).
    written = GzipManifestStaticFilesStorage(location=tmp_path)
    written.hashed_files = {"tenderpoint/site.css": "tenderpoint/site.0123456789ab.css"}
    written.save_manifest()
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("tenderpoint/site.css")  # the stale, empty manifest

    reload_static_manifest()

    assert (
        staticfiles_storage.url("tenderpoint/site.css")
        == "/static/tenderpoint/site.0123456789ab.css"
    )


@pytest.mark.sqlite_only  # the demo always runs on its embedded SQLite database
def test_demo_serves_the_clinic_and_reuses_its_data(tmp_path: Path):
    data_dir = tmp_path / "demo"
    port = _free_port()
    env = _clean_env()
    # The console goes to a file: a pipe nobody reads would stall the server once it filled.
    console_path = tmp_path / "console.txt"
    console = console_path.open("w", encoding="utf-8")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tenderpoint",
            "demo",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ],
        env=env,
        stdout=console,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    health = response.read().decode()
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert health == '{"status": "ok", "database": "ok"}'
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            home = response.read().decode()
        assert "Riverside Fibromyalgia" in home
        assert "synthetic" in home
        # The serving process collected the static files while the child filled the database;
        # the page links the hashed stylesheet, served as immutable (whitenoise finds it in the
        # manifest the serving process read after collecting).
        stylesheet = re.search(r'href="(/static/tenderpoint/site\.[0-9a-f]{12}\.css)"', home)
        assert stylesheet, "the home page links no hashed stylesheet"
        with urllib.request.urlopen(f"{base}{stylesheet[1]}", timeout=10) as response:
            assert "immutable" in response.headers["Cache-Control"]
        # The clinician's outcome page computes with polars and draws with vl-convert in a
        # forked gunicorn worker; both hung there when the demo's own preparation had started
        # their thread pools in the process that forked.
        code = _tenderpoint(
            "demo-code", "clinician@demo.example", "--data-dir", str(data_dir), env=env
        )
        clinician = _signed_in(base, "clinician@demo.example", code.stdout.split()[-1])
        chart = _read(clinician, f"{base}/patients/")
        first_patient = re.search(r'href="(/patients/[0-9a-f-]{36}/)"', chart)
        assert first_patient, "the patient list links no patient"
        outcomes = _read(clinician, f"{base}{first_patient[1]}outcomes/")
        assert "data:image/svg+xml;base64," in outcomes
        # The patient's progress page is drawn by the task worker the demo runs beside it.
        patient = _signed_in(base, "patient@demo.example")
        drawn = False
        for _ in range(120):
            if "data:image/svg+xml;base64," in _read(patient, f"{base}/me/progress/"):
                drawn = True
                break
            time.sleep(1)
        assert drawn, "the task worker never drew the patient's progress page"
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        console.close()
        output = console_path.read_text(encoding="utf-8")
        sys.stdout.write(output[-30_000:])  # pytest shows it only when the test fails
    assert "clinician@demo.example" in output
    assert f"http://127.0.0.1:{port}/" in output
    # The task worker logs each task to its own file; the console keeps to the web requests.
    worker_log = (data_dir / "task-worker.log").read_text(encoding="utf-8")
    assert "portal.tasks.refresh_cached state=SUCCESSFUL" in worker_log
    assert "Task id=" not in output
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600

    again = _tenderpoint("demo", "--no-serve", "--data-dir", str(data_dir), env=env)
    assert again.returncode == 0, again.stderr
    assert "Reusing the demo data." in again.stdout

    code = _tenderpoint("demo-code", "nurse@demo.example", "--data-dir", str(data_dir), env=env)
    assert re.fullmatch(r"\d{6}", code.stdout.strip()), code.stderr

    verify = _tenderpoint(
        "manage", "verify_audit", env=env | {"TENDERPOINT_DATA_DIR": str(data_dir)}
    )
    assert verify.returncode == 0, verify.stderr
    assert "Audit trail intact" in verify.stdout

    reset = _tenderpoint("demo", "--reset", "--no-serve", "--data-dir", str(data_dir), env=env)
    assert "Loaded the synthetic demo clinic." in reset.stdout


def test_one_worker_per_core_this_process_may_use():
    from tenderpoint.cli.web import cores_available

    assert cores_available() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("server", "worker"), [(0, 10), (5, 15), (9, 19), (10, 19), (19, 19)])
def test_the_task_worker_is_never_less_nice_than_the_server(server, worker):
    from tenderpoint.cli.web import background_niceness

    assert background_niceness(server) == worker
