"""Checks for free text that a view takes from a request without a Django form field."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def refuse_null_characters(field: str, text: str) -> None:
    """Refuse text with a NUL character, naming ``field``: Django's form fields refuse it, and
    PostgreSQL cannot store it in a text column (it was a server error there)."""
    if "\x00" in text:
        raise ValidationError(
            {field: "The text contains a null character; remove it and try again."},
            code="null_characters_not_allowed",
        )


def refuse_longer_than(field: str, text: str, max_chars: int) -> None:
    """Refuse text longer than ``max_chars``, naming ``field`` (never clipped silently)."""
    if len(text) > max_chars:
        raise ValidationError(
            {field: f"Use at most {max_chars:,} characters; this has {len(text):,}."},
            code="max_length",
        )
