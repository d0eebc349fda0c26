"""Patient portal speed (issue 9): ``POST /me/diary/`` and ``GET /me/progress/`` for patients
with two years of entries, p95 at 20 concurrent users on SQLite, measured with locust headless
against ``tenderpoint serve`` on loopback. Aim: p95 under 100 ms for both.

It is ``load_crash_bench``'s run without the server kills: a fresh demo data directory, demo
patients given log-ins until each locust user is a patient of their own, two years of
one-a-day diary added to each, the server and the background-task worker started, every patient
signed in through the log-in form, and every acknowledged write looked up afterwards.

Command: uv run python benchmarks/portal_bench.py [--seconds 60] [--users 20] [--days 730]
[--patients N: N patients shared by the users]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_crash_bench import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="locust run time")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--days", type=int, default=730, help="diary days per patient")
    parser.add_argument(
        "--patients", type=int, default=0, help="patients signed in (default: one per user)"
    )
    args = parser.parse_args()
    print(f"load average at start {os.getloadavg()}")
    run("sqlite", args.seconds, args.users, kills=0, history_days=args.days, patients=args.patients)


if __name__ == "__main__":
    main()
