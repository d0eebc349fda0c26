"""Permissions of the portal's staff-side pages, built on the one access rule."""

import rules

from tenderpoint.web.patients.policies import is_care_team_member, is_in_care_team

# The care team's view of a patient's diary, questionnaires and messages (a patient uses /me/).
rules.add_perm("portal.view_patient_chart", is_in_care_team)
rules.add_perm("portal.change_patient_chart", is_in_care_team)
# Clinic-wide lists (message inbox, urgent flags): nurses and clinicians of the clinic.
rules.add_perm("portal.view_clinic_lists", is_care_team_member)
