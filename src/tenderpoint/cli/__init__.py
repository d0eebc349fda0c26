"""The ``tenderpoint`` command.

Each module below registers its commands on the shared app; the web commands import Django
only when they run, so the scientific commands start fast and work without a database.
"""

from __future__ import annotations

from tenderpoint.cli import (  # noqa: F401  (registers commands)
    backup,
    clinical,
    outcomes,
    pharmacology,
    web,
)
from tenderpoint.cli.app import app


def main() -> None:
    """Entry point of the console script."""
    app()


__all__ = ["app", "main"]
