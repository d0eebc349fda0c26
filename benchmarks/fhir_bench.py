"""FHIR API benchmark: Bulk Data export of a clinic, and one search page of 100 Observations.

Builds a throw-away SQLite database (tables from the models, no migrations), a clinic of
``--patients`` patients with ``--days`` daily diary entries each (six scores, so about
seven Observations a day), then times ``exporting.run`` (serialise from plain dicts, validate a
sample) with its peak memory, and the p95 of ``--searches`` Observation search pages
(_count=100, one patient, a date range) through the test client with a bearer token.

Usage: uv run python benchmarks/fhir_bench.py [--patients 1000] [--days 365] [--searches 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='fhir-bench-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def _setup_django() -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.MIGRATION_MODULES = {app.label: None for app in django.apps.apps.get_app_configs()}
    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    # saving a Clinic empties the public pages' database cache, which needs its table
    call_command("createcachetable", verbosity=0)


def _seed(patients: int, days: int, seed: int) -> tuple[object, object]:
    from tenderpoint.web.accounts.choices import Role
    from tenderpoint.web.accounts.models import Clinic, Membership, User
    from tenderpoint.web.diary.models import DiaryEntry
    from tenderpoint.web.patients.models import Patient

    rng = random.Random(seed)
    clinic = Clinic.objects.create(name="Bench clinic", slug="bench")
    clinician = User.objects.create_user("bench@example.org", "x" * 16)
    Membership.objects.create(user=clinician, clinic=clinic, role=Role.CLINICIAN)
    start = dt.datetime(2025, 1, 1, 20, tzinfo=dt.UTC)
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            medical_record_number=f"B-{i}",
            given_name="Bench",
            family_name=f"Patient{i}",
            date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i),
            sex="female",
        )
        for i in range(patients)
    )
    for patient in Patient.objects.filter(clinic=clinic).iterator():
        DiaryEntry.objects.bulk_create(
            [
                DiaryEntry(
                    patient=patient,
                    recorded_at=start + dt.timedelta(days=d),
                    local_date=(start + dt.timedelta(days=d)).date(),
                    time_zone="UTC",
                    pain=rng.randint(0, 10),
                    fatigue=rng.randint(0, 10),
                    sleep_quality=rng.randint(0, 10),
                    fog=rng.randint(0, 10),
                    mood=rng.randint(0, 10),
                    headache=rng.randint(0, 10),
                    flare=rng.random() < 0.05,
                )
                for d in range(days)
            ],
            batch_size=2000,
        )
    return clinic, clinician


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _setup_django()

    t0 = time.perf_counter()
    clinic, clinician = _seed(args.patients, args.days, args.seed)
    print(f"seeded {args.patients} patients x {args.days} days in {time.perf_counter() - t0:.1f} s")

    from tenderpoint.web.api import exporting
    from tenderpoint.web.api.models import BulkExport

    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if os.environ.get("FHIR_BENCH_PROFILE"):
        import cProfile

        cProfile.runctx(
            "exporting.run(BulkExport.objects.create(clinic=clinic, request_url='p', "
            "requested_at=exporting.now()))",
            globals(),
            {"exporting": exporting, "BulkExport": BulkExport, "clinic": clinic},
            sort="cumulative",
        )
        return
    export = exporting.run(
        BulkExport.objects.create(clinic=clinic, request_url="bench", requested_at=exporting.now())
    )
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(item["count"] for item in export.output)
    size_mb = sum(p.stat().st_size for p in exporting.export_dir(export).iterdir()) / 2**20
    print(f"export: {export.status}, {total:,} resources, {size_mb:.0f} MB NDJSON")
    print(f"export: {elapsed:.1f} s ({total / elapsed:,.0f} resources/s)")
    print(f"peak RSS: {peak_mb:.0f} MB (before the export {rss_before_mb:.0f} MB)")

    from django.test import Client

    from tenderpoint.web.api import tokens
    from tenderpoint.web.patients.models import Patient

    _, secret = tokens.do_issue_token(clinician, "user/*.read", 1, via="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ids = list(Patient.objects.values_list("public_id", flat=True))
    timings = []
    for i in range(args.searches):
        pid = ids[i % len(ids)]
        t0 = time.perf_counter()
        response = client.get(
            f"/fhir/Observation?patient={pid}&date=ge2025-03-01&date=le2025-06-30&_count=100"
        )
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200 or len(response.json()["entry"]) != 100:
            raise SystemExit(f"unexpected search answer: {response.status_code}")
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"search page of 100 Observations: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms over {len(timings)}"
    )


if __name__ == "__main__":
    main()
