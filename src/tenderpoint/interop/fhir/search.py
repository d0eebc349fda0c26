"""Search parameters of the API, parsed and checked without Django.

Supported everywhere: ``_count``, ``_offset`` (the paging cursor the next links carry),
``_lastUpdated``, ``_format``; per type, the parameters in ``SEARCH_PARAMETERS``. Anything else
is refused (FhirSearchError → OperationOutcome 400), as the issue asks: a client that sends a
parameter we ignore would believe it had filtered.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_COUNT = 50
MAX_COUNT = 500
COMMON = ("_count", "_offset", "_lastUpdated", "_format")

SEARCH_PARAMETERS: dict[str, tuple[str, ...]] = {
    "Patient": ("_id",),
    "Condition": ("_id", "patient", "code", "category"),
    "Observation": ("_id", "patient", "date", "code", "category"),
    "QuestionnaireResponse": ("_id", "patient", "date"),
    "MedicationRequest": ("_id", "patient", "date"),
    "MedicationAdministration": ("_id", "patient", "date"),
    "Encounter": ("_id", "patient", "date"),
    "AdverseEvent": ("_id", "patient", "date"),
    "Provenance": ("_id", "patient"),
    "Questionnaire": ("_id",),
}

_DATE = re.compile(r"^(ge|le|gt|lt|eq)?(\d{4}(-\d{2}(-\d{2}([T ].+)?)?)?)$")


class FhirSearchError(ValueError):
    """A search the server cannot answer as asked; ``parameter`` names the culprit."""

    def __init__(self, message: str, *, parameter: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.parameter = parameter
        self.code = code


@dataclass(frozen=True)
class DateBound:
    """A half-open instant interval [start, end) that a date prefix selects."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    def contains(self, when: datetime.datetime) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


@dataclass(frozen=True)
class Search:
    resource_type: str
    count: int = DEFAULT_COUNT
    offset: int = 0
    ids: tuple[str, ...] = ()
    patient: str | None = None
    codes: tuple[tuple[str | None, str], ...] = ()
    categories: tuple[str, ...] = ()
    date: tuple[DateBound, ...] = ()
    last_updated: tuple[DateBound, ...] = ()
    raw: tuple[tuple[str, str], ...] = field(default=())

    def date_matches(self, when: datetime.datetime | None) -> bool:
        return all(when is not None and b.contains(when) for b in self.date)

    def last_updated_matches(self, when: datetime.datetime | None) -> bool:
        return all(when is not None and b.contains(when) for b in self.last_updated)

    def code_matches(self, codings: Sequence[Mapping[str, Any]]) -> bool:
        if not self.codes:
            return True
        return any(
            coding.get("code") == code and (system is None or coding.get("system") == system)
            for system, code in self.codes
            for coding in codings
        )

    def category_matches(self, codes: Sequence[str]) -> bool:
        return not self.categories or any(c in self.categories for c in codes)


MIN_YEAR, MAX_YEAR = 1900, 9998  # room for a period's end and a search margin of days


def _precision_end(text: str, start: datetime.datetime) -> datetime.datetime:
    """The end of the period a partial date names (a year, a month, a day, an instant)."""
    if len(text) == 4:
        return start.replace(year=start.year + 1)
    if len(text) == 7:
        month = start.month % 12 + 1
        return start.replace(year=start.year + (start.month == 12), month=month)
    if len(text) == 10:
        return start + datetime.timedelta(days=1)
    return start + datetime.timedelta(microseconds=1)


def parse_date(name: str, value: str) -> DateBound:
    """``ge2026-01-01``, ``le2026-03``, ``2026-02-03`` …: the instants the value selects.

    A date without a time is a UTC day. ``le`` includes the whole named period, ``lt``
    excludes it; ``ge`` includes it, ``gt`` starts after it.
    """
    match = _DATE.match(value.strip())
    if not match:
        raise FhirSearchError(
            f"{name}={value!r} is not a FHIR date (e.g. ge2026-01-31 or le2026-02)",
            parameter=name,
        )
    prefix, text = match.group(1) or "eq", match.group(2)
    try:
        if len(text) > 10:
            start = datetime.datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
            if start.tzinfo is None:
                raise FhirSearchError(
                    f"{name}={value!r}: a date with a time needs a time zone", parameter=name
                )
        else:
            padded = text + "-01" * ((10 - len(text)) // 3)
            start = datetime.datetime.fromisoformat(padded).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise FhirSearchError(f"{name}={value!r} is not a valid date", parameter=name) from None
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        # (found by fuzzing: the end of 9999-12-31 overflowed Python's dates into a 500)
        raise FhirSearchError(
            f"{name}={value!r} is outside the dates this server searches "
            f"({MIN_YEAR}-01-01 to {MAX_YEAR}-12-31)",
            parameter=name,
        )
    end = _precision_end(text, start)
    return {
        "eq": DateBound(start, end),
        "ge": DateBound(start, None),
        "gt": DateBound(end, None),
        "le": DateBound(None, end),
        "lt": DateBound(None, start),
    }[prefix]


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise FhirSearchError(f"{name}={value!r} is not a whole number", parameter=name) from None
    if not low <= number <= high:
        raise FhirSearchError(f"{name} must be between {low} and {high}", parameter=name)
    return number


def _token(value: str) -> tuple[str | None, str]:
    system, bar, code = value.partition("|")
    return (system or None, code) if bar else (None, value)


def _reference_id(value: str) -> str:
    return value.rsplit("/", 1)[-1]


def parse_search(resource_type: str, params: Sequence[tuple[str, str]]) -> Search:
    """Check every parameter (name and value) and return the search; ``params`` are the query
    string's (name, value) pairs in order, repeated names kept (``date=ge…&date=le…``)."""
    allowed = SEARCH_PARAMETERS.get(resource_type)
    if allowed is None:
        raise FhirSearchError(
            f"{resource_type} is not served here", parameter="type", code="not-supported"
        )
    values: dict[str, Any] = {"ids": [], "codes": [], "categories": [], "date": [], "lu": []}
    count, offset, patient = DEFAULT_COUNT, 0, None
    for name, value in params:
        base = name.split(":", 1)[0]
        if name not in COMMON and name not in allowed:
            known = ", ".join((*allowed, *COMMON))
            raise FhirSearchError(
                f"unknown or unsupported search parameter {name!r} for {resource_type} "
                f"(supported: {known})",
                parameter=name,
                code="not-supported" if base in allowed or base in COMMON else "invalid",
            )
        items = [v for v in value.split(",") if v]
        if name == "_count":
            count = _int(name, value, 0, MAX_COUNT)
        elif name == "_offset":
            offset = _int(name, value, 0, 10**9)
        elif name == "_format":
            if value not in ("json", "application/json", "application/fhir+json"):
                raise FhirSearchError(
                    "only JSON is served (_format=json)", parameter=name, code="not-supported"
                )
        elif name == "_id":
            values["ids"].extend(items)
        elif name == "patient":
            patient = _reference_id(value)
        elif name == "code":
            values["codes"].extend(_token(v) for v in items)
        elif name == "category":
            values["categories"].extend(_token(v)[1] for v in items)
        elif name == "date":
            values["date"].append(parse_date(name, value))
        elif name == "_lastUpdated":
            values["lu"].append(parse_date(name, value))
    return Search(
        resource_type=resource_type,
        count=count,
        offset=offset,
        ids=tuple(values["ids"]),
        patient=patient,
        codes=tuple(values["codes"]),
        categories=tuple(values["categories"]),
        date=tuple(values["date"]),
        last_updated=tuple(values["lu"]),
        raw=tuple(params),
    )


def searchset(
    resources: Sequence[Mapping[str, Any]],
    *,
    base_url: str,
    self_url: str,
    next_url: str | None,
    total: int | None = None,
) -> dict[str, Any]:
    """A searchset Bundle with self and (when more follow) next links."""
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base_url.rstrip('/')}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
    if total is not None:
        bundle["total"] = total
    return bundle
