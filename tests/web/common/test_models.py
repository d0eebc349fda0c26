"""Clinical records are never hard-deleted and keep their change history."""

from __future__ import annotations

import pytest

from tenderpoint.web.common.models import ClinicalRecordDeletionError
from tenderpoint.web.patients.models import Patient
from tests.web.factories import PatientFactory


@pytest.mark.django_db
def test_clinical_records_cannot_be_deleted():
    patient = PatientFactory()
    with pytest.raises(ClinicalRecordDeletionError, match="entered in error"):
        patient.delete()
    with pytest.raises(ClinicalRecordDeletionError):
        Patient.objects.filter(pk=patient.pk).delete()
    assert Patient.objects.filter(pk=patient.pk).exists()


@pytest.mark.django_db
def test_changes_are_kept_in_history():
    patient = PatientFactory(family_name="Before")
    patient.family_name = "After"
    patient.save()
    assert [h.family_name for h in patient.history.order_by("history_date")] == ["Before", "After"]


@pytest.mark.django_db
def test_entered_in_error_records_leave_current():
    from django.utils import timezone

    kept, withdrawn = PatientFactory(), PatientFactory()
    Patient.objects.filter(pk=withdrawn.pk).update(entered_in_error_at=timezone.now())
    assert list(Patient.objects.current()) == [kept]
