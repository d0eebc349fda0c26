"""ACR 2010 preliminary diagnostic criteria, physician-rated (Wolfe et al. 2010; reference §3).

Met when WPI >= 7 with SS >= 5, or WPI 3-6 with SS >= 9; symptoms at a similar level for >= 3
months; and no other disorder that would otherwise explain the pain. SS = fatigue + waking
unrefreshed + cognitive (0-3 each) + the clinician's 0-3 judgement of somatic symptoms in
general. The paper gives no count-to-score table for the somatic symptom list, so none is
invented: the clinician's 0-3 rating is the input. Always clinician-rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import Instrument, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _acr
from tenderpoint.clinical.instruments._common import OWN_WORDING, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "acr2010"
VERSION = "acr2010/scoring-1"
FIELDS = frozenset(
    {
        "wpi_areas",
        *_acr.SYMPTOMS,
        "somatic_symptoms",
        "symptoms_similar_level_ge_3_months",
        "other_disorder_explains_pain",
        "rater",
    }
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score the 2010 criteria (physician somatic-symptom rating)."""
    form = Form(ID, answers, FIELDS)
    areas = form.ids("wpi_areas", body.WPI_AREA_IDS)
    ratings = {key: form.integer(key, 0, 3) for key in _acr.SYMPTOMS}
    somatic = form.integer("somatic_symptoms", 0, 3)
    duration = form.boolean("symptoms_similar_level_ge_3_months")
    excluded = form.boolean("other_disorder_explains_pain")
    rater = form.choice("rater", ("clinician",), "clinician")
    form.finish()

    wpi = len(areas)
    ss = sum(ratings.values()) + somatic
    threshold_met, threshold_step = _acr.threshold(wpi, ss, 3, "SS")
    meets = threshold_met and duration and not excluded
    steps = (
        _acr.wpi_step(areas),
        _acr.symptom_step("SS", ratings, "somatic symptoms (clinician)", somatic),
        threshold_step,
        f"symptoms at a similar level ≥ 3 months: {yes_no(duration)}",
        f"another disorder explains the pain: {yes_no(excluded)}"
        + (" → excludes (2010 clause)" if excluded else ""),
        f"criteria {'met' if meets else 'not met'}",
        _acr.rater_step(rater),
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "wpi": wpi,
            "ss": ss,
            "fs": wpi + ss,
            "wpi_ss_threshold_met": threshold_met,
            "duration_met": duration,
            "exclusion_applied": excluded,
            "meets_criteria": meets,
            "rater": rater,
            "screening_only": False,
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="ACR 2010 preliminary diagnostic criteria for fibromyalgia (physician-rated)",
    version="acr2010",
    scoring_version="1",
    citation=(
        "Wolfe F, Clauw DJ, Fitzcharles MA, Goldenberg DL, Katz RS, Mease P, Russell AS, "
        "Russell IJ, Winfield JB, Yunus MB. The American College of Rheumatology preliminary "
        "diagnostic criteria for fibromyalgia and measurement of symptom severity. Arthritis "
        "Care Res (Hoboken) 2010;62(5):600-610. doi:10.1002/acr.20140"
    ),
    licence=OWN_WORDING,
    recall_window="past week",
    kind="criteria",
    items=(
        _acr.WPI_ITEM,
        *_acr.SYMPTOM_ITEMS,
        _acr.SOMATIC_ITEM,
        _acr.boolean_item(
            "symptoms_similar_level_ge_3_months",
            "Have the symptoms been present at a similar level for at least 3 months?",
        ),
        _acr.boolean_item(
            "other_disorder_explains_pain",
            "Is there another disorder that would otherwise explain the pain?",
        ),
    ),
    inputs={
        "wpi_areas": "list of WPI area ids, each at most once",
        "fatigue": "0-3",
        "waking_unrefreshed": "0-3",
        "cognitive": "0-3",
        "somatic_symptoms": "0-3 (clinician judgement of somatic symptoms in general)",
        "symptoms_similar_level_ge_3_months": "true/false",
        "other_disorder_explains_pain": "true/false",
        "rater": "optional: clinician (the only rater of the 2010 criteria)",
    },
    outputs=(
        "wpi",
        "ss",
        "fs",
        "wpi_ss_threshold_met",
        "duration_met",
        "exclusion_applied",
        "meets_criteria",
        "rater",
        "screening_only",
    ),
    score_range=ScoreRange("fs", 0, 31),
    scorer=score,
    raters=("clinician",),
)
