"""Shared reading of the FM30 composite responder inputs (Arnold et al. 2012; reference §11).

Every domain is entered as a baseline and a follow-up value on a scale where higher is worse:
pain as the weekly mean 0-10 NRS, physical function as the FIQR function domain (0-30), and sleep,
fatigue, depression, anxiety and cognition as 0-10 ratings (NRS items or the matching FIQR
symptom items). Improvement is the percent reduction. This is the platform's adaptation; the
original trials used FIQ and SF-36 measures, and every result says so.
"""

from __future__ import annotations

from fractions import Fraction

from tenderpoint.clinical.definition import Item
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._change import at_least, change_step
from tenderpoint.clinical.responder import FM30_OTHER_DOMAIN_PCT, FM30_THRESHOLDS_PCT

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
