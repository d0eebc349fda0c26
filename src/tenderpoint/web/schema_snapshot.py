"""A fresh SQLite database's state after every migration, as SQL text, for a fast first start.

Running the ~240 migrations of Django, Wagtail and the other apps on an empty SQLite file costs
about 25 s of CPU, almost all of it Django re-rendering its in-memory model states, not SQL. The
result is always the same, so ``migrated_schema.sql`` keeps it: the ``sqlite3`` dump of a
database on which ``migrate`` (and its ``post_migrate`` handlers) has just run, headed by a
fingerprint of every migration file it came from.

``load_into_empty_sqlite`` applies the snapshot only when (1) the database is SQLite, (2) it has
no tables yet and (3) the fingerprint equals that of the migration files installed now. Anything
else (a new or edited migration, an upgraded package, PostgreSQL, an existing database) leaves
the database alone and the caller's ``migrate`` does the work. ``migrate`` still runs after a
load: it finds nothing to apply and sends ``post_migrate`` as usual.

The migrations stay the only source of truth: ``tenderpoint manage dump_migrated_schema``
regenerates the file from them, and a test migrates a new database and requires the dump to
equal the committed snapshot line for line, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SNAPSHOT_PATH = Path(__file__).with_name("migrated_schema.sql")
HEADER = "-- tenderpoint migrated schema; migrations sha256 "
# ``django_migrations.applied`` is the wall-clock time of each migration; fixed in the dump so
# that two dumps of the same migrations are identical.
APPLIED_AT = "2000-01-01 00:00:00"
_APPLIED = re.compile(
    r"^(INSERT INTO \"django_migrations\" VALUES\(\d+,'[^']*','[^']*',)'[^']*'\);$"
)


_VIRTUAL = re.compile(
    r"^INSERT INTO sqlite_master\(type,name,tbl_name,rootpage,sql\)VALUES\('table','([^']+)',"
    r"'[^']+',0,'(CREATE VIRTUAL TABLE .*)'\);$"
)
_TABLE_STATEMENT = re.compile(r"^(?:CREATE TABLE|INSERT INTO) [\"']([^\"']+)[\"']")


def migrations_fingerprint() -> str:
    """SHA-256 over every migration's app, name and source file, in a stable order."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for app_label, name in sorted(loader.disk_migrations):
        module = importlib.import_module(loader.disk_migrations[app_label, name].__module__)
        source = Path(inspect.getfile(module)).read_bytes()
        digest.update(f"{app_label}\0{name}\0".encode())
        digest.update(hashlib.sha256(source).digest())
    return digest.hexdigest()


def dump_lines(raw_connection: sqlite3.Connection) -> Iterator[str]:
    """The database as SQL statements, with migration timestamps fixed.

    ``iterdump`` writes a virtual table (Wagtail's FTS5 search index) by inserting into
    ``sqlite_master`` under ``writable_schema``, which connections that already read the schema
    (an in-memory test database's, say) never see; it is written as the ``CREATE VIRTUAL
    TABLE`` statement instead, which creates its own shadow tables, so theirs are left out.
    """
    lines = list(raw_connection.iterdump())
    virtual = {m.group(1): m.group(2).replace("''", "'") for m in map(_VIRTUAL.match, lines) if m}
    shadows = tuple(f"{name}_" for name in virtual)
    for line in lines:
        if line.startswith("PRAGMA writable_schema="):
            continue
        if match := _VIRTUAL.match(line):
            yield virtual[match.group(1)] + ";"
            continue
        if (match := _TABLE_STATEMENT.match(line)) and match.group(1).startswith(shadows):
            continue
        applied = _APPLIED.match(line)
        yield f"{applied.group(1)}'{APPLIED_AT}');" if applied else line


def write_snapshot(raw_connection: sqlite3.Connection, path: Path = SNAPSHOT_PATH) -> None:
    """Write the freshly migrated database ``raw_connection`` as the snapshot."""
    lines = [HEADER + migrations_fingerprint(), *dump_lines(raw_connection)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _snapshot_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as f:
        first = f.readline().rstrip("\n")
    return first.removeprefix(HEADER) if first.startswith(HEADER) else None


def load_into_empty_sqlite(connection: Any, path: Path = SNAPSHOT_PATH) -> bool:
    """Apply the snapshot to ``connection`` if it is an empty SQLite database whose migrations
    match; returns whether it did (then ``migrate`` has nothing left to apply)."""
    if connection.vendor != "sqlite":
        return False
    if connection.introspection.table_names():
        return False
    expected = _snapshot_fingerprint(path)
    if expected is None or expected != migrations_fingerprint():
        return False
    connection.ensure_connection()
    raw = connection.connection
    # The dump is one transaction (BEGIN … COMMIT); foreign keys are checked as rows arrive in
    # dependency order, so they are switched off while it loads, as sqlite3's own restore does.
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        raw.executescript(path.read_text(encoding="utf-8"))
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
    return True


@contextmanager
def migrate_from_snapshot() -> Iterator[None]:
    """While inside, Django's ``migrate`` first loads the snapshot into an empty SQLite
    database (``load_into_empty_sqlite``): how the test suite and benchmarks build their test
    databases in seconds. Nothing changes for PostgreSQL or a stale snapshot."""
    from django.core.management.commands import migrate

    original = migrate.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        from django.db import connections

        load_into_empty_sqlite(connections[options["database"]])
        return original(self, *args, **options)

    migrate.Command.handle = handle  # type: ignore[method-assign]
    try:
        yield
    finally:
        migrate.Command.handle = original  # type: ignore[method-assign]
