"""``tenderpoint manage sync_site_url``: make canonical links, og:url and the sitemap use
TENDERPOINT_BASE_URL (``serve`` and ``demo`` run it at start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tenderpoint.web.public.services import sync_site_with_base_url


class Command(BaseCommand):
    help = "Point the public site's canonical address at TENDERPOINT_BASE_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = sync_site_with_base_url(settings.WAGTAILADMIN_BASE_URL)
        if options["verbosity"]:
            self.stdout.write(f"Public site address: {host} port {port}.")
