"""Clinic-supplied item wording for licensed instruments (FIQR, ISI, BPI, CADSS, Jenkins).

The open repository ships only the wording it may (reference §10). A clinic that holds a licence
keeps the licensed text in a JSON file of its own and loads it at run time::

    {
      "format": "tenderpoint-wording/1",
      "instrument": "fiqr",
      "version": "fiqr-2009",
      "language": "en",
      "licence_reference": "FIQR clinical licence 2026-014, Example Pain Clinic",
      "title": "optional display title",
      "instructions": "optional text shown above the items",
      "items": {"function_1": "<licensed wording>", "...": "..."}
    }

Every item of the instrument must have a text and no other ids are accepted, so a file meant
for another version fails loudly instead of mislabelling answers. ``licence_reference`` is
required for licensed instruments and kept with the wording so that it can be shown and audited.
Scoring never needs the wording: without a file, instruments work with item ids and anchors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tenderpoint.clinical.definition import Instrument
from tenderpoint.clinical.registry import get_instrument
from tenderpoint.errors import ConfigurationError

FORMAT = "tenderpoint-wording/1"


@dataclass(frozen=True, slots=True)
class ItemWording:
    """Licensed wording of one instrument version in one language."""

    instrument_id: str
    version: str
    language: str
    licence_reference: str | None
    items: Mapping[str, str]
    title: str | None = None
    instructions: str | None = None

    def apply(self) -> Instrument:
        """The instrument definition with this wording on its items."""
        instrument = get_instrument(self.instrument_id).with_item_texts(self.items)
        if self.title is None and self.instructions is None:
            return instrument
        return replace(
            instrument,
            title=self.title or instrument.title,
            instructions=self.instructions or instrument.instructions,
        )


def _fail(code: str, message: str, **params: Any) -> ConfigurationError:
    return ConfigurationError(f"wording file: {message}", code=code, params=params)


def _text(data: Mapping[str, Any], key: str, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail("wording_invalid", f"{key!r} must be a non-empty string", field=key)
    return value


def parse_wording(data: object) -> ItemWording:
    """Check a decoded wording document against its instrument and return it."""
    if not isinstance(data, Mapping):
        raise _fail("wording_invalid", "the document must be a JSON object")
    if data.get("format") != FORMAT:
        raise _fail(
            "wording_invalid", f"'format' must be {FORMAT!r}", value=str(data.get("format"))
        )
    instrument_id = _text(data, "instrument", required=True) or ""
    instrument = get_instrument(instrument_id)
    version = _text(data, "version", required=True)
    if version != instrument.version:
        raise _fail(
            "version_mismatch",
            f"wording is for {instrument_id} version {version!r}; this release scores "
            f"{instrument.version!r}",
            expected=instrument.version,
            value=version,
        )
    language = _text(data, "language", required=True) or ""
    licence_reference = _text(
        data, "licence_reference", required=not instrument.licence.wording_may_ship
    )
    items = data.get("items")
    if not isinstance(items, Mapping) or not all(
        isinstance(v, str) and v.strip() for v in items.values()
    ):
        raise _fail("wording_invalid", "'items' must map item ids to non-empty strings")
    known = [item.id for item in instrument.items]
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise _fail(
            "unknown_item",
            f"unknown item ids for {instrument_id}: {', '.join(unknown)}; "
            f"known: {', '.join(known)}",
            value=unknown,
            allowed=known,
        )
    missing = [item_id for item_id in known if item_id not in items]
    if missing:
        raise _fail(
            "missing_item_text",
            f"no text for {instrument_id} items: {', '.join(missing)}",
            value=missing,
        )
    return ItemWording(
        instrument_id=instrument.id,
        version=instrument.version,
        language=language,
        licence_reference=licence_reference,
        items=dict(items),
        title=_text(data, "title", required=False),
        instructions=_text(data, "instructions", required=False),
    )


def load_wording(path: str | os.PathLike[str]) -> ItemWording:
    """Read and check a clinic's wording file (UTF-8 JSON in the format above)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _fail("wording_unreadable", f"cannot read {path}: {exc}", path=str(path)) from exc
    return parse_wording(data)
