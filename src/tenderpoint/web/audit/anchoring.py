"""Anchoring the audit chain outside the database (issue 13, defect 4).

The hash chain alone shows an edited row, but someone who can write to the database can
rewrite every row from some point on, move the head back, or empty the table, and the chain
is again self-consistent. Two anchors close that, both keyed with ``TENDERPOINT_AUDIT_KEY``,
which lives in the environment and never in the database:

- each event carries ``mac`` = HMAC-SHA256(key, entry_hash): a forged, re-attributed or
  rehashed row cannot be given a valid MAC without the key;
- checkpoints ``(sequence, entry_hash)`` of the head are appended, each with its own HMAC,
  to a file outside the database (``TENDERPOINT_AUDIT_CHECKPOINT_FILE``, make it append-only
  with ``chattr +a`` or ship it to syslog). One is written after every
  ``TENDERPOINT_AUDIT_CHECKPOINT_EVERY``-th event commits, by ``verify_audit --checkpoint``
  (cron), before a backup and after a restore. ``verify_audit`` checks that every
  checkpointed event is still in the database with the same hash, so cutting rows off the
  end, rewriting history or emptying the table fails.

A restore goes back in time on purpose: it appends a ``restore`` checkpoint (the restored
head) that opens a new epoch. Checkpoints from before it are then compared only up to the
restored sequence (the events after it were lost by the restore, which is the point), so a
restore is told apart from a truncation, which has no such keyed line.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

PERIODIC = "periodic"
VERIFIED = "verify"
BACKUP = "backup"
RESTORE = "restore"


def _key() -> bytes:
    return settings.TENDERPOINT_AUDIT_KEY.encode("utf-8")


def event_mac(entry_hash: str) -> str:
    """The keyed MAC of one event (over its entry hash, which covers all its fields and the
    previous event's hash)."""
    return hmac.new(_key(), b"event:" + entry_hash.encode("ascii"), hashlib.sha256).hexdigest()


def checkpoint_file() -> Path:
    return Path(settings.TENDERPOINT_AUDIT_CHECKPOINT_FILE)


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file."""

    sequence: int
    entry_hash: str
    kind: str
    at: str
    mac: str

    def payload(self) -> bytes:
        fields = {"sequence": self.sequence, "entry_hash": self.entry_hash, "kind": self.kind}
        fields["at"] = self.at
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @property
    def authentic(self) -> bool:
        expected = hmac.new(_key(), b"checkpoint:" + self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def line(self) -> str:
        return json.dumps(
            {
                "sequence": self.sequence,
                "entry_hash": self.entry_hash,
                "kind": self.kind,
                "at": self.at,
                "mac": self.mac,
            },
            sort_keys=True,
        )

    def describe(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:16]}… ({self.kind}, {self.at})"


def make_checkpoint(sequence: int, entry_hash: str, kind: str) -> Checkpoint:
    at = datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
    unsigned = Checkpoint(sequence, entry_hash, kind, at, "")
    mac = hmac.new(_key(), b"checkpoint:" + unsigned.payload(), hashlib.sha256).hexdigest()
    return Checkpoint(sequence, entry_hash, kind, at, mac)


def append_checkpoint(
    sequence: int, entry_hash: str, kind: str, path: Path | None = None
) -> Checkpoint:
    """Append one keyed checkpoint line (O_APPEND: concurrent writers never interleave a
    line) and flush it to disk."""
    checkpoint = make_checkpoint(sequence, entry_hash, kind)
    target = path or checkpoint_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return checkpoint


def checkpoint_after_commit(sequence: int, entry_hash: str) -> None:
    """Called once an event's transaction has committed: every N-th event is checkpointed.
    A failure to write is logged as an error, never raised: the change is already saved."""
    if sequence % settings.TENDERPOINT_AUDIT_CHECKPOINT_EVERY:
        return
    try:
        append_checkpoint(sequence, entry_hash, PERIODIC)
    except OSError:
        logger.exception("Could not write the audit checkpoint for event #%s.", sequence)


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in file order, and the problems with lines that are not checkpoints
    (unparsable, or a MAC that does not match: edited or forged)."""
    target = path or checkpoint_file()
    if not target.exists():
        return [], []
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    for number, raw in enumerate(target.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data: dict[str, Any] = json.loads(raw)
            checkpoint = Checkpoint(
                int(data["sequence"]),
                str(data["entry_hash"]),
                str(data["kind"]),
                str(data["at"]),
                str(data["mac"]),
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"Checkpoint line {number} is not a checkpoint.")
            continue
        if not checkpoint.authentic:
            problems.append(
                f"Checkpoint line {number} ({checkpoint.describe()}) does not carry a valid "
                "MAC: it was edited or forged, or TENDERPOINT_AUDIT_KEY changed."
            )
            continue
        checkpoints.append(checkpoint)
    return checkpoints, problems


def binding_checkpoints(checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """The checkpoints the database must still match: each one, unless a later restore went
    back to before it (then the events after the restored sequence were replaced)."""
    binding: list[Checkpoint] = []
    bound: int | None = None
    for checkpoint in reversed(checkpoints):
        if bound is None or checkpoint.sequence <= bound:
            binding.append(checkpoint)
        if checkpoint.kind == RESTORE:
            bound = checkpoint.sequence if bound is None else min(bound, checkpoint.sequence)
    binding.reverse()
    return binding
