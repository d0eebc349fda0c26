"""Registering, editing and finding patients."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.patients.models import Patient

VALID = {
    "given_name": "Rita",
    "family_name": "Quintero",
    "date_of_birth": "1981-03-04",
    "sex": "female",
    "medical_record_number": "A-77",
    "contact_preference": "text",
    "diagnosis_status": "suspected",
    "height_cm": "165.0",
    "weight_kg": "71.5",
}


def test_clinician_registers_a_patient_at_their_clinic(world, client_for):
    response = client_for(world.clinician).post(reverse("patients:create"), VALID)
    patient = Patient.objects.get(medical_record_number="A-77")
    assert response.status_code == 302
    assert response["Location"] == patient.get_absolute_url()
    assert patient.clinic == world.clinic
    assert patient.created_by == world.clinician
    event = AuditEvent.objects.get(action="create", object_type="patients.patient")
    assert event.patient_id == patient.public_id


def test_invalid_registration_keeps_what_was_typed(world, client_for):
    data = VALID | {
        "weight_kg": "900",
        "medical_record_number": world.patient_record.medical_record_number,
    }
    response = client_for(world.nurse).post(reverse("patients:create"), data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ensure this value is less than or equal to 350" in body
    assert "already has this record number" in body
    assert 'value="Quintero"' in body
    assert not Patient.objects.filter(family_name="Quintero").exists()


def test_patients_and_admins_cannot_register_patients(world, client_for):
    for persona in ("patient", "clinic_admin"):
        response = client_for(world.persona(persona)).post(reverse("patients:create"), VALID)
        assert response.status_code == 403
    assert not Patient.objects.filter(family_name="Quintero").exists()


def test_edit_records_which_fields_changed(world, client_for):
    record = world.patient_record
    data = {field: getattr(record, field) for field in VALID} | {
        "weight_kg": "64.2",
        "phone": "+49 30 555 1234",
        "date_of_birth": record.date_of_birth.isoformat(),
        "height_cm": "",
    }
    response = client_for(world.clinician).post(
        reverse("patients:edit", kwargs={"patient_id": record.public_id}), data
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert str(record.weight_kg) == "64.2"
    assert record.updated_by == world.clinician
    event = AuditEvent.objects.get(action="update")
    assert event.detail == {"fields": ["phone", "weight_kg"]}
    assert event.patient_id == record.public_id


def test_search_filters_by_name_and_record_number(world, client_for):
    client = client_for(world.nurse)
    body = client.get(reverse("patients:list"), {"q": "bergq"}).content.decode()
    assert "Bergqvist" in body
    assert "Anderby" not in body
    body = client.get(
        reverse("patients:list"), {"q": world.patient_record.medical_record_number}
    ).content.decode()
    assert "Anderby" in body


def test_htmx_search_returns_only_the_results(world, client_for):
    response = client_for(world.nurse).get(
        reverse("patients:list"), {"q": "and"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "Anderby" in body


def test_patient_list_query_count_does_not_grow_with_patients(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.web.factories import PatientFactory

    client = client_for(world.clinician)
    client.get(reverse("patients:list"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("patients:list"))
    PatientFactory.create_batch(20, clinic=world.clinic)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("patients:list"))
    assert len(many) == len(few)


# --- dates of birth (issue 13, defect 8): 2999-01-01 was saved and shown as "age -973" ----


def _birthday_years_ago(years: int, today: datetime.date, days: int = 0) -> datetime.date:
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("years", "days", "problem"),
    [
        (18, 0, None),  # eighteen today: accepted
        (18, 1, "gives an age of 17; Clinic A treats patients from 18 years"),  # a day short
        (120, 0, None),  # the oldest plausible age
        (121, 0, "gives an age of 121 years, more than 120"),
        (0, 1, "is in the future"),  # tomorrow
        (-973, 0, "is in the future"),  # 2999
    ],
)
def test_date_of_birth_against_today_and_the_clinics_minimum_age(
    world, client_for, years, days, problem
):
    today = datetime.datetime.now(tz=world.clinic.tzinfo).date()
    birth = _birthday_years_ago(years, today, days)
    response = client_for(world.clinician).post(
        reverse("patients:create"), VALID | {"date_of_birth": birth.isoformat()}
    )
    if problem is None:
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert response.status_code == 422
    assert problem in body
    assert birth.isoformat() in body  # what was typed is kept
    assert not Patient.objects.filter(medical_record_number=VALID["medical_record_number"])


def test_the_minimum_age_is_the_clinics_setting(world, client_for):
    world.clinic.minimum_patient_age_years = 16
    world.clinic.save()
    today = datetime.datetime.now(tz=world.clinic.tzinfo).date()
    data = VALID | {"date_of_birth": _birthday_years_ago(17, today).isoformat()}
    assert client_for(world.clinician).post(reverse("patients:create"), data).status_code == 302


def test_the_service_refuses_a_future_date_of_birth_too(world):
    from django.core.exceptions import ValidationError

    from tenderpoint.web.patients import services

    fields = {k: v for k, v in VALID.items() if k != "date_of_birth"}
    with pytest.raises(ValidationError) as error:
        services.do_create_patient(
            user=world.clinician, date_of_birth=datetime.date(2999, 1, 1), **fields
        )
    assert "date_of_birth" in error.value.message_dict


@pytest.mark.parametrize(("length", "status"), [(100, 200), (101, 422)])
def test_a_search_past_the_limit_is_refused_with_the_reason(world, client_for, length, status):
    """Defect 9: a query over 100 characters was silently dropped (every patient shown)."""
    query = "Anderby" + "x" * (length - 7)
    response = client_for(world.clinician).get(reverse("patients:list"), {"q": query})
    body = response.content.decode()
    assert response.status_code == status
    assert query in body  # what was typed is kept
    if status == 422:
        assert "at most 100 characters" in body
    assert world.patient_record.given_name not in body  # nobody matches either way
