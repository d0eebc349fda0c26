"""``tenderpoint manage load_public_content``: install the starter public site (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenderpoint.web.public.content_loader import ContentError, load_public_content


class Command(BaseCommand):
    help = "Create the public site's pages from the content shipped with tenderpoint, once."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            home = load_public_content()
        except ContentError as exc:
            raise CommandError(f"The shipped content is inconsistent: {exc}") from None
        self.stdout.write(f"Public site ready: {home.get_descendants().live().count() + 1} pages.")
