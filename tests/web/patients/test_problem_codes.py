"""The coded problem list: every code says how it was checked; nothing is passed off as
confirmed that the project's reference does not confirm."""

from __future__ import annotations

from tenderpoint.web.patients.history import (
    CODE_CHECKS,
    CONFIRMED,
    CORROBORATED,
    PROBLEMS,
    UNCONFIRMED,
)


def test_every_problem_has_a_check_for_both_codes():
    assert set(CODE_CHECKS) == {p.code for p in PROBLEMS}
    for p in PROBLEMS:
        assert p.snomed_check in (CONFIRMED, CORROBORATED, UNCONFIRMED)
        assert p.icd_check in (CONFIRMED, CORROBORATED, UNCONFIRMED)


def test_only_the_reference_codes_are_confirmed():
    # reference/clinical.md §12: fibromyalgia is SNOMED CT 203082005, ICD-10-CM M79.7.
    confirmed = {(p.snomed_ct, p.icd10cm) for p in PROBLEMS if CONFIRMED in CODE_CHECKS[p.code]}
    assert confirmed == {("203082005", "M79.7")}


def test_the_page_shows_how_each_code_was_checked(world, client_for):
    url = f"/patients/{world.patient_record.public_id}/problems/"
    body = client_for(world.clinician).get(url).content.decode()
    assert "55464009 – corroborated" in body
    assert "M32.9 – unconfirmed" in body
    assert "M79.7 – confirmed" in body
