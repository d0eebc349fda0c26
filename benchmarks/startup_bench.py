"""Start-up: where the demo's cold start goes, with and without installed bytecode.

1. ``django.setup()`` in a new process, with the bytecode uv compiled at install, and without
   any (a fresh ``PYTHONPYCACHEPREFIX`` and ``PYTHONDONTWRITEBYTECODE=1``: every module compiled
   from source, as before ``compile-bytecode = true``); median of three, wall and CPU seconds.
2. The demo's preparation step by step on a fresh data directory (migrate, createcachetable,
   collectstatic, load_demo, load_public_content), then a new worker's first request (the
   URLconf's imports, the home page), wall and CPU seconds each, one after another in one
   process (the demo itself runs collectstatic in the serving process beside the database
   steps); ``--pragmas`` repeats migrate with ``synchronous=OFF`` on the brand-new file.
3. The whole cold start: ``tenderpoint demo`` on a fresh data directory until the home page
   answers 200, with and without bytecode.

    uv run python benchmarks/startup_bench.py

CPU seconds are printed beside wall seconds because on a shared machine the wall clock mostly
measures the other jobs; the load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

log = logging.getLogger("startup_bench")

SETUP = (
    "import os, time; t = time.perf_counter(); c = time.process_time(); import django; "
    "django.setup(); print(time.perf_counter() - t, time.process_time() - c)"
)
PHASES = """
import os, sys, time
from tenderpoint.web.datadir import ensure_secret_key_file
from pathlib import Path
os.environ.pop("TENDERPOINT_SECRET_KEY", None)  # the data directory's own, as the demo does
os.environ["TENDERPOINT_SECRET_KEY_FILE"] = str(ensure_secret_key_file(Path(sys.argv[1])))
import django
django.setup()
from django.core.management import call_command
from django.db import connection
if sys.argv[2] == "pragmas":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
from tenderpoint.web import schema_snapshot
t, c = time.perf_counter(), time.process_time()
loaded = schema_snapshot.load_into_empty_sqlite(connection)
print("schema snapshot" + ("" if loaded else " (not used)"),
      round(time.perf_counter() - t, 2), round(time.process_time() - c, 2), flush=True)
for name, options in [
    ("migrate", {"interactive": False}), ("createcachetable", {}),
    ("collectstatic", {"interactive": False}), ("load_demo", {}), ("load_public_content", {}),
]:
    t, c = time.perf_counter(), time.process_time()
    call_command(name, verbosity=0, **options)
    print(name, round(time.perf_counter() - t, 2), round(time.process_time() - c, 2), flush=True)
"""

# What a freshly forked gunicorn worker does on its first request: import the URLconf (every
# view module and what it imports), then render the home page. The worker inherits a set-up
# Django from the serving process and nothing else.
FIRST_REQUEST = """
import os, sys, time
from tenderpoint.web.datadir import ensure_secret_key_file
from pathlib import Path
os.environ.pop("TENDERPOINT_SECRET_KEY", None)
os.environ["TENDERPOINT_SECRET_KEY_FILE"] = str(ensure_secret_key_file(Path(sys.argv[1])))
import django
django.setup()
from django.test import Client
from django.urls import get_resolver
t, c = time.perf_counter(), time.process_time()
get_resolver().url_patterns
print("first request: import the URLconf",
      round(time.perf_counter() - t, 2), round(time.process_time() - c, 2), flush=True)
t, c = time.perf_counter(), time.process_time()
status = Client().get("/", HTTP_HOST="localhost").status_code
print(f"first request: home page ({status})",
      round(time.perf_counter() - t, 2), round(time.process_time() - c, 2), flush=True)
"""


def _env(data_dir: Path, *, bytecode: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENDERPOINT_", "DATABASE_"))}
    env |= {
        "TENDERPOINT_DATA_DIR": str(data_dir),
        "TENDERPOINT_DEMO": "true",
        "TENDERPOINT_HTTPS": "false",
        "TENDERPOINT_SQLITE_IN_PRODUCTION": "true",
        "TENDERPOINT_SECRET_KEY": "startup-bench-" + "x" * 50,
        "TENDERPOINT_TOTP_KEY": "startup-bench-totp-" + "y" * 50,
        "TENDERPOINT_AUDIT_KEY": "startup-bench-audit-" + "z" * 50,
        "DJANGO_SETTINGS_MODULE": "tenderpoint.web.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if not bytecode:
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="tenderpoint-nopyc-")
    return env


def setup_times(root: Path) -> None:
    for bytecode in (True, False):
        runs = []
        for _ in range(3):
            out = subprocess.run(  # noqa: S603
                [sys.executable, "-c", SETUP],
                env=_env(root / "setup", bytecode=bytecode),
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            runs.append((float(out[0]), float(out[1])))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        label = "with installed bytecode" if bytecode else "compiled from source"
        print(f"django.setup() {label}: {wall:.2f} s wall, {cpu:.2f} s CPU (median of 3)")


def _run_step_script(script: str, data_dir: Path, *args: str) -> bool:
    """Run one of the scripts above in a new process; its figures go straight to our output.

    A failure is logged with the end of the script's error output and ends this part of the
    benchmark (the figures after it would not mean anything)."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, str(data_dir), *args],
        env=_env(data_dir, bytecode=True) | {"TENDERPOINT_LOG_LEVEL": "WARNING"},
        check=False,
        stdout=sys.stdout,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        log.error("step script failed (exit %s):\n%s", done.returncode, done.stderr[-2000:])
    return done.returncode == 0


def phases(root: Path, mode: str) -> None:
    data_dir = root / f"phases-{mode}"
    data_dir.mkdir()
    print(f"demo preparation, fresh data directory ({mode}): step, wall s, CPU s")
    # Then a new process, as a freshly forked gunicorn worker: Django set up, nothing else.
    if _run_step_script(PHASES, data_dir, mode):
        _run_step_script(FIRST_REQUEST, data_dir)


def cold_start(root: Path, *, bytecode: bool) -> None:
    data_dir = root / f"cold-{bytecode}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in _env(data_dir, bytecode=bytecode).items() if "TENDERPOINT" not in k}
    started = time.perf_counter()
    server = subprocess.Popen(  # noqa: S603
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < 600:
            try:
                url = f"http://127.0.0.1:{port}/"
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        label = "with installed bytecode" if bytecode else "compiled from source"
        print(f"cold start to first page ({label}): {time.perf_counter() - started:.1f} s")
    finally:
        os.killpg(server.pid, 2)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pragmas", action="store_true", help="also migrate with sync=OFF")
    parser.add_argument("--skip-cold", action="store_true", help="skip the end-to-end runs")
    args = parser.parse_args()
    logging.basicConfig(format="%(name)s: %(levelname)s: %(message)s")  # to stderr
    root = Path(tempfile.mkdtemp(prefix="tenderpoint-startup-"))
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    try:
        setup_times(root)
        phases(root, "as shipped")
        if args.pragmas:
            phases(root, "pragmas")
        if not args.skip_cold:
            cold_start(root, bytecode=True)
            cold_start(root, bytecode=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
