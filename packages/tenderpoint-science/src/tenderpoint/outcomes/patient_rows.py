"""One patient's contract frames as validated numpy arrays (the single-patient path).

``analyse_patient`` used to filter and validate each frame with polars (about fifteen
``collect()`` calls for three small frames) and then re-read them as frames a dozen times. Here
the patient's rows are read once into arrays, and every check of
``contracts.validate_diary`` / ``validate_infusions`` / ``validate_patients`` is repeated on
them with numpy. When the frames are not in the conformed form (other dtypes, a time zone other
than UTC, rows out of time order) or any check fails, the polars validators are run instead:
they raise the very error they always raised (every problem named), or return conformed frames
that are then read the same way. So a valid input gives the same rows either way and an
invalid one the same error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.contracts import (
    DIARY_SCHEMA,
    DRUGS,
    INFUSION_SCHEMA,
    PATIENT_SCHEMA,
    SCORE_COLUMNS,
    SEXES,
    _is_zone,
    _now,
    validate_diary,
    validate_infusions,
    validate_patients,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
US_PER_DAY: Final = 86_400_000_000
_EPOCH_UTC: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DiaryRows:
    """A patient's validated entries in time order: UTC microseconds, local day (days since
    1970), each score (NaN: no value) and the flare mark (null: not declared)."""

    recorded_us: IntArray
    local_day: IntArray
    scores: dict[str, FloatArray]
    flare: BoolArray
    table: FloatArray | None = None  # the scores as rows of one array, when read so

    @cached_property
    def score_table(self) -> FloatArray:
        """Every score of ``SCORE_COLUMNS`` as one scores x entries array (each score's row;
        the array the scores were read into, or stacked once)."""
        if self.table is not None:
            return self.table
        return np.stack([self.scores[name] for name in SCORE_COLUMNS])

    def up_to(self, day: int) -> DiaryRows:
        """The entries whose local day is on or before ``day``."""
        keep = self.local_day <= day
        table = None if self.table is None else self.table[:, keep]
        return DiaryRows(
            self.recorded_us[keep],
            self.local_day[keep],
            {k: v[keep] for k, v in self.scores.items()}
            if table is None
            else {name: table[i] for i, name in enumerate(SCORE_COLUMNS)},
            self.flare[keep],
            table,
        )


@dataclass(frozen=True)
class PatientRows:
    """One patient's validated diary, sessions (UTC microseconds, sorted by start) and
    patient row (time zone, planned induction infusions)."""

    patient_id: str
    diary: DiaryRows
    start_us: IntArray
    end_us: IntArray
    timezone: str
    planned_induction_infusions: int

    def sessions_up_to(self, day: int) -> PatientRows:
        """The sessions whose UTC start date is on or before ``day``."""
        keep = np.floor_divide(self.start_us, US_PER_DAY) <= day
        return PatientRows(
            self.patient_id,
            self.diary,
            self.start_us[keep],
            self.end_us[keep],
            self.timezone,
            self.planned_induction_infusions,
        )


def check_frames(
    patient_id: str, diary: pl.DataFrame, infusions: pl.DataFrame, patients: pl.DataFrame
) -> None:
    """The entry point's type checks (before any row is read)."""
    if not isinstance(patient_id, str) or not patient_id:
        raise InvalidInputError(
            "patient_id must be a non-empty string.", code="wrong_type", field="patient_id"
        )
    for name, frame in (("diary", diary), ("infusions", infusions), ("patients", patients)):
        if not isinstance(frame, pl.DataFrame) or "patient_id" not in frame.columns:
            raise InvalidInputError(
                f"{name} must be a polars DataFrame with a patient_id column.",
                code="wrong_type",
                field=name,
            )


def validated_frames(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    now: dt.datetime | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The patient's own rows of each frame, validated by the polars validators (every
    problem named)."""
    check_frames(patient_id, diary, infusions, patients)
    one = pl.col("patient_id") == patient_id
    pts = validate_patients(patients.filter(one))
    if pts.height == 0:
        raise InvalidInputError(
            f"Patient {patient_id!r} is not in the patients frame.",
            code="unknown_patient",
            field="patient_id",
        )
    ids = [patient_id]
    return (
        validate_diary(diary.filter(one), patient_ids=ids, now=now),
        validate_infusions(infusions.filter(one), patient_ids=ids, now=now),
        pts,
    )


def patient_rows(
    patient_id: str,
    diary: pl.DataFrame,
    infusions: pl.DataFrame,
    patients: pl.DataFrame,
    now: dt.datetime | None,
) -> PatientRows:
    """The patient's validated rows as arrays (numpy checks; the polars validators when the
    frames are not conformed or a check fails, so errors are theirs)."""
    check_frames(patient_id, diary, infusions, patients)
    now_us = (_now(now) - _EPOCH_UTC) // dt.timedelta(microseconds=1)
    rows = _read(patient_id, diary, infusions, patients)
    if rows is not None and _valid(rows, now_us):
        return rows
    d, i, p = validated_frames(patient_id, diary, infusions, patients, now)
    rows = _read(patient_id, d, i, p)
    if rows is None:  # pragma: no cover - validated frames are conformed
        raise ValueError("validated frames could not be read")
    return rows


def _own(frame: pl.DataFrame, patient_id: str) -> pl.DataFrame | None:
    """The patient's rows (the frame itself when it holds only them); None if the key is
    not a string column."""
    ids = frame["patient_id"]
    if ids.dtype != pl.String():
        return None
    # own frames (what the web layer passes) hold only this patient; a whole clinic's frame
    # fails the cheap first/last test and is filtered in one pass
    ends = frame.height and ids[0] == patient_id and ids[-1] == patient_id
    if ends and ids.null_count() == 0 and ids.min() == ids.max() == patient_id:
        return frame
    return frame.filter(pl.col("patient_id") == patient_id)


def _scores(
    d: pl.DataFrame, have: Mapping[str, pl.DataType]
) -> tuple[dict[str, FloatArray], FloatArray] | None:
    """Every score column as floats with NaN for null (all NaN when the column is absent),
    read into the rows of one scores x entries array (each score a view of its row); None
    if one holds a NaN (invalid, which the validator names). The columns' types are
    checked by :func:`_conformed`, and ``have`` (the frame's columns) is read once: a
    frame's ``columns`` is rebuilt at every call."""
    table = np.empty((len(SCORE_COLUMNS), d.height))
    nulls = []
    for i, name in enumerate(SCORE_COLUMNS):
        if name not in have:
            table[i] = np.nan
            nulls.append(d.height)
            continue
        col = d.get_column(name)
        table[i] = col.to_numpy()
        nulls.append(col.null_count())
    # a column's NaN include its nulls, so the totals agree only when every column's do
    if np.count_nonzero(np.isnan(table)) != sum(nulls):
        return None
    return {name: table[i] for i, name in enumerate(SCORE_COLUMNS)}, table


def _times(frame: pl.DataFrame, name: str, have: Mapping[str, pl.DataType]) -> IntArray | None:
    """A UTC microsecond datetime column as integers; None if absent (``have``: the frame's
    columns and types, already checked against the contract by :func:`_conformed`) or
    null."""
    if name not in have:
        return None
    col = frame.get_column(name)
    if col.null_count():
        return None
    return physical(col)


def physical(col: pl.Series) -> IntArray:
    """A Date or Datetime column without nulls as its integers (days or time units since
    1970), read through numpy (``Series.to_physical`` goes through a query, ~50 x slower)."""
    out: IntArray = col.to_numpy().astype(np.int64)
    return out


def _read(
    patient_id: str, diary: pl.DataFrame, infusions: pl.DataFrame, patients: pl.DataFrame
) -> PatientRows | None:
    """The rows as arrays, or None when a frame is not in its conformed form."""
    mine = [_own(f, patient_id) for f in (diary, infusions, patients)]
    d, i, p = mine
    if d is None or i is None or p is None or p.height != 1:
        return None
    diary_rows = _diary_rows(d)
    sessions = _session_rows(i)
    person = _patient_row(p)
    if diary_rows is None or sessions is None or person is None:
        return None
    return PatientRows(patient_id, diary_rows, sessions[0], sessions[1], *person)


def _conformed(
    frame: pl.DataFrame, schema: Mapping[str, pl.DataType]
) -> dict[str, pl.DataType] | None:
    """The frame's columns and types when every contract column present has its contract
    type (else None)."""
    have = dict(zip(frame.columns, frame.dtypes, strict=True))
    return have if all(have.get(c, t) == t for c, t in schema.items()) else None


def _diary_rows(d: pl.DataFrame) -> DiaryRows | None:
    have = _conformed(d, DIARY_SCHEMA)
    if have is None:
        return None
    recorded = _times(d, "recorded_at", have)
    if recorded is None or "local_date" not in have or "pain" not in have:
        return None
    local_date = d.get_column("local_date")
    if local_date.null_count() or d.get_column("pain").null_count():
        return None
    read = _scores(d, have)
    if read is None:
        return None
    scores, table = read
    flare = np.zeros(d.height, dtype=bool)
    if "flare" in have:
        marks = d.get_column("flare")
        values = marks.to_numpy()
        flare = values.astype(bool) if marks.null_count() == 0 else values == True  # noqa: E712
    return DiaryRows(recorded, physical(local_date), scores, flare, table)


def _session_rows(i: pl.DataFrame) -> tuple[IntArray, IntArray] | None:
    have = _conformed(i, INFUSION_SCHEMA)
    if have is None:
        return None
    start, end = _times(i, "start", have), _times(i, "end", have)
    if start is None or end is None:
        return None
    if "drug" in have and not set(i.get_column("drug").to_list()) <= {*DRUGS, None}:
        return None
    for name in ("total_dose_mg", "dose_mg_per_kg"):
        # null and NaN doses pass the validator's "< 0" check; so do they here
        if name in have and bool((i.get_column(name).to_numpy() < 0).any()):
            return None
    return start, end


def _patient_row(p: pl.DataFrame) -> tuple[str, int] | None:
    if _conformed(p, PATIENT_SCHEMA) is None:
        return None
    row = p.row(0, named=True)
    sex, age = row.get("sex"), row.get("age_years")
    zone, planned = row.get("timezone"), row.get("planned_induction_infusions")
    sex = "unknown" if sex is None else sex
    zone = "UTC" if zone is None else zone
    planned = 5 if planned is None else planned
    if sex not in SEXES or (age is not None and not 0 <= age <= 120) or planned < 1:
        return None
    if not _is_zone(zone):
        return None
    return zone, int(planned)


def _valid(rows: PatientRows, now_us: int) -> bool:
    """Every row check of the validators, on the arrays (False: let the validators name
    the problem)."""
    d = rows.diary
    if d.scores:
        # every score in one pass; a missing score (NaN) compares false both ways, so it
        # passes as the validator's null does
        scores = d.score_table
        if bool(((scores < 0.0) | (scores > 10.0)).any()):
            return False
    if d.recorded_us.size:
        utc_day = np.floor_divide(d.recorded_us, US_PER_DAY)
        if bool((d.recorded_us > now_us).any()) or bool((np.abs(d.local_day - utc_day) > 1).any()):
            return False
        recorded = d.recorded_us  # (a[1:] > a[:-1]: np.diff > 0 without its wrapper)
        if not bool((recorded[1:] > recorded[:-1]).all()):
            return False  # out of time order or two entries at one instant
    s, e = rows.start_us, rows.end_us
    if bool((e < s).any()) or bool((s > now_us).any()):
        return False
    # sessions in start order, none starting at or before the previous one's end
    return bool((s[1:] > s[:-1]).all()) and bool((s[1:] >= e[:-1]).all())
