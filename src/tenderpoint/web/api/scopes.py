"""SMART App Launch scopes (v1 syntax): ``<context>/<ResourceType|*>.read``.

``patient/…`` is limited to the signed-in patient's own record, ``user/…`` to what the user may
see under the one access rule, ``system/…`` to a system client's clinic. Only reads exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tenderpoint.interop.fhir.search import SEARCH_PARAMETERS

RESOURCE_TYPES = tuple(SEARCH_PARAMETERS)
CONTEXTS = ("patient", "user", "system")
_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]+)\.(read|\*)$")


class ScopeError(ValueError):
    """A scope string this server does not grant."""


@dataclass(frozen=True)
class Scope:
    context: str
    resource_type: str  # a type name or "*"

    def __str__(self) -> str:
        return f"{self.context}/{self.resource_type}.read"

    def allows(self, resource_type: str) -> bool:
        return self.resource_type in ("*", resource_type)


def parse_scope(text: str) -> Scope:
    match = _SCOPE.match(text.strip())
    if not match:
        raise ScopeError(
            f"{text!r} is not a scope this server grants (e.g. patient/*.read, user/*.read, "
            "system/*.read, or user/Observation.read)"
        )
    context, resource_type, _ = match.groups()
    if resource_type != "*" and resource_type not in RESOURCE_TYPES:
        raise ScopeError(f"{resource_type} is not a resource type served here")
    return Scope(context, resource_type)


def parse_scopes(text: str) -> list[Scope]:
    """Every SMART scope in a space-separated scope string; other scopes are ignored."""
    found = []
    for part in text.split():
        if part.startswith(CONTEXTS):
            found.append(parse_scope(part))
    return found


def all_scopes() -> dict[str, str]:
    """The scope → description table django-oauth-toolkit validates requests against."""
    table = {}
    for context in CONTEXTS:
        for resource_type in ("*", *RESOURCE_TYPES):
            what = "every resource type" if resource_type == "*" else resource_type
            table[f"{context}/{resource_type}.read"] = f"Read {what} ({context} context)"
    return table
