"""The one result type every scorer returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tenderpoint._display import html_table

Steps = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A scored instrument or criterion: its named outputs and how they were reached.

    ``outputs`` holds JSON-ready values only (bool, int, float, str, None and lists of them)
    keyed by the names of reference §14; ``steps`` / ``explanation`` give the reasoning in plain
    words so that a clinician can check the result by hand; ``version`` names the instrument
    version and the scoring algorithm version that produced it, to be stored beside the result.

    A scorer may pass its steps as a function: the words are then built on first access, so
    bulk scoring (analytics, benchmarks) does not pay for text nobody reads. Equality compares
    the id, version and outputs: the steps are derived from the same inputs.
    """

    instrument_id: str
    version: str
    outputs: Mapping[str, Any]
    explain: Steps | Callable[[], Steps] = field(repr=False, compare=False)
    _steps: Steps | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen all the way down to the mapping: stored results must not change under foot.
        object.__setattr__(self, "outputs", MappingProxyType(dict(self.outputs)))

    @property
    def steps(self) -> Steps:
        """The scoring steps, in order, each a short plain-words sentence."""
        if self._steps is None:
            steps = self.explain if isinstance(self.explain, tuple) else self.explain()
            object.__setattr__(self, "_steps", steps)
            return steps
        return self._steps

    @property
    def explanation(self) -> str:
        """The scoring steps as one line, separated by semicolons."""
        return "; ".join(self.steps)

    def as_dict(self) -> dict[str, Any]:
        """A fresh plain dict of the outputs (safe to mutate, ready for JSON)."""
        return dict(self.outputs)

    def to_frame(self) -> Any:
        """One polars row: ``instrument_id``, ``version`` and every output (lists as lists).

        Stack many with ``polars.concat([r.to_frame() for r in results], how="diagonal")``.
        polars is imported here only: the clinical core itself needs no third-party package.
        """
        import polars as pl

        return pl.DataFrame(
            [{"instrument_id": self.instrument_id, "version": self.version, **self.as_dict()}]
        )

    def _repr_html_(self) -> str:
        """The outputs as a table and the scoring steps below it (Jupyter's rich display)."""
        return html_table(
            f"{self.instrument_id} ({self.version})", self.outputs.items(), self.steps
        )
