"""Demo records of this bounded context, seeded from the shared synthetic cohort."""

from __future__ import annotations

from typing import Any


def load(clinic: Any, patients: list[Any], staff_users: dict[str, Any], cohort: Any) -> None:
    """Seed this context's demo records (filled in by the feature that owns them)."""
