"""The scientific cores stand alone: importing one never pulls in Django (or, for the clinical
core, numpy). Each import runs in a fresh interpreter so earlier tests cannot mask a leak."""

import json
import subprocess
import sys

import pytest

FORBIDDEN = {
    "tenderpoint.clinical": {"django", "numpy", "scipy", "polars"},
    "tenderpoint.pharmacology": {"django", "polars"},
    "tenderpoint.outcomes": {"django"},
    "tenderpoint.interop": {"django"},
    "tenderpoint.errors": {"django", "numpy"},
    "tenderpoint._display": {"django", "numpy", "polars", "altair"},
}


@pytest.mark.parametrize(("module", "forbidden"), sorted(FORBIDDEN.items()))
def test_core_does_not_import_forbidden_packages(module: str, forbidden: set[str]) -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"pkg = importlib.import_module({module!r})\n"
        "for info in pkgutil.walk_packages(getattr(pkg, '__path__', []), pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not (loaded & forbidden), f"{module} imported {sorted(loaded & forbidden)}"
