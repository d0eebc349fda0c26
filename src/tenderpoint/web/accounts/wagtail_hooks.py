"""Wagtail's own user management (/cms/users/) would let a superuser set any person's
password or e-mail; accounts are managed by clinic administrators and the operator admin,
with the recovery flows of docs/security.md. Every create, edit and delete is refused."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from wagtail import hooks


def _refuse(request: Any, user: Any = None) -> None:
    from tenderpoint.web.audit import services as audit
    from tenderpoint.web.audit.choices import Action

    audit.record(
        Action.DENIED,
        request=request,
        object_type="accounts.user",
        object_id=str(getattr(user, "pk", "") or ""),
        detail={"reason": "accounts are not managed in the CMS"},
    )
    raise PermissionDenied("Accounts are managed by clinic administrators, not in the CMS.")


@hooks.register("before_create_user")
def _no_create(request: Any) -> None:
    _refuse(request)


@hooks.register("before_edit_user")
def _no_edit(request: Any, user: Any) -> None:
    _refuse(request, user)


@hooks.register("before_delete_user")
def _no_delete(request: Any, user: Any) -> None:
    _refuse(request, user)
