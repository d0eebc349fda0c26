"""Print a personal API bearer token for scripts (audited, expiring, revocable on the web)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenderpoint.web.accounts.models import User
from tenderpoint.web.api import tokens


class Command(BaseCommand):
    help = "Issue a FHIR API bearer token for a user (SMART scope, e.g. user/*.read)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The user's e-mail address.")
        parser.add_argument("--scope", required=True, help="e.g. user/*.read or patient/*.read")
        parser.add_argument("--days", type=int, default=30, help="Lifetime in days (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"--user: no account with the e-mail {options['user']!r}.")
        try:
            token, secret = tokens.do_issue_token(
                user, options["scope"], options["days"], via="command"
            )
        except ValidationError as error:
            problems = "; ".join(f"--{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from None
        self.stderr.write(
            f"Token for {user.email}, scope {token.scope}, "
            f"expires {token.expires:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(secret)
