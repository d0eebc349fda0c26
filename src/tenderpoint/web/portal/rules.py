"""Permissions of the portal's pages, built on the one access rule."""

from typing import Any

import rules

from tenderpoint.web.patients.policies import is_care_team_member, is_in_care_team, is_the_patient


@rules.predicate
def is_own_entry(user: Any, entry: Any) -> bool:
    """A diary entry of the signed-in patient's own record."""
    return entry is not None and bool(is_the_patient(user, entry.patient))


# A patient corrects or withdraws only their own diary entries.
rules.add_perm("diary.change_own_entry", is_own_entry)
# The care team's view of a patient's diary, questionnaires and messages (a patient uses /me/).
rules.add_perm("portal.view_patient_chart", is_in_care_team)
rules.add_perm("portal.change_patient_chart", is_in_care_team)
# Clinic-wide lists (message inbox, urgent flags): nurses and clinicians of the clinic.
rules.add_perm("portal.view_clinic_lists", is_care_team_member)
