"""Search parameter parsing: unknown names refused, dates with their precision and prefixes."""

import datetime

import pytest

from tenderpoint.interop.fhir.capability import capability_statement
from tenderpoint.interop.fhir.outcome import operation_outcome
from tenderpoint.interop.fhir.search import (
    MAX_COUNT,
    FhirSearchError,
    parse_date,
    parse_search,
)
from tests.interop.fhir.conftest import validate

UTC = datetime.UTC


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(FhirSearchError) as caught:
        parse_search("Observation", [("colour", "blue")])
    assert caught.value.parameter == "colour"
    assert "colour" in str(caught.value)


def test_a_parameter_of_another_type_is_refused() -> None:
    with pytest.raises(FhirSearchError) as caught:
        parse_search("Patient", [("code", "72514-3")])
    assert caught.value.parameter == "code"


def test_modifiers_are_not_supported() -> None:
    with pytest.raises(FhirSearchError) as caught:
        parse_search("Observation", [("code:text", "pain")])
    assert caught.value.code == "not-supported"


@pytest.mark.parametrize(
    ("value", "ok"), [("0", True), ("1", True), (str(MAX_COUNT), True), (str(MAX_COUNT + 1), False)]
)
def test_count_limit(value: str, ok: bool) -> None:
    if ok:
        assert parse_search("Patient", [("_count", value)]).count == int(value)
    else:
        with pytest.raises(FhirSearchError, match="_count must be between 0 and 500"):
            parse_search("Patient", [("_count", value)])


def test_count_must_be_a_number() -> None:
    with pytest.raises(FhirSearchError, match="not a whole number"):
        parse_search("Patient", [("_count", "ten")])


def test_date_precision_and_prefixes() -> None:
    day = datetime.datetime(2026, 2, 3, tzinfo=UTC)
    assert parse_date("date", "2026-02-03").start == day
    assert parse_date("date", "2026-02-03").end == day + datetime.timedelta(days=1)
    le_month = parse_date("date", "le2026-02")
    assert le_month.start is None
    assert le_month.end == datetime.datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_date("date", "le2026-12").end == datetime.datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_date("date", "ge2026").start == datetime.datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_date("date", "gt2026-02-03").start == day + datetime.timedelta(days=1)
    assert parse_date("date", "lt2026-02-03").end == day


def test_le_includes_the_whole_day_and_ge_its_start() -> None:
    search = parse_search("Observation", [("date", "ge2026-02-03"), ("date", "le2026-02-03")])
    start = datetime.datetime(2026, 2, 3, tzinfo=UTC)
    assert search.date_matches(start)
    assert search.date_matches(start + datetime.timedelta(hours=23, minutes=59))
    assert not search.date_matches(start - datetime.timedelta(microseconds=1))
    assert not search.date_matches(start + datetime.timedelta(days=1))


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "ge2026-02-03T10:00"])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(FhirSearchError) as caught:
        parse_search("Observation", [("date", value)])
    assert caught.value.parameter == "date"


def test_code_tokens_with_and_without_system() -> None:
    search = parse_search("Observation", [("code", "http://loinc.org|72514-3,diary.fog")])
    assert search.code_matches([{"system": "http://loinc.org", "code": "72514-3"}])
    assert not search.code_matches([{"system": "urn:other", "code": "72514-3"}])
    assert search.code_matches([{"system": "urn:any", "code": "diary.fog"}])


def test_capability_statement_lists_what_is_served() -> None:
    resource = capability_statement(
        base_url="https://clinic.example/fhir/",
        software_version="0.1.0",
        released="2026-11-30",
        token_url="https://clinic.example/o/token/",
        authorize_url="https://clinic.example/o/authorize/",
    )
    model = validate(resource)
    assert model.fhirVersion == "4.0.1"
    types = {r.type for r in model.rest[0].resource}
    assert {"Patient", "Observation", "MedicationAdministration", "Provenance"} <= types


def test_operation_outcome_validates() -> None:
    validate(operation_outcome("bad", expression="date"))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("eq9999-12-31", False),
        ("le9999", False),
        ("eq9998-12-31", True),
        ("ge1899-12-31", False),
        ("ge1900-01-01", True),
    ],
)
def test_dates_outside_the_searchable_years_are_a_named_error(value: str, ok: bool) -> None:
    """Found by fuzzing: the end of 9999-12-31 overflowed Python's dates (a 500)."""
    if ok:
        assert parse_date("date", value)
    else:
        with pytest.raises(FhirSearchError, match="outside the dates") as error:
            parse_date("date", value)
        assert error.value.parameter == "date"
