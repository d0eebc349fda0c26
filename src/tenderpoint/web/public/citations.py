"""Inline citations: ``[[ref_id]]`` markers in page text become numbered links to a reference
list built from the markers a page uses, in order of first use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import escape, format_html

MARKER = re.compile(r"\[\[([a-z0-9_\-]+)\]\]")


@dataclass(frozen=True)
class CitedReference:
    number: int
    ref_id: str
    text: str
    url: str | None


def cited_ids(texts: Iterable[str]) -> list[str]:
    """Reference ids in order of first citation across ``texts``."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in MARKER.finditer(text or ""):
            seen.setdefault(match.group(1), None)
    return list(seen)


def render_markers(html: str, numbers: Mapping[str, int]) -> str:
    """Replace each marker with a superscript link; an unknown id is shown, not hidden."""

    def replace(match: re.Match[str]) -> str:
        ref_id = match.group(1)
        number = numbers.get(ref_id)
        if number is None:
            return escape(f"[missing reference {ref_id}]")
        return str(
            format_html(
                '<sup class="cite"><a href="#ref-{}" aria-label="Reference {}">[{}]</a></sup>',
                ref_id,
                number,
                number,
            )
        )

    return MARKER.sub(replace, html or "")
