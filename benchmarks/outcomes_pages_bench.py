"""Outcome pages (issue 11): one patient's page and the clinic dashboard's snapshot.

- patient page, cold: the core computation behind ``/patients/<id>/outcomes/`` for a patient with
  two years of diary (``compute_patient_outcomes``: frames from the database, the outcomes core,
  the relief model over the delivered doses, the SVG chart). Aim: under 500 ms.
- patient page, warm: the whole GET through Django's test client (access rule, audit event,
  template) with the per-patient result in the shared database cache. Aim: p95 under 150 ms.
- dashboard snapshot: ``compute_snapshot`` (the django-tasks job) for 1,000 patients x 1 year.
  Aim: under 5 s.

Runs on a fresh SQLite test database (built from migrations, about two minutes) with the
synthetic cohort generator's histories stored as real records.

Command: uv run python benchmarks/outcomes_pages_bench.py [--requests 50] [--patients 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
SCORES = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(message)


def _store_cohort(patients, plan_template, clinician, days: int, seed: int) -> int:  # type: ignore[no-untyped-def]
    """Bulk-store one synthetic history per patient (diary rows and signed sessions)."""
    import polars as pl
    from django.utils import timezone

    from tenderpoint.outcomes.synthetic import SyntheticParams, generate_cohort
    from tenderpoint.web.diary.models import DiaryEntry
    from tenderpoint.web.infusions.choices import SessionStatus
    from tenderpoint.web.infusions.models import InfusionPlan, InfusionSession

    clinic = patients[0].clinic
    today = timezone.now().astimezone(clinic.tzinfo).date()
    params = SyntheticParams(
        start_date=today - dt.timedelta(days=days),
        timezones=(clinic.time_zone,),
        timezone_weights=(1.0,),
        dropout_per_year=0.05,
    )
    cohort = generate_cohort(len(patients), days, seed=seed, params=params)
    ids = cohort.patients["patient_id"].to_list()
    by_id = dict(zip(ids, patients, strict=True))
    plans = []
    for patient in patients:
        plan = InfusionPlan.objects.get(pk=plan_template.pk)
        plan.pk = plan.id = None
        plan.public_id, plan.patient = uuid.uuid4(), patient
        plans.append(plan)
    InfusionPlan.objects.bulk_create(plans)
    plan_of = {p.patient_id: p for p in plans}
    rows = 0
    for chunk in cohort.diary.iter_slices(50_000):
        entries = [
            DiaryEntry(
                patient=by_id[r["patient_id"]],
                recorded_at=r["recorded_at"],
                local_date=r["local_date"],
                time_zone=clinic.time_zone,
                flare=r["flare"],
                **{s: None if r[s] is None else int(r[s]) for s in SCORES},
            )
            for r in chunk.iter_rows(named=True)
        ]
        DiaryEntry.objects.bulk_create(entries, batch_size=5000)
        rows += len(entries)
    sessions = [
        InfusionSession(
            patient=by_id[r["patient_id"]],
            plan=plan_of[by_id[r["patient_id"]].pk],
            status=SessionStatus.SIGNED,
            started_at=r["start"],
            ended_at=r["end"],
            delivered_mg=Decimal(str(round(r["total_dose_mg"], 2))),
            signed_by=clinician,
            signed_at=r["end"],
        )
        for r in cohort.infusions.filter(pl.col("patient_id").is_in(ids)).iter_rows(named=True)
    ]
    InfusionSession.objects.bulk_create(sessions, batch_size=5000)
    return rows


def _signed_in_client(user):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50, help="warm GETs of the patient page")
    parser.add_argument("--colds", type=int, default=10, help="cold computations timed")
    parser.add_argument("--patients", type=int, default=1000, help="dashboard cohort size")
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
    t0 = time.perf_counter()
    from tenderpoint.web.schema_snapshot import migrate_from_snapshot

    with migrate_from_snapshot():  # the test database in seconds, not minutes of migrations
        connection.creation.create_test_db(verbosity=0)
    print(f"test database from migrations: {time.perf_counter() - t0:.1f} s")
    from django.core.cache import cache
    from django.utils import timezone
    from tests.web.conftest import enrol_totp
    from tests.web.factories import ClinicFactory, PatientFactory, member
    from tests.web.infusions import helpers

    from tenderpoint.web.accounts.choices import Role
    from tenderpoint.web.outcomes import services
    from tenderpoint.web.outcomes.dashboard import Filters
    from tenderpoint.web.outcomes.models import OutcomeSnapshot
    from tenderpoint.web.outcomes.patient_page import compute_patient_outcomes

    clinic = ClinicFactory()
    clinician = member(clinic, Role.CLINICIAN, email="bench-c@example.org")
    enrol_totp(clinician)  # staff without a second factor are sent to enrolment
    nurse = member(clinic, Role.NURSE, email="bench-n@example.org")
    helpers.make_prescriber(clinician)

    def new_patient():  # type: ignore[no-untyped-def]
        return PatientFactory(clinic=clinic, sex="female", weight_kg=70, height_cm=165)

    patient = new_patient()
    template = helpers.verified_plan(patient, clinician, nurse)
    t0 = time.perf_counter()
    rows = _store_cohort([patient], template, clinician, days=730, seed=11)
    print(f"one patient, 730 days: {rows} diary rows stored in {time.perf_counter() - t0:.1f} s")
    today = timezone.now().astimezone(clinic.tzinfo).date()
    print(f"load average {os.getloadavg()}")

    colds = []
    for _ in range(args.colds):
        t0 = time.perf_counter()
        result = compute_patient_outcomes(patient, today)
        colds.append((time.perf_counter() - t0) * 1000)
    _require(result["status"] == "ok", f"no analysis: {result}")
    print(
        f"patient page, cold (core computation, 2 years of diary): median "
        f"{statistics.median(colds):.0f} ms, max {max(colds):.0f} ms (n={len(colds)}); aim < 500 ms"
    )

    client = _signed_in_client(clinician)
    url = f"/patients/{patient.public_id}/outcomes/"
    cache.clear()
    t0 = time.perf_counter()
    first = client.get(url)
    first_ms = (time.perf_counter() - t0) * 1000
    _require(first.status_code == 200, f"{url} answered {first.status_code}")
    warms = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        response = client.get(url)
        warms.append((time.perf_counter() - t0) * 1000)
        _require(response.status_code == 200, f"{url} answered {response.status_code}")
    print(
        f"patient page, first GET after a cache clear: {first_ms:.0f} ms; warm GETs: p50 "
        f"{_percentile(warms, 0.5):.0f} ms, p95 {_percentile(warms, 0.95):.0f} ms "
        f"(n={len(warms)}); aim p95 < 150 ms"
    )

    t0 = time.perf_counter()
    cohort = [new_patient() for _ in range(args.patients - 1)]
    rows = _store_cohort(cohort, template, clinician, days=365, seed=12)
    print(
        f"dashboard cohort: {args.patients} patients, {rows} diary rows of 1 year stored in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    print(f"load average {os.getloadavg()}")
    times = []
    for _ in range(3):
        snapshot = OutcomeSnapshot.objects.create(
            clinic=clinic, filters=Filters().as_dict(), requested_at=timezone.now()
        )
        t0 = time.perf_counter()
        services.compute_snapshot(snapshot, today)
        times.append(time.perf_counter() - t0)
        snapshot.refresh_from_db()
        _require(snapshot.status == "complete", f"snapshot failed: {snapshot.error}")
    figures = snapshot.figures
    print(
        f"dashboard snapshot ({figures['n_patients']} patients x 1 year, in the task): min "
        f"{min(times):.2f} s, median {statistics.median(times):.2f} s (n=3); aim < 5 s"
    )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
