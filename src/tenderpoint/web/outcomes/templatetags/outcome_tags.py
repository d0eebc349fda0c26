"""How outcome figures read on a page: window names and changes from baseline in words.

The core names its follow-up windows with identifiers (``week2``, ``post_week1``) that stay
stable in stored results and exports; a clinician reads "Week 2" and "Week 1 after induction".
A percent *reduction* that is negative is a rise in pain, and is written as one.
"""

from __future__ import annotations

import re

from django import template

from tenderpoint.web.outcomes.deidentified import MIN_CELL_PATIENTS

register = template.Library()

_WINDOW = re.compile(r"^(?P<post>post_)?(?P<unit>day|week)(?P<number>\d+)$")


@register.filter
def window_label(name: object) -> str:
    """``week2`` -> "Week 2", ``post_week1`` -> "Week 1 after induction"; others unchanged."""
    text = str(name)
    match = _WINDOW.match(text)
    if match is None:
        return text
    label = f"{match['unit'].capitalize()} {int(match['number'])}"
    return f"{label} after induction" if match["post"] else label


@register.filter
def pain_change(pct_reduction: float | None) -> str:
    """A percent reduction from baseline in words: 17 -> "17 % lower", -33 -> "33 % higher".

    Rounded to whole percent, as the tables show it; a change that rounds to 0 is "no change".
    """
    if pct_reduction is None:
        return "—"
    rounded = round(float(pct_reduction))
    if rounded == 0:
        return "no change"
    return f"{abs(rounded)} % {'lower' if rounded > 0 else 'higher'}"


@register.filter
def small_count(rate: object) -> bool:
    """True when a rate's count, or the rest of its group, is under ``MIN_CELL_PATIENTS``.

    The public page shows neither then: "3 of 20" names a group of 3, and "17 of 20" one of 3
    as well. (The clinic's own dashboard, read by staff who see the records, shows them.)
    """
    if not isinstance(rate, dict):
        return False
    # a durability row counts its events; snapshots stored before it carried "count" too
    count, n = rate.get("count", rate.get("events")), rate.get("n")
    if not isinstance(count, int) or not isinstance(n, int):
        return False
    return count < MIN_CELL_PATIENTS or n - count < MIN_CELL_PATIENTS


@register.filter
def responder_sureness(row: dict[str, object]) -> str:
    """How sure a window's >= 30 % label is, in words: the chance the true drop is at least
    30 % and the 95 % range of the change (``response.responder_evidence``)."""
    prob = row.get("responder_probability")
    if not isinstance(prob, int | float):
        return "—"
    low, high = row.get("pct_reduction_pain_low"), row.get("pct_reduction_pain_high")
    if isinstance(low, int | float) and isinstance(high, int | float):
        span = f"95 % range {pain_change(low)} to {pain_change(high)}"
    else:
        span = "95 % range open (baseline too uncertain)"
    return f"{round(100 * prob)} % chance of a drop of 30 % or more; {span}"
