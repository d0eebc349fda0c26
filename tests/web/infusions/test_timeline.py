"""The chart timeline: every kind present, newest first, filterable, bounded queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenderpoint.clinical import get_instrument, score
from tenderpoint.web.diary import services as diary_services
from tenderpoint.web.infusions import timeline
from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.messaging import services as messaging_services
from tenderpoint.web.messaging.models import Message
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.questionnaires import services as questionnaire_services
from tests.web.infusions import helpers

# A fixed week: Monday 2026-03-02 to Sunday 2026-03-08 (UTC patient zone is set below).
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DIARY = {"fatigue": 5, "sleep_quality": 5, "fog": 5, "mood": 5, "headache": 5, "note": ""}


def _diary(world: Any, at: datetime.datetime, pain: int, flare: bool = False) -> None:
    diary_services.do_record_entry(
        world.patient_record,
        user=world.patient,
        request=None,
        data={**DIARY, "pain": pain, "flare": flare, "pain_areas": []},
        now=at,
    )


def _phq9(world: Any, at: datetime.datetime, items: list[int]) -> None:
    answers = {f"item{n}": v for n, v in zip(range(1, 10), items, strict=True)}
    questionnaire_services.do_submit_response(
        world.patient_record,
        instrument=get_instrument("phq9"),
        answers=answers,
        result=score("phq9", answers),
        user=world.patient,
        request=None,
        now=at,
    )


def _message(world: Any, at: datetime.datetime, *, from_patient: bool, body: str) -> None:
    user = world.patient if from_patient else world.nurse
    message = messaging_services.do_send_message(
        world.patient_record, user=user, request=None, body=body, from_patient=from_patient
    )
    Message.objects.filter(pk=message.pk).update(sent_at=at)


@pytest.fixture
def portal_world(world: Any) -> Any:
    world.clinic.time_zone = "UTC"
    world.clinic.save()
    # Week 1 (Mon 2 – Sun 8 March): pain 6 and 8 on Monday (daily mean 7), 4 on Wednesday
    # with a flare -> 2 days recorded, mean of daily pain (7 + 4) / 2 = 5.5, 1 flare day.
    _diary(world, MONDAY, 6)
    _diary(world, MONDAY + datetime.timedelta(hours=8), 8)
    _diary(world, MONDAY + datetime.timedelta(days=2), 4, flare=True)
    # Week 2 (Mon 9 March): one day, pain 3, no flare.
    _diary(world, MONDAY + datetime.timedelta(days=7, hours=1), 3)
    # PHQ-9 items summing to 8 -> "mild" (Kroenke 2001 band 5-9), on Thursday 5 March.
    _phq9(world, MONDAY + datetime.timedelta(days=3), [1, 1, 1, 1, 1, 1, 1, 1, 0])
    _message(world, MONDAY + datetime.timedelta(days=4), from_patient=True, body="SECRET-BODY-1")
    _message(
        world,
        MONDAY + datetime.timedelta(days=4, hours=2),
        from_patient=False,
        body="SECRET-BODY-2",
    )
    return world


def test_every_portal_kind_appears_with_its_numbers(portal_world):
    entries = timeline.timeline(portal_world.patient_record)
    by_kind: dict[str, list[timeline.Entry]] = {}
    for e in entries:
        by_kind.setdefault(e.kind, []).append(e)
    assert [e.title for e in by_kind["questionnaire"]] == [
        "Patient Health Questionnaire-9 (PHQ-9): score 8 (mild)"
    ]
    assert [e.title for e in by_kind["diary"]] == [
        "Diary, week of 2026-03-09: 1 of 7 days recorded, mean pain 3.0/10, 0 flare day(s)",
        "Diary, week of 2026-03-02: 2 of 7 days recorded, mean pain 5.5/10, 1 flare day(s)",
    ]
    assert [(e.title, e.status) for e in by_kind["message"]] == [
        ("Messages: 1 from the patient, 1 from the care team", "2 unread")
    ]
    assert not any("SECRET-BODY" in e.title for e in entries)


def test_entries_are_newest_first_across_kinds(portal_world):
    world = portal_world
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse, start=MONDAY + datetime.timedelta(days=5))
    InfusionSession.objects.filter(pk=session.pk).update(
        started_at=MONDAY + datetime.timedelta(days=5)
    )
    entries = timeline.timeline(world.patient_record)
    times = [e.at for e in entries]
    assert times == sorted(times, reverse=True)
    portal = [e.kind for e in entries if e.kind in ("diary", "message", "questionnaire", "session")]
    # diary week 2 (9 Mar 10:00) > session (7 Mar) > messages (6 Mar) > PHQ-9 (5 Mar)
    # > diary week 1 (its last entry 4 Mar 09:00).
    assert portal == ["diary", "session", "message", "questionnaire", "diary"]
    first_diary = next(e for e in entries if e.kind == "diary")
    assert first_diary.at == MONDAY + datetime.timedelta(days=7, hours=1)


@pytest.mark.parametrize("kind", ["questionnaire", "diary", "message"])
def test_filter_by_kind_shows_only_that_kind(portal_world, kind):
    entries = timeline.timeline(portal_world.patient_record, kind)
    assert entries
    assert {e.kind for e in entries} == {kind}


def test_entered_in_error_records_are_left_out(portal_world):
    from tenderpoint.web.questionnaires.models import QuestionnaireResponse

    QuestionnaireResponse.objects.update(entered_in_error_at=MONDAY)
    Message.objects.update(entered_in_error_at=MONDAY)
    kinds = {e.kind for e in timeline.timeline(portal_world.patient_record)}
    assert "questionnaire" not in kinds
    assert "message" not in kinds


def test_chart_page_shows_portal_entries_and_filters(portal_world, client_for):
    world = portal_world
    client = client_for(world.nurse)
    url = f"/patients/{world.patient_record.public_id}/"
    body = client.get(url).content.decode()
    assert "score 8 (mild)" in body
    assert "week of 2026-03-02" in body
    assert "SECRET-BODY" not in body
    only = client.get(url, {"show": "message"}).content.decode()
    assert "Messages: 1 from the patient" in only
    assert "week of 2026-03-02" not in only


def test_timeline_query_count_does_not_grow_with_records(portal_world):
    """One query per source whatever the number of rows (no N+1)."""
    world = portal_world

    def count() -> int:
        patient = Patient.objects.get(pk=world.patient_record.pk)
        with CaptureQueriesContext(connection) as ctx:
            timeline.timeline(patient)
        return len(ctx.captured_queries)

    before = count()
    for day in range(10, 24):
        _diary(world, MONDAY + datetime.timedelta(days=day), 5)
        _phq9(world, MONDAY + datetime.timedelta(days=day), [0, 1, 0, 1, 0, 1, 0, 1, 0])
        _message(world, MONDAY + datetime.timedelta(days=day), from_patient=True, body="x")
    assert count() == before


def test_the_benchmark_fixture_puts_portal_records_on_the_chart(world):
    """benchmarks/console_bench.py measures the chart with diary, questionnaires and messages."""
    from benchmarks.console_bench import add_portal_records

    add_portal_records(world.patient_record, world.nurse)
    kinds = {e.kind for e in timeline.timeline(world.patient_record)}
    assert {"diary", "questionnaire", "message"} <= kinds
