"""Who may work the contact inbox: the care team (nurses and clinicians) of the clinic the
request was sent to. The rule is the patients' care-team rule, not a copy of it: a request
invites health details, and clinic administrators see no clinical records."""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.patients.policies import care_team_clinic_id, is_care_team_member


@rules.predicate
def is_care_team_of_request_clinic(user: Any, contact_request: Any) -> bool:
    clinic_id = care_team_clinic_id(user)
    return (
        contact_request is not None
        and clinic_id is not None
        and clinic_id == contact_request.clinic_id
    )


rules.add_perm("public.list_contactrequests", is_care_team_member)
rules.add_perm("public.view_contactrequest", is_care_team_of_request_clinic)
rules.add_perm("public.change_contactrequest", is_care_team_of_request_clinic)


def contact_requests_visible_to(user: Any, queryset: Any) -> Any:
    clinic_id = care_team_clinic_id(user)
    return queryset.none() if clinic_id is None else queryset.filter(clinic_id=clinic_id)
