"""``tenderpoint manage verify_audit``: detect a changed, inserted, missing or rewritten audit
row, and compare the trail with its checkpoints outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenderpoint.web.audit import anchoring
from tenderpoint.web.audit.verification import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain, keyed MACs and checkpoints; exits non-zero if "
        "any row was changed, lost or rewritten."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="After a successful check, append a checkpoint of the head (run it from cron).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.last_checkpoint is not None:
            self.stdout.write(f"Last checkpoint: {report.last_checkpoint.describe()}")
        else:
            self.stdout.write(f"No checkpoints yet in {anchoring.checkpoint_file()}.")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit trail verification failed: {len(report.problems)} problem(s) "
                f"in {report.checked} events."
            )
        if options["checkpoint"] and report.head_sequence:
            written = anchoring.append_checkpoint(
                report.head_sequence, report.head_hash, anchoring.VERIFIED
            )
            self.stdout.write(f"Checkpoint written: {written.describe()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {report.checked} events, "
                f"{report.checkpoints_compared} checkpoint(s) compared."
            )
        )
