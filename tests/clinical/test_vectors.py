"""Runs every worked example in tests/clinical/vectors/*.json (reference clinical.md §14 schema).

Each vector names an instrument, its input and the expected outputs (only the listed keys are
asserted). Booleans, integers, strings and null compare exactly; floats with an absolute
tolerance of 1e-4 (expected floats are rounded half up to 4 decimals); ``total_display_1dp``
compares exactly. ``expected.error`` is the stable code of the InvalidResponseError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tenderpoint.clinical import Instrument, instruments, score
from tenderpoint.errors import InvalidResponseError

VECTOR_DIR = Path(__file__).parent / "vectors"


def _load() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        vectors.extend(json.loads(path.read_text(encoding="utf-8")))
    return vectors


VECTORS = _load()


def _matches(key: str, expected: Any, actual: Any) -> bool:
    # Types are part of the vocabulary (docs/clinical.md): an int output is never 4.0 and a
    # float output (mean, domain, percentage) is never an int, so both compare type-exactly.
    if isinstance(expected, float) and key != "total_display_1dp":
        return type(actual) is float and abs(actual - expected) <= 1e-4
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    return bool(actual == expected) and type(actual) is type(expected)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(InvalidResponseError) as caught:
            score(vector["instrument"], vector["input"])
        assert caught.value.code == expected["error"], vector["note"]
        return
    result = score(vector["instrument"], vector["input"])
    outputs = result.as_dict()
    for key, value in expected.items():
        assert key in outputs, f"{vector['id']}: no output {key!r}"
        assert _matches(key, value, outputs[key]), (
            f"{vector['id']} ({vector['note']}): {key} = {outputs[key]!r}, expected {value!r}"
        )


def test_vector_ids_are_unique() -> None:
    ids = [v["id"] for v in VECTORS]
    assert len(ids) == len(set(ids))


def test_every_instrument_has_vectors_including_an_error_case() -> None:
    covered = {v["instrument"] for v in VECTORS}
    with_errors = {v["instrument"] for v in VECTORS if "error" in v["expected"]}
    known = {i.id for i in instruments()}
    assert covered == known
    assert with_errors == known


def test_display_rounding_is_half_up_not_bankers() -> None:
    # FIQR-10's total is exactly 2.25, which Python's round() would show as 2.2.
    fiqr10 = next(v for v in VECTORS if v["id"] == "FIQR-10")
    outputs = score("fiqr", fiqr10["input"]).outputs
    assert outputs["total"] == 2.25
    assert outputs["total_display_1dp"] == 2.3 != round(outputs["total"], 1)


@pytest.mark.parametrize("instrument", instruments(), ids=lambda i: i.id)
def test_outputs_match_the_declaration_and_are_json(instrument: Instrument) -> None:
    valid = [
        v for v in VECTORS if v["instrument"] == instrument.id and "error" not in v["expected"]
    ]
    assert valid, f"no valid vector for {instrument.id}"
    for vector in valid:
        result = score(instrument.id, vector["input"])
        assert tuple(result.outputs) == (*instrument.outputs, *instrument.aliases)
        for alias, canonical in instrument.aliases.items():
            assert result.outputs[alias] == result.outputs[canonical]
        if result.outputs.get("scheme") == "salaffi2020" and instrument.id == "psd_category":
            # The version names the banding scheme actually used.
            assert result.version == "psd-salaffi2020/scoring-2"
        else:
            assert result.version == instrument.full_version
        json.dumps(result.as_dict())
        assert result.explanation
        assert all(step.strip() for step in result.steps)


def test_reference_14_keys_stay_available() -> None:
    """External acceptance vectors use these keys (reference §14); they must keep working."""
    fixed = {
        "acr2016": {
            "wpi",
            "sss",
            "fs",
            "regions_with_pain",
            "region_count",
            "generalized_pain",
            "wpi_sss_threshold_met",
            "meets_criteria",
            "psd_category",
        },
        "acr2011": {
            "wpi",
            "ss",
            "fs",
            "fs_ge_13",
            "psd_category",
            "wpi_ss_threshold_met",
            "meets_criteria",
        },
        "psd_category": {"psd_category", "fs_ge_13"},
    }
    for instrument_id, keys in fixed.items():
        example = next(
            v for v in VECTORS if v["instrument"] == instrument_id and "error" not in v["expected"]
        )
        assert keys <= set(score(instrument_id, example["input"]).outputs), instrument_id
    assert (
        "total_display_1dp"
        in score("fiqr", next(v for v in VECTORS if v["id"] == "FIQR-01")["input"]).outputs
    )
