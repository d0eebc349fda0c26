"""The public site under a crowd: ApacheBench against the demo on loopback.

Prepares one demo data directory, then for each configuration starts ``tenderpoint demo`` on a
free loopback port, warms it up, and runs ``ab`` (apt-get install apache2-utils) against the
home page, an article and robots.txt (the whole middleware stack without a page cache hit),
each without and with keep-alive (``ab -k``), and the home page as a browser asks for it
(``Accept-Encoding: gzip``). Prints requests per second, p50/p95/p99, failures, and the CPU
the server (every process of it) and ``ab`` itself used, in cores: when the two add up to the
machine's cores, the load generator is competing with the server for them.

    uv run python benchmarks/public_site_bench.py                       # every configuration
    uv run python benchmarks/public_site_bench.py --only after          # the page cache only
    uv run python benchmarks/public_site_bench.py --requests 500        # a quick look

"no page cache" serves as before the page cache (1 worker x 4 threads); the others use the
shared page cache. Loopback only; every run is bounded by -n.
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


def _tree_cpu_s(root_pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(cpu.get(pid, 0.0) for pid in tree)


def _ab(
    url: str, requests: int, concurrency: int, options: tuple[str, ...] = (), server_pid: int = 0
) -> dict[str, float]:
    server_cpu_before = _tree_cpu_s(server_pid) if server_pid else 0.0
    ab_cpu_before = os.times()
    started = time.monotonic()
    out = subprocess.run(  # noqa: S603
        ["ab", "-q", *options, "-n", str(requests), "-c", str(concurrency), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall_s = time.monotonic() - started
    ab_cpu = os.times()
    ab_cpu_s = (ab_cpu.children_user - ab_cpu_before.children_user) + (
        ab_cpu.children_system - ab_cpu_before.children_system
    )
    server_cpu_s = (_tree_cpu_s(server_pid) - server_cpu_before) if server_pid else 0.0

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
        "server_cores": server_cpu_s / wall_s,
        "ab_cores": ab_cpu_s / wall_s,
    }


# (label, ab options, paths): each path is measured with each of these.
AB_MODES = [
    ("new connection each", (), PATHS),
    ("keep-alive (`-k`)", ("-k",), PATHS),
    ("keep-alive, `Accept-Encoding: gzip`", ("-k", "-H", "Accept-Encoding: gzip"), PATHS[:1]),
]


def run_config(config: Config, data_dir: Path, log_dir: Path, args: argparse.Namespace) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (log_dir / f"server-{port}.log").open("wb")
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
        for mode, options, paths in AB_MODES:
            for path in paths:
                r = _ab(base + path, args.requests, args.concurrency, options, server.pid)
                print(
                    f"| {config.name} | `{path}` | {mode} | {r['rps']:.0f} | {r['p50']:.0f} "
                    f"| {r['p95']:.0f} | {r['p99']:.0f} | {r['failed']:.0f} / {r['non2xx']:.0f} "
                    f"| {r['server_cores']:.2f} / {r['ab_cores']:.2f} |",
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
    parser.add_argument("--only", choices=["before", "after"], help="without / with the cache")
    parser.add_argument(
        "--data-dir", type=Path, help="reuse a demo data directory prepared by `demo --no-serve`"
    )
    args = parser.parse_args()
    if shutil.which("ab") is None:
        raise SystemExit("ab is missing: apt-get install apache2-utils")
    cores = len(os.sched_getaffinity(0))
    configs = [
        Config("no page cache, 1 worker × 4 threads", 0, 1, 4),
        Config(f"page cache, {cores} workers × 4 threads", 600, cores, 4),
        Config(f"page cache, {cores} workers × 1 thread (sync)", 600, cores, 1),
        Config("page cache, 1 worker × 4 threads", 600, 1, 4),
    ]
    if args.only == "before":
        configs = configs[:1]
    elif args.only == "after":
        configs = configs[1:]
    root = Path(tempfile.mkdtemp(prefix="tenderpoint-ab-"))
    data_dir = args.data_dir.resolve() if args.data_dir else root / "demo"
    try:
        if args.data_dir is None:
            prepare = [sys.executable, "-m", "tenderpoint", "demo", "--no-serve"]
            subprocess.run(  # noqa: S603
                [*prepare, "--data-dir", str(data_dir)],
                env=_env(0),
                check=True,
                capture_output=True,
            )
        load = os.getloadavg()[0]
        print(f"ab -n {args.requests} -c {args.concurrency}, {cores} cores, load {load:.1f}")
        print(
            "| configuration | path | connections | req/s | p50 ms | p95 ms | p99 ms "
            "| failed / non-2xx | CPU cores: server / ab |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for config in configs:
            run_config(config, data_dir, root, args)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
