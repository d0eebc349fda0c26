"""``tenderpoint backup`` and ``tenderpoint restore``: the database with its audit
checkpoints (see ``tenderpoint.web.backup``)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Annotated

import typer

from tenderpoint.cli.app import app, console, err_console
from tenderpoint.cli.web import DEMO_MARKER, SETTINGS_MODULE, _setup_django, _use_data_dir
from tenderpoint.cli.web import _use_secret_from_data_dir as _use_secrets


def _prepare(data_dir: Path | None) -> None:
    directory = _use_data_dir(data_dir)
    _use_secrets(directory, create=False)
    if (directory / DEMO_MARKER).exists() and not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("TENDERPOINT_DEMO", "true")
        os.environ.setdefault("TENDERPOINT_SQLITE_IN_PRODUCTION", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    _setup_django()


@app.command()
def backup(
    destination: Annotated[
        Path | None,
        typer.Argument(help="New directory for the backup (default: backups/<UTC time>)."),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
) -> None:
    """Back up the database (SQLite online backup or pg_dump) with its audit checkpoints.

    Safe while the server runs. Nightly, from cron:
    `0 2 * * * tenderpoint backup /srv/backups/$(date -u +\\%F)`."""
    _prepare(data_dir)
    from tenderpoint.web.backup import BackupError, make_backup

    if destination is None:
        stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        destination = Path("backups") / stamp
    try:
        result = make_backup(destination.resolve())
    except BackupError as error:
        err_console.print(f"[red]Backup failed:[/red] {error.message}")
        raise typer.Exit(1) from None
    console.print(
        f"Backed up the {result.engine} database to {result.directory} "
        f"(audit head #{result.head_sequence})."
    )


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A directory made by `tenderpoint backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the current database is replaced.")
    ] = False,
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
) -> None:
    """Replace the database with a backup; stop the server first. Appends a keyed restore
    checkpoint so `verify_audit` tells this restore apart from a truncation."""
    if not yes:
        err_console.print(
            "[red]Refusing to restore without --yes:[/red] the current database is replaced."
        )
        raise typer.Exit(2)
    _prepare(data_dir)
    from tenderpoint.web.backup import BackupError, restore_backup

    try:
        result = restore_backup(source.resolve())
    except BackupError as error:
        err_console.print(f"[red]Restore failed:[/red] {error.message}")
        raise typer.Exit(1) from None
    console.print(
        f"Restored the {result.engine} database from {source}; audit head #{result.head_sequence}; "
        "a restore checkpoint opens a new epoch. Run `tenderpoint manage migrate` if the "
        "backup is from an older version."
    )
