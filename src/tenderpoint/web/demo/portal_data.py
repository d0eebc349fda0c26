"""Demo records of the portal: diaries, questionnaire answers, messages, flags. SYNTHETIC DATA.

Diary entries are the shared synthetic cohort's (outcomes core generator), so the relief the
diary shows belongs to the sessions the console shows. Questionnaire answers are generated from
each patient's own diary (low mood and sleep drive PHQ-9, GAD-7 and ISI-like answers; pain
change drives PGIC) and scored by the clinical core, so every stored score is a real score of
stored answers. Everything is bulk-inserted: the demo's cold start stays fast.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone

from tenderpoint.clinical import body, get_instrument, score
from tenderpoint.web.demo.cohort import DEMO_TIME_ZONE
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.messaging.models import Message, Thread, ThreadStatus
from tenderpoint.web.portal.models import PortalPreferences
from tenderpoint.web.questionnaires.models import QuestionnaireResponse, SafetyFlag
from tenderpoint.web.questionnaires.rendering import core_input

SEED = 20261130
MONTH = datetime.timedelta(days=28)
FLAGGED_PATIENTS = (4, 11)  # an open flag and an acknowledged one


def load(clinic: Any, patients: list[Any], staff_users: dict[str, Any], cohort: Any) -> None:
    """Seed diaries, questionnaires, flags, messages and reminder settings."""
    rng = random.Random(SEED)  # noqa: S311  (synthetic data, not secrets)
    by_id = {f"SYN-{index + 1:06d}": patient for index, patient in enumerate(patients)}
    diary = cohort.diary.filter(pl.col("patient_id").is_in(list(by_id)))
    areas = {pid: _pain_areas(rng) for pid in by_id}
    _diary(diary, by_id, areas)
    firsts = (
        dict(cohort.truth.select("patient_id", "first_infusion_date").iter_rows())
        if "first_infusion_date" in cohort.truth.columns
        else {}
    )
    responses = _questionnaires(diary, by_id, firsts, rng)
    _flags(clinic, patients, responses, staff_users)
    _messages(clinic, patients, staff_users)
    PortalPreferences.objects.bulk_create(
        [PortalPreferences(patient=p) for p in patients if p.user_id is not None]
    )
    from tenderpoint.web.portal.tasks import ensure_tick_scheduled

    ensure_tick_scheduled()


def _pain_areas(rng: random.Random) -> list[str]:
    ids = [area.id for area in body.WPI_AREAS]
    return body.in_wpi_order(rng.sample(ids, rng.randint(6, 14)))


def _diary(diary: pl.DataFrame, by_id: dict[str, Any], areas: dict[str, list[str]]) -> None:
    """Insert the cohort's entries with one executemany and no model objects: the ORM's
    per-field preparation of thousands of rows would dominate the demo's cold start. Values
    are adapted by the backend's own operations, so SQLite and PostgreSQL both work."""
    fields = [f for f in DiaryEntry._meta.concrete_fields if f.attname != "id"]
    ops, native_uuid = connection.ops, connection.features.has_native_uuid_field
    now = ops.adapt_datetimefield_value(timezone.now())
    json_field = DiaryEntry._meta.get_field("pain_areas")
    prepared_areas = {
        pid: (
            json_field.get_db_prep_save(a, connection),
            json_field.get_db_prep_save([], connection),
        )
        for pid, a in areas.items()
    }
    params = []
    for row in diary.iter_rows(named=True):
        patient = by_id[row["patient_id"]]
        public_id = uuid.uuid4()
        pain = None if row["pain"] is None else int(row["pain"])
        values = {
            "public_id": public_id if native_uuid else public_id.hex,
            "created_at": now,
            "updated_at": now,
            "created_by_id": patient.user_id,
            "updated_by_id": patient.user_id,
            "entered_in_error_at": None,
            "entered_in_error_by_id": None,
            "entered_in_error_reason": "",
            "patient_id": patient.pk,
            "recorded_at": ops.adapt_datetimefield_value(row["recorded_at"]),
            "local_date": ops.adapt_datefield_value(row["local_date"]),
            "time_zone": DEMO_TIME_ZONE,
            "pain": pain,
            **{
                name: None if row[name] is None else int(row[name])
                for name in ("fatigue", "sleep_quality", "fog", "mood", "headache")
            },
            "flare": bool(row["flare"]),
            "note": "",
            "pain_areas": prepared_areas[row["patient_id"]][0 if (pain or 0) >= 3 else 1],
        }
        params.append([values[f.attname] for f in fields])
    table = ops.quote_name(DiaryEntry._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)  # noqa: S608


def _answers(instrument_id: str, level: float, rng: random.Random) -> dict[str, Any]:
    """Item answers whose level follows the patient's diary (0-1), with a little noise."""
    instrument = get_instrument(instrument_id)
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if not item.required or not item.options:
            continue
        values = [option.value for option in item.options]
        position = min(
            len(values) - 1, max(0, round(level * (len(values) - 1) + rng.gauss(0, 0.6)))
        )
        answers[item.id] = values[position]
    if instrument_id == "phq9":
        answers["item9"] = 0
    return answers


def _response(
    patient: Any, instrument_id: str, answers: dict[str, Any], day: datetime.date
) -> QuestionnaireResponse:
    instrument = get_instrument(instrument_id)
    result = score(instrument_id, core_input(instrument, answers))
    moment = datetime.datetime.combine(day, datetime.time(19, 30), tzinfo=patient.clinic.tzinfo)
    return QuestionnaireResponse(
        patient=patient,
        instrument_id=instrument_id,
        instrument_version=instrument.full_version,
        answers=answers,
        outputs=result.as_dict(),
        explanation=result.explanation,
        submitted_at=moment,
        local_date=day,
        created_by_id=patient.user_id,
        updated_by_id=patient.user_id,
    )


def _questionnaires(
    diary: pl.DataFrame, by_id: dict[str, Any], firsts: dict[str, Any], rng: random.Random
) -> dict[int, QuestionnaireResponse]:
    """PHQ-9 and GAD-7 every 28 days from the first diary day; PGIC from the first infusion.
    Returns the latest PHQ-9 of each patient (by patient pk)."""
    rows: list[QuestionnaireResponse] = []
    latest_phq9: dict[int, QuestionnaireResponse] = {}
    daily = (
        diary.group_by("patient_id", "local_date")
        .agg(pl.col("pain", "mood", "sleep_quality").mean())
        .sort("patient_id", "local_date")
    )
    parts = {key[0]: frame for key, frame in daily.partition_by("patient_id", as_dict=True).items()}
    for pid, patient in by_id.items():
        days = parts.get(pid)
        if days is None:
            continue
        first, last = days["local_date"][0], days["local_date"][-1]
        baseline_pain = float(days["pain"].head(7).mean() or 5)
        # The first demo patient answered her last PHQ-9 and GAD-7 over 28 days ago: due today.
        end = last - MONTH if patient is next(iter(by_id.values())) else last
        day = first
        while day <= end:
            window = days.filter(
                (pl.col("local_date") > day - datetime.timedelta(days=14))
                & (pl.col("local_date") <= day)
            )
            mood = float(window["mood"].mean() or 3) / 10
            sleep = float(window["sleep_quality"].mean() or 5) / 10
            phq = _response(patient, "phq9", _answers("phq9", (mood + sleep) / 2, rng), day)
            rows.append(phq)
            latest_phq9[patient.pk] = phq
            rows.append(_response(patient, "gad7", _answers("gad7", mood, rng), day))
            first_infusion = firsts.get(pid)
            if first_infusion is not None and day > first_infusion:
                pain = float(window["pain"].mean() or baseline_pain)
                change = (pain - baseline_pain) / max(baseline_pain, 1)
                # PGIC 1 = very much improved … 7 = very much worse
                rating = min(7, max(1, round(4 + change * 6 + rng.gauss(0, 0.5))))
                rows.append(_response(patient, "pgic", {"response": rating}, day))
            day += MONTH
    QuestionnaireResponse.objects.bulk_create(rows, batch_size=1000)
    return latest_phq9


def _flags(
    clinic: Any,
    patients: list[Any],
    latest: dict[int, QuestionnaireResponse],
    staff: dict[str, Any],
) -> None:
    """One open PHQ-9 item-9 flag (raised two hours ago) and one acknowledged last month."""
    now = timezone.now()
    flags = []
    for n, index in enumerate(FLAGGED_PATIENTS):
        if index >= len(patients):
            continue
        patient = patients[index]
        raised = now - (datetime.timedelta(hours=2) if n == 0 else datetime.timedelta(days=30))
        answers = {**_answers("phq9", 0.5, random.Random(index)), "item9": 1}  # noqa: S311
        response = _response(patient, "phq9", answers, raised.astimezone(clinic.tzinfo).date())
        response.submitted_at = raised
        response.save()
        acknowledged = n == 1
        flags.append(
            SafetyFlag(
                patient=patient,
                clinic=clinic,
                item_value=1,
                raised_at=raised,
                response=response,
                care_team_notified_at=raised,
                escalate_after=raised + datetime.timedelta(hours=4),
                acknowledged_at=raised + datetime.timedelta(hours=1) if acknowledged else None,
                acknowledged_by=staff.get("clinician") if acknowledged else None,
                action_note="Called the patient the same afternoon; C-SSRS screen negative for "
                "plan or intent; safety plan reviewed."
                if acknowledged
                else "",
            )
        )
    SafetyFlag.objects.bulk_create(flags)


MESSAGES = [
    # (patient index, from patient?, hours ago, text): only patients with a portal log-in write
    (0, True, 50, "Hello, is it normal to feel very tired the day after an infusion?"),
    (
        0,
        False,
        46,
        "Hello Maria, yes: many people feel tired for a day or two. If it lasts "
        "longer, let us know and we will talk it through at your next visit.",
    ),
    (0, True, 30, "Thank you. Could I move my next visit to a morning?"),
    (0, False, 3, "We can offer Tuesday at 9:00. Please call the front desk to confirm."),
    (1, True, 20, "Can I bring my partner to the next appointment?"),
    (1, True, 1, "I had to cancel physiotherapy this week. Should I tell you before my visit?"),
]


def _messages(clinic: Any, patients: list[Any], staff: dict[str, Any]) -> None:
    now = timezone.now()
    nurse = staff.get("nurse")
    clinician = staff.get("clinician")
    threads: dict[int, Thread] = {}
    for index, _from_patient, _hours, _text in MESSAGES:
        if index < len(patients) and index not in threads:
            threads[index] = Thread(
                patient=patients[index],
                clinic=clinic,
                assigned_to=nurse if index == 0 else None,
                status=ThreadStatus.OPEN,
            )
    Thread.objects.bulk_create(threads.values())
    rows = []
    for index, from_patient, hours, text in MESSAGES:
        if index not in threads:
            continue
        patient = patients[index]
        sent = now - datetime.timedelta(hours=hours)
        if from_patient and patient.user is None:
            continue
        sender = patient.user if from_patient else (nurse if hours > 10 else clinician)
        rows.append(
            Message(
                thread=threads[index],
                sender=sender,
                from_patient=from_patient,
                body=text,
                sent_at=sent,
                read_at=None if hours < 10 else sent + datetime.timedelta(hours=1),
                created_by=sender,
                updated_by=sender,
            )
        )
        threads[index].last_message_at = sent
    Message.objects.bulk_create(rows)
    Thread.objects.bulk_update(threads.values(), ["last_message_at"])
