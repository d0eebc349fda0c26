"""Who sees outcomes: the care team sees a patient's; clinicians and the clinic admin see the
clinic's aggregate (de-identified, small cells suppressed). Built on the one access rule."""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.patients.policies import is_in_care_team


@rules.predicate
def is_clinician_or_admin_of(user: Any, clinic: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    membership = user.membership
    return (
        membership is not None
        and clinic is not None
        and membership.clinic_id == clinic.pk
        and membership.role in ("clinician", "clinic_admin")
    )


@rules.predicate
def is_clinician_or_admin_of_snapshot(user: Any, snapshot: Any) -> bool:
    return snapshot is not None and is_clinician_or_admin_of(user, snapshot.clinic)


@rules.predicate
def is_admin_of_snapshot(user: Any, snapshot: Any) -> bool:
    membership = getattr(user, "membership", None) if getattr(user, "is_active", False) else None
    return (
        snapshot is not None
        and membership is not None
        and membership.role == "clinic_admin"
        and membership.clinic_id == snapshot.clinic_id
    )


rules.add_perm("clinic_outcomes.view_patient_outcomes", is_in_care_team)
rules.add_perm("clinic_outcomes.view_dashboard", is_clinician_or_admin_of)
rules.add_perm("clinic_outcomes.view_snapshot", is_clinician_or_admin_of_snapshot)
rules.add_perm("clinic_outcomes.review_snapshot", is_admin_of_snapshot)
