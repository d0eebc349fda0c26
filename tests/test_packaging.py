"""The scientific cores are their own distribution: the boundary of tests/test_boundaries.py as
a packaging fact. The tenderpoint-science wheel is built from this checkout and installed, with
the locked versions of its dependencies only, into a fresh virtual environment, where the cores
import and compute and Django cannot be imported (it is not there)."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv")
CORE_DEPENDENCIES = {"numpy", "scipy", "polars", "lifelines", "ruptures", "numba"}

PROBE = r"""
import importlib, importlib.util, json, pkgutil, sys
import tenderpoint
for core in ("tenderpoint.clinical", "tenderpoint.pharmacology", "tenderpoint.outcomes"):
    pkg = importlib.import_module(core)
    for info in pkgutil.walk_packages(pkg.__path__, core + "."):
        importlib.import_module(info.name)
import tenderpoint.errors
from tenderpoint.clinical import score
from tenderpoint.pharmacology.dosing import plan_infusion
from tenderpoint.pharmacology.patient import Patient
try:
    import django  # noqa: F401
    django_imports = True
except ImportError:
    django_imports = False
plan = plan_infusion("depression-0.5-over-40", Patient(70.0, 175.0, 40.0, "male"),
                     vial_mg_per_ml=50, bag_volume_ml=100)
print(json.dumps({
    "django_imports": django_imports,
    "web_present": importlib.util.find_spec("tenderpoint.web") is not None,
    "phq9_total": score("phq9", {"items": [1] * 8 + [2], "difficulty": 1}).outputs["total"],
    "plan_total_mg": plan.total_dose_mg,
    "tenderpoint_path": list(tenderpoint.__path__),
    "version": tenderpoint.__version__,
}))
"""


def _uv(*args: str, env: dict[str, str] | None = None) -> str:
    assert UV is not None
    done = subprocess.run(
        [UV, *args],
        cwd=ROOT,
        env=(os.environ | {"UV_NO_PROGRESS": "1"} | (env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"uv {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


@pytest.mark.skipif(UV is None, reason="uv is not on PATH")
def test_science_wheel_installs_and_works_without_django(tmp_path: Path) -> None:
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    _uv("build", "--package", "tenderpoint-science", "--offline", "-q", "-o", str(dist))
    (wheel,) = dist.glob("tenderpoint_science-*.whl")

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line.removeprefix("Requires-Dist: ")
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist: ")
        ]
    packages = {n.split("/")[1] for n in names if n.startswith("tenderpoint/") and n.count("/") > 1}
    assert packages == {"clinical", "pharmacology", "outcomes"}
    assert "tenderpoint/__init__.py" in names
    assert "tenderpoint/errors.py" in names
    required = {r.split(">")[0].split("=")[0].split("[")[0].strip() for r in requires}
    assert {r for r in required if r != "altair"} == CORE_DEPENDENCIES
    assert all("extra == 'plot'" in r for r in requires if r.startswith("altair"))

    # The locked versions of the wheel's dependencies (from the uv cache), then the wheel.
    _uv(
        "sync",
        "--frozen",
        "--offline",
        "--package",
        "tenderpoint-science",
        "--no-dev",
        "--no-install-workspace",
        "-q",
        env={"UV_PROJECT_ENVIRONMENT": str(venv), "UV_COMPILE_BYTECODE": "0"},
    )
    python = venv / "bin" / "python"
    _uv("pip", "install", "--python", str(python), "--offline", "--no-deps", "-q", str(wheel))
    _uv("pip", "check", "--python", str(python))  # the wheel's requirements are all satisfied
    installed = _uv("pip", "freeze", "--python", str(python)).lower()
    assert "django" not in installed
    assert "tenderpoint-science @" in installed or "tenderpoint-science==" in installed

    probe = subprocess.run(
        [str(python), "-I", "-c", PROBE], capture_output=True, text=True, timeout=300, check=True
    )
    facts = json.loads(probe.stdout.strip().splitlines()[-1])
    assert facts["django_imports"] is False
    assert facts["web_present"] is False
    assert facts["phq9_total"] == 10
    assert facts["plan_total_mg"] == 35.0
    assert facts["tenderpoint_path"] == [
        str(
            venv
            / "lib"
            / f"python{sys.version_info.major}.{sys.version_info.minor}"
            / "site-packages"
            / "tenderpoint"
        )
    ]
