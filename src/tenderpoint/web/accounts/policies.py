"""Who may manage a clinic: its clinic administrators."""

from __future__ import annotations

from typing import Any

import rules

from tenderpoint.web.accounts.choices import Role


@rules.predicate
def is_clinic_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.CLINIC_ADMIN)


rules.add_perm("accounts.manage_clinic", is_clinic_admin)
