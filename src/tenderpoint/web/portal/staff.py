"""Shared helpers of the staff-side portal pages (patient chart tabs and clinic-wide lists)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action


def care_team_list(object_type: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Guard a clinic-wide list: nurses and clinicians only; audit the read or the refusal."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not rules.has_perm("portal.view_clinic_lists", request.user):
                audit.record(Action.DENIED, request=request, object_type=object_type)
                raise PermissionDenied("Only the clinic's nurses and clinicians see this list.")
            if request.method in ("GET", "HEAD"):
                audit.record(Action.VIEW, request=request, object_type=object_type)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
