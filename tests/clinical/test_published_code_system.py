"""The published local CodeSystem (docs/fhir) is exactly what the code generates: a change to
an instrument's codes must be published in the same commit."""

import json
from pathlib import Path

from tenderpoint.clinical import fhir_code_system

PUBLISHED = (
    Path(__file__).resolve().parents[2] / "docs" / "fhir" / "CodeSystem-tenderpoint-clinical.json"
)


def test_published_code_system_matches_the_generator() -> None:
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert published == fhir_code_system(), (
        "Regenerate docs/fhir/CodeSystem-tenderpoint-clinical.json from fhir_code_system()"
    )
