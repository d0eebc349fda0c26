"""Tiny hand-made frames for the outcomes tests."""

from __future__ import annotations

import datetime as dt

import polars as pl

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
D0 = dt.date(2025, 3, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def at(n: int, hour: int = 20) -> dt.datetime:
    return dt.datetime.combine(day(n), dt.time(hour), tzinfo=dt.UTC)


def diary(rows: list[tuple[str, int, float]], hours: list[int] | None = None) -> pl.DataFrame:
    """rows of (patient, day, pain); one entry at 20:00 UTC unless hours given."""
    hours = hours or [20] * len(rows)
    return pl.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "recorded_at": [at(r[1], h) for r, h in zip(rows, hours, strict=True)],
            "local_date": [day(r[1]) for r in rows],
            "pain": [float(r[2]) for r in rows],
        }
    )


def infusions(rows: list[tuple[str, int]]) -> pl.DataFrame:
    from tenderpoint.outcomes.contracts import INFUSION_SCHEMA

    return pl.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "start": [at(r[1], 10) for r in rows],
            "end": [at(r[1], 14) for r in rows],
            "drug": ["racemic_ketamine"] * len(rows),
            "total_dose_mg": [150.0] * len(rows),
            "dose_mg_per_kg": [2.0] * len(rows),
        },
        schema=dict(INFUSION_SCHEMA),
    )


def patients(ids: list[str], **extra: list[object]) -> pl.DataFrame:
    return pl.DataFrame({"patient_id": ids, **extra})
