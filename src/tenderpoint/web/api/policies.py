"""Who may use the API's session pages (tokens, system clients, CSV exports), on top of the
one access rule (``patients.policies``). The bearer-token FHIR API itself decides per token
(``tenderpoint.web.api.principal`` and ``scopes``).

- every signed-in user manages their own personal tokens (what a token may carry is decided
  when it is issued: ``tokens.allowed_context``);
- the clinic administrator registers system clients, a clinician of the client's clinic
  approves it, either withdraws it;
- the de-identified outcome table goes to the care team and the clinic administrator, the
  identified session and questionnaire tables to the care team only.
"""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.patients.policies import care_team_clinic_id


def _clinic_role(user: Any, clinic_id: int | None) -> str | None:
    """The user's role at the clinic ``clinic_id``, else None (not signed in, inactive,
    no membership, or a member of another clinic)."""
    if clinic_id is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = user.membership
    if membership is None or membership.clinic_id != clinic_id:
        return None
    return str(membership.role)


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def owns_personal_token(user: Any, token: Any) -> bool:
    return (
        token is not None
        and is_signed_in(user)
        and token.user_id == user.pk
        and token.application_id is None
    )


@rules.predicate
def is_care_team_of_clinic(user: Any, clinic: Any) -> bool:
    return clinic is not None and care_team_clinic_id(user) == clinic.pk


@rules.predicate
def is_admin_of_clinic(user: Any, clinic: Any) -> bool:
    return clinic is not None and _clinic_role(user, clinic.pk) == Role.CLINIC_ADMIN


@rules.predicate
def is_clinician_of_clinic(user: Any, clinic: Any) -> bool:
    return clinic is not None and _clinic_role(user, clinic.pk) == Role.CLINICIAN


@rules.predicate
def is_clinician_of_clients_clinic(user: Any, client: Any) -> bool:
    return client is not None and _clinic_role(user, client.clinic_id) == Role.CLINICIAN


@rules.predicate
def is_admin_of_clients_clinic(user: Any, client: Any) -> bool:
    return client is not None and _clinic_role(user, client.clinic_id) == Role.CLINIC_ADMIN


rules.add_perm("api.issue_own_token", is_signed_in)
rules.add_perm("api.revoke_own_token", owns_personal_token)
rules.add_perm("api.list_clients", is_admin_of_clinic | is_clinician_of_clinic)
rules.add_perm("api.approve_client", is_clinician_of_clients_clinic)
rules.add_perm("api.revoke_client", is_clinician_of_clients_clinic | is_admin_of_clients_clinic)
rules.add_perm("api.export_outcomes_csv", is_care_team_of_clinic | is_admin_of_clinic)
rules.add_perm("api.export_identified_csv", is_care_team_of_clinic)
