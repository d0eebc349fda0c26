"""The one result type every scorer returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A scored instrument or criterion: its named outputs and how they were reached.

    ``outputs`` holds JSON-ready values only (bool, int, float, str, None and lists of them)
    keyed by the names of reference §14; ``explanation`` lists the steps in plain words so that
    a clinician can check the result by hand; ``version`` names the instrument version and the
    scoring algorithm version that produced it, to be stored beside the result.
    """

    instrument_id: str
    version: str
    outputs: Mapping[str, Any]
    steps: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """The scoring steps as one sentence-like line, separated by semicolons."""
        return "; ".join(self.steps)

    def as_dict(self) -> dict[str, Any]:
        """A fresh plain dict of the outputs (safe to mutate, ready for JSON)."""
        return dict(self.outputs)
