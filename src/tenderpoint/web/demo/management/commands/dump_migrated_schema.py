"""Regenerate ``tenderpoint/web/migrated_schema.sql`` from the migrations (after adding one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tenderpoint.web import schema_snapshot


class Command(BaseCommand):
    help = (
        "Migrate the (empty, SQLite) configured database and write its dump as the migrated-"
        "schema snapshot the demo's first start loads. Run it with a new data directory: "
        "TENDERPOINT_DATA_DIR=$(mktemp -d) tenderpoint manage dump_migrated_schema"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=schema_snapshot.SNAPSHOT_PATH, help="Where to write."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("The snapshot is an SQLite dump: point it at an SQLite database.")
        if connection.introspection.table_names():
            raise CommandError("The database is not empty: use a new data directory.")
        call_command("migrate", interactive=False, verbosity=0)
        connection.ensure_connection()
        schema_snapshot.write_snapshot(connection.connection, options["output"])
        self.stdout.write(f"Wrote {options['output']}")
