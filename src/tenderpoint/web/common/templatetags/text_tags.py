"""Free text typed by staff, set into a sentence of ours."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def sentence(text: object) -> str:
    """``text`` ending in one full stop: "Ondansetron 4 mg IV" and "Ondansetron 4 mg IV." both
    read "Ondansetron 4 mg IV." (a page that added its own stop showed "IV.."); text ending in
    "!", "?" or "…" is left as it is. Autoescaping still applies to the result."""
    words = str(text).rstrip()
    if not words or words.endswith((".", "!", "?", "…")):
        return words
    return f"{words}."
