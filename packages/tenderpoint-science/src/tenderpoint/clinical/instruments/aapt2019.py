"""AAPT 2019 diagnostic criteria for fibromyalgia (Arnold et al. 2019; reference §6).

Met when all three hold: multisite pain in >= 6 of 9 sites; moderate to severe sleep problems or
moderate to severe fatigue; both present for >= 3 months. No severity scale is defined; another
pain disorder does not exclude. The 9-site list is the researcher's recall [R] pending a check
against the paper's table. "Moderate to severe" has no mandated scale, so it is entered as two
yes/no judgements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._acr import boolean_item
from tenderpoint.clinical.instruments._common import OWN_WORDING, RATERS_ANY, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "aapt2019"
VERSION = "aapt2019/scoring-2"
FIELDS = frozenset(
    {
        "pain_sites",
        "moderate_to_severe_sleep_problems",
        "moderate_to_severe_fatigue",
        "duration_ge_3_months",
        "rater",
    }
)
SITE_IDS = frozenset(body.AAPT_SITE_BY_ID)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Apply the three AAPT core criteria."""
    form = Form(ID, answers, FIELDS)
    sites = form.ids("pain_sites", SITE_IDS, kind="AAPT site")
    sleep = form.boolean("moderate_to_severe_sleep_problems")
    fatigue = form.boolean("moderate_to_severe_fatigue")
    duration = form.boolean("duration_ge_3_months")
    rater = form.choice("rater", RATERS_ANY, "clinician")
    form.finish()

    count = len(sites)
    multisite = count >= 6
    sleep_or_fatigue = sleep or fatigue
    meets = multisite and sleep_or_fatigue and duration
    listed = ", ".join(
        body.AAPT_SITE_BY_ID[s].label.lower()
        for s in sorted(sites, key=body.AAPT_ORDER.__getitem__)
    )
    steps = (
        f"{count} of 9 pain sites"
        + (f" ({listed})" if listed else "")
        + f" → multisite pain {'present' if multisite else 'absent'} (needs ≥ 6)",
        f"moderate to severe sleep problems: {yes_no(sleep)}; moderate to severe fatigue: "
        f"{yes_no(fatigue)}",
        f"present ≥ 3 months: {yes_no(duration)}",
        f"criteria {'met' if meets else 'not met'} (other pain disorders do not exclude)",
        "rater: patient — screening only, requires clinician confirmation"
        if rater == "patient"
        else "rater: clinician",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "site_count": count,
            "multisite_pain": multisite,
            "sleep_or_fatigue_met": sleep_or_fatigue,
            "duration_met": duration,
            "meets_criteria": meets,
            "rater": rater,
            "screening_only": rater == "patient",
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="AAPT 2019 diagnostic criteria for fibromyalgia",
    version="aapt2019",
    scoring_version="2",
    citation=(
        "Arnold LM, Bennett RM, Crofford LJ, Dean LE, Clauw DJ, Goldenberg DL, Fitzcharles MA, "
        "Paiva ES, Staud R, Sarzi-Puttini P, Buskila D, Macfarlane GJ. AAPT diagnostic criteria "
        "for fibromyalgia. J Pain 2019;20(6):611-628. doi:10.1016/j.jpain.2018.10.008"
    ),
    licence=OWN_WORDING,
    recall_window="at least the past 3 months",
    kind="criteria",
    items=(
        Item(
            "pain_sites",
            "pain_sites",
            "multi_choice",
            tuple(AnswerOption(s.id, s.label, score=1) for s in body.AAPT_SITES),
            "In which of these sites has there been pain?",
            required=False,
        ),
        boolean_item(
            "moderate_to_severe_sleep_problems", "Are there moderate to severe sleep problems?"
        ),
        boolean_item("moderate_to_severe_fatigue", "Is there moderate to severe fatigue?"),
        boolean_item(
            "duration_ge_3_months",
            "Have the pain and the sleep problems or fatigue been present for ≥ 3 months?",
        ),
    ),
    inputs={
        "pain_sites": "list of the 9 AAPT site ids, each at most once",
        "moderate_to_severe_sleep_problems": "true/false",
        "moderate_to_severe_fatigue": "true/false",
        "duration_ge_3_months": "true/false",
        "rater": "optional: clinician (default) or patient (screening only)",
    },
    outputs=(
        "site_count",
        "multisite_pain",
        "sleep_or_fatigue_met",
        "duration_met",
        "meets_criteria",
        "rater",
        "screening_only",
    ),
    score_range=ScoreRange("site_count", 0, 9),
    scorer=score,
    raters=RATERS_ANY,
)
