"""The published interop CodeSystem is what the code generates, and it validates."""

import json
from pathlib import Path

from tenderpoint.interop.fhir.codes import INTEROP_CODES, interop_code_system
from tests.interop.fhir.conftest import validate

PUBLISHED = (
    Path(__file__).resolve().parents[3] / "docs" / "fhir" / "CodeSystem-tenderpoint-interop.json"
)


def test_published_interop_code_system_matches_the_generator() -> None:
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == interop_code_system()


def test_interop_code_system_is_complete_and_valid() -> None:
    resource = interop_code_system()
    validate(resource)
    assert {c["code"] for c in resource["concept"]} == set(INTEROP_CODES)
