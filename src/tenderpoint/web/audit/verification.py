"""Checking the audit chain: every link, every sequence number, and the head."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenderpoint.web.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass
class ChainReport:
    """What ``verify_chain`` found: the events checked and every problem, in order."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute each event's hash and follow the links from the first event to the head."""
    report = ChainReport()
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
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
        previous_hash = event.entry_hash
        expected_sequence = event.sequence + 1

    head = AuditChainHead.objects.filter(pk=1).first()
    last_sequence = head.last_sequence if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_sequence != expected_sequence - 1:
        report.problems.append(
            f"The chain head says #{last_sequence} but the last event found is "
            f"#{expected_sequence - 1}: events at the end are missing."
        )
    elif last_hash != previous_hash:
        report.problems.append("The last event's hash does not match the chain head.")
    return report
