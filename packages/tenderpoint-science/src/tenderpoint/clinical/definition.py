"""How an instrument is described as data: items, answer options, licence, codes, provenance.

An :class:`Instrument` is the single declaration of one scale or criterion. Its scoring function
sits in the same module (one module per instrument under ``instruments/``); the registry finds it.
Item wording is present only where the licence allows it to ship (reference §10); licensed
instruments carry ids and anchors only and take clinic-supplied wording at run time
(:mod:`tenderpoint.clinical.wording`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tenderpoint.clinical.result import ScoreResult

ItemKind = Literal["choice", "integer", "decimal", "boolean", "multi_choice"]
Rater = Literal["patient", "clinician"]


@dataclass(frozen=True, slots=True)
class Coding:
    """A code in a terminology: LOINC where one exists, otherwise the local code system."""

    system: str
    code: str
    display: str = ""


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One allowed answer and the score it carries (``value`` is what ``score()`` receives)."""

    value: int | str
    label: str
    score: int | None = None
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One question (or examination finding) of an instrument.

    ``field`` is the input key of ``score()`` that carries the answer, with ``index`` set when the
    answer sits in a list (``{"items": [...]}``). ``text`` is None when the wording may not ship.
    """

    id: str
    field: str
    kind: ItemKind
    options: tuple[AnswerOption, ...] = ()
    text: str | None = None
    index: int | None = None
    required: bool = True
    loinc: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    recall: str | None = None
    """The item's own recall window when it differs from the instrument's."""


@dataclass(frozen=True, slots=True)
class ScoreRange:
    """The bounds of an instrument's main numeric output, machine-readable.

    ``output`` names the output it describes (``total``, ``fs``, ``improvement``...); ``None``
    marks an open bound (a percent worsening has no floor).
    """

    output: str
    min: int | float | None
    max: int | float | None


@dataclass(frozen=True, slots=True)
class Licence:
    """Whether item wording may ship in this open repository, and why (reference §10)."""

    wording_may_ship: bool
    note: str


Scorer = Callable[[Mapping[str, Any]], ScoreResult]


@dataclass(frozen=True, slots=True)
class Instrument:
    """The declaration of one instrument or criterion set.

    ``version`` names the published instrument version (e.g. ``fiqr-2009``); ``scoring_version``
    is bumped whenever the scoring code changes what it returns, so stored results stay
    interpretable. ``kind`` separates questionnaires (answered item by item) from criteria and
    derived calculations (change scores, bands), which have no questionnaire of their own.
    """

    id: str
    title: str
    version: str
    scoring_version: str
    citation: str
    licence: Licence
    recall_window: str | None
    kind: Literal["questionnaire", "criteria", "derived"]
    items: tuple[Item, ...]
    inputs: Mapping[str, str]
    """Input field name -> short description (type, range), for documentation and the CLI."""
    outputs: tuple[str, ...]
    """Canonical output names (docs/clinical.md, "Vocabulary")."""
    score_range: ScoreRange
    scorer: Scorer = field(repr=False, compare=False)
    loinc_panel: str | None = None
    loinc_total: str | None = None
    instructions: str | None = None
    raters: tuple[Rater, ...] = ()
    """Who may fill in a criteria form; empty for questionnaires."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Output kept under a second name (reference §14 keys) -> the canonical output it repeats."""

    @property
    def full_version(self) -> str:
        """The string stored beside each result: instrument version and scoring version."""
        return f"{self.version}/scoring-{self.scoring_version}"

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if absent)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def with_item_texts(self, texts: Mapping[str, str]) -> Instrument:
        """A copy whose items carry the given wording (used with clinic-supplied licensed text)."""
        items = tuple(replace(item, text=texts.get(item.id, item.text)) for item in self.items)
        return replace(self, items=items)
