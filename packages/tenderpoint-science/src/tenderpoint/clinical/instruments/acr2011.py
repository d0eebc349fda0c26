"""ACR 2011 self-report modification of the 2010 criteria, with the FS scale (reference §4).

Met when WPI >= 7 with SS >= 5, or WPI 3-6 with SS >= 9; symptoms at a similar level for >= 3
months; and no other disorder that would otherwise explain the pain. SS replaces the physician's
somatic rating with three 6-month yes/no symptoms. FS = WPI + SS (0-31); FS >= 13 is reported as a
separate research surrogate (``fs_research_threshold_met``, kept as ``fs_ge_13`` for reference
§14), never as the rule; the PSD band is ``severity_band`` (and ``psd_category``). The authors
state the criteria are not for self-diagnosis: a patient-rated result is screening only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import Instrument, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _acr
from tenderpoint.clinical.instruments._common import (
    OWN_WORDING,
    RATERS_ANY,
    with_aliases,
    yes_no,
)
from tenderpoint.clinical.result import ScoreResult

ID = "acr2011"
VERSION = "acr2011/scoring-2"
ALIASES = {**_acr.PSD_ALIASES, **_acr.FS_ALIASES}
FIELDS = frozenset(
    {
        "wpi_areas",
        *_acr.SYMPTOMS,
        *_acr.SIX_MONTH,
        "symptoms_similar_level_ge_3_months",
        "other_disorder_explains_pain",
        "rater",
    }
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score the 2011 criteria and the FS scale."""
    form = Form(ID, answers, FIELDS)
    areas = form.ids("wpi_areas", body.WPI_AREA_IDS)
    ratings = {key: form.integer(key, 0, 3) for key in _acr.SYMPTOMS}
    flags = {key: form.boolean(key) for key in _acr.SIX_MONTH}
    duration = form.boolean("symptoms_similar_level_ge_3_months")
    excluded = form.boolean("other_disorder_explains_pain")
    rater = form.choice("rater", RATERS_ANY, "patient")
    form.finish()

    wpi = len(areas)
    six_month = sum(flags.values())
    ss = sum(ratings.values()) + six_month
    threshold_met, threshold_step = _acr.threshold(wpi, ss, 3, "SS")
    meets = threshold_met and duration and not excluded
    fs = wpi + ss
    research = fs >= _acr.FS_RESEARCH_THRESHOLD
    psd = _acr.psd_bands(fs)
    steps = (
        _acr.wpi_step(areas),
        _acr.symptom_step("SS", ratings, _acr.six_month_phrase(flags), six_month),
        threshold_step,
        f"symptoms at a similar level ≥ 3 months: {yes_no(duration)}",
        f"another disorder explains the pain: {yes_no(excluded)}"
        + (" → excludes (2010/2011 clause)" if excluded else ""),
        f"criteria {'met' if meets else 'not met'}",
        f"FS {fs} = WPI + SS; FS ≥ {_acr.FS_RESEARCH_THRESHOLD}: {yes_no(research)} (research "
        "surrogate, not the rule)",
        f"PSD category {psd['severity_band_label']} (Wolfe 2015)",
        _acr.rater_step(rater),
    )
    return ScoreResult(
        ID,
        VERSION,
        with_aliases(
            {
                "wpi": wpi,
                "ss": ss,
                "fs": fs,
                "fs_research_threshold_met": research,
                **psd,
                "wpi_ss_threshold_met": threshold_met,
                "duration_met": duration,
                "exclusion_applied": excluded,
                "meets_criteria": meets,
                "rater": rater,
                "screening_only": rater == "patient",
            },
            ALIASES,
        ),
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="ACR 2011 modified fibromyalgia criteria (self-report) and FS scale",
    version="acr2011",
    scoring_version="2",
    citation=(
        "Wolfe F, Clauw DJ, Fitzcharles MA, Goldenberg DL, Häuser W, Katz RS, Mease P, "
        "Russell AS, Russell IJ, Winfield JB. Fibromyalgia criteria and severity scales for "
        "clinical and epidemiological studies: a modification of the ACR preliminary diagnostic "
        "criteria for fibromyalgia. J Rheumatol 2011;38(6):1113-1122. doi:10.3899/jrheum.100594"
    ),
    licence=OWN_WORDING,
    recall_window="WPI and symptom ratings: past week; headaches, lower abdominal pain or "
    "cramps, depression: previous 6 months",
    kind="criteria",
    items=(
        _acr.WPI_ITEM,
        *_acr.SYMPTOM_ITEMS,
        *_acr.SIX_MONTH_ITEMS,
        _acr.boolean_item(
            "symptoms_similar_level_ge_3_months",
            "Have these symptoms been present at a similar level for at least 3 months?",
        ),
        _acr.boolean_item(
            "other_disorder_explains_pain",
            "Is there another disorder that would otherwise sufficiently explain the pain?",
        ),
    ),
    inputs={
        "wpi_areas": "list of WPI area ids, each at most once",
        "fatigue": "0-3",
        "waking_unrefreshed": "0-3",
        "cognitive": "0-3",
        "headaches_6mo": "true/false",
        "lower_abdominal_pain_or_cramps_6mo": "true/false",
        "depression_6mo": "true/false",
        "symptoms_similar_level_ge_3_months": "true/false",
        "other_disorder_explains_pain": "true/false",
        "rater": "optional: patient (default; screening only) or clinician",
    },
    outputs=(
        "wpi",
        "ss",
        "fs",
        "fs_research_threshold_met",
        "severity_band",
        "severity_band_label",
        "wpi_ss_threshold_met",
        "duration_met",
        "exclusion_applied",
        "meets_criteria",
        "rater",
        "screening_only",
    ),
    score_range=ScoreRange("fs", 0, 31),
    scorer=score,
    aliases=ALIASES,
    raters=RATERS_ANY,
)
