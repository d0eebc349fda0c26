"""Questionnaires rendered from the core's definitions, scored by it, due by the schedule."""

from __future__ import annotations

import datetime

import pytest

from tenderpoint.clinical import get_instrument
from tenderpoint.web.infusions.choices import CourseKind, CourseStatus
from tenderpoint.web.infusions.models import Course
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tenderpoint.web.questionnaires.rendering import QuestionnaireForm, core_input
from tenderpoint.web.questionnaires.schedule import scheduled_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


def test_the_form_uses_the_cores_item_ids_and_wording(world, client_for):
    body = client_for(world.patient).get("/me/questionnaires/gad7/").content.decode()
    instrument = get_instrument("gad7")
    for item in instrument.items:
        assert f'name="{item.id}"' in body
        assert item.text in body
    assert instrument.citation.split(".")[0] in body


def test_the_pgic_form_opens_with_no_broken_recall_sentence(world, client_for):
    """PGIC's recall window ("since the start of treatment") used to be pasted after "Think
    about the", giving "Think about the since the start of treatment."; its question names the
    period itself."""
    response = client_for(world.patient).get("/me/questionnaires/pgic/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Think about the since" not in body
    assert "Since the start of your treatment" in body
    # the patient reads the instrument's name, not the core's scoring-direction note
    assert "<h1>Patient Global Impression of Change (PGIC)</h1>" in body
    assert "CGI-I direction" not in body


def test_a_stored_response_keeps_answers_outputs_explanation_and_version(world, client_for):
    answers = {f"item{n}": "2" for n in range(1, 8)}
    assert client_for(world.patient).post("/me/questionnaires/gad7/", answers).status_code == 303
    stored = QuestionnaireResponse.objects.get()
    assert stored.answers == {f"item{n}": 2 for n in range(1, 8)}
    assert stored.outputs["total"] == 14  # 7 items x 2
    assert stored.instrument_version == get_instrument("gad7").full_version
    assert "total 14" in stored.explanation


def test_answered_recently_names_the_questionnaire_as_the_patient_saw_it(world, client_for):
    client = client_for(world.patient)
    client.post("/me/questionnaires/gad7/", {f"item{n}": "1" for n in range(1, 8)})
    body = client.get("/me/questionnaires/").content.decode()
    recent = body[body.index("Answered recently") :]
    assert f"<td>{get_instrument('gad7').title}</td>" in recent
    assert "<td>GAD7</td>" not in recent


def test_every_missing_answer_is_named(world, client_for):
    response = client_for(world.patient).post("/me/questionnaires/gad7/", {"item1": "1"})
    assert response.status_code == 422
    assert [r.name for r in response.context["form"].errors] == [f"item{n}" for n in range(2, 8)]


def test_licensed_questionnaires_without_installed_wording_are_not_offered(world, client_for):
    client = client_for(world.patient)
    assert client.get("/me/questionnaires/fiqr/").status_code == 404
    assert client.get("/me/questionnaires/no_such/").status_code == 404


def test_core_input_places_items_by_field_and_index():
    instrument = get_instrument("phq9")
    answers = {f"item{n}": n % 4 for n in range(1, 10)}
    assert core_input(instrument, answers)["items"] == [n % 4 for n in range(1, 10)]
    form = QuestionnaireForm(instrument, data={k: str(v) for k, v in answers.items()})
    assert form.is_valid()
    assert form.result is not None


def _answered(patient, instrument_id, day):
    QuestionnaireResponse.objects.create(
        patient=patient,
        instrument_id=instrument_id,
        instrument_version="v",
        answers={},
        outputs={},
        explanation="",
        local_date=day,
        submitted_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC),
    )


def _due(patient, today=TODAY):
    return {s.id: s.due for s in scheduled_for(patient, today)}


def test_baseline_questionnaires_are_due_first(world):
    due = _due(world.patient_record)
    assert due["phq9"]
    assert due["gad7"]
    assert due["fiqr"]
    assert due["isi"]
    assert not due["bpi_sf"]  # optional
    assert not due["pgic"]  # weekly during an induction course; none yet


@pytest.mark.parametrize(("days_ago", "due"), [(27, False), (28, True), (29, True)])
def test_monthly_means_every_28_days(world, days_ago, due):
    _answered(world.patient_record, "phq9", TODAY - datetime.timedelta(days=days_ago))
    assert _due(world.patient_record)["phq9"] is due


@pytest.mark.parametrize(("days_ago", "due"), [(6, False), (7, True)])
def test_weekly_during_an_induction_course(world, days_ago, due):
    Course.objects.create(
        patient=world.patient_record,
        kind=CourseKind.INDUCTION,
        planned_infusions=5,
        start_date=TODAY - datetime.timedelta(days=10),
        status=CourseStatus.ACTIVE,
    )
    _answered(world.patient_record, "pgic", TODAY - datetime.timedelta(days=days_ago))
    assert _due(world.patient_record)["pgic"] is due


def test_after_the_course_weekly_becomes_monthly(world):
    Course.objects.create(
        patient=world.patient_record,
        kind=CourseKind.INDUCTION,
        planned_infusions=5,
        start_date=TODAY - datetime.timedelta(days=40),
        end_date=TODAY - datetime.timedelta(days=30),
        status=CourseStatus.COMPLETED,
    )
    _answered(world.patient_record, "pgic", TODAY - datetime.timedelta(days=7))
    assert _due(world.patient_record)["pgic"] is False


def test_the_clinic_admin_edits_the_schedule(world, client_for):
    client = client_for(world.clinic_admin)
    data = {"escalation_hours": "6"}
    for instrument_id in ["fiqr", "phq9", "gad7", "isi", "pgic", "bpi_sf"]:
        data[f"{instrument_id}__cadence"] = "monthly"
    data["phq9__baseline"] = "on"
    data["gad7__cadence"] = "off"
    assert client.post("/clinic/questionnaires/schedule/", data).status_code == 303
    due = _due(world.patient_record)
    assert "gad7" not in due
    assert due["phq9"]
    assert due["bpi_sf"]
    assert (
        client.post(
            "/clinic/questionnaires/schedule/", {**data, "escalation_hours": "0"}
        ).status_code
        == 422
    )


SELF_CHECK = {
    "wpi_areas": ["neck", "lower_back", "hip_left", "hip_right", "upper_arm_left"],
    "fatigue": "2",
    "waking_unrefreshed": "2",
    "cognitive": "1",
    "symptoms_generally_present_ge_3_months": "yes",
    "headaches_6mo": "yes",
    "lower_abdominal_pain_or_cramps_6mo": "no",
    "depression_6mo": "no",
}


def test_a_signed_in_patient_saves_the_self_check_rescored_not_trusted(world, client_for):
    client = client_for(world.patient)
    response = client.post("/me/self-check/save/", {**SELF_CHECK, "wpi": "19"})
    assert response.status_code == 303
    stored = QuestionnaireResponse.objects.get(patient=world.patient_record)
    assert stored.instrument_id == "acr2016"
    assert stored.outputs["wpi"] == 5  # scored here from the areas, not the posted "wpi"
    assert stored.outputs["sss"] == 6  # 2 + 2 + 1 + one of the six-month symptoms


def test_an_incomplete_self_check_is_not_saved(world, client_for):
    client = client_for(world.patient)
    response = client.post("/me/self-check/save/", {**SELF_CHECK, "fatigue": ""})
    assert response.status_code == 303
    assert not QuestionnaireResponse.objects.exists()
