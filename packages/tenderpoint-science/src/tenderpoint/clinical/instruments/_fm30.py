"""Shared reading of the FM30 composite responder inputs (Arnold et al. 2012; reference §11).

Every domain is entered as a baseline and a follow-up value on a scale where higher is worse:
pain as the weekly mean 0-10 NRS, physical function as the FIQR function domain (0-30), and sleep,
fatigue, depression, anxiety and cognition as 0-10 ratings (NRS items or the matching FIQR
symptom items). Improvement is the percent reduction. This is the platform's adaptation; the
original trials used FIQ and SF-36 measures, and every result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._change import at_least, change_step
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.responder import FM30_OTHER_DOMAIN_PCT, FM30_THRESHOLDS_PCT
from tenderpoint.clinical.result import ScoreResult

RANGES = {
    "pain": 10,
    "function": 30,
    "sleep": 10,
    "fatigue": 10,
    "depression": 10,
    "anxiety": 10,
    "cognition": 10,
}
THRESHOLDS = FM30_THRESHOLDS_PCT
ADAPTATION = (
    "adaptation of Arnold 2012 (pain = weekly mean NRS, function = FIQR function domain, "
    "other domains 0–10 ratings); the original trials used FIQ/SF-36 measures"
)


def fields(domains: tuple[str, ...]) -> frozenset[str]:
    """The input fields of these domains."""
    return frozenset(f"{d}_{when}" for d in domains for when in ("baseline", "follow_up"))


def read(form: Form, domains: tuple[str, ...]) -> dict[str, tuple[Fraction, Fraction]]:
    """Baseline and follow-up of each domain, range-checked."""
    return {
        d: (form.number(f"{d}_baseline", 0, RANGES[d]), form.number(f"{d}_follow_up", 0, RANGES[d]))
        for d in domains
    }


def improvements(
    values: dict[str, tuple[Fraction, Fraction]],
) -> tuple[dict[str, float | None], dict[str, bool | None], list[str]]:
    """Percent improvement per domain, whether it reaches its threshold, and the steps."""
    percents: dict[str, float | None] = {}
    met: dict[str, bool | None] = {}
    steps: list[str] = []
    for domain, (baseline, follow_up) in values.items():
        percent, step = change_step(domain, baseline, follow_up)
        percents[domain] = percent
        threshold = THRESHOLDS.get(domain, FM30_OTHER_DOMAIN_PCT)
        met[domain] = at_least(percent, threshold)
        steps.append(f"{step} (needs ≥ {threshold:g} %)")
    return percents, met, steps


def items(domains: tuple[str, ...]) -> tuple[Item, ...]:
    """Numeric input items of these domains."""
    return tuple(
        Item(f"{d}_{when}", f"{d}_{when}", "decimal", min_value=0, max_value=RANGES[d])
        for d in domains
        for when in ("baseline", "follow_up")
    )


CITATION = (
    "Arnold LM, Williams DA, Hudson JI, et al. Development of responder definitions for "
    "fibromyalgia clinical trials. Arthritis Rheum 2012;64(3):885-894."
)


def declare(
    *,
    id_: str,
    variant: str,
    domains: tuple[str, ...],
    composite_outputs: tuple[str, ...],
    scorer: Callable[[Mapping[str, Any]], ScoreResult],
) -> Instrument:
    """The declaration both FM30 variants share; they differ in domains and composite rule."""
    return Instrument(
        id=id_,
        title=f"FM30 {variant} composite responder definition",
        version=f"fm30-arnold2012-{variant}",
        scoring_version="2",
        citation=CITATION,
        licence=NOT_APPLICABLE,
        recall_window=None,
        kind="derived",
        items=items(domains),
        inputs={
            f"{d}_{w}": f"{d} at {w.replace('_', '-')}, 0-{RANGES[d]} (higher = worse)"
            for d in domains
            for w in ("baseline", "follow_up")
        },
        outputs=(
            *(f"{d}_improvement_pct" for d in domains),
            "pain_met",
            "function_met",
            *composite_outputs,
            "responder",
        ),
        score_range=ScoreRange(f"{domains[0]}_improvement_pct", None, 100),
        scorer=scorer,
    )
