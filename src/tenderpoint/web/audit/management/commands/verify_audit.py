"""``tenderpoint manage verify_audit``: detect a changed, inserted or missing audit row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenderpoint.web.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero if any row was changed or lost."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit trail verification failed: {len(report.problems)} problem(s) "
                f"in {report.checked} events."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} events."))
