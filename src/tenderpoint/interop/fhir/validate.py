"""Validation of mapped resources with fhir.resources' R4B models (R4-compatible).

Building models is slow next to writing dicts, so bulk export validates a sample
(:func:`should_validate`) rather than every resource.
"""

from __future__ import annotations

import importlib
from typing import Any


class InvalidResourceError(ValueError):
    """A mapped resource that fhir.resources refuses; the message names the resource."""


def validate(resource: dict[str, Any]) -> Any:
    """The R4B model of ``resource``; raises InvalidResourceError naming type, id and problem."""
    name = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
    try:
        return getattr(module, name).model_validate(resource)
    except ValueError as error:
        raise InvalidResourceError(f"{name}/{resource.get('id')}: {error}") from error


def should_validate(index: int, *, first: int = 20, every: int = 5000) -> bool:
    """Validate the first ``first`` resources of a file and then one in ``every``."""
    return index < first or index % every == 0
