"""Fuzz every form and the FHIR API with enough generated requests for docs/security.md.

Runs tests/web/test_fuzz_forms.py (forms discovered from the URLconf, posted as every persona
that sees them, hypothesis-generated values) with TENDERPOINT_FUZZ_EXAMPLES examples per form
and persona (default 100: about 5,400 posts to the 54 forms found on 2026-11-30), and
tests/web/api/test_fhir_fuzz.py (searches and reads of every FHIR resource type with generated
parameters and ids, 25 x TENDERPOINT_FUZZ_EXAMPLES per token: 2 requests each), in a test
database built from the models, and prints the tests' own counts. Any server error fails a test
with the generated request that caused it.

    uv run python benchmarks/fuzz_forms.py               # >= 5,000 posts
    uv run python benchmarks/fuzz_forms.py --examples 10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="posts per form and persona")
    args = parser.parse_args()
    started = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-s"]
    command += ["tests/web/test_fuzz_forms.py", "tests/web/api/test_fhir_fuzz.py"]
    command += ["-p", "no:cacheprovider", "-p", "no:logging", "--nomigrations"]
    done = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=os.environ | {"TENDERPOINT_FUZZ_EXAMPLES": str(args.examples)},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("fuzz:") or " passed" in ln]
    print("\n".join(lines) or done.stdout[-5000:])
    print(f"wall time {time.perf_counter() - started:.0f} s; pytest exit {done.returncode}")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
