"""Load and crashes: 50 patients write diary entries and read their charts while the server is
killed with SIGKILL three times and restarted; then every acknowledged write is looked up.

For each database (SQLite in a data directory; PostgreSQL in a throwaway cluster on loopback):
prepares the demo clinic, starts ``tenderpoint serve`` on a free loopback port, logs the two
demo patients in, runs locust headless (``benchmarks/load/locustfile.py``) for a bounded time,
and at 1/4, 2/4 and 3/4 of it kills the whole server process group (master and workers, with
their in-flight requests) with ``kill -9``, then starts it again. Every diary note carries a
client-made marker; a marker is "acknowledged" when the server answered 303. Afterwards the
database is read: acknowledged markers missing (lost) or stored more than once (duplicated)
must both be 0. Prints p95 latency and errors per endpoint.

    uv run python benchmarks/load_crash_bench.py                        # both databases, 300 s
    uv run python benchmarks/load_crash_bench.py --db sqlite --seconds 60

Loopback only; locust stops itself after --seconds; every server is stopped at the end.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

LOCUSTFILE = Path(__file__).parent / "load" / "locustfile.py"
# The files `tenderpoint demo` keeps its secrets in (tenderpoint.web.datadir.SECRET_FILES).
SECRET_FILES = {
    "TENDERPOINT_SECRET_KEY": "secret_key",
    "TENDERPOINT_TOTP_KEY": "totp_key",
    "TENDERPOINT_AUDIT_KEY": "audit_key",
}
#: the task worker's niceness: rebuilding pages yields the CPU to requests (as in `demo`)
BACKGROUND_NICENESS = 10
DEMO_PASSWORD = "tenderpoint-demo"  # noqa: S105  (the printed demo password)
PG_BIN = (
    Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
    if Path("/usr/lib/postgresql").exists()
    else None
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TENDERPOINT_", "DATABASE_"))}


def _tenderpoint(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tenderpoint", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"tenderpoint {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# --- databases ---------------------------------------------------------------------------


def _serve_env_common() -> dict[str, str]:
    return _base_env() | {
        "TENDERPOINT_DEMO": "true",
        "TENDERPOINT_HTTPS": "false",  # loopback; TLS would be a proxy's job
        "TENDERPOINT_TLS_TERMINATED_BY_PROXY": "true",
        "TENDERPOINT_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TENDERPOINT_LOG_LEVEL": "WARNING",
    }


@contextmanager
def sqlite_database(root: Path) -> Iterator[dict[str, str]]:
    data_dir = root / "demo"
    _tenderpoint("demo", "--no-serve", "--data-dir", str(data_dir), env=_base_env())
    yield _serve_env_common() | {
        "TENDERPOINT_DATA_DIR": str(data_dir),
        # the demo wrote the server's three secrets into its data directory
        **{f"{name}_FILE": str(data_dir / file) for name, file in SECRET_FILES.items()},
        "TENDERPOINT_SQLITE_IN_PRODUCTION": "true",
    }


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


@contextmanager
def postgres_database(root: Path) -> Iterator[dict[str, str]]:
    if PG_BIN is None:
        raise SystemExit("PostgreSQL binaries not found under /usr/lib/postgresql")
    pg_data = root / "pg"
    pg_data.mkdir()
    if os.getuid() == 0:  # the server runs as postgres: it must reach its directory
        root.chmod(0o755)
        shutil.chown(pg_data, "postgres")
    port = _free_port()
    subprocess.run(  # noqa: S603
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(pg_data), "-U", "postgres", "-A", "trust"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {pg_data} -c listen_addresses=127.0.0.1"
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(pg_data), "-l", str(pg_data / "log"), "-w"]
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "start"]), check=True)  # noqa: S603
    try:
        env = _serve_env_common() | {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres",
            "TENDERPOINT_SECRET_KEY": "load-bench-" + uuid.uuid4().hex * 2,
            "TENDERPOINT_TOTP_KEY": "load-bench-totp-" + uuid.uuid4().hex * 2,
            "TENDERPOINT_AUDIT_KEY": "load-bench-audit-" + uuid.uuid4().hex * 2,
            "TENDERPOINT_DATA_DIR": str(root / "pgdata-dir"),
        }
        for command in (["migrate"], ["createcachetable"], ["load_demo"]):
            _tenderpoint("manage", *command, env=env)
        yield env
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "stop"]), check=False)  # noqa: S603


# --- the server ------------------------------------------------------------------------


def _start_task_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """The background-task worker at the lower CPU priority docs/configuration.md asks for."""
    command = [sys.executable, "-m", "tenderpoint", "manage", "db_worker", "--interval", "0.5"]
    if os.environ.get("LOAD_NO_TASK_WORKER"):  # to measure the web server alone
        command = [sys.executable, "-c", "import time; time.sleep(10**6)"]
    with log_path.open("ab") as log:
        worker = subprocess.Popen(  # noqa: S603
            command,
            env=env | {"TENDERPOINT_LOG_LEVEL": "WARNING"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    os.setpriority(os.PRIO_PROCESS, worker.pid, BACKGROUND_NICENESS)
    return worker


def _cpu_seconds(server: Server, worker: subprocess.Popen[bytes]) -> str:
    """CPU time used by the web server (master and workers) and by the task worker."""
    import psutil  # locust's dependency

    def used(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    assert server.process is not None  # noqa: S101
    web = psutil.Process(server.process.pid)
    web_s = used(web) + sum(used(child) for child in web.children(recursive=True))
    return f"web server {web_s:.1f} s, task worker {used(psutil.Process(worker.pid)):.1f} s"


def _wait_up(base: str, server: subprocess.Popen[bytes], timeout_s: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                return time.monotonic() - started
        except OSError:
            if server.poll() is not None:
                raise SystemExit("tenderpoint serve exited; see its log") from None
            time.sleep(0.2)
    raise SystemExit("tenderpoint serve did not come up")


@dataclass
class Server:
    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts_s: list[float] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        try:
            return self._start()
        except SystemExit:
            print(self.log.read_text(encoding="utf-8", errors="replace")[-3000:])
            raise

    def _start(self) -> float:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "tenderpoint", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: master and workers die together
            )
        return _wait_up(self.base, self.process)

    def kill9(self) -> None:
        assert self.process is not None  # noqa: S101
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Orphaned workers die with the group; wait until the port is free again.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _log_in(base: str, email: str) -> dict[str, str]:
    """A real sign-in through the log-in form; returns the cookies a browser would keep.

    Cookies are carried by hand: with TLS at a trusted proxy they are marked Secure, and a
    cookie jar would not send them back over this plain-HTTP loopback connection.
    """
    host = urllib.parse.urlsplit(base).netloc
    cookies: dict[str, str] = {}

    def call(method: str, body: str | None = None) -> str:
        connection = http.client.HTTPConnection(host, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, "/accounts/login/", body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(header)
            cookies.update({name: morsel.value for name, morsel in jar.items()})
        text = response.read().decode()
        connection.close()
        return text

    page = call("GET")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    call("POST", urllib.parse.urlencode(form))
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in as {email}")
    return {"sessionid": cookies["sessionid"], "csrftoken": cookies["csrftoken"]}


# --- one run ---------------------------------------------------------------------------


def _count_markers(env: dict[str, str], run_id: str) -> Counter[str]:
    code = (
        "import json; from tenderpoint.web.diary.models import DiaryEntry; "
        f"print(json.dumps(list(DiaryEntry.objects.filter(note__startswith={run_id!r})"
        ".values_list('note', flat=True))))"
    )
    out = _tenderpoint("manage", "shell", "-c", code, env=env)
    return Counter(json.loads(out.strip().splitlines()[-1]))


def _locust_stats(prefix: Path) -> list[dict[str, str]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _kill_schedule(server: Server, seconds: int, kills: int, log: list[str]) -> None:
    """Kill at 1/(kills+1), 2/(kills+1), ... of the run; restart at once each time."""
    started = time.monotonic()
    for n in range(1, kills + 1):
        time.sleep(max(0.0, started + seconds * n / (kills + 1) - time.monotonic()))
        t0 = time.monotonic()
        server.kill9()
        up_s = server.start()
        down = time.monotonic() - t0
        log.append(f"kill -9 #{n}: server back after {down:.1f} s (start-up {up_s:.1f} s)")


# Each portal patient's diary is extended back in time, one entry a day before their first
# (demo) entry, until it spans ``days``; the per-patient chart cache is invalidated as a diary
# write would (bulk_create sends no signal).
HISTORY = """
import datetime, random
from django.db.models import Min
from django.utils import timezone
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal import cache
rng, rows, days = random.Random(1), [], {days}
for patient in Patient.objects.filter(user__isnull=False):
    tz = patient.clinic.tzinfo
    today = timezone.now().astimezone(tz).date()
    first = DiaryEntry.objects.filter(patient=patient).aggregate(d=Min("local_date"))["d"] or today
    for back in range((today - first).days + 1, days + 1):
        day = today - datetime.timedelta(days=back)
        moment = datetime.datetime.combine(day, datetime.time(20), tzinfo=tz)
        scores = dict(pain=rng.randint(2, 9), fatigue=rng.randint(2, 8), sleep_quality=5,
                      fog=rng.randint(1, 7), mood=3, headache=2)
        rows.append(DiaryEntry(patient=patient, recorded_at=moment, local_date=day,
                               time_zone=patient.clinic.time_zone, flare=False, **scores))
    cache.invalidate(patient)
DiaryEntry.objects.bulk_create(rows, batch_size=2000)
print(len(rows))
"""


# Demo patients without a log-in get one (``load-patient-<n>@demo.example``, the demo password)
# until ``count`` patients can sign in, so each locust user can be a patient of their own.
PORTAL_ACCOUNTS = """
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Membership, User
from tenderpoint.web.patients.models import Patient
password = make_password({password!r})
clinic = Patient.objects.get(user__email="patient@demo.example").clinic
emails = list(Patient.objects.filter(user__isnull=False).order_by("medical_record_number")
              .values_list("user__email", flat=True))
unlinked = Patient.objects.filter(clinic=clinic, user__isnull=True)
for n, patient in enumerate(unlinked.order_by("medical_record_number")):
    if len(emails) >= {count}:
        break
    email = f"load-patient-{{n + 1}}@demo.example"
    user = User.objects.create(email=email, full_name=patient.display_name, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    Membership.objects.create(user=user, clinic=patient.clinic, role=Role.PATIENT)
    patient.user = user
    patient.save(update_fields=["user"])
    emails.append(email)
print(",".join(emails))
"""


def portal_accounts(env: dict[str, str], count: int) -> list[str]:
    """E-mails of ``count`` patients who can sign in (more demo patients given a log-in)."""
    code = PORTAL_ACCOUNTS.format(password=DEMO_PASSWORD, count=count)
    out = _tenderpoint("manage", "shell", "-c", code, env=env)
    return out.strip().splitlines()[-1].split(",")


def add_history(env: dict[str, str], days: int) -> int:
    """Extend each portal patient's diary to span ``days`` days; returns the rows added."""
    out = _tenderpoint("manage", "shell", "-c", HISTORY.format(days=days), env=env)
    return int(out.strip().splitlines()[-1])


def run(
    db: str, seconds: int, users: int, kills: int, history_days: int = 0, patients: int = 0
) -> None:
    """One load run; ``patients`` portal patients share the users (0: one patient per user)."""
    root = Path(tempfile.mkdtemp(prefix=f"tenderpoint-load-{db}-"))
    database = sqlite_database if db == "sqlite" else postgres_database
    try:
        with database(root) as env:
            emails = portal_accounts(env, patients or users)
            print(f"{len(emails)} patients sign in, shared by {users} users")
            if history_days:
                rows = add_history(env, history_days)
                print(f"added {rows} diary entries ({history_days} days per portal patient)")
            server = Server(env, _free_port(), root / "server.log")
            # Background tasks (the progress pages' rebuilds) run beside it, as in production.
            worker = _start_task_worker(env, root / "worker.log")
            server.start()
            try:
                sessions = [_log_in(server.base, email) for email in emails]
                run_id = f"load-{uuid.uuid4().hex[:12]}"
                ack_file = root / "acknowledged.txt"
                prefix = root / "locust"
                locust_env = _base_env() | {
                    "LOAD_RUN_ID": run_id,
                    "LOAD_SESSIONS": json.dumps(sessions),
                    "LOAD_ACK_FILE": str(ack_file),
                }
                command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
                command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s"]
                command += ["--host", server.base, "--csv", str(prefix), "--only-summary"]
                command += ["--stop-timeout", "10", "--exit-code-on-error", "0"]
                locust = subprocess.Popen(  # noqa: S603
                    command,
                    env=locust_env,
                    stdout=subprocess.DEVNULL,
                    stderr=(root / "locust.log").open("wb"),
                )
                kill_log: list[str] = []
                killer = threading.Thread(
                    target=_kill_schedule, args=(server, seconds, kills, kill_log)
                )
                killer.start()
                locust.wait(timeout=seconds + 600)
                killer.join()
                cpu = _cpu_seconds(server, worker)
            finally:
                server.stop()
                worker.terminate()
                worker.wait(timeout=30)
            print(f"\n## {db}: {users} users, {seconds} s, load average {os.getloadavg()[0]:.1f}")
            for line in kill_log:
                print(f"- {line}")
            if not kills:
                print(f"- CPU seconds during the run: {cpu}")
            _report(env, run_id, ack_file, prefix)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _report(env: dict[str, str], run_id: str, ack_file: Path, prefix: Path) -> None:
    """Latency and errors from locust's CSV; lost and duplicated writes from the database."""
    acknowledged = Counter(ack_file.read_text(encoding="utf-8").split())
    stored = _count_markers(env, run_id)
    lost = [m for m in acknowledged if m not in stored]
    duplicated = [m for m, n in stored.items() if n > 1]
    unacknowledged = [m for m in stored if m not in acknowledged]
    print("\n| endpoint | requests | failures | median ms | p95 ms | p99 ms | req/s |")
    print("|---|---|---|---|---|---|---|")
    for row in _locust_stats(prefix):
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {row['Median Response Time']} | {row['95%']} | {row['99%']} "
            f"| {float(row['Requests/s']):.1f} |"
        )
    print(
        f"\nwrites acknowledged (303): {sum(acknowledged.values())}; stored: "
        f"{sum(stored.values())}; LOST: {len(lost)}; DUPLICATED: {len(duplicated)}; "
        f"stored but never acknowledged (in flight at a kill): {len(unacknowledged)}"
    )
    failures = root_failures(prefix)
    if failures:
        print("failures by kind:", "; ".join(f"{k} ×{v}" for k, v in failures.most_common(6)))


def root_failures(prefix: Path) -> Counter[str]:
    path = prefix.parent / f"{prefix.name}_failures.csv"
    if not path.exists():
        return Counter()
    with path.open(encoding="utf-8") as f:
        return Counter(
            {f"{r['Name']}: {r['Error'][:90]}": int(r["Occurrences"]) for r in csv.DictReader(f)}
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=300, help="locust run time")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--kills", type=int, default=3, help="kill -9 of the server during it")
    parser.add_argument(
        "--patients", type=int, default=0, help="patients signed in (default: one per user)"
    )
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        run(db, args.seconds, args.users, args.kills, patients=args.patients)


if __name__ == "__main__":
    main()
