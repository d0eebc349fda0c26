"""Checking the audit trail: every link, every sequence number, every keyed MAC, the head,
and the checkpoints kept outside the database (see ``anchoring`` for what each catches)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tenderpoint.web.audit import anchoring
from tenderpoint.web.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass
class ChainReport:
    """What ``verify_chain`` found: the events checked, the checkpoints compared, the last
    checkpoint, and every problem, in order."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)
    checkpoints_compared: int = 0
    last_checkpoint: anchoring.Checkpoint | None = None
    head_sequence: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch_size: int = 5000, checkpoint_path: Path | None = None) -> ChainReport:
    """Recompute each event's hash and MAC, follow the links to the head, then compare the
    database with every binding checkpoint."""
    report = ChainReport()
    hashes_at: dict[int, str] = {}
    checkpoints, problems = anchoring.read_checkpoints(checkpoint_path)
    binding = anchoring.binding_checkpoints(checkpoints)
    wanted = {checkpoint.sequence for checkpoint in binding}
    _walk_events(report, batch_size, wanted, hashes_at)
    _check_head(report)
    report.problems.extend(problems)
    report.last_checkpoint = checkpoints[-1] if checkpoints else None
    _compare_checkpoints(report, binding, hashes_at)
    return report


def _walk_events(
    report: ChainReport, batch_size: int, wanted: set[int], hashes_at: dict[int, str]
) -> None:
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        report.checked += 1
        if event.sequence != expected_sequence:
            report.problems.append(
                f"Events #{expected_sequence}–#{event.sequence - 1} are missing."
                if event.sequence > expected_sequence
                else f"Event #{event.sequence} is out of order."
            )
        if event.previous_hash != previous_hash:
            report.problems.append(f"Event #{event.sequence} does not link to the event before it.")
        if event.compute_hash() != event.entry_hash:
            report.problems.append(f"Event #{event.sequence} was changed after it was written.")
        if not hmac.compare_digest(anchoring.event_mac(event.entry_hash), event.mac):
            report.problems.append(
                f"Event #{event.sequence} has no valid keyed MAC: it was written or rewritten "
                "by something that does not hold TENDERPOINT_AUDIT_KEY."
            )
        if event.sequence in wanted:
            hashes_at[event.sequence] = event.entry_hash
        previous_hash = event.entry_hash
        expected_sequence = event.sequence + 1
    report.head_sequence = expected_sequence - 1
    report.head_hash = previous_hash


def _check_head(report: ChainReport) -> None:
    head = AuditChainHead.objects.filter(pk=1).first()
    last_sequence = head.last_sequence if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_sequence != report.head_sequence:
        report.problems.append(
            f"The chain head says #{last_sequence} but the last event found is "
            f"#{report.head_sequence}: events at the end are missing."
        )
    elif last_hash != report.head_hash:
        report.problems.append("The last event's hash does not match the chain head.")


def _compare_checkpoints(
    report: ChainReport, binding: list[anchoring.Checkpoint], hashes_at: dict[int, str]
) -> None:
    every = settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY
    if not binding and report.head_sequence >= every:
        report.problems.append(
            f"No checkpoint found in {anchoring.checkpoint_file()} although {report.head_sequence} "
            f"events exist (one is written every {every}): the file was removed or replaced."
        )
    for checkpoint in binding:
        report.checkpoints_compared += 1
        found = hashes_at.get(checkpoint.sequence)
        if found is None:
            report.problems.append(
                f"Checkpoint {checkpoint.describe()} names an event that is no longer in the "
                "database: the trail was truncated or emptied."
            )
        elif found != checkpoint.entry_hash:
            report.problems.append(
                f"Checkpoint {checkpoint.describe()} does not match event "
                f"#{checkpoint.sequence}: the trail was rewritten from there or earlier."
            )
