"""Locust load for the patient portal: diary POSTs and /me/progress/ for patients with two
years of entries (issue 9). Kept minimal so the hardening work can fold it into its own script.

Prepare (once): a demo data directory with two years of diary for each portal patient::

    uv run tenderpoint demo --no-serve --data-dir /tmp/bench
    uv run python benchmarks/portal_bench.py --prepare /tmp/bench   # adds 2 years per patient
    TENDERPOINT_DATA_DIR=/tmp/bench uv run tenderpoint serve --port 8799 --workers 2
    uv run locust -f benchmarks/portal_bench.py --headless -u 20 -r 5 -t 60s \
        --host http://127.0.0.1:8799 --csv /tmp/portal

The p95 of ``POST /me/diary/`` and ``GET /me/progress/`` is in ``/tmp/portal_stats.csv``.
"""

from __future__ import annotations

import random
import re
import sys

try:
    from locust import HttpUser, between, task
except ImportError:  # --prepare runs without locust
    HttpUser = object  # type: ignore[assignment,misc]

PATIENTS = ["patient@demo.example", "patient2@demo.example"]
PASSWORD = "tenderpoint-demo"  # noqa: S105  (the demo's published password)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(data_dir: str) -> None:
    """Give every portal patient two years of diary entries (one a day), bulk-inserted."""
    import datetime
    import os

    os.environ["TENDERPOINT_DATA_DIR"] = data_dir
    os.environ.setdefault("TENDERPOINT_SECRET_KEY_FILE", f"{data_dir}/secret_key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderpoint.web.settings")
    os.environ.setdefault("TENDERPOINT_SQLITE_IN_PRODUCTION", "true")
    import django

    django.setup()
    from django.utils import timezone

    from tenderpoint.web.diary.models import DiaryEntry
    from tenderpoint.web.patients.models import Patient

    rng = random.Random(1)
    now = timezone.now()
    rows = []
    for patient in Patient.objects.filter(user__isnull=False):
        for days in range(730):
            moment = now - datetime.timedelta(days=days + 1)
            rows.append(
                DiaryEntry(
                    patient=patient,
                    recorded_at=moment,
                    local_date=moment.date(),
                    time_zone="UTC",
                    pain=rng.randint(2, 9),
                    fatigue=5,
                    sleep_quality=5,
                    fog=4,
                    mood=3,
                    headache=2,
                )
            )
    DiaryEntry.objects.bulk_create(rows, batch_size=2000)
    print(f"added {len(rows)} entries")


if HttpUser is not object:

    class Patient(HttpUser):  # type: ignore[misc,valid-type]
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            page = self.client.get("/accounts/login/")
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            self.client.post(
                "/accounts/login/",
                {
                    "csrfmiddlewaretoken": token,
                    "login": random.choice(PATIENTS),
                    "password": PASSWORD,
                },
                headers={"Referer": self.host + "/accounts/login/"},
            )

        @task(3)
        def progress(self) -> None:
            self.client.get("/me/progress/", name="GET /me/progress/")

        @task(1)
        def diary(self) -> None:
            page = self.client.get("/me/diary/", name="GET /me/diary/")
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            data = {
                name: str(random.randint(0, 10))
                for name in ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")
            }
            self.client.post(
                "/me/diary/",
                {**data, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host + "/me/diary/"},
                name="POST /me/diary/",
                allow_redirects=False,
            )


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--prepare":
    prepare(sys.argv[2])
