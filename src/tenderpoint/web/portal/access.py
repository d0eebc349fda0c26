"""The base of every /me/ view: the shared ``OwnRecordView`` of the one access mixin.

``common.access.OwnRecordView`` resolves the signed-in patient's own record, refuses everyone
else (403 and an audited ``denied`` event), checks ``patients.view_patient`` on the record and
audits each read. This subclass adds what the portal's pages share: times shown in the
patient's own time zone and the current item of the portal's navigation.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, ClassVar

from django.http import HttpRequest
from django.utils import timezone

from tenderpoint.web.common.access import OwnRecordView as SharedOwnRecordView
from tenderpoint.web.portal.timezones import patient_zone


class OwnRecordView(SharedOwnRecordView):
    """A page of the signed-in patient's own record under /me/."""

    abstract_policy = True
    #: which item of the portal's navigation is current
    portal_section: ClassVar[str] = "home"

    #: the patient's time zone, looked up once per request
    zone: zoneinfo.ZoneInfo

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        patient = super().resolve_object(request, **kwargs)
        if patient is not None:
            # A diary day is the patient's local date; so are the times on these pages.
            self.zone = patient_zone(patient)
            timezone.activate(self.zone)
        request.portal_section = self.portal_section  # type: ignore[attr-defined]
        return patient

    def local_now(self) -> datetime.datetime:
        """The current time in the patient's time zone (as this request found it)."""
        return timezone.now().astimezone(self.zone)
