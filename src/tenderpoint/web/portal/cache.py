"""Cached progress charts in the shared cache (the database cache; never process memory).

Each patient's charts live under one version number; a write bumps it, so every chart of that
patient is rebuilt on the next view while other patients' charts stay cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
TIMEOUT_S = 7 * 24 * 3600
#: bumped when what is cached changes shape, so a new release never serves an old chart
LAYOUT_VERSION = 2


def _version_key(patient: Any) -> str:
    return f"portal:charts-version:{patient.public_id}"


def invalidate(patient: Any) -> None:
    """Forget every cached chart of ``patient`` (called after each write to their data)."""
    try:
        cache.incr(_version_key(patient))
    except ValueError:
        cache.set(_version_key(patient), 1, None)


def cached(patient: Any, name: str, build: Callable[[], T]) -> T:
    """The cached value ``name`` of ``patient``, built by ``build`` on a miss."""
    version = cache.get_or_set(_version_key(patient), 1, None)
    key = f"portal:chart:v{LAYOUT_VERSION}:{patient.public_id}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT_S)
    return value
