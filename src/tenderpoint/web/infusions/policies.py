"""Who may do what in the console, on top of the one access rule (``patients.policies``).

- nurses and clinicians of the patient's clinic read the chart and chart sessions (pre-checks,
  vitals, pump events, scores, adverse events) and may be the second checker of a plan;
- only clinicians prescribe plans, sign assessments and sessions, amend and set the diagnosis;
- only clinicians the clinic administrator marked as prescribers override hard limits;
- nurses and clinicians read their own clinic's controlled-substance log;
- the clinic administrator manages their clinic's console settings and prescribers, reads
  no chart.
"""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.patients.policies import care_team_clinic_id, is_in_care_team


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role  # type: ignore[no-any-return]


@rules.predicate
def is_clinician(user: Any) -> bool:
    return _role(user) == "clinician"


@rules.predicate
def is_prescriber(user: Any) -> bool:
    if _role(user) != "clinician":
        return False
    from tenderpoint.web.infusions.models import PrescriberAuthorisation

    return PrescriberAuthorisation.objects.filter(
        membership=user.membership, is_prescriber=True
    ).exists()


@rules.predicate
def is_clinic_admin(user: Any) -> bool:
    return _role(user) == "clinic_admin"


rules.add_perm("infusions.chart", is_in_care_team)
rules.add_perm("infusions.prescribe", is_in_care_team & is_clinician)
rules.add_perm("infusions.sign", is_in_care_team & is_clinician)
rules.add_perm("infusions.override", is_in_care_team & is_prescriber)
rules.add_perm("infusions.manage_settings", is_clinic_admin)


@rules.predicate
def is_care_team_of_clinic(user: Any, clinic: Any) -> bool:
    """A nurse or clinician of ``clinic`` (the clinic-level pages: the controlled log)."""
    return clinic is not None and care_team_clinic_id(user) == clinic.pk


@rules.predicate
def is_admin_of_clinic(user: Any, clinic: Any) -> bool:
    membership = user.membership if is_clinic_admin(user) else None
    return clinic is not None and membership is not None and membership.clinic_id == clinic.pk


rules.add_perm("infusions.view_controlled_log", is_care_team_of_clinic)
rules.add_perm("infusions.manage_clinic_settings", is_admin_of_clinic)
rules.add_perm("infusions.manage_prescribers", is_admin_of_clinic)
