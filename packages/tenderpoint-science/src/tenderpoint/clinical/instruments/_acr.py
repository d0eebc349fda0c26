"""Pieces shared by the ACR 2010, 2011 and 2016 criteria: the WPI, the symptom items, FS/PSD.

One implementation of WPI + SS(S) serves three labels (FS, fibromyalgianess, PSD; reference §4).
Question wording is tenderpoint's own; the 0-3 anchors follow the published definitions.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import AnswerOption, Item
from tenderpoint.clinical.instruments._common import severity

PAST_WEEK = "past week"
SIX_MONTHS = "previous 6 months"

SEVERITY_0_3 = (
    AnswerOption(0, "No problem", score=0),
    AnswerOption(1, "Slight or mild problems: generally mild or intermittent", score=1),
    AnswerOption(
        2, "Moderate: considerable problems, often present and/or at a moderate level", score=2
    ),
    AnswerOption(3, "Severe: pervasive, continuous, life-disturbing problems", score=3),
)
SOMATIC_0_3 = (
    AnswerOption(0, "No symptoms", score=0),
    AnswerOption(1, "Few symptoms", score=1),
    AnswerOption(2, "A moderate number of symptoms", score=2),
    AnswerOption(3, "A great deal of symptoms", score=3),
)
YES_NO = (AnswerOption("true", "Yes", score=1), AnswerOption("false", "No", score=0))

SYMPTOMS = ("fatigue", "waking_unrefreshed", "cognitive")
SYMPTOM_PHRASES = {
    "fatigue": "fatigue",
    "waking_unrefreshed": "waking unrefreshed",
    "cognitive": "cognitive symptoms",
}
SIX_MONTH = ("headaches_6mo", "lower_abdominal_pain_or_cramps_6mo", "depression_6mo")
SIX_MONTH_PHRASES = {
    "headaches_6mo": "headaches",
    "lower_abdominal_pain_or_cramps_6mo": "pain or cramps in the lower abdomen",
    "depression_6mo": "depression",
}

WPI_ITEM = Item(
    id="wpi_areas",
    field="wpi_areas",
    kind="multi_choice",
    options=tuple(AnswerOption(area.id, area.label, score=1) for area in body.WPI_AREAS),
    text="In which of these areas have you had pain over the past week? Tick every area.",
    required=False,
    min_value=0,
    max_value=19,
    recall=PAST_WEEK,
)

SYMPTOM_ITEMS = (
    Item(
        "fatigue",
        "fatigue",
        "choice",
        SEVERITY_0_3,
        "Over the past week, how much of a problem has fatigue (tiredness) been?",
        recall=PAST_WEEK,
    ),
    Item(
        "waking_unrefreshed",
        "waking_unrefreshed",
        "choice",
        SEVERITY_0_3,
        "Over the past week, how much of a problem has waking up unrefreshed been?",
        recall=PAST_WEEK,
    ),
    Item(
        "cognitive",
        "cognitive",
        "choice",
        SEVERITY_0_3,
        "Over the past week, how much of a problem have trouble thinking or remembering been?",
        recall=PAST_WEEK,
    ),
)

SIX_MONTH_ITEMS = tuple(
    Item(
        field,
        field,
        "boolean",
        YES_NO,
        f"During the previous 6 months, have you been bothered by {phrase}?",
        recall=SIX_MONTHS,
    )
    for field, phrase in SIX_MONTH_PHRASES.items()
)

SOMATIC_ITEM = Item(
    "somatic_symptoms",
    "somatic_symptoms",
    "choice",
    SOMATIC_0_3,
    "Clinician: considering somatic symptoms in general (e.g. muscle pain, irritable bowel, "
    "headache, numbness or tingling, dizziness), how many does the patient have?",
)

PSD_BANDS = (
    (3, "none", "none"),
    (7, "mild", "mild"),
    (11, "moderate", "moderate"),
    (19, "severe", "severe"),
    (31, "very_severe", "very severe"),
)
"""Wolfe 2015 polysymptomatic-distress categories on FS = WPI + SS (0-31)."""
FS_RESEARCH_THRESHOLD = 13
"""FS >= 13 (Wolfe 2011): research surrogate for the criteria, never the diagnostic rule."""
PSD_ALIASES = {"psd_category": "severity_band"}
"""Reference §14 keeps ``psd_category``; it repeats ``severity_band``."""
FS_ALIASES = {"fs_ge_13": "fs_research_threshold_met"}


def boolean_item(field: str, text: str) -> Item:
    """A yes/no item answered in its own field."""
    return Item(field, field, "boolean", YES_NO, text)


def psd_bands(fs: int) -> dict[str, str]:
    """Wolfe 2015 PSD band of an FS / PSD score 0-31: ``severity_band`` and its label."""
    return severity(fs, PSD_BANDS)


def wpi_step(areas: Iterable[str], name: str = "WPI") -> str:
    """'WPI 3: neck, left hip, ...' with the areas in form order."""
    ordered = body.in_wpi_order(areas)
    if not ordered:
        return f"{name} 0: no painful areas"
    phrases = ", ".join(body.WPI_AREA_BY_ID[area].phrase for area in ordered)
    return f"{name} {len(ordered)}: {phrases}"


def symptom_step(name: str, ratings: dict[str, int], extra: str, extra_score: int) -> str:
    """'SSS 9 = fatigue 2 + waking unrefreshed 2 + cognitive symptoms 2 + <extra> 3'."""
    parts = " + ".join(f"{SYMPTOM_PHRASES[key]} {ratings[key]}" for key in SYMPTOMS)
    total = sum(ratings.values()) + extra_score
    return f"{name} {total} = {parts} + {extra} {extra_score}"


def six_month_phrase(flags: dict[str, bool]) -> str:
    """'6-month symptoms (headaches, depression)' or '6-month symptoms (none)'."""
    chosen = [SIX_MONTH_PHRASES[key] for key in SIX_MONTH if flags[key]]
    return f"6-month symptoms ({', '.join(chosen) if chosen else 'none'})"


def threshold(wpi: int, ss: int, lower_band_start: int, name: str) -> tuple[bool, str]:
    """The WPI/SS rule: WPI >= 7 and SS >= 5, or WPI lower..6 and SS >= 9 (inclusive)."""
    if wpi >= 7:
        met = ss >= 5
        return met, f"WPI ≥ 7 with {name} {ss} {'≥' if met else '<'} 5 → threshold " + (
            "met" if met else "not met"
        )
    if wpi >= lower_band_start:
        met = ss >= 9
        return met, (
            f"WPI {lower_band_start}–6 with {name} {ss} {'≥' if met else '<'} 9 → threshold "
            + ("met" if met else "not met")
        )
    return False, f"WPI {wpi} < {lower_band_start} → threshold not met"


def rater_step(rater: str) -> str:
    """How the result may be used, given who filled in the form."""
    if rater == "patient":
        return "rater: patient — screening only, requires clinician confirmation"
    return "rater: clinician"
