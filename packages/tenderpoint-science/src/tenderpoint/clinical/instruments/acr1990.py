"""ACR 1990 classification criteria: widespread pain and >= 11 of 18 tender points (reference §2).

The literal rule is implemented, not the "three quadrants" paraphrase: pain is widespread when
there is pain on the left side, on the right side, above the waist, below the waist and in the
axial skeleton (cervical spine, anterior chest, thoracic spine or low back); the five conditions
are independent, so left shoulder + right buttock + low back qualifies. Low back pain counts as
below the waist. The abdomen has no 1990 attribute (the paper does not mention it) and is
accepted but not used. A tender point is positive only when palpation at about 4 kg was
*painful*. Classification criteria for research; examiner-rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._acr import WPI_ITEM, boolean_item
from tenderpoint.clinical.instruments._common import OWN_WORDING, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "acr1990"
VERSION = "acr1990/scoring-2"
TENDER_POINTS_NEEDED = 11
FIELDS = frozenset({"pain_areas", "positive_tender_points", "pain_duration_ge_3_months", "rater"})
TENDER_POINT_IDS = frozenset(body.TENDER_POINT_BY_ID)
_LEFT = frozenset(a.id for a in body.WPI_AREAS if a.side_1990 == "left")
_RIGHT = frozenset(a.id for a in body.WPI_AREAS if a.side_1990 == "right")
_ABOVE = frozenset(a.id for a in body.WPI_AREAS if a.segment_1990 == "above")
_BELOW = frozenset(a.id for a in body.WPI_AREAS if a.segment_1990 == "below")
_AXIAL = frozenset(a.id for a in body.WPI_AREAS if a.axial_1990)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Classify by the 1990 criteria; the five widespread-pain components are reported."""
    form = Form(ID, answers, FIELDS)
    areas = form.ids("pain_areas", body.WPI_AREA_IDS)
    points = form.ids("positive_tender_points", TENDER_POINT_IDS, kind="tender point")
    duration = form.boolean("pain_duration_ge_3_months")
    rater = form.choice("rater", ("clinician",), "clinician")
    form.finish()

    components = {
        "left_side_pain": not areas.isdisjoint(_LEFT),
        "right_side_pain": not areas.isdisjoint(_RIGHT),
        "above_waist_pain": not areas.isdisjoint(_ABOVE),
        "below_waist_pain": not areas.isdisjoint(_BELOW),
        "axial_pain": not areas.isdisjoint(_AXIAL),
    }
    widespread = all(components.values())
    count = len(points)
    enough_points = count >= TENDER_POINTS_NEEDED
    meets = widespread and duration and enough_points
    listed = ", ".join(
        body.TENDER_POINT_BY_ID[p].phrase
        for p in sorted(points, key=body.TENDER_POINT_ORDER.__getitem__)
    )
    component_words = ", ".join(
        f"{name.removesuffix('_pain').replace('_', ' ')} {yes_no(flag)}"
        for name, flag in components.items()
    )
    steps = (
        f"pain areas: {', '.join(body.WPI_AREA_BY_ID[a].phrase for a in body.in_wpi_order(areas))}"
        if areas
        else "pain areas: none",
        f"{component_words} → widespread pain {'present' if widespread else 'absent'} "
        "(all five needed)",
        f"pain ≥ 3 months: {yes_no(duration)}",
        f"{count} of 18 tender points painful"
        + (f" ({listed})" if listed else "")
        + f" → {'≥' if enough_points else '<'} {TENDER_POINTS_NEEDED}",
        f"criteria {'met' if meets else 'not met'} (classification criteria; a second disorder "
        "does not exclude)",
        "rater: clinician (examination)",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            **components,
            "widespread_pain": widespread,
            "duration_met": duration,
            "tender_point_count": count,
            "tender_point_threshold_met": enough_points,
            "meets_criteria": meets,
            "rater": rater,
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="ACR 1990 classification criteria for fibromyalgia (tender-point examination)",
    version="acr1990",
    scoring_version="2",
    citation=(
        "Wolfe F, Smythe HA, Yunus MB, Bennett RM, Bombardier C, Goldenberg DL, et al. The "
        "American College of Rheumatology 1990 criteria for the classification of fibromyalgia. "
        "Report of the Multicenter Criteria Committee. Arthritis Rheum 1990;33(2):160-172. "
        "doi:10.1002/art.1780330203"
    ),
    licence=OWN_WORDING,
    recall_window="history of pain for at least 3 months; tender points at examination",
    kind="criteria",
    items=(
        Item(
            "pain_areas",
            "pain_areas",
            "multi_choice",
            WPI_ITEM.options,
            "Where has the patient had pain? (abdomen is recorded but not used in 1990)",
            required=False,
        ),
        Item(
            "positive_tender_points",
            "positive_tender_points",
            "multi_choice",
            tuple(AnswerOption(p.id, p.label, score=1) for p in body.TENDER_POINTS),
            "Which sites were painful (not merely tender) on palpation at about 4 kg?",
            required=False,
        ),
        boolean_item(
            "pain_duration_ge_3_months", "Has the widespread pain been present for ≥ 3 months?"
        ),
    ),
    inputs={
        "pain_areas": "list of WPI area ids (abdomen accepted, not used)",
        "positive_tender_points": "list of tender-point ids <pair>_<side>, each at most once",
        "pain_duration_ge_3_months": "true/false",
        "rater": "optional: clinician (examiner)",
    },
    outputs=(
        "left_side_pain",
        "right_side_pain",
        "above_waist_pain",
        "below_waist_pain",
        "axial_pain",
        "widespread_pain",
        "duration_met",
        "tender_point_count",
        "tender_point_threshold_met",
        "meets_criteria",
        "rater",
    ),
    score_range=ScoreRange("tender_point_count", 0, 18),
    scorer=score,
    raters=("clinician",),
)
