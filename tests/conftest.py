"""Suite-wide behaviour.

With ``TENDERPOINT_REQUIRE_ALL=1`` (set by CI) a test that would be skipped – no browser, no
PostgreSQL – fails instead, so a green run means every test really ran.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("TENDERPOINT_REQUIRE_ALL", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped under TENDERPOINT_REQUIRE_ALL=1: {reason}"


@pytest.fixture(scope="session", autouse=True)
def _sqlite_test_database_from_the_schema_snapshot():  # type: ignore[no-untyped-def]
    """Build the SQLite test database from ``migrated_schema.sql`` instead of ~240 migrations
    (two minutes of CPU per test run), as the demo's first start does. The snapshot is used
    only when its fingerprint matches the migration files, and ``tests/cli/test_schema_snapshot``
    requires it to equal a fresh ``migrate``; PostgreSQL runs still apply every migration."""
    from tenderpoint.web.schema_snapshot import migrate_from_snapshot

    with migrate_from_snapshot():
        yield


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = os.environ.get("DATABASE_URL", "sqlite (embedded)").split("@")[-1]
    return [f"tenderpoint: database={database} require_all={REQUIRE_ALL}"]


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite itself (its backup API, the schema snapshot, the demo on its embedded
    database) do not apply to PostgreSQL runs: they are deselected there, named in the report,
    rather than skipped."""
    if not ON_POSTGRES:
        return
    sqlite_only = [item for item in items if item.get_closest_marker("sqlite_only")]
    if sqlite_only:
        items[:] = [item for item in items if item not in sqlite_only]
        config.hook.pytest_deselected(items=sqlite_only)
        config.stash[_DESELECTED] = [item.nodeid for item in sqlite_only]


_DESELECTED = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    names = config.stash.get(_DESELECTED, [])
    if names:
        terminalreporter.write_line(
            f"tenderpoint: {len(names)} SQLite-only tests not run on PostgreSQL: "
            + ", ".join(names)
        )
