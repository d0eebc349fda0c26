import datetime

import pytest

from tenderpoint.interop.fhir.condition import fibromyalgia_condition
from tests.interop.fhir.conftest import AT, PATIENT_ID, validate


def _diagnosis(status: str) -> dict:
    return {
        "id": "9d3f6a7e-0f1b-4c8b-bf11-1a2b3c4d5e6f",
        "patient_id": PATIENT_ID,
        "status": status,
        "recorded_at": AT,
        "last_updated": AT + datetime.timedelta(minutes=1),
        "recorder": "Dr Carla",
        "criteria": ["ACR 2016"],
    }


def test_confirmed_diagnosis_carries_snomed_and_icd10() -> None:
    resource = fibromyalgia_condition(_diagnosis("confirmed"))
    model = validate(resource)
    codes = {(c.system, c.code) for c in model.code.coding}
    assert codes == {
        ("http://snomed.info/sct", "203082005"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "M79.7"),
    }
    assert model.verificationStatus.coding[0].code == "confirmed"
    assert model.clinicalStatus.coding[0].code == "active"
    assert model.subject.reference == f"Patient/{PATIENT_ID}"


@pytest.mark.parametrize(
    ("status", "verification"), [("suspected", "provisional"), ("ruled_out", "refuted")]
)
def test_other_statuses(status: str, verification: str) -> None:
    resource = fibromyalgia_condition(_diagnosis(status))
    validate(resource)
    assert resource["verificationStatus"]["coding"][0]["code"] == verification
    # con-5: a refuted condition carries no clinical status
    assert ("clinicalStatus" in resource) is (status != "ruled_out")


def test_not_yet_assessed_has_no_condition() -> None:
    assert fibromyalgia_condition(_diagnosis("unknown")) is None
