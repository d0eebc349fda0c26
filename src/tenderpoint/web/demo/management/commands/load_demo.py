"""``tenderpoint manage load_demo``: create the synthetic demo clinic if it is not there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tenderpoint.web.demo.seed import demo_clinic_exists, load_demo_clinic


class Command(BaseCommand):
    help = "Load the synthetic demo clinic (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_clinic_exists():
            self.stdout.write("Demo clinic already loaded; nothing to do.")
            return
        clinic = load_demo_clinic()
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {clinic.name} with {clinic.patients.count()} patients.")
        )
