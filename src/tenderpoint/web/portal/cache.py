"""Cached pages of one patient in the shared cache (the database cache; never process memory).

Each patient's cached values live under one version token; a write replaces it with a new one.
The token is unique (never a counter that restarts), so if the cache drops it (the database cache
culls its oldest keys when full) no old value can match the new token. Two ways to read:

* ``cached``: rebuilt on the request after a write (the clinician's pages);
* ``latest``: for the patient's progress page, which the patient opens right after writing a
  diary entry. The previous value is served at once, marked stale, while a background task
  (``portal.tasks.refresh_cached``) rebuilds it; a write by or for a patient with a portal
  account queues that rebuild at once, so it is usually fresh before they look. With nothing
  cached yet, the build is queued and the page says it is being prepared: a request never
  draws charts (a build holds a worker's interpreter for a second or more).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")
TIMEOUT_S = 7 * 24 * 3600
#: bumped when what is cached changes shape, so a new release never serves an old chart
LAYOUT_VERSION = 4
#: a page is rebuilt at most this often: a patient's first entry after a quiet spell is drawn at
#: once, a burst of writes (or a load test) is drawn once a minute instead of after every write
MIN_REBUILD_INTERVAL_S = 60
#: how long one queued rebuild blocks another for the same page; a lost one is retried after it
REFRESH_LOCK_S = MIN_REBUILD_INTERVAL_S + 120

#: builders of the pages ``latest`` serves, by name: (patient, today) -> value
Builder = Callable[[Any, datetime.date], Any]
_BUILDERS: dict[str, Builder] = {}


def _version_key(patient: Any) -> str:
    return f"portal:charts-version:{patient.public_id}"


def _new_version() -> str:
    return uuid.uuid4().hex


def _current_version(patient: Any) -> str:
    return str(cache.get_or_set(_version_key(patient), _new_version, None))


def invalidate(patient: Any) -> None:
    """Forget every cached value of ``patient`` (called after each write to their data)."""
    cache.set(_version_key(patient), _new_version(), None)
    if getattr(patient, "user_id", None) is not None:  # only portal patients see these pages
        for name in _BUILDERS:
            schedule_refresh(patient, name)


def cached(patient: Any, name: str, build: Callable[[], T]) -> T:
    """The cached value ``name`` of ``patient``, built by ``build`` on a miss."""
    version = _current_version(patient)
    key = f"portal:chart:v{LAYOUT_VERSION}:{patient.public_id}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT_S)
    return value


# --- served at once, rebuilt in the background --------------------------------------------


def refreshed_in_background(name: str) -> Callable[[Builder], Builder]:
    """Register ``builder`` as the page ``name`` that ``latest`` serves."""

    def register(builder: Builder) -> Builder:
        _BUILDERS[name] = builder
        return builder

    return register


@dataclass(frozen=True)
class Page:
    """A cached page: its value, when it was built, and whether newer data is being added."""

    value: Any
    built_at: datetime.datetime
    stale: bool


def _page_key(patient: Any, name: str) -> str:
    return f"portal:page:v{LAYOUT_VERSION}:{patient.public_id}:{name}"


def _lock_key(patient: Any, name: str) -> str:
    return f"portal:refreshing:{patient.public_id}:{name}"


def refresh(patient: Any, name: str, today: datetime.date) -> Page:
    """Build page ``name`` of ``patient`` as of ``today`` and store it."""
    version = _current_version(patient)  # read first: a write during the build leaves it stale
    page = Page(_BUILDERS[name](patient, today), timezone.now(), stale=False)
    cache.set(
        _page_key(patient, name),
        {"version": version, "day": today.isoformat(), "page": page},
        TIMEOUT_S,
    )
    return page


def latest(patient: Any, name: str, today: datetime.date) -> Page | None:
    """Page ``name`` of ``patient``: the stored one at once (queueing a rebuild if a write or a
    new day made it stale), or None while its first build is queued."""
    stored = cache.get(_page_key(patient, name))
    if stored is None:
        schedule_refresh(patient, name)
        # A task backend that runs at once (tests, a worker-less set-up) has built it now.
        stored = cache.get(_page_key(patient, name))
        if stored is None:
            return None
    if stored["version"] == _current_version(patient) and stored["day"] == today.isoformat():
        return stored["page"]
    schedule_refresh(patient, name)
    page: Page = stored["page"]
    return Page(page.value, page.built_at, stale=True)


def _rebuild_after(patient: Any, name: str) -> datetime.datetime | None:
    """When the next rebuild may run: now, or a minute after the last one."""
    stored = cache.get(_page_key(patient, name))
    if stored is None:
        return None
    earliest = stored["page"].built_at + datetime.timedelta(seconds=MIN_REBUILD_INTERVAL_S)
    return earliest if earliest > timezone.now() else None


def schedule_refresh(patient: Any, name: str) -> None:
    """Queue one rebuild of page ``name`` (after the current transaction commits)."""
    lock = _lock_key(patient, name)
    # Usually a rebuild is already queued (a busy patient writes, then looks): a plain read
    # says so without ``add``'s write transaction, which on SQLite takes the database's write lock.
    if cache.get(lock) is not None or not cache.add(lock, 1, REFRESH_LOCK_S):
        return  # one is already queued or running
    run_after = _rebuild_after(patient, name)

    def enqueue() -> None:
        from tenderpoint.web.portal.tasks import refresh_cached

        task = refresh_cached
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(str(patient.public_id), name)

    transaction.on_commit(enqueue)


def refresh_finished(patient: Any, name: str) -> None:
    """Let the next write queue a rebuild again."""
    cache.delete(_lock_key(patient, name))
