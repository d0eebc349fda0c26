"""ACR 2016 revised fibromyalgia diagnostic criteria (Wolfe et al. 2016; reference §5).

Met when all hold: generalized pain (pain in >= 4 of the 5 regions; jaw, chest and abdomen do not
count toward any region), symptoms generally present >= 3 months, and WPI >= 7 with SSS >= 5 or
WPI 4-6 with SSS >= 9. Other diagnoses do not exclude fibromyalgia. The self-report version is
valid for research and screening, not for an individual diagnosis, so a patient-rated result is
marked ``screening_only``.
"""

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

ID = "acr2016"
VERSION = "acr2016/scoring-2"
ALIASES = _acr.PSD_ALIASES
FIELDS = frozenset(
    {
        "wpi_areas",
        *_acr.SYMPTOMS,
        *_acr.SIX_MONTH,
        "symptoms_generally_present_ge_3_months",
        "rater",
    }
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score the 2016 criteria from the body map, the SSS items and the duration answer."""
    form = Form(ID, answers, FIELDS)
    areas = form.ids("wpi_areas", body.WPI_AREA_IDS)
    ratings = (
        form.integer("fatigue", 0, 3),
        form.integer("waking_unrefreshed", 0, 3),
        form.integer("cognitive", 0, 3),
    )
    flags = (
        form.boolean("headaches_6mo"),
        form.boolean("lower_abdominal_pain_or_cramps_6mo"),
        form.boolean("depression_6mo"),
    )
    duration = form.boolean("symptoms_generally_present_ge_3_months")
    rater = form.choice("rater", RATERS_ANY, "clinician")
    form.finish()

    wpi = len(areas)
    fatigue, unrefreshed, cognitive = ratings
    six_month = flags[0] + flags[1] + flags[2]
    sss = fatigue + unrefreshed + cognitive + six_month
    regions = body.regions_with_pain(areas)
    generalized = len(regions) >= 4
    # WPI >= 7 with SSS >= 5, or WPI 4-6 with SSS >= 9 (the words: _acr.threshold).
    threshold_met = sss >= 5 if wpi >= 7 else wpi >= 4 and sss >= 9
    meets = threshold_met and generalized and duration
    fs = wpi + sss
    psd = _acr.psd_bands(fs)

    def explain() -> tuple[str, ...]:
        region_words = ", ".join(body.REGION_BY_ID[r].label.lower() for r in regions) or "none"
        return (
            _acr.wpi_step(areas),
            _acr.symptom_step(
                "SSS",
                dict(zip(_acr.SYMPTOMS, ratings, strict=True)),
                _acr.six_month_phrase(dict(zip(_acr.SIX_MONTH, flags, strict=True))),
                six_month,
            ),
            _acr.threshold(wpi, sss, 4, "SSS")[1],
            f"pain in {len(regions)} of 5 regions ({region_words}) → generalized pain "
            f"{'present' if generalized else 'absent'} (needs ≥ 4; jaw, chest and abdomen "
            "do not count)",
            f"symptoms generally present ≥ 3 months: {yes_no(duration)}",
            f"criteria {'met' if meets else 'not met'} (2016: other diagnoses do not exclude)",
            f"FS {fs} = WPI + SSS → PSD category {psd['severity_band_label']} (Wolfe 2015)",
            _acr.rater_step(rater),
        )

    return ScoreResult(
        ID,
        VERSION,
        with_aliases(
            {
                "wpi": wpi,
                "sss": sss,
                "fs": fs,
                "regions_with_pain": regions,
                "region_count": len(regions),
                "generalized_pain": generalized,
                "wpi_sss_threshold_met": threshold_met,
                "duration_met": duration,
                "exclusion_applied": False,
                "meets_criteria": meets,
                **psd,
                "rater": rater,
                "screening_only": rater == "patient",
            },
            ALIASES,
        ),
        explain,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="ACR 2016 revised fibromyalgia diagnostic criteria",
    version="acr2016",
    scoring_version="2",
    citation=(
        "Wolfe F, Clauw DJ, Fitzcharles MA, Goldenberg DL, Häuser W, Katz RL, Mease PJ, "
        "Russell AS, Russell IJ, Walitt B. 2016 Revisions to the 2010/2011 fibromyalgia "
        "diagnostic criteria. Semin Arthritis Rheum 2016;46(3):319-329. "
        "doi:10.1016/j.semarthrit.2016.08.012"
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
            "symptoms_generally_present_ge_3_months",
            "Have these symptoms been generally present for at least 3 months?",
        ),
    ),
    inputs={
        "wpi_areas": "list of WPI area ids (tenderpoint.clinical.body), each at most once",
        "fatigue": "0-3",
        "waking_unrefreshed": "0-3",
        "cognitive": "0-3",
        "headaches_6mo": "true/false",
        "lower_abdominal_pain_or_cramps_6mo": "true/false",
        "depression_6mo": "true/false",
        "symptoms_generally_present_ge_3_months": "true/false",
        "rater": "optional: clinician (default) or patient (screening only)",
    },
    outputs=(
        "wpi",
        "sss",
        "fs",
        "regions_with_pain",
        "region_count",
        "generalized_pain",
        "wpi_sss_threshold_met",
        "duration_met",
        "exclusion_applied",
        "meets_criteria",
        "severity_band",
        "severity_band_label",
        "rater",
        "screening_only",
    ),
    score_range=ScoreRange("fs", 0, 31),
    scorer=score,
    aliases=ALIASES,
    raters=RATERS_ANY,
)
