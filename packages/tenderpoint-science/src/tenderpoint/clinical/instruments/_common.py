"""Definitions shared by several instruments: answer sets, licences, small helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Item, Licence, Rater

LOCAL_SYSTEM = "https://tenderpoint.github.io/fhir/CodeSystem/clinical"
"""Canonical URL of the project's local code system (see ``fhir.fhir_code_system``)."""
LOINC_SYSTEM = "http://loinc.org"

OWN_WORDING = Licence(
    True,
    "Criteria rules and short labels are facts; the question wording here is tenderpoint's own "
    "(the published survey forms are copyrighted journal material).",
)
FREE_PHQ = Licence(
    True,
    "Pfizer: no permission required to reproduce, translate, display or distribute "
    "(PHQ-9 and GAD-7).",
)
NOT_APPLICABLE = Licence(True, "A calculation on other scores; it has no item wording.")

RATERS_ANY: tuple[Rater, ...] = ("patient", "clinician")


def numeric_options(
    low: int, high: int, anchors: dict[int, str] | None = None
) -> tuple[AnswerOption, ...]:
    """Options ``low..high`` scored as their own value, labelled with the anchors given."""
    anchors = anchors or {}
    return tuple(
        AnswerOption(value, anchors.get(value, str(value)), score=value)
        for value in range(low, high + 1)
    )


def list_items(
    prefix: str,
    options: tuple[AnswerOption, ...],
    count: int,
    *,
    texts: Sequence[str | None] | None = None,
    loincs: Sequence[str | None] | None = None,
    field: str = "items",
    required: bool = True,
    first_index: int = 0,
    ids: Sequence[str] | None = None,
) -> tuple[Item, ...]:
    """Items answered in one list field (``{"items": [...]}``), numbered from 1."""
    low = min(int(option.value) for option in options)
    high = max(int(option.value) for option in options)
    return tuple(
        Item(
            id=ids[n] if ids else f"{prefix}{n + 1}",
            field=field,
            kind="choice",
            options=options,
            text=texts[n] if texts else None,
            index=first_index + n,
            required=required,
            loinc=loincs[n] if loincs else None,
            min_value=low,
            max_value=high,
        )
        for n in range(count)
    )


def severity(value: int, bands: Sequence[tuple[int, str, str]]) -> dict[str, str]:
    """``severity_band`` (code) and ``severity_band_label`` (published wording) of ``value``.

    ``bands`` are (inclusive upper bound, code, published wording), lowest first.
    """
    for upper, code, label in bands:
        if value <= upper:
            return {"severity_band": code, "severity_band_label": label}
    raise AssertionError(f"{value} is above every band")  # pragma: no cover - inputs are checked


def band_words(bands: Sequence[tuple[int, str, str]], low: int = 0) -> str:
    """'0–4 none–minimal, 5–9 mild, ...' for explanations."""
    parts = []
    for upper, _code, label in bands:
        parts.append(f"{low}–{upper} {label}")
        low = upper + 1
    return ", ".join(parts)


def with_aliases(outputs: dict[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    """``outputs`` followed by each alias (reference §14 keys) carrying its canonical value."""
    return outputs | {alias: outputs[canonical] for alias, canonical in aliases.items()}


def completeness(missing: Sequence[str] = ()) -> dict[str, Any]:
    """``complete`` and ``missing_items`` (item ids), alike on every questionnaire."""
    return {"complete": not missing, "missing_items": list(missing)}


def yes_no(flag: bool) -> str:
    """'yes' or 'no', for explanations."""
    return "yes" if flag else "no"


def clinic_hold(total: int, hold_at: int | None) -> tuple[bool | None, str]:
    """Discharge hold against the clinic's own threshold (reference §13.7); None without one."""
    if hold_at is None:
        return None, "no clinic threshold given: no discharge hold assessed"
    hold = total >= hold_at
    return hold, f"total {total} {'≥' if hold else '<'} clinic threshold {hold_at} → " + (
        "hold discharge" if hold else "no hold"
    )
