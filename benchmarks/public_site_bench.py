"""The public site under a crowd: ApacheBench against the demo on loopback.

Prepares one demo data directory, then for each configuration starts ``tenderpoint demo`` on a
free loopback port, warms it up, and runs ``ab`` (apt-get install apache2-utils) against the
home page, an article and robots.txt (the same middleware stack without a page). Prints
requests per second, p50/p95/p99 and failures for each.

    uv run python benchmarks/public_site_bench.py                       # before vs after
    uv run python benchmarks/public_site_bench.py --requests 500        # a quick look

"before" is the old way of serving (no page cache, 1 worker x 4 threads); the others use the
shared page cache with one worker per core. Loopback only; every run is bounded by -n.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PATHS = ["/", "/research/sleep-and-fibromyalgia/", "/robots.txt"]


@dataclass(frozen=True)
class Config:
    name: str
    cache_seconds: int
    workers: int
    threads: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(cache_seconds: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENDERPOINT_", "DATABASE_"))}
    return env | {
        "TENDERPOINT_PUBLIC_CACHE_SECONDS": str(cache_seconds),
        "TENDERPOINT_LOG_LEVEL": "WARNING",
    }


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310 (loopback)
                return
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the demo server exited; see its log") from None
            time.sleep(0.5)
    raise SystemExit("the demo server did not come up")


def _ab(url: str, requests: int, concurrency: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        ["ab", "-q", "-n", str(requests), "-c", str(concurrency), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    return {
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p95": number(r"^\s+95%\s+(\d+)"),
        "p99": number(r"^\s+99%\s+(\d+)"),
        "failed": number(r"^Failed requests:\s+(\d+)"),
        "non2xx": number(r"^Non-2xx responses:\s+(\d+)"),
    }


def run_config(config: Config, data_dir: Path, args: argparse.Namespace) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir.parent / f"server-{port}.log").open("wb")
    command = [sys.executable, "-m", "tenderpoint", "demo", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--workers", str(config.workers)]
    command += ["--threads", str(config.threads)]
    server = subprocess.Popen(  # noqa: S603
        command,
        env=_env(config.cache_seconds),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, server)
        for path in PATHS:
            _ab(base + path, requests=100, concurrency=10)  # warm-up (and fill the cache)
        for path in PATHS:
            r = _ab(base + path, args.requests, args.concurrency)
            print(
                f"| {config.name} | `{path}` | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} "
                f"| {r['p99']:.0f} | {r['failed']:.0f} / {r['non2xx']:.0f} |",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per URL (ab -n)")
    parser.add_argument("--concurrency", type=int, default=50, help="clients at once (ab -c)")
    parser.add_argument("--only", choices=["before", "after"], help="run one configuration")
    args = parser.parse_args()
    if shutil.which("ab") is None:
        raise SystemExit("ab is missing: apt-get install apache2-utils")
    cores = len(os.sched_getaffinity(0))
    configs = [
        Config("before: no page cache, 1 worker × 4 threads", 0, 1, 4),
        Config(f"after: page cache, {cores} workers × 4 threads", 600, cores, 4),
        Config(f"after: page cache, {cores} workers × 1 thread", 600, cores, 1),
    ]
    if args.only:
        configs = [c for c in configs if c.name.startswith(args.only)]
    root = Path(tempfile.mkdtemp(prefix="tenderpoint-ab-"))
    data_dir = root / "demo"
    try:
        prepare = [sys.executable, "-m", "tenderpoint", "demo", "--no-serve"]
        subprocess.run(  # noqa: S603
            [*prepare, "--data-dir", str(data_dir)],
            env=_env(0),
            check=True,
            capture_output=True,
        )
        load = os.getloadavg()[0]
        print(f"ab -n {args.requests} -c {args.concurrency}, {cores} cores, load {load:.1f}")
        print("| configuration | path | req/s | p50 ms | p95 ms | p99 ms | failed / non-2xx |")
        print("|---|---|---|---|---|---|---|")
        for config in configs:
            run_config(config, data_dir, args)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
