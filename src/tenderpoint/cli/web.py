"""Commands that run the web application: demo, serve, manage, demo-code, version.

Django is imported inside the commands, after the environment is prepared, so the scientific
commands of the other modules start fast and never need a database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import tenderpoint
from tenderpoint.cli.app import app, console, err_console

SETTINGS_MODULE = "tenderpoint.web.settings"
DEMO_MARKER = "demo-data-dir"


def _use_data_dir(data_dir: Path | None) -> Path:
    from tenderpoint.web.datadir import data_dir as default_data_dir

    if data_dir is not None:
        os.environ["TENDERPOINT_DATA_DIR"] = str(data_dir.resolve())
    return default_data_dir()


def _use_secret_from_data_dir(directory: Path, *, create: bool) -> None:
    """Point the settings at the data directory's own secrets (Django's secret key, the TOTP
    encryption key, the audit key) unless they are configured."""
    from tenderpoint.web.datadir import SECRET_FILES, ensure_secret_key_file

    for variable, file_name in SECRET_FILES.items():
        if os.environ.get(variable) or os.environ.get(f"{variable}_FILE"):
            continue
        path = ensure_secret_key_file(directory, file_name) if create else directory / file_name
        if path.exists():
            os.environ[f"{variable}_FILE"] = str(path)


def _setup_django(*, quiet: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    try:
        django.setup()
    except Exception as exc:  # noqa: BLE001  (any configuration failure becomes one clear line)
        err_console.print(f"[red]Cannot start:[/red] {exc}")
        raise typer.Exit(2) from None


def cores_available() -> int:
    """CPU cores this process may run on: one gunicorn worker each (the GIL binds a worker)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


#: how much nicer than the demo's web server its background-task worker runs
BACKGROUND_NICENESS = 10
#: the largest niceness Linux knows
MAX_NICENESS = 19


def background_niceness(server_niceness: int) -> int:
    """The task worker's niceness: ``BACKGROUND_NICENESS`` above the server's, never below it.

    An absolute 10 put the worker *ahead* of a server started with ``nice -n 19`` (as on a
    shared machine), where its hundreds of first-start tasks took the cores from the web
    workers."""
    return min(MAX_NICENESS, server_niceness + BACKGROUND_NICENESS)


# Threads per worker: they overlap database and socket waits; more only add GIL contention.
DEFAULT_THREADS = 4


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from tenderpoint.web.wsgi import application

    connections.close_all()  # no database handle may be shared by the forked workers

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", "-")
            self.cfg.set("graceful_timeout", 5)

        def load(self) -> Any:
            return application

    _Server().run()


@app.command()
def version() -> None:
    """Print the installed tenderpoint version."""
    console.print(tenderpoint.__version__)


def _open_demo_directory(data_dir: Path | None, *, reset: bool) -> Path:
    """The demo's data directory, emptied on ``reset``; refuses a directory it did not create."""
    directory = _use_data_dir(data_dir)
    if reset and directory.exists():
        if not (directory / DEMO_MARKER).exists():
            err_console.print(
                f"[red]Refusing to reset {directory}:[/red] it is not a demo data directory."
            )
            raise typer.Exit(2)
        shutil.rmtree(directory)
    if directory.exists() and any(directory.iterdir()) and not (directory / DEMO_MARKER).exists():
        err_console.print(
            f"[red]Refusing to use {directory}:[/red] it holds data the demo did not create. "
            "Choose an empty directory with --data-dir."
        )
        raise typer.Exit(2)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARKER).write_text("Created by `tenderpoint demo`.\n", encoding="utf-8")
    return directory


def _use_demo_environment(directory: Path, host: str, port: int) -> None:
    """Settings of the demo: its embedded database, its own secrets, plain HTTP on loopback."""
    _use_secret_from_data_dir(directory, create=True)
    os.environ.pop("DATABASE_URL", None)  # the demo always uses its embedded database
    os.environ.update(
        {
            "TENDERPOINT_DEMO": "true",
            "TENDERPOINT_DEBUG": "false",
            "TENDERPOINT_HTTPS": "false",  # plain HTTP on this machine only
            "TENDERPOINT_SQLITE_IN_PRODUCTION": "true",
            "TENDERPOINT_ALLOWED_HOSTS": ",".join(sorted({host, "127.0.0.1", "localhost"})),
        }
    )
    os.environ.setdefault("TENDERPOINT_BASE_URL", f"http://{host}:{port}")


def _prepare_demo_database(directory: Path, *, collect_static: bool = True) -> None:
    """Migrate, load the demo clinic and the public site, and say whether it was new.

    ``collect_static=False`` leaves the static files to the serving process, which collects
    them on the other core while this one fills the database (see ``demo``).
    """
    from django.core.management import call_command
    from django.db import connection

    from tenderpoint.web import schema_snapshot
    from tenderpoint.web.demo.seed import demo_clinic_exists

    console.print(f"Data directory: {directory}")
    with console.status("Preparing the database…"):
        # A new data directory starts from the migrations' recorded result (seconds instead
        # of half a minute); ``migrate`` then applies whatever the snapshot does not cover.
        schema_snapshot.load_into_empty_sqlite(connection)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if collect_static:
            collect_static_files()
        first_run = not demo_clinic_exists()
        call_command("load_demo", verbosity=0)
        call_command("load_public_content", verbosity=0)
        call_command("sync_site_url", verbosity=0)
    console.print("Loaded the synthetic demo clinic." if first_run else "Reusing the demo data.")


def collect_static_files() -> None:
    """``collectstatic``, then have this process read the manifest it wrote.

    ``django.setup()`` already builds the static-files storage, which reads its manifest once;
    on a fresh data directory there was none yet, and a storage left with that empty manifest
    makes every ``{% static %}`` fail: every page a 500. Reading the manifest again from disk
    makes the serving process use what is on disk, whoever wrote it.
    """
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    reload_static_manifest()


def reload_static_manifest() -> None:
    """Read the static-files manifest from disk again (a storage without one: nothing to do)."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin):
        storage.hashed_files, storage.manifest_hash = storage.load_manifest()


def _print_demo_logins(directory: Path, *, data_dir_given: bool) -> None:
    from tenderpoint.web.demo.seed import DEMO_PASSWORD, demo_logins

    table = Table(title="Demo log-ins (synthetic accounts)")
    table.add_column("e-mail", no_wrap=True)
    table.add_column("role", no_wrap=True)
    table.add_column("password", no_wrap=True)
    table.add_column("second factor")
    for login in demo_logins():
        table.add_row(
            login.email, login.role, DEMO_PASSWORD, "authenticator code" if login.uses_mfa else "—"
        )
    console.print(table)
    data_dir_option = f" --data-dir {directory}" if data_dir_given else ""
    console.print(
        "Staff accounts ask for an authenticator code; print the current one with\n"
        f"  uv run tenderpoint demo-code EMAIL{data_dir_option}"
    )
    console.print(
        "Back it up nightly (safe while it runs), e.g. from cron:\n"
        f"  0 2 * * * uv run tenderpoint backup{data_dir_option} backups/$(date -u +\\%F)"
    )


def _start_preparation_in_child(
    data_dir: Path | None, host: str, port: int
) -> subprocess.Popen[bytes]:
    """Start the database preparation (``demo --no-serve --then-serve``) in a new interpreter.

    The preparation computes with polars and draws with vl-convert; both start thread pools that
    do not survive ``fork()``, and gunicorn forks its workers from the serving process, so a
    worker would hang on its first chart. The serving process therefore never computes.
    """
    command = [sys.executable, "-m", "tenderpoint", "demo", "--no-serve", "--then-serve"]
    command += ["--host", host, "--port", str(port)]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.Popen(command, env=os.environ)  # noqa: S603 (our own CLI)


def _get_ready_beside(child: subprocess.Popen[bytes]) -> None:
    """While the child fills the database, set Django up here and collect the static files
    (neither touches the database nor starts a thread pool that outlives it), then wait for
    the child. Two cores do the two halves at once; a failure on either side stops both."""
    try:
        _setup_django(quiet=True)
        collect_static_files()
        returncode = child.wait()
    except BaseException:
        child.terminate()
        child.wait(timeout=30)
        raise
    if returncode != 0:
        raise typer.Exit(returncode)


#: the background-task worker's log, in the demo's data directory
TASK_WORKER_LOG = "task-worker.log"


def _serve_demo(directory: Path, host: str, port: int, workers: int | None, threads: int) -> None:
    console.print(f"Serving on [bold]http://{host}:{port}/[/bold] — press Ctrl-C to stop.")
    console.print(f"Background tasks log to {directory / TASK_WORKER_LOG}")
    sys.stdout.flush()
    # The background-task worker (e-mail to staff, rebuilding cached pages) runs beside the web
    # server, as in production, at a lower CPU priority: its work waits, a request should not.
    # It logs every task it runs, hundreds after a fresh start: to its own file, so the console
    # stays readable and a reader who never drains our output cannot stall it on a full pipe.
    with (directory / TASK_WORKER_LOG).open("a", encoding="utf-8") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tenderpoint", "manage", "db_worker", "--interval", "2"],
            env=os.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server_niceness = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, worker.pid, background_niceness(server_niceness))
    try:
        _gunicorn(host, port, workers=workers or cores_available(), threads=threads)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the demo data and start over.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default: $TENDERPOINT_DATA_DIR or ./var).")
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare the data, do not serve.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core).", min=1)
    ] = None,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = DEFAULT_THREADS,
    then_serve: Annotated[bool, typer.Option("--then-serve", hidden=True)] = False,
) -> None:
    """Run the demo clinic: migrate an SQLite database, load synthetic data, serve locally."""
    directory = _open_demo_directory(data_dir, reset=reset)
    _use_demo_environment(directory, host, port)
    if no_serve:
        _setup_django()
        _prepare_demo_database(directory, collect_static=not then_serve)
        _print_demo_logins(directory, data_dir_given=data_dir is not None)
        if not then_serve:
            console.print(f"Ready. Serve it with: tenderpoint demo --port {port}")
        return
    _get_ready_beside(_start_preparation_in_child(data_dir, host, port))
    _serve_demo(directory, host, port, workers, threads)


@app.command("demo-code")
def demo_code(
    email: Annotated[str, typer.Argument(help="A demo staff account's e-mail address.")],
    data_dir: Annotated[Path | None, typer.Option(help="The demo's data directory.")] = None,
) -> None:
    """Print the current two-factor code of a demo staff account (demo data only)."""
    directory = _use_data_dir(data_dir)
    if not (directory / DEMO_MARKER).exists():
        err_console.print(f"[red]{directory} is not a demo data directory.[/red]")
        raise typer.Exit(2)
    _use_secret_from_data_dir(directory, create=False)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TENDERPOINT_DEMO", "true")
    _setup_django()
    from allauth.mfa.models import Authenticator

    from tenderpoint.web.demo.totp import current_code

    try:
        console.print(current_code(email))
    except (PermissionError, Authenticator.DoesNotExist):
        err_console.print(f"[red]{email} is not a demo staff account.[/red]")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core).", min=1)
    ] = None,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = DEFAULT_THREADS,
) -> None:
    """Serve the application with gunicorn and whitenoise; settings come from the environment."""
    if os.environ.get("TENDERPOINT_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        err_console.print("[red]Refusing to serve with TENDERPOINT_DEBUG on.[/red]")
        raise typer.Exit(2)
    if not (
        os.environ.get("TENDERPOINT_SECRET_KEY") or os.environ.get("TENDERPOINT_SECRET_KEY_FILE")
    ):
        err_console.print(
            "[red]Refusing to serve without TENDERPOINT_SECRET_KEY "
            "or TENDERPOINT_SECRET_KEY_FILE.[/red]"
        )
        raise typer.Exit(2)
    refusal = _plain_http_refusal()
    if refusal:
        err_console.print(f"[red]{refusal}[/red]")
        raise typer.Exit(2)
    _setup_django()
    from django.core.management import call_command

    call_command("check", deploy=True, fail_level="ERROR")
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("sync_site_url", verbosity=0)
    _gunicorn(host, port, workers=workers or cores_available(), threads=threads)


def _plain_http_refusal() -> str | None:
    """Why ``serve`` must not start on plain HTTP, or None. TENDERPOINT_HTTPS=false turns off
    HTTPS redirects, HSTS and secure cookies: acceptable only when a proxy we trust
    terminates TLS and says so (TENDERPOINT_TLS_TERMINATED_BY_PROXY=true)."""
    from tenderpoint.errors import ConfigurationError
    from tenderpoint.web.env import env_bool

    try:
        https = env_bool("TENDERPOINT_HTTPS", default=True)
        by_proxy = env_bool("TENDERPOINT_TLS_TERMINATED_BY_PROXY", default=False)
    except ConfigurationError as error:
        return str(error)
    if https or by_proxy:
        return None
    return (
        "Refusing to serve plain HTTP (TENDERPOINT_HTTPS=false): no HSTS, no secure cookies. "
        "If a proxy you trust terminates TLS in front of this server, set "
        "TENDERPOINT_TLS_TERMINATED_BY_PROXY=true; otherwise remove TENDERPOINT_HTTPS=false."
    )


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `tenderpoint manage verify_audit`."""
    directory = _use_data_dir(None)
    _use_secret_from_data_dir(directory, create=False)
    if (directory / DEMO_MARKER).exists() and not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("TENDERPOINT_DEMO", "true")
        os.environ.setdefault("TENDERPOINT_SQLITE_IN_PRODUCTION", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tenderpoint manage", *ctx.args])
