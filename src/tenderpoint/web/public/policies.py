"""Who may work the contact inbox: the staff (nurse, clinician, administrator) of the clinic
the request was sent to."""

from __future__ import annotations

from typing import Any

import rules


def _staff_clinic_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not user.is_clinic_staff:
        return None
    return int(user.membership.clinic_id)


@rules.predicate
def is_staff_of_request_clinic(user: Any, contact_request: Any) -> bool:
    clinic_id = _staff_clinic_id(user)
    return contact_request is not None and clinic_id == contact_request.clinic_id


@rules.predicate
def is_clinic_staff(user: Any) -> bool:
    return _staff_clinic_id(user) is not None


rules.add_perm("public.list_contactrequests", is_clinic_staff)
rules.add_perm("public.view_contactrequest", is_staff_of_request_clinic)
rules.add_perm("public.change_contactrequest", is_staff_of_request_clinic)


def contact_requests_visible_to(user: Any, queryset: Any) -> Any:
    clinic_id = _staff_clinic_id(user)
    return queryset.none() if clinic_id is None else queryset.filter(clinic_id=clinic_id)
