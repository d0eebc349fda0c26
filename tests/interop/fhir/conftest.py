"""Plain-dict fixtures in the shapes the mapping documents, and an R4B validator."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest

AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
PATIENT_ID = "6f1c0a52-8c55-4e0e-9a34-2b1df0b0f3a1"
SESSION_ID = "0b6b2f8e-9a0f-4d64-8a3e-7f0fd3c1a111"
PLAN_ID = "2c8a3a10-2a7b-4b9a-b5d4-39a3b3c4d222"


def validate(resource: dict[str, Any]) -> Any:
    """Build the fhir.resources R4B model of ``resource`` (raises on any invalid element)."""
    name = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
    return getattr(module, name).model_validate(resource)


@pytest.fixture
def session() -> dict[str, Any]:
    return {
        "id": SESSION_ID,
        "patient_id": PATIENT_ID,
        "plan_id": PLAN_ID,
        "status": "signed",
        "product": "racemic",
        "delivered_mg": "35.00",
        "started_at": AT,
        "ended_at": AT + datetime.timedelta(minutes=45),
        "last_updated": AT + datetime.timedelta(hours=2),
        "entered_in_error": False,
        "clinic_name": "Clinic A",
    }
