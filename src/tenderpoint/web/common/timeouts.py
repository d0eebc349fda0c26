"""Idle time-outs: staff are signed out sooner than patients (shared screens in clinics)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def idle_timeout_min(user: Any) -> int:
    if getattr(user, "is_clinic_staff", False) or getattr(user, "is_superuser", False):
        return int(settings.TENDERPOINT_STAFF_IDLE_TIMEOUT_MIN)
    return int(settings.TENDERPOINT_PATIENT_IDLE_TIMEOUT_MIN)
