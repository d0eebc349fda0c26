"""Console page speed: the plan page (1,000-patient bands) and the chart of a patient with 50
sessions, rendered through Django's test client on SQLite. Prints p50/p95 over N requests.

The chart's timeline also lists the portal's records, so the patient has them too: a year of
diary (two entries a day), a PHQ-9 and a FIQR-like total every two weeks, and 300 messages.

Command: uv run python benchmarks/console_bench.py [--requests 20]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    # Measure what production does: the test settings validate every chart against the
    # Vega-Lite schema (tenderpoint.web.common.charts), which production skips.
    settings.TENDERPOINT_VALIDATE_CHARTS = False
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from tenderpoint.web.schema_snapshot import migrate_from_snapshot

    with migrate_from_snapshot():  # the test database in seconds, not minutes of migrations
        connection.creation.create_test_db(verbosity=0)
    from django.test import Client
    from django.utils import timezone
    from tests.web.conftest import enrol_totp
    from tests.web.factories import ClinicFactory, PatientFactory, member
    from tests.web.infusions import helpers

    from tenderpoint.web.accounts.choices import Role
    from tenderpoint.web.infusions.models import InfusionSession

    clinic = ClinicFactory()
    clinician = member(clinic, Role.CLINICIAN, email="bench-c@example.org")
    enrol_totp(clinician)  # staff without a second factor are sent to enrolment
    nurse = member(clinic, Role.NURSE, email="bench-n@example.org")
    patient = PatientFactory(clinic=clinic, weight_kg=70, height_cm=168)
    plan = helpers.verified_plan(patient, clinician, nurse)
    start = timezone.now() - datetime.timedelta(days=120)
    for i in range(50):
        helpers.charted_session(plan, nurse, start=start + datetime.timedelta(days=2 * i))
    for session in InfusionSession.objects.filter(patient=patient):
        session.status = "signed"
        session.save(update_fields=["status"])
    add_portal_records(patient, nurse)

    client = Client()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    s = client.session
    s["account_authentication_methods_user"] = str(clinician.pk)
    s["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": clinician.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    s.save()
    pages = {
        "plan page (1,000-patient bands)": (
            f"/patients/{patient.public_id}/infusions/plans/{plan.public_id}/"
        ),
        "chart, 50 sessions": f"/patients/{patient.public_id}/",
        "session list, 50 sessions": f"/patients/{patient.public_id}/sessions/",
    }
    print(f"load average {os.getloadavg()}")
    for name, url in pages.items():
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} did not render")
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} did not render")
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(f"{name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms (n={len(times)})")


def add_portal_records(patient: Any, staff: Any) -> None:
    """A year of the portal's data for ``patient``: what the chart's timeline summarises."""
    from django.utils import timezone

    from tenderpoint.clinical import get_instrument, score
    from tenderpoint.web.diary.models import DiaryEntry
    from tenderpoint.web.messaging.models import Message
    from tenderpoint.web.messaging.services import thread_for
    from tenderpoint.web.questionnaires.models import QuestionnaireResponse

    now = timezone.now()
    entries = []
    for day in range(365):
        for hour in (9, 20):
            at = now - datetime.timedelta(days=day, hours=hour)
            entries.append(
                DiaryEntry(
                    patient=patient,
                    recorded_at=at,
                    local_date=at.date(),
                    time_zone="UTC",
                    pain=3 + (day * 7 + hour) % 6,
                    fatigue=5,
                    flare=day % 17 == 0,
                )
            )
    DiaryEntry.objects.bulk_create(entries)
    phq9 = get_instrument("phq9")
    answers = {f"item{n}": (n + 1) % 3 for n in range(1, 10)} | {"item9": 0}
    result = score("phq9", answers)
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            patient=patient,
            instrument_id="phq9",
            instrument_version=phq9.full_version,
            answers=answers,
            outputs=result.as_dict(),
            explanation=result.explanation,
            submitted_at=now - datetime.timedelta(days=14 * i),
            local_date=(now - datetime.timedelta(days=14 * i)).date(),
        )
        for i in range(26)
    )
    thread = thread_for(patient)
    Message.objects.bulk_create(
        Message(
            thread=thread,
            sender=patient.user or staff if i % 2 else staff,
            from_patient=bool(i % 2) and patient.user is not None,
            body=f"Message {i}",
            sent_at=now - datetime.timedelta(hours=29 * i),
        )
        for i in range(300)
    )


if __name__ == "__main__":
    main()
