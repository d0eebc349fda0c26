"""The clinician's outcome page: the core's numbers, the model line, the cache, the access rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tenderpoint.outcomes.patient import analyse_patient
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.diary import services as diary_services
from tenderpoint.web.outcomes import patient_page
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.outcomes.templatetags.outcome_tags import window_label
from tests.web.outcomes.helpers import synthetic_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):  # type: ignore[no-untyped-def]
    world.patient_record.weight_kg = 70
    world.patient_record.height_cm = 165
    world.patient_record.sex = "female"
    world.patient_record.save()
    return synthetic_history(world.patient_record, world.clinician, world.nurse)


def _url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse(
        "patients:patient_outcomes:detail", kwargs={"patient_id": world.patient_record.public_id}
    )


def test_stored_records_give_the_core_the_same_frames_it_would_get_directly(world, history):
    diary, infusions = history
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    frames = frames_for([world.patient_record], today)
    assert frames.diary.height == diary.height
    assert sorted(frames.diary["pain"].to_list()) == sorted(diary["pain"].to_list())
    assert frames.infusions.select("start", "end", "total_dose_mg").sort("start").rows() == (
        infusions.select("start", "end", "total_dose_mg").sort("start").rows()
    )


def test_page_numbers_are_the_cores_numbers(world, history, client_for):
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    frames = frames_for([world.patient_record], today)
    pid = str(world.patient_record.public_id)
    direct = analyse_patient(pid, frames.diary, frames.infusions, frames.patients, today=today)
    computed = patient_page.compute_patient_outcomes(world.patient_record, today)
    assert computed["analysis"] == direct.as_dict()

    body = client_for(world.clinician).get(_url(world)).content.decode()
    baseline = direct.baseline.row(0, named=True)
    assert f"<strong>{baseline['baseline_pain']:.1f}</strong>" in body
    first = direct.relief.row(0, named=True)
    if first["relief"] and first["durability_event"]:
        assert f"{first['durability_days']:.0f} days" in body
    for course in direct.relief.iter_rows(named=True):
        held = course["relief_held_probability"]
        if held is not None:  # censored relief says how surely the last week still held it
            assert f"last 7 days {round(100 * held)} % likely still more than 10 %" in body
    forecast = direct.forecast
    if forecast.interval_low is not None and forecast.status not in ("due_now", "not_enough_data"):
        assert forecast.interval_low.isoformat() in body
    assert "not an expectation" in body
    assert "Noppers" in body
    # each window row: its readable name and the change from baseline in words
    for row in direct.responses.iter_rows(named=True):
        if row["status"] != "ok":
            continue
        change = round(row["pct_reduction_pain"])
        direction = "lower" if change > 0 else "higher"
        words = "no change" if change == 0 else f"{abs(change)} % {direction}"
        assert f'<th scope="row">{window_label(row["window"])}</th>' in body
        assert words in body
        assert f"{round(100 * row['responder_probability'])} % chance of a drop" in body
    assert "post_week" not in body


def test_model_line_uses_the_delivered_doses(world, history):
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    computed = patient_page.compute_patient_outcomes(world.patient_record, today)
    prediction = computed["prediction"]
    assert prediction["available"] is True
    baseline = computed["analysis"]["baseline"][0]["baseline_pain"]
    assert prediction["baseline_pain"] == pytest.approx(baseline)
    first_infusion = dt.date.fromisoformat(computed["infusion_days"][0])
    by_day = dict(zip(prediction["days"], prediction["predicted_pain"], strict=True))
    before = [p for d, p in by_day.items() if dt.date.fromisoformat(d) < first_infusion]
    after = [p for d, p in by_day.items() if dt.date.fromisoformat(d) > first_infusion]
    assert before
    assert all(p == pytest.approx(baseline, abs=0.01) for p in before)
    assert min(after) < baseline


def test_no_model_line_without_weight_says_why(world, history):
    world.patient_record.weight_kg = None
    world.patient_record.save()
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    computed = patient_page.compute_patient_outcomes(world.patient_record, today)
    assert computed["prediction"] == {
        "available": False,
        "reason": "weight and height are not recorded",
    }


def test_a_patient_without_diary_sees_the_truth(world, client_for):
    body = client_for(world.clinician).get(_url(world)).content.decode()
    assert "No diary entries yet" in body


def test_cache_is_used_and_forgotten_when_the_diary_changes(
    world, history, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real = patient_page.compute_patient_outcomes

    def counting(patient, today):  # type: ignore[no-untyped-def]
        calls.append(today)
        return real(patient, today)

    monkeypatch.setattr(patient_page, "compute_patient_outcomes", counting)
    patient_page.patient_outcomes(world.patient_record)
    patient_page.patient_outcomes(world.patient_record)
    assert len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        diary_services.do_record_entry(
            world.patient_record,
            user=world.patient,
            request=None,
            data={
                "pain": 9,
                "fatigue": 5,
                "sleep_quality": 5,
                "fog": 5,
                "mood": 5,
                "headache": 5,
                "flare": False,
                "note": "",
                "pain_areas": [],
            },
        )
    patient_page.patient_outcomes(world.patient_record)
    assert len(calls) == 2


def test_cache_is_forgotten_when_a_session_is_saved(
    world, history, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real = patient_page.compute_patient_outcomes
    monkeypatch.setattr(
        patient_page, "compute_patient_outcomes", lambda p, d: calls.append(d) or real(p, d)
    )
    patient_page.patient_outcomes(world.patient_record)
    session = world.patient_record.infusion_sessions.first()
    with django_capture_on_commit_callbacks(execute=True):
        session.notes = "corrected"
        session.save()
    patient_page.patient_outcomes(world.patient_record)
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("clinician", 200),
        ("nurse", 200),
        ("patient", 403),
        ("other_patient", 403),
        ("clinic_admin", 403),
        ("other_clinician", 403),
    ],
)
def test_care_team_only_and_audited(world, client_for, persona, status):
    response = client_for(world.persona(persona)).get(_url(world))
    assert response.status_code == status
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == ("view" if status == 200 else "denied")
    assert event.patient_id == world.patient_record.public_id


FORECAST = {
    "threshold_pain": 4.2,
    "basis": "exponential",
    "version": "tenderpoint-booster-forecast/2.1",
    "model_citation": "Dahan 2011",
}


@pytest.mark.parametrize(
    ("forecast", "says"),
    [
        (
            {
                "status": "ok",
                "predicted_date": "2026-12-03",
                "interval_low": "2026-12-01",
                "interval_high": "2026-12-12",
                "reasons": ["fitted"],
            },
            "between <strong>2026-12-01</strong> and <strong>2026-12-12</strong> (central "
            "estimate 2026-12-03)",
        ),
        (
            {
                "status": "ok",
                "predicted_date": "2026-12-01",
                "interval_low": "2026-12-01",
                "interval_high": "2026-12-01",
                "reasons": ["crossed"],
            },
            "cross back above 4.2 on or soon after <strong>2026-12-01</strong>",
        ),
        (
            {
                "status": "ok",
                "predicted_date": "2026-12-05",
                "interval_low": "2026-12-01",
                "interval_high": None,
                "reasons": ["open"],
            },
            "from <strong>2026-12-01</strong> on (central estimate 2026-12-05); the diary cannot "
            "yet give a latest date",
        ),
        (
            {"status": "ok", "predicted_date": None, "interval_high": None, "reasons": ["slow"]},
            "No date is given: relief is fading so slowly that the fitted return of pain lies "
            "more than ten years ahead",
        ),
        (
            {"status": "due_now", "predicted_date": "2026-11-30", "reasons": ["below"]},
            "Measured relief has already fallen below the relief threshold (daily pain above 4.2)",
        ),
        (
            {"status": "no_relief", "predicted_date": None, "reasons": ["never"]},
            "relief after the last course did not reach the threshold (daily pain at or below "
            "4.2), so there is no return to forecast",
        ),
        (
            {
                "status": "insufficient_data",
                "predicted_date": None,
                "threshold_pain": None,
                "reasons": ["Baseline pain was 0/10: relief is a fraction of the baseline."],
            },
            "No forecast. Baseline pain was 0/10: relief is a fraction of the baseline.",
        ),
    ],
)
def test_the_forecast_says_what_its_status_means(forecast, says):
    """Each forecast status in its own words: "no relief" is not "not enough data", and a
    date range of one day is not written as a range."""
    from django.template.loader import render_to_string

    html = " ".join(render_to_string("outcomes/_forecast.html", {"f": FORECAST | forecast}).split())
    assert says in html
    assert ("Not enough data" in html) is False
    assert forecast["status"] in html  # the status is shown with its basis


@pytest.mark.parametrize(
    ("held", "says"), [(0.9734, "97 %"), (0.8999, "90 %"), (0.5, "50 %"), (None, None)]
)
def test_censored_relief_says_how_surely_the_last_week_held_it(world, held, says):
    from django.template.loader import render_to_string

    course = {
        "course": 1,
        "course_date": "2026-10-01",
        "course_size": 6,
        "relief": True,
        "relief_probability": 0.99,
        "time_to_relief_hours": 30,
        "durability_event": False,
        "durability_days": 45.0,
        "censor_reason": "next_infusion",
        "relief_held_probability": held,
    }
    html = render_to_string(
        "outcomes/patient_outcomes.html",
        {
            "patient": world.patient_record,
            "outcomes": {"status": "ok", "analysis": {"relief": [course], "rules": {}}},
        },
    )
    html = " ".join(html.split())
    assert "still in relief, censored at day 45 (next_infusion)" in html
    if says:
        assert f"last 7 days {says} likely still more than 10 % below baseline" in html
    else:
        assert "likely still more than 10 %" not in html
    # 0.8999 shows as 90 % but is under the 90 % line: the page says which side it is on
    under = held is not None and held < 0.9
    assert ("under 90 %: the diary cannot tell whether relief ended" in html) is under
