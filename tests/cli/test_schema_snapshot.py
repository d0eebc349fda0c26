"""The migrated-schema snapshot the demo's first start loads: equal to a fresh ``migrate``.

If this fails after adding or upgrading a migration, regenerate the snapshot (the demo still
works meanwhile: it ignores a snapshot whose fingerprint does not match and migrates)::

    TENDERPOINT_DATA_DIR=$(mktemp -d) uv run tenderpoint manage dump_migrated_schema
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tenderpoint.web import schema_snapshot
from tests.cli.test_web import _clean_env, _tenderpoint

# The snapshot is the SQLite schema the migrations make: the same test on a PostgreSQL run
# would repeat this one.
pytestmark = pytest.mark.sqlite_only

UUID = re.compile(r"'[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}'")
SECRETS = {
    "TENDERPOINT_SECRET_KEY": "snapshot-test-" + "s" * 50,
    "TENDERPOINT_TOTP_KEY": "snapshot-test-" + "t" * 50,
    "TENDERPOINT_AUDIT_KEY": "snapshot-test-" + "a" * 50,
    "TENDERPOINT_DEMO": "true",
    "TENDERPOINT_SQLITE_IN_PRODUCTION": "true",
}


def _comparable(path: Path) -> list[str]:
    """The dump's lines with random UUIDs (e.g. Wagtail's root page translation key, drawn at
    migration time) replaced by a placeholder: any value is as valid as another."""
    text = path.read_text(encoding="utf-8")
    return UUID.sub("'<uuid>'", text).splitlines()


def _env(data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return _clean_env(TENDERPOINT_DATA_DIR=str(data_dir), **SECRETS)


def test_committed_snapshot_is_what_the_migrations_make_now(tmp_path: Path):
    fresh = tmp_path / "fresh.sql"
    result = _tenderpoint(
        "manage",
        "dump_migrated_schema",
        "--output",
        str(fresh),
        env=_env(tmp_path / "data"),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    committed = _comparable(schema_snapshot.SNAPSHOT_PATH)
    made = _comparable(fresh)
    assert made[0] == committed[0], "a migration changed: regenerate the snapshot (see above)"
    assert made == committed


def test_a_database_loaded_from_the_snapshot_has_nothing_left_to_migrate(tmp_path: Path):
    env = _env(tmp_path)
    code = (
        "from django.db import connection; from tenderpoint.web import schema_snapshot; "
        "print(schema_snapshot.load_into_empty_sqlite(connection))"
    )
    loaded = _tenderpoint("manage", "shell", "-c", code, env=env)
    assert loaded.stdout.strip().splitlines()[-1] == "True", loaded.stderr[-3000:]
    check = _tenderpoint("manage", "migrate", "--check", env=env)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    # A second attempt leaves the now non-empty database alone.
    again = _tenderpoint("manage", "shell", "-c", code, env=env)
    assert again.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("header", ["-- something else", schema_snapshot.HEADER + "0" * 64])
def test_a_snapshot_of_other_migrations_is_ignored(tmp_path: Path, header: str):
    snapshot = tmp_path / "other.sql"
    snapshot.write_text(f"{header}\nCREATE TABLE nothing_else (id integer);\n", encoding="utf-8")

    class EmptySqlite:
        vendor = "sqlite"

        class introspection:  # mirrors Django's connection attribute
            @staticmethod
            def table_names() -> list[str]:
                return []

    assert schema_snapshot.load_into_empty_sqlite(EmptySqlite(), snapshot) is False


def test_fixed_migration_timestamps_make_dumps_repeatable():
    raw = sqlite3.connect(":memory:")
    raw.execute(
        "CREATE TABLE django_migrations (id integer primary key, app varchar, name varchar, "
        "applied datetime)"
    )
    raw.execute("INSERT INTO django_migrations VALUES (1, 'demo', '0001_initial', '2026-11-30')")
    lines = list(schema_snapshot.dump_lines(raw))
    assert (
        "INSERT INTO \"django_migrations\" VALUES(1,'demo','0001_initial',"
        f"'{schema_snapshot.APPLIED_AT}');"
    ) in lines


def test_a_virtual_table_is_dumped_as_its_create_statement():
    """Written as sqlite_master rows it would be invisible to open connections (the in-memory
    test database); its shadow tables are the virtual table's own business."""
    raw = sqlite3.connect(":memory:")
    raw.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body)")
    raw.execute("CREATE TABLE kept (x integer)")
    lines = list(schema_snapshot.dump_lines(raw))
    assert "CREATE VIRTUAL TABLE search_fts USING fts5(title, body);" in lines
    assert not [line for line in lines if "search_fts_" in line or "writable_schema" in line]
    restored = sqlite3.connect(":memory:")
    restored.executescript("\n".join(lines))
    restored.execute("INSERT INTO search_fts VALUES ('pain', 'fibromyalgia diary')")
    assert restored.execute(
        "SELECT title FROM search_fts WHERE search_fts MATCH 'diary'"
    ).fetchall() == [("pain",)]
