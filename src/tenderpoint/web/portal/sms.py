"""A small pluggable SMS backend, chosen by ``TENDERPOINT_SMS_BACKEND`` (a dotted class path).

A clinic plugs in a provider by writing a class with ``send(to: str, body: str) -> None`` that
calls its provider's API (credentials from the environment) and naming it in the setting. The
default prints to the console, as Django's console e-mail backend does.
"""

from __future__ import annotations

import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "tenderpoint.web.portal.sms.ConsoleSMSBackend"


class SMSBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


class ConsoleSMSBackend:
    """Writes each message to standard output (demo and development)."""

    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


class LocmemSMSBackend:
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> None:
        type(self).outbox.append((to, body))


def get_backend() -> SMSBackend:
    path = getattr(settings, "TENDERPOINT_SMS_BACKEND", "") or DEFAULT_BACKEND
    backend: SMSBackend = import_string(path)()
    return backend


def send_sms(to: str, body: str) -> None:
    get_backend().send(to, body)
