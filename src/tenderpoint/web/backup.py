"""Backup and restore of the database with its audit checkpoints (``tenderpoint backup`` and
``tenderpoint restore``).

A backup is a directory: the database (SQLite through its online backup API, which copies a
consistent snapshot while the app keeps running; PostgreSQL through ``pg_dump``), a copy of
the audit checkpoint file, and ``manifest.json`` with the SHA-256 of each file and the audit
head at the time. Just before the copy a ``backup`` checkpoint of the head is appended, so the
backup carries a keyed anchor of its own last event.

A restore checks the files against the manifest, replaces the database, verifies the
restored trail against the backup's own checkpoints, merges those checkpoints into the
installation's file, and appends a keyed ``restore`` checkpoint: the restored head, opening
a new epoch. ``verify_audit`` then accepts that the events after the restored head are gone
(a restore) while still failing on a truncation, which has no keyed restore line.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from tenderpoint.errors import TenderpointError
from tenderpoint.web.audit import anchoring
from tenderpoint.web.audit.models import GENESIS_HASH, AuditChainHead

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
CHECKPOINT_FILE = "audit-checkpoints.log"
FORMAT_VERSION = 1


class BackupError(TenderpointError):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    engine: str
    head_sequence: int
    head_hash: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.", code="engine")
    return vendor


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.last_sequence, head.last_hash) if head else (0, GENESIS_HASH)


def make_backup(destination: Path, alias: str = "default") -> BackupResult:
    """Write a backup into the new directory ``destination``."""
    engine = _engine(alias)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; choose a new directory.", code="exists")
    destination.mkdir(parents=True, exist_ok=True)
    sequence, entry_hash = _head()
    if sequence:
        anchoring.append_checkpoint(sequence, entry_hash, anchoring.BACKUP)
    files: dict[str, str] = {}
    if engine == "sqlite":
        target = destination / SQLITE_FILE
        _sqlite_copy(_sqlite_connection(alias), target_path=target)
        files[SQLITE_FILE] = _sha256(target)
    else:
        target = destination / PG_DUMP_FILE
        _run(["pg_dump", "--format=custom", f"--file={target}", _pg_url(alias)], _pg_env(alias))
        files[PG_DUMP_FILE] = _sha256(target)
    source_checkpoints = anchoring.checkpoint_file()
    if source_checkpoints.exists():
        shutil.copyfile(source_checkpoints, destination / CHECKPOINT_FILE)
        files[CHECKPOINT_FILE] = _sha256(destination / CHECKPOINT_FILE)
    manifest = {
        "format": FORMAT_VERSION,
        "engine": engine,
        "created_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
        "audit_head": {"sequence": sequence, "entry_hash": entry_hash},
        "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return BackupResult(destination, engine, sequence, entry_hash)


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file it lists against its SHA-256."""
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} holds no {MANIFEST}: not a tenderpoint backup.", code="bad")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.", code="format")
    for name, expected in manifest["files"].items():
        file = source / name
        if not file.exists() or _sha256(file) != expected:
            raise BackupError(
                f"{name} in {source} is missing or changed since the backup was made.",
                code="checksum",
                field=name,
            )
    return manifest


def restore_backup(source: Path, alias: str = "default") -> BackupResult:
    """Replace the database with the backup's and anchor the restore (see module doc)."""
    from tenderpoint.web.audit.verification import verify_chain

    manifest = read_manifest(source)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database; this installation uses {engine}.",
            code="engine",
        )
    if engine == "sqlite":
        backup_db = sqlite3.connect(str(source / SQLITE_FILE))
        try:
            _sqlite_copy(backup_db, target=_sqlite_connection(alias))
        finally:
            backup_db.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--dbname={_pg_url(alias)}",
                str(source / PG_DUMP_FILE),
            ],
            _pg_env(alias),
        )
    connections[alias].close()
    backup_checkpoints = source / CHECKPOINT_FILE
    own = verify_chain(checkpoint_path=backup_checkpoints if backup_checkpoints.exists() else None)
    if not own.ok:
        raise BackupError(
            "The restored audit trail does not verify against the backup's own checkpoints: "
            + " ".join(own.problems),
            code="audit",
        )
    _merge_checkpoints(backup_checkpoints)
    anchoring.append_checkpoint(own.head_sequence, own.head_hash, anchoring.RESTORE)
    return BackupResult(source, engine, own.head_sequence, own.head_hash)


def _merge_checkpoints(backup_checkpoints: Path) -> None:
    """Add the backup's checkpoint lines the installation's file does not have (a new
    machine, or a lost file), after the lines it has."""
    if not backup_checkpoints.exists():
        return
    live = anchoring.checkpoint_file()
    present = set(live.read_text(encoding="utf-8").splitlines()) if live.exists() else set()
    missing = [
        line
        for line in backup_checkpoints.read_text(encoding="utf-8").splitlines()
        if line.strip() and line not in present
    ]
    if missing:
        live.parent.mkdir(parents=True, exist_ok=True)
        with live.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(missing) + "\n")


def _sqlite_connection(alias: str) -> sqlite3.Connection:
    connection = connections[alias]
    connection.ensure_connection()
    raw: sqlite3.Connection = connection.connection
    return raw


def _sqlite_copy(
    source: sqlite3.Connection,
    *,
    target: sqlite3.Connection | None = None,
    target_path: Path | None = None,
) -> None:
    """SQLite's online backup API: a consistent copy, page by page, while writers go on."""
    if target is not None:
        source.backup(target)
        return
    opened = sqlite3.connect(str(target_path))
    try:
        source.backup(opened)
    finally:
        opened.close()


def _pg_url(alias: str) -> str:
    """The connection URL without the password (``_pg_env`` passes it, out of ``ps``'s sight)."""
    data = settings.DATABASES[alias]
    user = data.get("USER") or ""
    auth = f"{user}@" if user else ""
    host = data.get("HOST") or "localhost"
    port = f":{data['PORT']}" if data.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{data['NAME']}"


def _pg_env(alias: str) -> dict[str, str]:
    password = settings.DATABASES[alias].get("PASSWORD")
    return os.environ | ({"PGPASSWORD": str(password)} if password else {})


def _run(command: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(command[0]) or next(
        (str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{command[0]}")), None
    )
    if executable is None:
        raise BackupError(f"{command[0]} is not installed.", code="tool")
    result = subprocess.run(  # noqa: S603  (fixed tool, arguments from settings)
        [executable, *command[1:]], capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}", code="tool")
