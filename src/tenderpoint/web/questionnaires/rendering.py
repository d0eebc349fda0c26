"""A web form from the clinical core's own Instrument definition (never re-typed here).

Field names are the core's item ids; the answers are gathered into the core's input shape
(``{"items": [...]}`` or named fields) using each item's ``field`` and ``index``; every problem,
ours or the core's, is reported against the item it concerns. Licensed wording is used only
when the clinic has installed it (``TENDERPOINT_WORDING_DIR``, see clinical/wording.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from tenderpoint.clinical import Instrument, Item, ScoreResult, get_instrument, load_wording, score
from tenderpoint.errors import InvalidResponseError, TenderpointError

#: Names a patient reads where the core's title carries scoring detail meant for clinicians.
PATIENT_TITLES = {"pgic": "Patient Global Impression of Change (PGIC)"}


def patient_title(instrument: Instrument) -> str:
    """The instrument's name on the patient's own pages."""
    return PATIENT_TITLES.get(instrument.id, instrument.title)


def instrument_for_patients(instrument_id: str) -> Instrument | None:
    """The instrument with wording a patient can read, or None when its wording is licensed and
    the clinic has not installed it (a form of item ids helps nobody)."""
    instrument = get_instrument(instrument_id)
    if instrument.licence.wording_may_ship:
        return instrument
    directory = getattr(settings, "TENDERPOINT_WORDING_DIR", None)
    if not directory:
        return None
    path = Path(directory) / f"{instrument_id}.json"
    if not path.is_file():
        return None
    try:
        return load_wording(path).apply()
    except TenderpointError:
        return None


@dataclass
class RenderedItem:
    """One question as the template shows it, with what was typed and its problems."""

    item: Item
    number: int
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.item.id


@dataclass
class QuestionnaireForm:
    """Parse, check and score one submission of an instrument."""

    instrument: Instrument
    data: Mapping[str, Any] | None = None
    initial: Mapping[str, Any] | None = None
    answers: dict[str, int | str | None] = field(default_factory=dict)
    items: list[RenderedItem] = field(init=False)
    result: ScoreResult | None = None

    def __post_init__(self) -> None:
        source = self.data if self.data is not None else (self.initial or {})
        self.items = [
            RenderedItem(item, number, str(source.get(item.id, "") or ""))
            for number, item in enumerate(self.instrument.items, start=1)
        ]

    @property
    def errors(self) -> list[RenderedItem]:
        return [rendered for rendered in self.items if rendered.errors]

    def is_valid(self) -> bool:
        """Check every item, then let the core score; all problems end up on their items."""
        for rendered in self.items:
            self.answers[rendered.name] = self._parse(rendered)
        if self.errors:
            return False
        try:
            self.result = score(self.instrument.id, core_input(self.instrument, self.answers))
        except InvalidResponseError as error:
            self._attach_core_problems(error)
            return False
        return True

    def _parse(self, rendered: RenderedItem) -> int | str | None:
        raw = rendered.value.strip()
        if not raw:
            if rendered.item.required:
                rendered.errors.append("Please choose an answer to this question.")
            return None
        for option in rendered.item.options:
            if str(option.value) == raw:
                return option.value
        rendered.errors.append("Please choose one of the answers shown.")
        return None

    def _attach_core_problems(self, error: InvalidResponseError) -> None:
        problems = (error.params or {}).get("errors") or [
            {"field": error.field, "message": str(error)}
        ]
        for problem in problems:
            target = item_for_field(
                self.instrument, str(problem.get("item") or problem.get("field") or "")
            )
            rendered = next((r for r in self.items if target and r.item.id == target.id), None)
            (rendered or self.items[0]).errors.append(str(problem.get("message")))


_INDEXED = re.compile(r"^(?P<field>\w+)\[(?P<index>\d+)\]$")


def item_for_field(instrument: Instrument, name: str) -> Item | None:
    """The item a core problem's field (``items[3]``, ``response``) refers to."""
    match = _INDEXED.match(name)
    for item in instrument.items:
        if item.id == name:
            return item
    for item in instrument.items:
        if match and item.field == match["field"] and item.index == int(match["index"]):
            return item
        if not match and item.field == name:
            return item
    return None


def core_input(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by item id → the core's input fields (lists by index, scalars by name)."""
    result: dict[str, Any] = {}
    for item in instrument.items:
        value = answers.get(item.id)
        if item.index is None:
            if value is not None:
                result[item.field] = value
            continue
        values = result.setdefault(item.field, [])
        while len(values) <= item.index:
            values.append(None)
        values[item.index] = value
    return result
