"""Writing diary entries: record, correct the same day, mark entered in error."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tenderpoint.outcomes.contracts import SCORE_COLUMNS, daily_values
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.portal.timezones import local_now

FIELDS = (*SCORE_COLUMNS, "flare", "note", "pain_areas")


def last_entry(patient: Patient) -> DiaryEntry | None:
    return DiaryEntry.objects.filter(patient=patient).current().order_by("-recorded_at").first()


def do_record_entry(
    patient: Patient,
    *,
    user: Any,
    request: HttpRequest | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> DiaryEntry:
    """Store a new entry dated on the patient's own calendar; audit it; drop cached charts."""
    moment = local_now(patient, now)
    with transaction.atomic():
        entry = DiaryEntry.objects.create(
            patient=patient,
            recorded_at=moment,
            local_date=moment.date(),
            time_zone=str(moment.tzinfo),
            created_by=user,
            updated_by=user,
            **{name: data[name] for name in FIELDS},
        )
        audit.record(Action.CREATE, request=request, user=user, obj=entry, patient=patient)
        transaction.on_commit(lambda: portal_cache.invalidate(patient))
    return entry


def check_can_correct(entry: DiaryEntry, now: datetime.datetime | None = None) -> None:
    """An entry is corrected on its own local day only; afterwards it is marked in error."""
    if entry.is_entered_in_error:
        raise PermissionDenied("This entry was marked entered in error.")
    if local_now(entry.patient, now).date() != entry.local_date:
        raise PermissionDenied(
            "An entry can be corrected on the day it was made; mark it entered in error instead."
        )


def do_correct_entry(
    entry: DiaryEntry,
    *,
    user: Any,
    request: HttpRequest | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> DiaryEntry:
    check_can_correct(entry, now)
    changed = [name for name in FIELDS if getattr(entry, name) != data[name]]
    with transaction.atomic():
        for name in FIELDS:
            setattr(entry, name, data[name])
        entry.updated_by = user
        entry.save()
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            obj=entry,
            patient=entry.patient,
            detail={"changed": changed},
        )
        transaction.on_commit(lambda: portal_cache.invalidate(entry.patient))
    return entry


def do_mark_entered_in_error(
    entry: DiaryEntry, *, user: Any, request: HttpRequest | None, reason: str
) -> DiaryEntry:
    if entry.is_entered_in_error:
        return entry
    with transaction.atomic():
        entry.entered_in_error_at = timezone.now()
        entry.entered_in_error_by = user
        entry.entered_in_error_reason = reason
        entry.updated_by = user
        entry.save()
        audit.record(
            Action.UPDATE,
            request=request,
            user=user,
            obj=entry,
            patient=entry.patient,
            detail={"entered_in_error": True},
        )
        transaction.on_commit(lambda: portal_cache.invalidate(entry.patient))
    return entry


def diary_frame(patient: Patient, since: datetime.date | None = None) -> pl.DataFrame:
    """The patient's current entries as a frame in the outcomes core's diary contract."""
    rows = DiaryEntry.objects.filter(patient=patient).current()
    if since is not None:
        rows = rows.filter(local_date__gte=since)
    values = list(
        rows.order_by("recorded_at").values_list(
            "recorded_at", "local_date", *SCORE_COLUMNS, "flare"
        )
    )
    columns = ["recorded_at", "local_date", *SCORE_COLUMNS, "flare"]
    frame = pl.DataFrame(values, schema=columns, orient="row") if values else None
    schema: dict[str, Any] = {
        "patient_id": pl.String(),
        "recorded_at": pl.Datetime("us", "UTC"),
        "local_date": pl.Date(),
        **{name: pl.Float64() for name in SCORE_COLUMNS},
        "flare": pl.Boolean(),
        "note": pl.String(),
    }
    if frame is None:
        return pl.DataFrame(schema=schema)
    return frame.with_columns(
        pl.lit(str(patient.public_id)).alias("patient_id"),
        pl.col("recorded_at").dt.convert_time_zone("UTC").dt.cast_time_unit("us"),
        *(pl.col(name).cast(pl.Float64) for name in SCORE_COLUMNS),
        pl.lit(None, dtype=pl.String()).alias("note"),
    ).select(list(schema))


@dataclass(frozen=True)
class DiaryWeek:
    """One calendar week (Monday to Sunday, the patient's local dates) of the diary."""

    week_start: datetime.date
    last_recorded_at: datetime.datetime
    days_recorded: int
    mean_pain: float | None
    flare_days: int

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


def weekly_summary(patient: Patient, since: datetime.date | None = None) -> list[DiaryWeek]:
    """Per week: days with an entry, the mean of the daily pain values and the flare days.

    The day's values come from the outcomes core (``daily_values``: mean of a day's entries,
    flare if any entry declared one); a week's pain is the mean of its days, so a day with
    many entries weighs no more than a day with one. Newest week first.
    """
    diary = diary_frame(patient, since=since)
    if diary.is_empty():
        return []
    week = pl.col("local_date").dt.truncate("1w").alias("week_start")
    days = (
        daily_values(diary, scores=("pain",))
        .with_columns(week)
        .group_by("week_start")
        .agg(
            pl.len().alias("days_recorded"),
            pl.col("pain").mean().alias("mean_pain"),
            pl.col("flare").sum().alias("flare_days"),
        )
    )
    last = diary.with_columns(week).group_by("week_start").agg(pl.col("recorded_at").max())
    rows = days.join(last, on="week_start").sort("week_start", descending=True)
    return [
        DiaryWeek(
            week_start=row["week_start"],
            last_recorded_at=row["recorded_at"],
            days_recorded=int(row["days_recorded"]),
            mean_pain=row["mean_pain"],
            flare_days=int(row["flare_days"]),
        )
        for row in rows.iter_rows(named=True)
    ]
