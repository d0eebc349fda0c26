"""Home, progress, settings, exports and reminders of the patient portal."""

from __future__ import annotations

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from fhir.resources.R4B.bundle import Bundle

from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.portal import reminders
from tenderpoint.web.portal.models import PortalPreferences, SentReminder
from tenderpoint.web.portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


def _entries(patient, days, pain=lambda d: 6):
    start = datetime.date(2026, 11, 1)
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        DiaryEntry.objects.create(
            patient=patient,
            recorded_at=datetime.datetime.combine(day, datetime.time(20), tzinfo=datetime.UTC),
            local_date=day,
            time_zone="UTC",
            pain=pain(offset),
            fatigue=5,
            sleep_quality=5,
            fog=5,
            mood=3,
            headache=1,
            flare=offset == 3,
        )


def test_home_shows_what_is_due(world, client_for):
    body = client_for(world.patient).get("/me/").content.decode()
    assert "Today's entry is waiting" in body
    assert "Patient Health Questionnaire-9" in body  # baseline PHQ-9 due


def _progress_after_first_drawing(client, patient, today):
    """The progress page once the task worker has drawn it (the first view only queues it)."""
    from tenderpoint.web.portal import cache as portal_cache

    first = client.get("/me/progress/").content.decode()
    assert "being drawn for the first time" in first
    portal_cache.refresh(patient, "progress", today)  # what the queued task does
    return client.get("/me/progress/").content.decode()


def test_progress_shows_charts_with_tables_and_plain_words(world, client_for):
    _entries(world.patient_record, 40, pain=lambda d: 8 if d < 20 else 4)
    today = datetime.date(2026, 12, 10)
    with mock.patch("tenderpoint.web.portal.access.OwnRecordView.local_now") as now:
        now.return_value = datetime.datetime.combine(today, datetime.time(9), tzinfo=datetime.UTC)
        body = _progress_after_first_drawing(client_for(world.patient), world.patient_record, today)
    assert 'src="data:image/svg+xml;base64,' in body
    assert "Show all the numbers as a table" in body
    assert (
        "Pain: your 7-day average is 4.0 out of 10, lower (better) than four weeks earlier (8.0)"
        in body
    )
    assert "1 day" in body  # one flare day
    # the flare marks on the pain chart are explained, not left as unlabelled red triangles
    assert "flare days are marked with red triangles" in body
    for advice in ("increase", "reduce your", "stop taking"):
        assert advice not in body.lower()


def test_progress_is_served_from_the_cache_and_rebuilt_after_a_write_in_the_background(
    world, client_for, django_capture_on_commit_callbacks
):
    from tenderpoint.web.portal import cache as portal_cache

    calls = []

    def build(patient, today):
        calls.append(today)
        return ""

    updating = "still being added"
    with mock.patch.dict(portal_cache._BUILDERS, {"progress": build}):
        client = client_for(world.patient)
        # The first view queues the first drawing; the task worker runs it (immediate here).
        with django_capture_on_commit_callbacks(execute=True):
            assert "being drawn" in client.get("/me/progress/").content.decode()
        assert len(calls) == 1
        body = client.get("/me/progress/").content.decode()
        assert "being drawn" not in body
        assert updating not in body
        assert len(calls) == 1  # served from the cache

        # A write queues the rebuild at once.
        with django_capture_on_commit_callbacks(execute=True):
            portal_cache.invalidate(world.patient_record)
        assert len(calls) == 2
        assert updating not in client.get("/me/progress/").content.decode()
        assert len(calls) == 2

        # Until the task has run, the page answers at once with the previous figures and says so;
        # more writes and views meanwhile queue no second rebuild.
        with django_capture_on_commit_callbacks(execute=False) as queued:
            portal_cache.invalidate(world.patient_record)
            portal_cache.invalidate(world.patient_record)
            body = client.get("/me/progress/").content.decode()
        assert updating in body
        assert len(calls) == 2
        for callback in queued:
            callback()
        assert len(calls) == 3  # one rebuild for two writes and a view
        assert updating not in client.get("/me/progress/").content.decode()


def test_a_view_while_a_rebuild_is_queued_takes_no_lock(
    world, client_for, django_capture_on_commit_callbacks
):
    """A stale page with its rebuild already queued is served after a plain read of the lock:
    no ``add`` (on the database cache, a write transaction) on every view of a busy patient."""
    from django.core.cache import cache

    from tenderpoint.web.portal import cache as portal_cache

    with mock.patch.dict(portal_cache._BUILDERS, {"progress": lambda patient, today: ""}):
        client = client_for(world.patient)
        with django_capture_on_commit_callbacks(execute=True):
            client.get("/me/progress/")  # queued and drawn
        with django_capture_on_commit_callbacks(execute=False):
            portal_cache.invalidate(world.patient_record)  # a write queues the rebuild
        with mock.patch.object(cache, "add", wraps=cache.add) as add:
            assert "still being added" in client.get("/me/progress/").content.decode()
        add.assert_not_called()


def test_a_write_for_a_patient_without_a_portal_account_queues_no_drawing(
    world, django_capture_on_commit_callbacks
):
    from tenderpoint.web.portal import cache as portal_cache

    world.patient_record.user = None
    with django_capture_on_commit_callbacks() as queued:
        portal_cache.invalidate(world.patient_record)
    assert queued == []


def test_settings_change_contact_details_and_keep_history(world, client_for):
    client = client_for(world.patient)
    record = world.patient_record
    record.phone = "+49 30 111111"
    record.save()
    data = {
        "phone": "+49 30 222222",
        "email": "new@example.org",
        "contact_preference": "text",
        "reminders_enabled": "on",
        "reminder_time": "07:30",
        "reminder_channel": "sms",
    }
    assert client.post("/me/settings/", data).status_code == 303
    record.refresh_from_db()
    assert record.phone == "+49 30 222222"
    assert record.history.filter(phone="+49 30 111111").exists()  # the clinician sees the history
    prefs = PortalPreferences.objects.get(patient=record)
    assert prefs.reminder_time == datetime.time(7, 30)
    assert prefs.reminder_channel == "sms"
    bad = {**data, "phone": "call me", "reminder_time": "25:00"}
    response = client.post("/me/settings/", bad)
    assert response.status_code == 422
    assert "call me" in response.content.decode()


def test_exports_hold_all_of_the_patients_own_data(world, client_for):
    _entries(world.patient_record, 5)  # the fourth day is a flare
    client = client_for(world.patient)
    client.post("/me/questionnaires/gad7/", {f"item{n}": "1" for n in range(1, 8)})
    rows = list(csv.DictReader(io.StringIO(client.get("/me/export.csv").content.decode())))
    assert {r["record"] for r in rows} == {"diary", "questionnaire"}
    assert sum(1 for r in rows if r["item"] == "pain") == 5
    bundle = json.loads(client.get("/me/export.fhir.json").content)
    parsed = Bundle.model_validate(bundle)
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 1
    assert kinds.count("Observation") == 5 * 6 + 1  # six scores a day, one flare


@override_settings(TENDERPOINT_SMS_BACKEND="tenderpoint.web.portal.sms.LocmemSMSBackend")
def test_a_reminder_is_sent_once_at_the_chosen_time_and_never_twice(world):
    LocmemSMSBackend.outbox.clear()
    record = world.patient_record
    record.email = "paula@example.org"
    record.save()
    PortalPreferences.objects.create(
        patient=record, reminder_time=datetime.time(20, 0), time_zone="UTC"
    )
    day = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    before = day.replace(hour=19, minute=59)
    assert reminders.send_due_reminders(before) == 1  # only the questionnaire reminder (10:00)
    mail.outbox.clear()
    at = day.replace(hour=20, minute=0)
    assert reminders.send_due_reminders(at) == 1
    assert reminders.send_due_reminders(at.replace(hour=23)) == 0  # never twice
    assert SentReminder.objects.filter(kind="diary").count() == 1
    text = mail.outbox[0].body.lower()
    for detail in ("pain", "phq", "mood", "score"):
        assert detail not in text


def test_a_missed_reminder_is_sent_once_when_the_worker_returns(world):
    record = world.patient_record
    record.email = "paula@example.org"
    record.save()
    PortalPreferences.objects.create(
        patient=record, reminder_time=datetime.time(8, 0), time_zone="UTC"
    )
    late = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)  # worker was down at 08:00
    assert reminders.send_due_reminders(late) == 2  # diary and questionnaire, once each
    assert reminders.send_due_reminders(late) == 0


def test_no_reminder_after_opting_out_or_once_the_diary_is_done(world):
    record = world.patient_record
    record.email = "paula@example.org"
    record.save()
    prefs = PortalPreferences.objects.create(
        patient=record, reminder_time=datetime.time(8, 0), time_zone="UTC", reminders_enabled=False
    )
    at = datetime.datetime(2026, 11, 30, 21, 0, tzinfo=datetime.UTC)
    assert reminders.send_due_reminders(at) == 0
    prefs.reminders_enabled = True
    prefs.save()
    _entries(record, 30)  # Nov 1-30: today's diary is done
    sent = reminders.send_due_reminders(at)
    assert not SentReminder.objects.filter(kind="diary").exists()
    assert sent == 1


@override_settings(TENDERPOINT_SMS_BACKEND="tenderpoint.web.portal.sms.LocmemSMSBackend")
def test_sms_reminders_go_through_the_pluggable_backend(world):
    LocmemSMSBackend.outbox.clear()
    record = world.patient_record
    record.phone = "+49 170 555"
    record.save()
    PortalPreferences.objects.create(
        patient=record, reminder_time=datetime.time(8, 0), time_zone="UTC", reminder_channel="sms"
    )
    reminders.send_due_reminders(datetime.datetime(2026, 11, 30, 21, tzinfo=datetime.UTC))
    assert [to for to, _ in LocmemSMSBackend.outbox] == ["+49 170 555", "+49 170 555"]


def test_a_culled_version_never_brings_back_an_older_cached_value(world):
    """The database cache culls its oldest keys when full; losing a patient's version key must
    lead to a rebuild, never to a value cached before a later write."""
    from django.core.cache import cache

    from tenderpoint.web.portal import cache as portal_cache

    patient = world.patient_record
    assert portal_cache.cached(patient, "page", lambda: "before the write") == "before the write"
    cache.delete(portal_cache._version_key(patient))  # culled
    assert portal_cache.cached(patient, "page", lambda: "after") == "after"
    portal_cache.invalidate(patient)
    cache.delete(portal_cache._version_key(patient))
    assert portal_cache.cached(patient, "page", lambda: "rebuilt") == "rebuilt"


def test_a_burst_of_writes_is_drawn_once_a_minute_not_after_every_write(
    world, settings, django_capture_on_commit_callbacks
):
    """The first write after a quiet spell is drawn at once; one within a minute of the last
    drawing waits until that minute is over (the database task backend defers it)."""
    from django_tasks_db.models import DBTaskResult

    from tenderpoint.web.portal import cache as portal_cache

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    patient = world.patient_record
    with mock.patch.dict(portal_cache._BUILDERS, {"progress": lambda p, t: ""}):
        with django_capture_on_commit_callbacks(execute=True):
            portal_cache.invalidate(patient)  # nothing drawn yet: at once
        first = DBTaskResult.objects.get()
        assert first.task.run_after is None

        page = portal_cache.refresh(patient, "progress", datetime.date(2026, 11, 30))
        portal_cache.refresh_finished(patient, "progress")
        with django_capture_on_commit_callbacks(execute=True):
            portal_cache.invalidate(patient)  # drawn moments ago: after the minute
        deferred = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert deferred.task.run_after == page.built_at + datetime.timedelta(
            seconds=portal_cache.MIN_REBUILD_INTERVAL_S
        )

        portal_cache.refresh_finished(patient, "progress")
        later = page.built_at + datetime.timedelta(seconds=portal_cache.MIN_REBUILD_INTERVAL_S + 1)
        with (
            mock.patch("tenderpoint.web.portal.cache.timezone.now", return_value=later),
            django_capture_on_commit_callbacks(execute=True),
        ):
            portal_cache.invalidate(patient)  # a minute later: at once again
        results = [r.task for r in DBTaskResult.objects.order_by("enqueued_at")]
        assert [r.run_after is None for r in results] == [True, False, True]


def test_a_portal_page_reads_the_patient_and_their_time_zone_once(world, client_for):
    """The record the access rule resolved answers the navigation's ``user.patient_record``
    and the page's own date: one read of each per request, not one per use."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.patient)
    client.get("/me/progress/")  # the first view queues the drawing
    for path in ("/me/", "/me/progress/", "/me/diary/", "/me/questionnaires/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        patient_reads = [s for s in statements if s.startswith('SELECT "patients_patient"')]
        zone_reads = [s for s in statements if 'FROM "portal_portalpreferences"' in s]
        assert len(patient_reads) == 1, (path, patient_reads)
        assert len(zone_reads) == 1, (path, zone_reads)


def test_the_fhir_export_holds_the_infusion_sessions_too(world, client_for):
    """Right of access: the sessions the CSV lists are in the FHIR copy as well."""
    from tenderpoint.web.infusions import services
    from tests.web.infusions import helpers

    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse)
    helpers.discharge(session, world.nurse, escort="Sam")
    helpers.controlled_record(session, world.nurse, world.clinician)
    services.do_sign_session(session, user=world.clinician)
    client = client_for(world.patient)
    rows = list(csv.DictReader(io.StringIO(client.get("/me/export.csv").content.decode())))
    assert any(r["record"] == "infusion_session" for r in rows)
    parsed = Bundle.model_validate(json.loads(client.get("/me/export.fhir.json").content))
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds.count("Encounter") == 1
    assert kinds.count("MedicationAdministration") == 1
    observations = [
        e.resource for e in parsed.entry if e.resource.get_resource_type() == "Observation"
    ]
    from_session = [o for o in observations if o.encounter is not None]
    assert len(from_session) >= session.vitals.count() > 0
