"""Who may do what in the console, on top of the one access rule (``patients.policies``).

- nurses and clinicians of the patient's clinic read the chart and chart sessions (pre-checks,
  vitals, pump events, scores, adverse events) and may be the second checker of a plan;
- only clinicians prescribe plans, sign assessments and sessions, amend and set the diagnosis;
- only clinicians the clinic administrator marked as prescribers override hard limits;
- the clinic administrator manages the console settings and prescribers, reads no chart.
"""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.patients.policies import is_in_care_team


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
