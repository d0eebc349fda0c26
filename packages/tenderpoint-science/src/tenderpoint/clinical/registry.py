"""The instrument registry and the one scoring entry point.

Every public module of :mod:`tenderpoint.clinical.instruments` defines ``INSTRUMENT``; the
registry imports them all once, so an instrument is added by adding its module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import instruments as _package
from tenderpoint.clinical.definition import Instrument
from tenderpoint.clinical.form import answers_from_strings
from tenderpoint.clinical.result import ScoreResult
from tenderpoint.errors import UnknownInstrumentError


def _discover() -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        instrument: Instrument = module.INSTRUMENT
        if instrument.id != info.name:  # pragma: no cover - guards against a mis-named module
            raise RuntimeError(f"module {info.name} declares instrument {instrument.id}")
        found[instrument.id] = instrument
    return found


REGISTRY: dict[str, Instrument] = _discover()


def get_instrument(instrument_id: str) -> Instrument:
    """The definition of one instrument; UnknownInstrumentError lists the known ids."""
    try:
        return REGISTRY[instrument_id]
    except (KeyError, TypeError):
        raise UnknownInstrumentError(
            f"unknown instrument {instrument_id!r}; known: {', '.join(REGISTRY)}",
            field="instrument_id",
            params={"value": str(instrument_id), "allowed": list(REGISTRY)},
        ) from None


def instruments() -> tuple[Instrument, ...]:
    """Every instrument and criterion set: id, title, version, citation, licence, recall, items."""
    return tuple(REGISTRY.values())


def score(instrument_id: str, answers: Mapping[str, Any]) -> ScoreResult:
    """Score one instrument.

    ``answers`` holds the input fields the instrument declares (``get_instrument(id).inputs``):
    ``{"items": [...]}`` for item-list questionnaires, three lists for ``fiqr``, named fields
    otherwise. Raises InvalidResponseError (with a stable ``code``) for input that cannot be
    scored as given and UnknownInstrumentError for an unknown id.
    """
    return get_instrument(instrument_id).scorer(answers)


def answers_from_form(instrument_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Answers for :func:`score` from a web form posted with item ids as field names.

    ``data`` maps field names to the posted text (a list for a multi-choice item). Each answer
    is converted by its item's definition (``"2"`` -> 2, ``"true"`` -> True, ``"4.5"`` -> 4.5);
    blanks are left out so that ``score`` names them missing; nothing is guessed.
    """
    return answers_from_strings(get_instrument(instrument_id), data)
