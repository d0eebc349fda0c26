"""The demo clinic's bulk export validates resource by resource: every line of every NDJSON
file is built into its fhir.resources R4B model (the export itself validates only a sample)."""

from __future__ import annotations

import json

import pytest

from tenderpoint.interop.fhir.validate import validate
from tenderpoint.web.api import exporting
from tenderpoint.web.api.models import BulkExport
from tenderpoint.web.demo.seed import load_demo_clinic

pytestmark = pytest.mark.django_db


def test_demo_clinic_export_validates_every_resource() -> None:
    clinic = load_demo_clinic()
    export = exporting.run(
        BulkExport.objects.create(clinic=clinic, request_url="test", requested_at=exporting.now())
    )
    assert export.status == "complete", export.error
    counts = {item["type"]: item["count"] for item in export.output}
    assert counts["Patient"] == clinic.patients.count()
    assert counts["Observation"] > 1000  # months of diaries
    assert "QuestionnaireResponse" in counts
    folder = exporting.export_dir(export)
    for resource_type, count in counts.items():
        lines = (folder / f"{resource_type}.ndjson").read_text(encoding="utf-8").splitlines()
        assert len(lines) == count
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == resource_type
            validate(resource)
