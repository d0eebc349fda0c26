"""Mutation testing of the cores: plausible one-token bugs, and whether the tests notice.

A small AST mutator of our own (no network, no extra dependency; mutmut and cosmic-ray both
want to own the test run and the working tree). For every target file it makes one mutant per
site and operator -- a comparison flipped (< <=, > >=, == !=), a number changed (x -> x * 2,
0 -> 1), ``and``/``or`` swapped, ``+``/``-`` and ``*``/``/`` swapped, a ``not`` dropped -- writes
it into a temporary copy of the cores' source tree, runs the chosen tests against that copy
(``PYTHONPATH``) with ``-x``, and counts the mutant killed when the tests fail. Nothing in the
work tree is touched. CI does not run this (minutes to hours); docs/development.md records
the figures.

    uv run python scripts/mutation.py --core dosing-limits        # the safety limits
    uv run python scripts/mutation.py --core pharmacology --sample 60 --seed 1
    uv run python scripts/mutation.py --core outcomes --curated   # cut-offs and constants

Survivors are printed with file, line and the changed source line; each one in the dosing
limits is explained in docs/development.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCIENCE = "packages/tenderpoint-science/src"  # the cores' source tree (a workspace member)

CORES: dict[str, tuple[list[str], list[str], set[str] | None]] = {
    # name: (source files, test paths, functions/classes to mutate or None for all)
    "dosing-limits": (
        [
            f"{SCIENCE}/tenderpoint/pharmacology/dosing/limits.py",
            f"{SCIENCE}/tenderpoint/pharmacology/dosing/checks.py",
            f"{SCIENCE}/tenderpoint/pharmacology/patient.py",
        ],
        [
            "tests/pharmacology/dosing/test_hard_limits.py",
            "tests/pharmacology/test_patient.py",
        ],
        {
            "Limits",
            "for_product",
            "check_limit",
            "check_weight_gate",
            "check_doses",
            "check_day",
            "check_preparation",
            "check_peak",
            "decide",
            "dosing_weight",
        },
    ),
    "pharmacology": (
        [
            str(p.relative_to(ROOT))
            for p in sorted((ROOT / SCIENCE / "tenderpoint/pharmacology").rglob("*.py"))
        ],
        ["tests/pharmacology"],
        None,
    ),
    "clinical": (
        [
            str(p.relative_to(ROOT))
            for p in sorted((ROOT / SCIENCE / "tenderpoint/clinical").rglob("*.py"))
        ],
        ["tests/clinical"],
        None,
    ),
    "outcomes": (
        [
            str(p.relative_to(ROOT))
            for p in sorted((ROOT / SCIENCE / "tenderpoint/outcomes").rglob("*.py"))
        ],
        ["tests/outcomes"],
        None,
    ),
}

# Curated one-token mutants: the bugs a reviewer would fear most at published cut-offs and
# clinical constants (comparison flips at a cut-off, off-by-one in a window, sign flips,
# constant changes). Each: (file under tenderpoint/, exact unique text, replacement, tests).
_CLIN = [
    "tests/clinical/test_cutoffs.py",
    "tests/clinical/test_vectors.py",
    "tests/clinical/test_registry.py",
    "tests/clinical/test_evaluate.py",
]
_PATIENT = ["tests/pharmacology/test_patient.py", "tests/pharmacology/dosing/test_hard_limits.py"]
_DOSING = ["tests/pharmacology/dosing"]
_ENGINE = ["tests/pharmacology/test_simulate.py", "tests/pharmacology/test_effect_site.py"]
_POP = ["tests/pharmacology/test_population.py", "tests/pharmacology/test_population_paths.py"]
_TCI = ["tests/pharmacology/test_tci.py", "tests/pharmacology/test_tci_steps.py"]
_RELIEF = ["tests/outcomes/test_relief.py"]
_RESPONSE = ["tests/outcomes/test_response.py"]
CURATED: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "clinical": [
        ("clinical/instruments/phq9.py", "SCREEN_AT = 10", "SCREEN_AT = 11", _CLIN),
        (
            "clinical/instruments/phq9.py",
            '"screen_positive": total >= SCREEN_AT',
            '"screen_positive": total > SCREEN_AT',
            _CLIN,
        ),
        (
            "clinical/instruments/gad7.py",
            '"screen_positive": total >= SCREEN_AT',
            '"screen_positive": total > SCREEN_AT',
            _CLIN,
        ),
        ("clinical/instruments/_common.py", "if value <= upper:", "if value < upper:", _CLIN),
        (
            "clinical/instruments/acr1990.py",
            "count >= TENDER_POINTS_NEEDED",
            "count > TENDER_POINTS_NEEDED",
            _CLIN,
        ),
        ("clinical/instruments/_acr.py", "if wpi >= 7:", "if wpi > 7:", _CLIN),
        ("clinical/instruments/_acr.py", "met = ss >= 9", "met = ss > 9", _CLIN),
        (
            "clinical/instruments/acr2016.py",
            "generalized = len(regions) >= 4",
            "generalized = len(regions) >= 3",
            _CLIN,
        ),
        (
            "clinical/instruments/acr2016.py",
            "else wpi >= 4 and sss >= 9",
            "else wpi >= 3 and sss >= 9",
            _CLIN,
        ),
        (
            "clinical/instruments/_change.py",
            "else percent >= threshold",
            "else percent > threshold",
            _CLIN,
        ),
        (
            "clinical/instruments/pain_nrs_change.py",
            "SUBSTANTIAL_PCT = 50.0",
            "SUBSTANTIAL_PCT = 40.0",
            _CLIN,
        ),
        (
            "clinical/instruments/bpi_sf.py",
            "INTERFERENCE_NEEDED = 4",
            "INTERFERENCE_NEEDED = 5",
            _CLIN,
        ),
        (
            "clinical/instruments/fiqr.py",
            "function_sum * (9 if prorated else 8)",
            "function_sum * (8 if prorated else 9)",
            _CLIN,
        ),
        (
            "clinical/instruments/modified_aldrete.py",
            "eligible = total >= 9",
            "eligible = total > 9",
            _CLIN,
        ),
    ],
    "pharmacology": [
        (
            "pharmacology/patient.py",
            "tbw <= OBESITY_RATIO * ibw",
            "tbw < OBESITY_RATIO * ibw",
            _PATIENT,
        ),
        ("pharmacology/patient.py", "ADJUSTED_FACTOR = 0.4", "ADJUSTED_FACTOR = 0.5", _PATIENT),
        (
            "pharmacology/patient.py",
            'base = 50.0 if self.sex == "male" else 45.5',
            'base = 50.0 if self.sex != "male" else 45.5',
            _PATIENT,
        ),
        (
            "pharmacology/dosing/limits.py",
            "ESKETAMINE_FACTOR = 0.5",
            "ESKETAMINE_FACTOR = 1.0",
            _DOSING,
        ),
        (
            "pharmacology/dosing/pump.py",
            "PUMP_RESOLUTION_ML_PER_H + 0.5 + 1e-9",
            "PUMP_RESOLUTION_ML_PER_H + 0.0 + 1e-9",
            _DOSING,
        ),
        (
            "pharmacology/engine.py",
            "-np.exp(-rate * a) * np.expm1(-rate * (b - a))",
            "-np.exp(-rate * a) * np.expm1(rate * (b - a))",
            _ENGINE,
        ),
        ("pharmacology/engine.py", "np.where(elapsed >= 0.0,", "np.where(elapsed > 0.0,", _ENGINE),
        (
            "pharmacology/population.py",
            "pos = pct / 100.0 * (n - 1)",
            "pos = pct / 100.0 * n",
            _POP,
        ),
        (
            "pharmacology/population.py",
            "hi = np.minimum(lo + 1, n - 1)",
            "hi = np.minimum(lo, n - 1)",
            _POP,
        ),
        ("pharmacology/tci.py", "np.maximum(tau - dt, 0.0)", "np.maximum(tau + dt, 0.0)", _TCI),
    ],
    "outcomes": [
        (
            "outcomes/relief.py",
            "& (days < (c + rule.horizon_days)[None, :])",
            "& (days <= (c + rule.horizon_days)[None, :])",
            _RELIEF,
        ),
        ("outcomes/relief.py", "relief = best >= z_onset", "relief = best > z_onset", _RELIEF),
        (
            "outcomes/relief.py",
            "return_within_pct: float = 10.0",
            "return_within_pct: float = 20.0",
            _RELIEF,
        ),
        (
            "outcomes/relief.py",
            "back_level = (1.0 - rule.return_within_pct / 100.0) * base",
            "back_level = (1.0 + rule.return_within_pct / 100.0) * base",
            _RELIEF,
        ),
        (
            "outcomes/response.py",
            "entries.filter(reduction >= rule.relief_reduction_pct)",
            "entries.filter(reduction > rule.relief_reduction_pct)",
            _RESPONSE,
        ),
        (
            "outcomes/response.py",
            "<= rule.return_within_pct)",
            "< rule.return_within_pct)",
            _RESPONSE,
        ),
        (
            "outcomes/response.py",
            'FollowUpWindow("week2", 8, 14, 4)',
            'FollowUpWindow("week2", 7, 14, 4)',
            _RESPONSE,
        ),
        ("outcomes/response.py", "pl.when(n_met >= 2)", "pl.when(n_met > 2)", _RESPONSE),
        (
            "outcomes/cohort.py",
            "z = float(norm.ppf(0.5 + confidence / 2.0))",
            "z = float(norm.ppf(0.5 + confidence / 3.0))",
            ["tests/outcomes/test_cohort.py"],
        ),
        (
            "outcomes/flares.py",
            '& (pl.col("pain") >= pl.col("median_before") + rule.rise_points)',
            '& (pl.col("pain") > pl.col("median_before") + rule.rise_points)',
            ["tests/outcomes/test_flares.py"],
        ),
    ],
}


def curated_mutants(core: str) -> Iterator[tuple[Mutant, list[str]]]:
    """The curated mutants of ``core`` with the tests of the mutated module."""
    for rel, old, new, tests in CURATED[core]:
        path = f"{SCIENCE}/tenderpoint/{rel}"
        text = (ROOT / path).read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise SystemExit(f"curated mutant no longer applies (not exactly once): {path}: {old}")
        line = text[: text.index(old)].count("\n") + 1
        yield Mutant(path, line, f"{old!r} -> {new!r}", text.replace(old, new)), tests


_FLIP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    what: str
    source: str


def _in_scope(tree: ast.AST, names: set[str] | None) -> Iterator[ast.AST]:
    """The nodes inside the named functions/classes (all nodes when ``names`` is None)."""
    if names is None:
        yield from ast.walk(tree)
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in names:
            yield from ast.walk(node)


def _docstring_ids(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def mutants(path: str, names: set[str] | None) -> Iterator[Mutant]:
    """Every single-token mutant of ``path`` inside ``names``."""
    text = (ROOT / path).read_text(encoding="utf-8")
    tree = ast.parse(text)
    skip = _docstring_ids(tree)
    sites = []
    seen: set[int] = set()
    for node in _in_scope(tree, names):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _FLIP:
                    sites.append((node, "cmp", i))
        elif isinstance(node, ast.BoolOp):
            sites.append((node, "boolop", 0))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            sites.append((node, "binop", 0))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append((node, "not", 0))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
            and id(node) not in skip
        ):
            sites.append((node, "num", 0))
    for target, kind, index in sites:
        mutated = copy.deepcopy(tree)
        node = next(n for n in ast.walk(mutated) if _same(n, target))
        what = _apply(node, kind, index)
        if what is None:
            continue
        try:
            source = ast.unparse(mutated)
        except Exception:  # noqa: BLE001, S112  (an unparsable mutant is simply skipped)
            continue
        yield Mutant(path, target.lineno, what, source)


def _same(a: ast.AST, b: ast.AST) -> bool:
    return (
        type(a) is type(b)
        and getattr(a, "lineno", None) == getattr(b, "lineno", None)
        and getattr(a, "col_offset", None) == getattr(b, "col_offset", None)
        and getattr(a, "end_col_offset", None) == getattr(b, "end_col_offset", None)
    )


def _apply(node: ast.AST, kind: str, index: int) -> str | None:
    if kind == "cmp" and isinstance(node, ast.Compare):
        old = node.ops[index]
        node.ops[index] = _FLIP[type(old)]()
        return f"{type(old).__name__} -> {type(node.ops[index]).__name__}"
    if kind == "boolop" and isinstance(node, ast.BoolOp):
        old_name = type(node.op).__name__
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return f"{old_name} -> {type(node.op).__name__}"
    if kind == "binop" and isinstance(node, ast.BinOp):
        old_name = type(node.op).__name__
        node.op = _BINOP[type(node.op)]()
        return f"{old_name} -> {type(node.op).__name__}"
    if kind == "not" and isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # "+x" of a bool is the int; truthiness unchanged -> drop the not
        return "not x -> x"
    if kind == "num" and isinstance(node, ast.Constant):
        old = node.value
        node.value = 1 if old == 0 else old * 2
        return f"{old!r} -> {node.value!r}"
    return None


def run(
    core: str,
    sample: int | None,
    seed: int,
    timeout: int,
    shard: str = "1/1",
    curated: bool = False,
    only: tuple[str, ...] = (),
) -> int:
    """Run each mutant against its tests in a temporary copy of the cores; print the tally."""
    if curated:
        pool = [
            (m, tests)
            for m, tests in curated_mutants(core)
            if not only or any(o in m.what for o in only)
        ]
    else:
        files, tests, names = CORES[core]
        pool = [(m, tests) for f in files for m in mutants(f, names)]
        if sample is not None and sample < len(pool):
            pool = random.Random(seed).sample(pool, sample)  # noqa: S311  (sampling, not secrets)
    index, count = (int(x) for x in shard.split("/"))
    pool = pool[index - 1 :: count]  # shards split one sample between processes
    work = Path(tempfile.mkdtemp(prefix="tp-mutation-"))
    shutil.copytree(ROOT / SCIENCE, work / SCIENCE)
    # First on the path, so its tenderpoint/__init__.py (and every core module) is the copy's.
    env = os.environ | {"PYTHONPATH": str(work / SCIENCE), "PYTHONDONTWRITEBYTECODE": "1"}

    def command(tests: list[str]) -> list[str]:
        return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]

    every_test = sorted({t for _, tests in pool for t in tests})
    # Our own interpreter running pytest on our own tests: no untrusted input.
    baseline = subprocess.run(  # noqa: S603
        command(every_test), cwd=ROOT, env=env, capture_output=True, timeout=timeout * 4
    )
    if baseline.returncode != 0:
        sys.stdout.write("the tests fail without any mutant; fix them first\n")
        return 2
    killed, survivors = 0, []
    started = time.perf_counter()
    try:
        for i, (m, tests) in enumerate(pool, 1):
            target = work / m.path
            original = target.read_text(encoding="utf-8")
            target.write_text(m.source, encoding="utf-8")
            try:
                result = subprocess.run(  # noqa: S603  (as the baseline run)
                    command(tests), cwd=ROOT, env=env, capture_output=True, timeout=timeout
                )
                dead = result.returncode != 0
            except subprocess.TimeoutExpired:
                dead = True  # a mutant that hangs the tests is noticed
            finally:
                target.write_text(original, encoding="utf-8")
            killed += dead
            line = (ROOT / m.path).read_text(encoding="utf-8").splitlines()[m.line - 1].strip()
            if not dead:
                survivors.append((m, line))
            sys.stdout.write(
                f"[{i}/{len(pool)}] {'killed ' if dead else 'SURVIVED'} {m.path}:{m.line} "
                f"{m.what}\n"
            )
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = len(pool)
    sys.stdout.write(
        f"\n{core}{' (curated)' if curated else ''}: {killed}/{total} mutants killed "
        f"({100 * killed / max(total, 1):.0f} %) in {time.perf_counter() - started:.0f} s\n"
    )
    for m, line in survivors:
        sys.stdout.write(f"  survivor {m.path}:{m.line} {m.what}: {line}\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core", choices=sorted(CORES), default="dosing-limits")
    parser.add_argument("--sample", type=int, default=None, help="random subset of mutants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per mutant run")
    parser.add_argument("--shard", default="1/1", help="i/k: run the i-th of k parts")
    parser.add_argument(
        "--curated", action="store_true", help="the curated cut-off mutants of --core (CURATED)"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="curated mutants whose change contains this"
    )
    args = parser.parse_args()
    return run(
        args.core, args.sample, args.seed, args.timeout, args.shard, args.curated, tuple(args.only)
    )


if __name__ == "__main__":
    raise SystemExit(main())
