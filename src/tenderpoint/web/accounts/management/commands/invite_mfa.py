"""``tenderpoint manage invite_mfa EMAIL``: e-mail an operator (or any account without a
second factor) a one-time, 24-hour link to enrol one. For staff, clinic administrators do
this from the staff page; this command is for operator accounts, which have no clinic."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.core.management.base import BaseCommand, CommandError

from tenderpoint.web.accounts.models import User
from tenderpoint.web.accounts.services import do_send_enrolment_invitation


class Command(BaseCommand):
    help = "E-mail an account without a second factor a one-time link to enrol one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        if is_mfa_enabled(user):
            raise CommandError(
                f"{user.email} has a second factor; a reset needs two clinic administrators."
            )
        do_send_enrolment_invitation(user, user=None, request=None)
        self.stdout.write(f"Sent a 24-hour enrolment link to {user.email}.")
