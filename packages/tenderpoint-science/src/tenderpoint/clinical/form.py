"""Checked reading of scorer inputs: every problem gets a stable code and a clear message.

A :class:`Form` wraps the ``answers`` mapping of one scoring call. Each accessor checks one field
and records a problem instead of raising, so that one call reports every problem at once;
:meth:`Form.finish` then raises a single :class:`InvalidResponseError` whose code and field are
those of the first problem, whose message lists every problem and whose ``problems``
(``params["errors"]``) holds them all as ``{"code", "field", "item", "message", "params"}``:
``field`` is the input key as sent (``items[8]`` or ``item9``), ``item`` the item id, i.e. the
field name of a web form, or None for an input that is not an item. Nothing is clipped, rounded
into range, coerced or guessed: ``True`` is not 1, ``3.0`` is not 3 and ``"3"`` is not 3.

Given the instrument's items, a Form also accepts answers keyed by item id (``{"item1": 2, ...}``,
the shape a web form posts) in place of an item list (``{"items": [2, ...]}``).

Stable codes: ``wrong_type``, ``missing_item``, ``unknown_field``, ``value_out_of_range``,
``wrong_item_count``, ``unknown_area``, ``duplicate_area`` (the last two for every list of body
locations: WPI areas, tender points and AAPT sites), ``conflicting_fields`` (a list and its
items' ids both given).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item
from tenderpoint.errors import InvalidResponseError

_LISTS = (list, tuple)
_INT = {int}
_STR = {str}


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each item's answer sits: computed once per instrument, not per scoring call."""

    item_of: Mapping[str, str]
    """Item id, and ``field[index]`` of a list item, -> item id."""
    lists: Mapping[str, tuple[str, ...]]
    """List field -> the ids of its items, in list order."""


_LAYOUTS: dict[int, tuple[Sequence[Item], _Layout]] = {}


def _layout(items: Sequence[Item]) -> _Layout:
    """The layout of an instrument's items (cached by identity: the tuples are module constants;
    the cache keeps a reference, so an id is never reused for another tuple)."""
    cached = _LAYOUTS.get(id(items))
    if cached is not None and cached[0] is items:
        return cached[1]
    item_of = {item.id: item.id for item in items}
    lists: dict[str, list[str]] = {}
    for item in items:
        if item.index is not None:
            lists.setdefault(item.field, []).append(item.id)
            item_of[f"{item.field}[{item.index}]"] = item.id
    layout = _Layout(item_of, {name: tuple(ids) for name, ids in lists.items()})
    _LAYOUTS[id(items)] = (items, layout)
    return layout


class Form:
    """The answers of one scoring call, read field by field with checks."""

    __slots__ = ("_answers", "_flat", "_instrument_id", "_item_of", "problems")

    def __init__(
        self,
        instrument_id: str,
        answers: object,
        fields: AbstractSet[str],
        items: Sequence[Item] = (),
    ) -> None:
        if not isinstance(answers, Mapping):
            raise InvalidResponseError(
                f"{instrument_id}: answers must be a JSON object (mapping) of the fields "
                f"{', '.join(sorted(fields))}; got {type(answers).__name__}",
                code="wrong_type",
                field=None,
                params={"allowed": sorted(fields)},
            )
        self._instrument_id = instrument_id
        self.problems: list[dict[str, Any]] = []
        layout = _layout(items)
        self._item_of = layout.item_of
        self._flat: set[str] = set()
        self._answers: Mapping[Any, Any] = answers
        if answers.keys() <= fields and layout.lists.keys() <= answers.keys():
            return  # the documented fields, every list given: nothing to gather or refuse
        self._answers = self._gather(answers, layout.lists)
        allowed = fields | layout.item_of.keys()
        for key in answers:
            if key not in allowed:
                self.problem(
                    "unknown_field",
                    str(key),
                    f"{key!r} is not an input of {instrument_id}; "
                    f"allowed fields: {', '.join(sorted(fields))}"
                    + (" or the item ids" if items else ""),
                    allowed=sorted(allowed),
                )

    def _gather(
        self, answers: Mapping[Any, Any], lists: Mapping[str, tuple[str, ...]]
    ) -> Mapping[Any, Any]:
        """Answers with every item list built from item-id keys where those were sent."""
        gathered = dict(answers)
        for name, members in lists.items():
            by_id = [item for item in members if item in answers]
            if name in answers and by_id:
                self.problem(
                    "conflicting_fields",
                    name,
                    f"give either {name} (a list) or the item ids ({', '.join(by_id)}), not both",
                    value=by_id,
                )
            elif name not in answers:
                # Keyed by item id, or nothing sent: each missing item is named by its id.
                self._flat.add(name)
                gathered[name] = [answers.get(item) for item in members]
        return gathered

    def problem(self, code: str, field: str, message: str, **params: Any) -> None:
        """Record one problem (the caller carries on, so that all problems are reported)."""
        self.problems.append(
            {
                "code": code,
                "field": field,
                "item": self._item_of.get(field),
                "message": message,
                "params": params,
            }
        )

    def position(self, name: str, index: int) -> str:
        """How an answer in a list is named: its item id if sent by id, else ``name[index]``."""
        where = f"{name}[{index}]"
        return self._item_of[where] if name in self._flat else where

    def describe(self, name: str, index: int) -> str:
        """An answer in a list for a message: ``item9``, or ``items[8] (item9)``."""
        where = self.position(name, index)
        item = self._item_of.get(where)
        return where if item is None or item == where else f"{where} ({item})"

    def finish(self) -> None:
        """Raise one InvalidResponseError naming every problem recorded, if any."""
        if not self.problems:
            return
        first = self.problems[0]
        message = f"{self._instrument_id}: " + "; ".join(p["message"] for p in self.problems)
        raise InvalidResponseError(
            message,
            code=first["code"],
            field=first["field"],
            params={**first["params"], "errors": list(self.problems)},
        )

    def is_whole(self, name: str) -> bool:
        """Whether the field was sent as a whole number (so outputs built from it stay int)."""
        return type(self._answers.get(name)) is int

    def present(self, name: str) -> bool:
        """Whether an optional field was given (a JSON null counts as not given)."""
        return self._answers.get(name) is not None

    # --- scalars ---------------------------------------------------------------------------

    def integer(self, name: str, low: int, high: int) -> int:
        """A required integer in ``low..high`` inclusive."""
        value = self._answers.get(name)
        if type(value) is int and low <= value <= high:
            return value
        if value is None:
            self.problem(
                "missing_item",
                name,
                f"{name} is required (a whole number from {low} to {high})",
                allowed=[low, high],
            )
            return low
        return self.check_int(value, name, low, high)

    def check_int(self, value: object, name: str, low: int, high: int) -> int:
        """Check an already-read value as an integer in ``low..high``; record problems."""
        if type(value) is not int:
            self.problem(
                "wrong_type",
                name,
                f"{name} must be a whole number from {low} to {high}; got {value!r}",
                allowed=[low, high],
                value=_jsonable(value),
            )
            return low
        if not low <= value <= high:
            self.problem(
                "value_out_of_range",
                name,
                f"{name} must be from {low} to {high}; got {value}",
                allowed=[low, high],
                value=value,
            )
            return low
        return value

    def boolean(self, name: str) -> bool:
        """A required true/false answer (JSON true/false only)."""
        value = self._answers.get(name)
        if value is True or value is False:
            return value
        if value is None:
            self.problem("missing_item", name, f"{name} is required (true or false)")
            return False
        self.problem(
            "wrong_type",
            name,
            f"{name} must be true or false; got {value!r}",
            allowed=[True, False],
            value=_jsonable(value),
        )
        return False

    def choice(self, name: str, allowed: Collection[str], default: str) -> str:
        """An optional string from ``allowed``; ``default`` when absent."""
        value = self._answers.get(name)
        if value is None:
            return default
        if value not in allowed or type(value) is not str:
            self.problem(
                "value_out_of_range" if isinstance(value, str) else "wrong_type",
                name,
                f"{name} must be one of {', '.join(allowed)}; got {value!r}",
                allowed=list(allowed),
                value=_jsonable(value),
            )
            return default
        return value

    def number(self, name: str, low: int, high: int) -> Fraction:
        """A required real number in ``low..high`` (int, finite float or Decimal), kept exact.

        A float is read through its shortest decimal text (``45.5`` -> 91/2, ``0.1`` -> 1/10),
        i.e. as the number that was written in the JSON, not as its binary approximation.
        """
        if self._answers.get(name) is None:
            self.problem("missing_item", name, f"{name} is required (a number {low}-{high})")
            return Fraction(low)
        value = self._answers[name]
        exact: Fraction | None = None
        if type(value) is int:
            exact = Fraction(value)
        elif type(value) is float and math.isfinite(value):
            exact = Fraction(repr(value))
        elif isinstance(value, (Decimal, Fraction)) and (
            not isinstance(value, Decimal) or value.is_finite()
        ):
            exact = Fraction(value)
        if exact is None:
            self.problem(
                "wrong_type",
                name,
                f"{name} must be a number from {low} to {high}; got {value!r}",
                allowed=[low, high],
                value=_jsonable(value),
            )
            return Fraction(low)
        if not low <= exact <= high:
            self.problem(
                "value_out_of_range",
                name,
                f"{name} must be from {low} to {high}; got {value}",
                allowed=[low, high],
                value=_jsonable(value),
            )
            return Fraction(low)
        return exact

    # --- lists -----------------------------------------------------------------------------

    def items(
        self, name: str, count: int, low: int, high: int, *, allow_missing: bool = False
    ) -> list[int | None]:
        """A list of exactly ``count`` integers in ``low..high`` (None allowed if so stated)."""
        if self._answers.get(name) is None:
            self.problem("missing_item", name, f"{name} is required (a list of {count} answers)")
            return [low] * count
        values = self._answers[name]
        if type(values) not in _LISTS:
            self.problem(
                "wrong_type",
                name,
                f"{name} must be a list of {count} whole numbers from {low} to {high}; "
                f"got {type(values).__name__}",
                allowed=[low, high],
            )
            return [low] * count
        if (
            len(values) == count
            and set(map(type, values)) == _INT
            and low <= min(values)
            and max(values) <= high
        ):
            return list(values)
        if len(values) != count:
            self.problem(
                "wrong_item_count",
                name,
                f"{name} must have exactly {count} answers; got {len(values)}",
                expected=count,
                got=len(values),
            )
            return [low] * count
        result: list[int | None] = []
        for position, value in enumerate(values):
            if value is None:
                if not allow_missing:
                    self.missing(name, position, f"an answer from {low} to {high} is required")
                result.append(None)
            else:
                where = self.position(name, position)
                result.append(self.check_int(value, where, low, high))
        return result

    def missing(self, name: str, position: int, why: str, **params: Any) -> None:
        """Record a missing answer in a list, with the rule that needs it."""
        self.problem(
            "missing_item",
            self.position(name, position),
            f"{self.describe(name, position)} is missing; {why}",
            **params,
        )

    def complete_items(self, name: str, count: int, low: int, high: int) -> list[int]:
        """Like :meth:`items` with every answer required."""
        return [value or 0 for value in self.items(name, count, low, high)]

    def ids(self, name: str, vocabulary: AbstractSet[str], *, kind: str = "area") -> frozenset[str]:
        """A required list of distinct ids from ``vocabulary`` (order irrelevant, no repeats)."""
        if self._answers.get(name) is None:
            self.problem("missing_item", name, f"{name} is required (a list of {kind} ids)")
            return frozenset()
        values = self._answers[name]
        if type(values) not in _LISTS:
            self.problem(
                "wrong_type",
                name,
                f"{name} must be a list of {kind} ids; got {type(values).__name__}",
                allowed=sorted(vocabulary),
            )
            return frozenset()
        if set(map(type, values)) <= _STR:
            chosen = frozenset(values)
            if len(chosen) == len(values) and chosen <= vocabulary:
                return chosen
        seen: set[str] = set()
        for value in values:
            if type(value) is not str:
                self.problem(
                    "wrong_type",
                    name,
                    f"{name} must contain {kind} ids (text); got {value!r}",
                    value=_jsonable(value),
                )
            elif value not in vocabulary:
                self.problem(
                    "unknown_area",
                    name,
                    f"{value!r} is not a known {kind} id in {name}; "
                    f"allowed: {', '.join(sorted(vocabulary))}",
                    value=value,
                    allowed=sorted(vocabulary),
                )
            elif value in seen:
                self.problem(
                    "duplicate_area",
                    name,
                    f"{value!r} appears more than once in {name}; list each {kind} once",
                    value=value,
                )
            else:
                seen.add(value)
        return frozenset(seen)


_WHOLE = re.compile(r"-?[0-9]+")


def answers_from_strings(instrument: Instrument, data: Mapping[str, Any]) -> dict[str, Any]:
    """``score()`` answers from a web form's fields, read through the items' own definitions.

    A browser posts text: each field named by an item id becomes that item's value (a choice
    or yes/no: the option whose value it spells, ``"2"`` -> 2, ``"true"`` -> True; an integer
    or decimal item: its number, whole numbers as ``int``; a multi-choice item: its list). An
    empty answer is left out, so ``score()`` reports it missing under its item id. Text that
    fits nothing is passed on unchanged, so ``score()`` reports it (``wrong_type``) rather than
    this function guessing; fields that are not items (``rater``, ``scheme``) pass through.
    """
    items = {item.id: item for item in instrument.items}
    answers: dict[str, Any] = {}
    for key, raw in data.items():
        item = items.get(key)
        if item is None:
            answers[key] = raw
        elif item.kind == "multi_choice":
            answers[key] = [raw] if isinstance(raw, str) else list(raw)
        elif raw != "":
            answers[key] = _from_text(item, raw)
    return answers


def _from_text(item: Item, raw: Any) -> Any:
    """One posted answer as the item's value, or unchanged when it spells none."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    for option in item.options:
        if str(option.value) == text:
            return option.value == "true" if item.kind == "boolean" else option.value
    if item.kind in ("integer", "decimal") and _WHOLE.fullmatch(text):
        return int(text)
    if item.kind == "decimal":
        try:
            number = Decimal(text)
        except ArithmeticError:
            return raw
        return number if number.is_finite() else raw
    return raw


def _jsonable(value: object) -> object:
    """The offending value as something JSON can carry in ``params``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    return repr(value)
