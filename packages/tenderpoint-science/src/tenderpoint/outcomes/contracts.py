"""Data contracts of the outcomes core: polars schemas, validation on entry, the daily value rule.

Every public function of the core takes frames with these columns. ``validate_*`` checks a frame
against its contract, casts compatible types (integers to floats, other time zones to UTC), and
raises one :class:`~tenderpoint.errors.InvalidInputError` that lists *every* problem found, each
with a stable code, the field at fault, the number of rows and an example (habit 5).

Conventions
-----------
* Every diary score is a 0-10 numeric rating where **10 is the worst**: pain, fatigue,
  sleep_quality (0 = woke rested, 10 = woke very tired, as in the FIQR item), fog, mood
  (0 = not depressed, 10 = very depressed) and headache. Improvement is therefore always a
  reduction.
* ``recorded_at`` is stored in UTC; ``local_date`` is the patient's own calendar date at the
  moment of the entry (DESIGN.md: "a diary day is the patient's local date"). The two may differ
  by at most one day, which is how entries made across a time-zone change are kept honest.
* Several entries a day are allowed. The daily value of a score is the mean of that day's
  entries (``DEFAULT_DAILY_RULE``); ``flare`` is true for a day if any entry declared one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from tenderpoint.errors import InvalidInputError

UTC_DATETIME: Final = pl.Datetime("us", "UTC")
_US_PER_DAY: Final = 86_400_000_000

SCORE_COLUMNS: Final = ("pain", "fatigue", "sleep_quality", "fog", "mood", "headache")
"""Diary scores, each 0-10 with 10 the worst."""

DIARY_SCHEMA: Final[Mapping[str, pl.DataType]] = {
    "patient_id": pl.String(),
    "recorded_at": UTC_DATETIME,
    "local_date": pl.Date(),
    "pain": pl.Float64(),
    "fatigue": pl.Float64(),
    "sleep_quality": pl.Float64(),
    "fog": pl.Float64(),
    "mood": pl.Float64(),
    "headache": pl.Float64(),
    "flare": pl.Boolean(),
    "note": pl.String(),
}
"""One row per diary entry. Required non-null: patient_id, recorded_at, local_date, pain."""

INFUSION_SCHEMA: Final[Mapping[str, pl.DataType]] = {
    "patient_id": pl.String(),
    "start": UTC_DATETIME,
    "end": UTC_DATETIME,
    "drug": pl.String(),
    "total_dose_mg": pl.Float64(),
    "dose_mg_per_kg": pl.Float64(),
}
"""One row per infusion session (times in UTC). ``drug`` is one of :data:`DRUGS`."""

SUBSCALE_DTYPE: Final = pl.List(pl.Struct({"name": pl.String(), "score": pl.Float64()}))

ASSESSMENT_SCHEMA: Final[Mapping[str, pl.DataType]] = {
    "patient_id": pl.String(),
    "date": pl.Date(),
    "instrument_id": pl.String(),
    "total": pl.Float64(),
    "subscales": SUBSCALE_DTYPE,
}
"""One row per scored questionnaire (scores come from the clinical core). ``subscales`` is a
list of ``{name, score}``; the FIQR physical-function domain is named ``"function"``."""

PATIENT_SCHEMA: Final[Mapping[str, pl.DataType]] = {
    "patient_id": pl.String(),
    "sex": pl.String(),
    "age_years": pl.Int64(),
    "timezone": pl.String(),
    "planned_induction_infusions": pl.Int64(),
}
"""One row per patient: stratification covariates, home time zone (IANA name, used to give
infusions a local date) and the number of infusions planned for the induction series."""

DRUGS: Final = frozenset({"racemic_ketamine", "esketamine"})
SEXES: Final = frozenset({"female", "male", "other", "unknown"})
DailyRule = Literal["mean", "median", "max", "last"]
DEFAULT_DAILY_RULE: Final[DailyRule] = "mean"

_OPTIONAL = {
    "diary": {"fatigue", "sleep_quality", "fog", "mood", "headache", "flare", "note"},
    "infusions": {"drug", "total_dose_mg", "dose_mg_per_kg"},
    "assessments": {"subscales"},
    "patients": {"sex", "age_years", "timezone", "planned_induction_infusions"},
}
_PATIENT_DEFAULTS: dict[str, Any] = {
    "sex": "unknown",
    "age_years": None,
    "timezone": "UTC",
    "planned_induction_infusions": 5,
}


class _Problems:
    """Collects every problem of one frame before raising once.

    Row checks are queued and evaluated together, one ``select`` of counts per frame (a
    7-million-row diary was scanned ten times before); only a check that fires reads its
    example row. Problems keep the order in which the checks were declared.
    """

    def __init__(self, frame_name: str) -> None:
        self.frame_name = frame_name
        self.items: list[dict[str, Any]] = []
        self._pending: list[tuple[pl.DataFrame, pl.Expr, str, str, str]] = []
        self._fired: dict[int, pl.Expr] = {}

    def add(self, code: str, field: str, message: str, **params: Any) -> None:
        self.flush()
        self.items.append({"code": code, "field": field, "message": message, **params})

    def check_mask(
        self,
        df: pl.DataFrame,
        mask: pl.Expr,
        code: str,
        field: str,
        message: str,
        *,
        fired: pl.Expr | None = None,
    ) -> None:
        """Queue a check: every row where ``mask`` is true is a problem. ``fired``: an
        aggregate true exactly when some row's mask is (cheaper than counting them), for
        :meth:`any_fired`."""
        self._pending.append((df, mask, code, field, message))
        if fired is not None:
            self._fired[len(self._pending) - 1] = fired

    def any_fired(self, df: pl.DataFrame, *extra: pl.Expr) -> bool:
        """Whether any queued check (all on ``df``) or any ``extra`` boolean aggregate fires,
        in one pass that counts nothing; the queue is emptied (a caller that finds something
        runs the full validation to name it)."""
        pending, fired = self._pending, self._fired
        self._pending, self._fired = [], {}
        if any(item[0] is not df for item in pending):
            raise ValueError("any_fired evaluates checks of one frame")
        exprs = [fired.get(k, item[1].any()) for k, item in enumerate(pending)]
        values = df.select(*(e.alias(f"_fired{k}") for k, e in enumerate([*exprs, *extra]))).row(0)
        return any(bool(v) for v in values)

    def flush(self, *extra: pl.Expr) -> list[Any]:
        """Evaluate the queued checks, one pass per frame; ``extra`` expressions are evaluated
        in the pass over the last frame and their values returned."""
        pending, self._pending = self._pending, []
        groups: list[tuple[pl.DataFrame, list[tuple[pl.DataFrame, pl.Expr, str, str, str]]]] = []
        for item in pending:
            if groups and groups[-1][0] is item[0]:
                groups[-1][1].append(item)
            else:
                groups.append((item[0], [item]))
        if extra and not groups:
            raise ValueError("extra expressions need a queued check on their frame")
        values: list[Any] = []
        for g, (df, group) in enumerate(groups):
            exprs = [check[1].sum().alias(f"_check{k}") for k, check in enumerate(group)]
            with_extra = bool(extra) and g == len(groups) - 1
            if with_extra:
                exprs += [e.alias(f"_extra{k}") for k, e in enumerate(extra)]
            counts = df.select(exprs).row(0)
            for (_, mask, code, field, message), n_bad in zip(group, counts, strict=False):
                if n_bad:
                    row = df.filter(mask).row(0, named=True)
                    self.items.append(
                        {
                            "code": code,
                            "field": field,
                            "message": message,
                            "n_rows": int(n_bad),
                            "example": {k: _plain(v) for k, v in row.items()},
                        }
                    )
            if with_extra:
                values = list(counts[len(group) :])
        return values

    def raise_if_any(self) -> None:
        self.flush()
        if not self.items:
            return
        first = self.items[0]
        lines = "; ".join(
            f"{p['field']}: {p['message']}" + (f" ({p['n_rows']} rows)" if "n_rows" in p else "")
            for p in self.items
        )
        raise InvalidInputError(
            f"The {self.frame_name} frame is not valid: {lines}.",
            code=first["code"],
            field=first["field"],
            params={"frame": self.frame_name, "errors": self.items},
        )


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def plain_rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as strict-JSON-ready rows: dates as ISO strings, NaN and inf as None (an
    open interval end or a median not reached; the row's status says which)."""
    return [
        {
            k: None if isinstance(v, float) and not math.isfinite(v) else _plain(v)
            for k, v in row.items()
        }
        for row in df.to_dicts()
    ]


def _conform(
    df: pl.DataFrame, schema: Mapping[str, pl.DataType], optional: set[str], problems: _Problems
) -> pl.DataFrame:
    """Select and cast the contract's columns; add absent optional columns as nulls."""
    if not isinstance(df, pl.DataFrame):
        raise InvalidInputError(
            f"The {problems.frame_name} must be a polars DataFrame, not {type(df).__name__}.",
            code="wrong_type",
            field=problems.frame_name,
        )
    exprs: list[pl.Expr] = []
    for name, dtype in schema.items():
        if name not in df.columns:
            if name in optional:
                exprs.append(pl.lit(None, dtype=dtype).alias(name))
            else:
                problems.add("missing_column", name, "required column is missing")
            continue
        have = df.schema[name]
        if have == dtype:
            exprs.append(pl.col(name))
        elif isinstance(dtype, pl.Datetime):
            if not isinstance(have, pl.Datetime):
                problems.add("wrong_type", name, f"expected a UTC datetime, got {have}")
            elif have.time_zone is None:
                problems.add("naive_datetime", name, "datetimes must carry a time zone (store UTC)")
            else:
                exprs.append(pl.col(name).dt.convert_time_zone("UTC").cast(dtype))
        elif dtype == pl.Float64() and have.is_numeric():
            exprs.append(pl.col(name).cast(pl.Float64))
        elif dtype == pl.Int64() and have.is_integer():
            exprs.append(pl.col(name).cast(pl.Int64))
        elif dtype == pl.String() and have in (pl.Categorical(), pl.Null()):
            exprs.append(pl.col(name).cast(pl.String))
        elif have == pl.Null():
            exprs.append(pl.col(name).cast(dtype))
        else:
            problems.add("wrong_type", name, f"expected {dtype}, got {have}")
    problems.raise_if_any()
    return df.select(exprs)


def _required(df: pl.DataFrame, names: Iterable[str], problems: _Problems) -> None:
    for name in names:
        problems.check_mask(df, pl.col(name).is_null(), "missing_value", name, "value is missing")


def _known_patients(
    df: pl.DataFrame, patient_ids: Iterable[str] | pl.Series | None, problems: _Problems
) -> None:
    if patient_ids is None:
        return
    known = pl.Series("patient_id", list(patient_ids), dtype=pl.String)
    problems.check_mask(
        df,
        ~pl.col("patient_id").is_in(known.implode()),
        "unknown_patient",
        "patient_id",
        "patient id is not in the patients frame",
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise InvalidInputError("now must be timezone-aware.", code="naive_datetime", field="now")
    return now.astimezone(dt.UTC)


def validate_diary(
    diary: pl.DataFrame,
    *,
    patient_ids: Iterable[str] | pl.Series | None = None,
    now: dt.datetime | None = None,
) -> pl.DataFrame:
    """Check a diary frame against :data:`DIARY_SCHEMA` and return it conformed.

    Parameters
    ----------
    diary : polars.DataFrame
        One row per entry; extra columns are dropped, absent optional ones added as nulls.
    patient_ids : iterable of str, optional
        Known patients; any other id is an ``unknown_patient`` error.
    now : datetime, optional
        Reference "now" (timezone-aware); entries after it are ``future_date`` errors.

    Returns
    -------
    polars.DataFrame
        The frame with exactly the contract's columns and types, sorted by patient and time.

    Raises
    ------
    InvalidInputError
        Listing every problem (``params["errors"]``): ``missing_column``, ``wrong_type``,
        ``naive_datetime``, ``missing_value``, ``out_of_range``, ``future_date``,
        ``inconsistent_local_date``, ``duplicate_rows``, ``unknown_patient``.
    """
    problems = _Problems("diary")
    df = _conform(diary, DIARY_SCHEMA, _OPTIONAL["diary"], problems)
    reference = _now(now)
    _required(df, ("patient_id", "recorded_at", "local_date", "pain"), problems)
    _check_diary_values(df, reference, problems)
    (in_order,) = problems.flush(_strictly_ordered())
    if in_order:
        # already sorted with no two entries of one patient at one instant (the usual case:
        # diaries come out of the database in order): sorting would return the same frame
        # and the duplicate check could not fire
        _known_patients(df, patient_ids, problems)
        problems.raise_if_any()
        return df
    df = df.sort("patient_id", "recorded_at")
    # sorted, so duplicates are neighbours: cheaper than hashing 7 million (id, time) pairs
    same_as_previous = (pl.col("patient_id") == pl.col("patient_id").shift(1)) & (
        pl.col("recorded_at") == pl.col("recorded_at").shift(1)
    )
    problems.check_mask(
        df,
        same_as_previous | same_as_previous.shift(-1),
        "duplicate_rows",
        "recorded_at",
        "the same patient has two entries at the same instant",
    )
    _known_patients(df, patient_ids, problems)
    problems.raise_if_any()
    return df


def validate_diary_keyed(
    diary: pl.DataFrame, key: pl.Enum, *, now: dt.datetime | None = None
) -> pl.DataFrame:
    """:func:`validate_diary` against the patients of ``key`` (an Enum of the sorted patient
    ids), returned with ``patient_id`` cast to ``key`` (the cohort summary's integer key).

    Why: the cohort summary casts the key anyway, and on that key the known-patient and
    order checks are integer work instead of hashing and comparing 7 million strings. One
    pass answers whether the diary is valid as it stands: every check of
    :func:`validate_diary`, the known-patient check read off the cast (an unknown id casts to
    null) and the (patient, time) order on the key's codes (the categories are sorted, so
    code order is id order). Only when something fails - a problem, or rows that need
    sorting - does :func:`validate_diary` itself run, which names the problems (the same
    errors, codes and messages) or sorts, exactly as it would have.
    """
    categories = key.categories
    problems = _Problems("diary")
    df = _conform(diary, DIARY_SCHEMA, _OPTIONAL["diary"], problems)
    reference = _now(now)
    if categories.is_sorted() and categories.n_unique() == categories.len():
        keyed = df.with_columns(cast_by_runs(df["patient_id"], key))
        _required(keyed, ("patient_id", "recorded_at", "local_date", "pain"), problems)
        fired = _check_values_compiled(keyed, reference, problems, categories.len())
        code, at = pl.col("patient_id").to_physical(), pl.col("recorded_at")
        out_of_order = ~((code > code.shift(1)) | ((code == code.shift(1)) & (at > at.shift(1))))
        if not fired and not problems.any_fired(keyed, out_of_order.slice(1).any()):
            return keyed
    valid = validate_diary(diary, patient_ids=categories, now=now)
    return valid.with_columns(pl.col("patient_id").cast(key))


def cast_by_runs(patient_id: pl.Series, key: pl.Enum) -> pl.Series:
    """``patient_id.cast(key, strict=False)``, casting one id per run of equal ids.

    Why: a diary sorted by patient is 10,000 runs of 7 million rows, and the cast hashes
    every row's string (a third of the summary's validation); finding the runs compares
    each row with the one before, and the runs' codes are then repeated. Anything else -
    a null id, an id the key does not know (cast to null, as the row-wise cast does), or
    rows in so many short runs that nothing is saved - takes the row-wise cast."""
    n = patient_id.len()
    if n == 0 or patient_id.null_count():
        return patient_id.cast(key, strict=False)
    starts = (patient_id != patient_id.shift(1)).fill_null(True).arg_true()
    if 4 * starts.len() > n:
        return patient_id.cast(key, strict=False)
    heads = patient_id.gather(starts).cast(key, strict=False)
    if heads.null_count():
        return patient_id.cast(key, strict=False)
    bounds = np.append(starts.to_numpy(), n)
    codes = pl.Series(np.repeat(heads.to_physical().to_numpy(), np.diff(bounds)))
    # category i of an Enum has code i: gathering the categories by code is the cast (by a
    # Series: polars takes a numpy index through a slower conversion)
    return key.categories.cast(key).gather(codes).alias(patient_id.name)


def _check_values_compiled(
    df: pl.DataFrame, reference: dt.datetime, problems: _Problems, n_patients: int
) -> bool:
    """For a cohort of ``COMPILED_FROM_PATIENTS`` or more: whether a range or local-date
    check of :func:`_check_diary_values` fires, answered by compiled passes over the
    columns (``kernels.diary_values_fire``: no temporary columns, stopping at the first
    hit); the checks it cannot answer (a score column with some nulls, null dates) and the
    future-date check are queued on ``problems`` as before. Smaller cohorts queue every
    check (numba is neither imported nor compiled for them) and get False."""
    from tenderpoint.outcomes.latent import COMPILED_FROM_PATIENTS

    if n_patients < COMPILED_FROM_PATIENTS:
        _check_diary_values(df, reference, problems)
        return False
    from tenderpoint.outcomes.kernels import diary_values_fire

    whole = [s for s in SCORE_COLUMNS if df[s].null_count() == 0]
    local, recorded = df["local_date"], df["recorded_at"]
    dates = not (local.null_count() or recorded.null_count())
    _check_diary_values(
        df, reference, problems, skip_scores=frozenset(whole), skip_local_date=dates
    )
    return diary_values_fire(
        [df[s].to_numpy() for s in whole],
        local.to_physical().to_numpy() if dates else None,
        recorded.to_physical().to_numpy() if dates else None,
    )


def _check_diary_values(
    df: pl.DataFrame,
    reference: dt.datetime,
    problems: _Problems,
    *,
    skip_scores: frozenset[str] = frozenset(),
    skip_local_date: bool = False,
) -> None:
    """Queue the diary's range, future-date and local-date checks (run by the next flush);
    ``skip_*``: checks answered already (:func:`_check_values_compiled`)."""
    for score in SCORE_COLUMNS:
        if score in skip_scores:
            continue
        x = pl.col(score)
        problems.check_mask(
            df,
            ~x.is_between(0.0, 10.0) | x.is_nan(),
            "out_of_range",
            score,
            "scores run from 0 to 10",
            # without a NaN, the extremes tell (nulls are skipped by both forms)
            fired=(x.min() < 0.0) | (x.max() > 10.0) | x.is_nan().any(),
        )
    problems.check_mask(
        df,
        pl.col("recorded_at") > reference,
        "future_date",
        "recorded_at",
        f"entry is in the future (after {reference.isoformat()})",
        fired=pl.col("recorded_at").max() > reference,
    )
    if skip_local_date:
        return
    # the UTC date by integer arithmetic (recorded_at is UTC microseconds here): the days
    # since 1970, rounded down, are what .dt.date() gives, without its calendar work on 7
    # million rows
    utc_day = pl.col("recorded_at").to_physical() // _US_PER_DAY
    problems.check_mask(
        df,
        (pl.col("local_date").to_physical().cast(pl.Int64) - utc_day).abs() > 1,
        "inconsistent_local_date",
        "local_date",
        "local date is more than one day away from the UTC date of recorded_at",
    )


def _strictly_ordered() -> pl.Expr:
    """True when the rows are strictly in (patient, time) order: times increase within each
    run of one patient and the runs' patients increase (string comparisons on the run heads
    only)."""
    pid, at = pl.col("patient_id"), pl.col("recorded_at")
    new_patient = (pid != pid.shift(1)).fill_null(True)
    heads = pid.filter(new_patient)
    return (
        pid.is_not_null().all()
        & at.is_not_null().all()
        & (new_patient | (at > at.shift(1))).fill_null(False).all()
        & (heads > heads.shift(1)).fill_null(True).all()
    )


def validate_infusions(
    infusions: pl.DataFrame,
    *,
    patient_ids: Iterable[str] | pl.Series | None = None,
    now: dt.datetime | None = None,
) -> pl.DataFrame:
    """Check an infusion frame against :data:`INFUSION_SCHEMA` and return it conformed.

    Parameters
    ----------
    infusions : polars.DataFrame
        One row per session.
    patient_ids : iterable of str, optional
        Known patients.
    now : datetime, optional
        Reference "now"; sessions starting after it are ``future_date`` errors.

    Returns
    -------
    polars.DataFrame
        Conformed frame sorted by patient and start.

    Raises
    ------
    InvalidInputError
        Codes as for :func:`validate_diary`, plus ``end_before_start``, ``overlapping_sessions``
        and ``unknown_drug``.
    """
    problems = _Problems("infusions")
    df = _conform(infusions, INFUSION_SCHEMA, _OPTIONAL["infusions"], problems)
    reference = _now(now)
    _check_infusion_rows(df, reference, problems)
    problems.check_mask(
        df,
        pl.struct("patient_id", "start").is_duplicated(),
        "duplicate_rows",
        "start",
        "the same patient has two sessions starting at the same instant",
    )
    ordered = df.sort("patient_id", "start")
    problems.check_mask(
        ordered,
        (pl.col("start") < pl.col("end").shift(1).over("patient_id"))
        & ~pl.struct("patient_id", "start").is_duplicated(),
        "overlapping_sessions",
        "start",
        "session starts before the previous one ended",
    )
    _known_patients(df, patient_ids, problems)
    problems.raise_if_any()
    return ordered


def _check_infusion_rows(df: pl.DataFrame, reference: dt.datetime, problems: _Problems) -> None:
    """Queue the checks of each session on its own (missing values, times, drug, doses)."""
    _required(df, ("patient_id", "start", "end"), problems)
    problems.check_mask(
        df, pl.col("end") < pl.col("start"), "end_before_start", "end", "ends before it starts"
    )
    problems.check_mask(
        df, pl.col("start") > reference, "future_date", "start", "session is in the future"
    )
    problems.check_mask(
        df,
        ~pl.col("drug").is_in(sorted(DRUGS)) & pl.col("drug").is_not_null(),
        "unknown_drug",
        "drug",
        f"drug must be one of {sorted(DRUGS)}",
    )
    for name in ("total_dose_mg", "dose_mg_per_kg"):
        problems.check_mask(df, pl.col(name) < 0, "out_of_range", name, "a dose cannot be negative")


def validate_infusions_keyed(
    infusions: pl.DataFrame, key: pl.Enum, *, now: dt.datetime | None = None
) -> pl.DataFrame:
    """:func:`validate_infusions` against the patients of ``key`` (an Enum of the sorted
    patient ids), returned with ``patient_id`` cast to ``key``; the same pattern as
    :func:`validate_diary_keyed`.

    Once the sessions are sorted by patient and start, a duplicate start is the previous
    row's and an overlap is with the previous row, so neither needs hashing (sessions, start)
    pairs nor a window per patient. When anything fires, :func:`validate_infusions` itself
    runs and names the problems exactly as it would have.
    """
    categories = key.categories
    problems = _Problems("infusions")
    df = _conform(infusions, INFUSION_SCHEMA, _OPTIONAL["infusions"], problems)
    reference = _now(now)
    if categories.is_sorted() and categories.n_unique() == categories.len():
        # an unknown id casts to null: the missing-value check fires for it
        ordered = df.with_columns(pl.col("patient_id").cast(key, strict=False)).sort(
            "patient_id", "start"
        )
        _check_infusion_rows(ordered, reference, problems)
        pid, start = pl.col("patient_id"), pl.col("start")
        same_patient = pid == pid.shift(1)
        duplicate = same_patient & (start == start.shift(1))
        overlap = same_patient & (start < pl.col("end").shift(1))
        if not problems.any_fired(ordered, duplicate.any(), overlap.any()):
            return ordered
    valid = validate_infusions(infusions, patient_ids=categories, now=now)
    return valid.with_columns(pl.col("patient_id").cast(key))


def validate_assessments(
    assessments: pl.DataFrame,
    *,
    patient_ids: Iterable[str] | pl.Series | None = None,
    now: dt.datetime | None = None,
) -> pl.DataFrame:
    """Check an assessment frame against :data:`ASSESSMENT_SCHEMA` and return it conformed.

    Parameters
    ----------
    assessments : polars.DataFrame
        One row per scored questionnaire.
    patient_ids : iterable of str, optional
        Known patients.
    now : datetime, optional
        Reference "now"; assessments dated after its date are ``future_date`` errors.

    Returns
    -------
    polars.DataFrame
        Conformed frame sorted by patient, date and instrument.

    Raises
    ------
    InvalidInputError
        ``missing_column``, ``missing_value``, ``future_date``, ``duplicate_rows``,
        ``unknown_patient``, ``out_of_range`` (negative totals).
    """
    problems = _Problems("assessments")
    df = _conform(assessments, ASSESSMENT_SCHEMA, _OPTIONAL["assessments"], problems)
    reference = _now(now)
    _required(df, ("patient_id", "date", "instrument_id", "total"), problems)
    problems.check_mask(
        df, pl.col("date") > reference.date(), "future_date", "date", "date is in the future"
    )
    problems.check_mask(
        df, pl.col("total") < 0, "out_of_range", "total", "a total score cannot be negative"
    )
    problems.check_mask(
        df,
        pl.struct("patient_id", "date", "instrument_id").is_duplicated(),
        "duplicate_rows",
        "date",
        "the same instrument is recorded twice on one day for one patient",
    )
    _known_patients(df, patient_ids, problems)
    problems.raise_if_any()
    return df.sort("patient_id", "date", "instrument_id")


def validate_patients(patients: pl.DataFrame) -> pl.DataFrame:
    """Check a patient frame against :data:`PATIENT_SCHEMA` and return it conformed.

    Absent optional columns take documented defaults: sex ``"unknown"``, age null, time zone
    ``"UTC"``, five planned induction infusions.

    Parameters
    ----------
    patients : polars.DataFrame
        One row per patient.

    Returns
    -------
    polars.DataFrame
        Conformed frame sorted by patient id.

    Raises
    ------
    InvalidInputError
        ``missing_column``, ``missing_value``, ``duplicate_rows``, ``out_of_range``,
        ``unknown_sex``, ``unknown_timezone``.
    """
    problems = _Problems("patients")
    df = _conform(patients, PATIENT_SCHEMA, _OPTIONAL["patients"], problems)
    df = df.with_columns(
        pl.col(name).fill_null(value)
        for name, value in _PATIENT_DEFAULTS.items()
        if value is not None
    )
    _required(df, ("patient_id",), problems)
    problems.check_mask(
        df, pl.col("patient_id").is_duplicated(), "duplicate_rows", "patient_id", "duplicated id"
    )
    problems.check_mask(
        df,
        ~pl.col("sex").is_in(sorted(SEXES)),
        "unknown_sex",
        "sex",
        f"sex must be one of {sorted(SEXES)}",
    )
    problems.check_mask(
        df, ~pl.col("age_years").is_between(0, 120), "out_of_range", "age_years", "age 0-120"
    )
    problems.check_mask(
        df,
        pl.col("planned_induction_infusions") < 1,
        "out_of_range",
        "planned_induction_infusions",
        "at least one infusion must be planned",
    )
    bad_zones = [z for z in df["timezone"].unique().to_list() if not _is_zone(z)]
    if bad_zones:
        problems.add("unknown_timezone", "timezone", "not an IANA time zone", example=bad_zones[:3])
    problems.raise_if_any()
    return df.sort("patient_id")


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def daily_values(
    diary: pl.DataFrame,
    rule: DailyRule = DEFAULT_DAILY_RULE,
    *,
    scores: tuple[str, ...] = SCORE_COLUMNS,
) -> pl.DataFrame:
    """Collapse a (validated) diary to one row per patient and local date.

    Parameters
    ----------
    diary : polars.DataFrame
        Conformed diary (:func:`validate_diary`).
    rule : {"mean", "median", "max", "last"}
        How several entries of one day become the day's value (default the mean; ``last`` is
        the latest by ``recorded_at``). Missing scores are ignored; ``flare`` is any-of.
    scores : tuple of str
        Scores to aggregate (default all); the others come back as nulls, which saves time
        when only pain is needed (the cohort summary without assessments).

    Returns
    -------
    polars.DataFrame
        ``patient_id, local_date, <scores>, flare, n_entries``, sorted.
    """
    if rule not in ("mean", "median", "max", "last"):
        raise InvalidInputError(
            "The daily rule must be mean, median, max or last.",
            code="unknown_rule",
            field="rule",
            params={"value": rule},
        )

    def agg(name: str) -> pl.Expr:
        col = pl.col(name)
        if rule == "mean":
            return col.mean()
        if rule == "median":
            return col.median()
        if rule == "max":
            return col.max()
        return col.sort_by("recorded_at").drop_nulls().last()

    aggs = (
        *(
            agg(s) if s in scores else pl.lit(None, dtype=pl.Float64).alias(s)
            for s in SCORE_COLUMNS
        ),
        pl.col("flare").any().alias("flare"),
        pl.len().cast(pl.Int64).alias("n_entries"),
    )
    in_order = diary.select(
        (
            (pl.col("patient_id") > pl.col("patient_id").shift(1))
            | (
                (pl.col("patient_id") == pl.col("patient_id").shift(1))
                & (pl.col("local_date") >= pl.col("local_date").shift(1))
            )
        )
        .fill_null(True)
        .all()
    ).item()
    if not in_order:
        # a westward time-zone change can put a later entry on an earlier local date
        return (
            diary.group_by("patient_id", "local_date").agg(*aggs).sort("patient_id", "local_date")
        )
    # fast path for diaries sorted by patient and local date (the usual case after
    # validation): each day is a run of neighbouring rows
    return (
        diary.with_columns(pl.struct("patient_id", "local_date").rle_id().alias("_day"))
        .group_by("_day", maintain_order=True)
        .agg(pl.col("patient_id").first(), pl.col("local_date").first(), *aggs)
        .drop("_day")
    )
