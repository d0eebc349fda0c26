"""Locust users for benchmarks/load_crash_bench.py: patients writing diary entries and reading
their progress charts. Started by that script (it logs the patients in and passes the session
cookies); not meant to be run on its own.

Every diary entry carries a client-made marker in its note (``<run id>:<uuid>``); a marker is
written to the acknowledgement file only after the server answered 303 (stored), so lost and
duplicated writes can be counted in the database afterwards.
"""

from __future__ import annotations

import json
import os
import random
import uuid

from locust import HttpUser, between, task

RUN_ID = os.environ["LOAD_RUN_ID"]
SESSIONS = json.loads(os.environ["LOAD_SESSIONS"])  # [{"sessionid": ..., "csrftoken": ...}]
ACK_FILE = open(os.environ["LOAD_ACK_FILE"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
SCALES = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")
_next = iter(range(10**9))


class Patient(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.cookies = SESSIONS[next(_next) % len(SESSIONS)]
        # Set by hand (not from Set-Cookie): with TLS at a proxy the cookies are Secure, and
        # this loopback client speaks plain HTTP to the app server as the proxy would.
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)

    @task
    def write_diary_entry(self) -> None:
        marker = f"{RUN_ID}:{uuid.uuid4()}"
        data = {name: str(random.randint(0, 10)) for name in SCALES}
        data["note"] = marker
        if random.random() < 0.1:
            data["flare"] = "on"
        with self.client.post(
            "/me/diary/",
            data=data,
            headers={"X-CSRFToken": self.cookies["csrftoken"]},
            allow_redirects=False,
            catch_response=True,
            name="POST /me/diary/",
        ) as response:
            if response.status_code == 303:
                ACK_FILE.write(marker + "\n")
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task
    def read_progress(self) -> None:
        # A patient's very first view builds the page on the request (nothing is cached yet);
        # it is reported on its own line so that it neither hides in nor inflates the rest.
        first = not getattr(self, "viewed_progress", False)
        self.viewed_progress = True
        name = "GET /me/progress/ (first view)" if first else "GET /me/progress/"
        with self.client.get(
            "/me/progress/", allow_redirects=False, catch_response=True, name=name
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
