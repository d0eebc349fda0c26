"""Every published cut-off, at, just under and just over it, asserting which band or flag fired.

The expected bands are written out here from the publications (reference §4, §9, §11), not
imported from the code, so a wrong table or a `<` for `<=` in the code fails a test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tenderpoint.clinical import body, score

# (first value of the band, band code), lowest first: published lower bounds.
PUBLISHED_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    # Kroenke 2001
    "phq9": (
        (0, "none_minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately_severe"),
        (20, "severe"),
    ),
    # Spitzer 2006
    "gad7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
    # Bastien 2001
    "isi": (
        (0, "no_clinically_significant_insomnia"),
        (8, "subthreshold_insomnia"),
        (15, "clinical_insomnia_moderate"),
        (22, "clinical_insomnia_severe"),
    ),
    # Wolfe 2015
    "psd_category": (
        (0, "none"),
        (4, "mild"),
        (8, "moderate"),
        (12, "severe"),
        (20, "very_severe"),
    ),
    # Salaffi 2020 PDS
    "psd_salaffi2020": (
        (0, "remission"),
        (6, "mild"),
        (16, "moderate"),
        (21, "severe"),
        (26, "very_severe"),
    ),
}
ITEMS = {"phq9": (9, 3), "gad7": (7, 3), "isi": (7, 4)}


def _answers(instrument: str, total: int) -> tuple[str, dict[str, Any]]:
    """The simplest answers reaching ``total``: items filled from the first, at most max each."""
    if instrument == "psd_category":
        return instrument, {"fs": total}
    if instrument == "psd_salaffi2020":
        return "psd_category", {"fs": total, "scheme": "salaffi2020"}
    count, top = ITEMS[instrument]
    items = []
    for _ in range(count):
        items.append(min(top, total))
        total -= items[-1]
    return instrument, {"items": items}


def _band_cases() -> list[tuple[str, int, str]]:
    cases = []
    for instrument, bands in PUBLISHED_BANDS.items():
        for (start, code), (_prev_start, prev_code) in zip(bands[1:], bands, strict=False):
            cases += [
                (instrument, start - 1, prev_code),  # just under
                (instrument, start, code),  # at
                (instrument, start + 1, code),  # just over
            ]
    return cases


@pytest.mark.parametrize(("instrument", "value", "band"), _band_cases())
def test_severity_band_at_each_published_bound(instrument: str, value: int, band: str) -> None:
    scorer, answers = _answers(instrument, value)
    outputs = score(scorer, answers).outputs
    assert outputs["severity_band"] == band
    assert outputs.get("total", outputs.get("fs")) == value


@pytest.mark.parametrize("instrument", ["phq9", "gad7"])
@pytest.mark.parametrize(("total", "positive"), [(9, False), (10, True), (11, True)])
def test_screen_positive_at_10(instrument: str, total: int, positive: bool) -> None:
    assert score(*_answers(instrument, total)).outputs["screen_positive"] is positive


@pytest.mark.parametrize(("fs", "met"), [(12, False), (13, True), (14, True)])
def test_fs_research_threshold_at_13_under_both_names(fs: int, met: bool) -> None:
    outputs = score("psd_category", {"fs": fs}).outputs
    assert outputs["fs_research_threshold_met"] is met
    assert outputs["fs_ge_13"] is met


# --- WPI / symptom-severity rule of the 2010, 2011 and 2016 criteria ----------------------

WPI_ORDER = [area.id for area in body.WPI_AREAS]
# Areas spread over the five 2016 regions first, so generalized pain never masks the rule.
SPREAD = [
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "hip_left",
    "hip_right",
    "neck",
    "upper_arm_left",
    "upper_arm_right",
    "lower_arm_left",
]


def _criteria(instrument: str, wpi: int, ss: int) -> dict[str, Any]:
    ratings = [min(3, max(0, ss - 3 * n)) for n in range(3)]
    rest = ss - sum(ratings)
    answers: dict[str, Any] = {
        "wpi_areas": SPREAD[:wpi],
        "fatigue": ratings[0],
        "waking_unrefreshed": ratings[1],
        "cognitive": ratings[2],
    }
    if instrument == "acr2010":
        answers |= {"somatic_symptoms": rest}
    else:
        answers |= {
            "headaches_6mo": rest >= 1,
            "lower_abdominal_pain_or_cramps_6mo": rest >= 2,
            "depression_6mo": rest >= 3,
        }
    if instrument == "acr2016":
        answers["symptoms_generally_present_ge_3_months"] = True
    else:
        answers |= {
            "symptoms_similar_level_ge_3_months": True,
            "other_disorder_explains_pain": False,
        }
    return answers


def _rule(wpi: int, ss: int, lower_band_start: int) -> bool:
    """Written from the papers: WPI >= 7 and SS >= 5, or WPI lower..6 and SS >= 9."""
    return (wpi >= 7 and ss >= 5) or (lower_band_start <= wpi <= 6 and ss >= 9)


@pytest.mark.parametrize(
    ("instrument", "flag", "lower"),
    [
        ("acr2010", "wpi_ss_threshold_met", 3),
        ("acr2011", "wpi_ss_threshold_met", 3),
        ("acr2016", "wpi_sss_threshold_met", 4),
    ],
)
def test_wpi_and_symptom_thresholds_at_every_edge(instrument: str, flag: str, lower: int) -> None:
    for wpi in (lower - 1, lower, lower + 1, 6, 7, 8):
        for ss in (4, 5, 6, 8, 9, 10):
            outputs = score(instrument, _criteria(instrument, wpi, ss)).outputs
            assert outputs["wpi"] == wpi
            assert outputs["sss" if instrument == "acr2016" else "ss"] == ss
            assert outputs[flag] is _rule(wpi, ss, lower), (instrument, wpi, ss)


@pytest.mark.parametrize(("regions", "generalized"), [(3, False), (4, True), (5, True)])
def test_generalized_pain_needs_4_of_5_regions(regions: int, generalized: bool) -> None:
    one_per_region = ["shoulder_girdle_left", "shoulder_girdle_right", "hip_left", "hip_right"]
    areas = [*one_per_region, "neck"][:regions] if regions == 5 else one_per_region[:regions]
    answers = _criteria("acr2016", 0, 9) | {"wpi_areas": areas}
    outputs = score("acr2016", answers).outputs
    assert outputs["region_count"] == regions
    assert outputs["generalized_pain"] is generalized


# --- change thresholds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("follow_up", "category", "moderate", "substantial"),
    [
        (9.1, "none", False, False),  # 9 %
        (9, "minimal", False, False),  # 10 %
        (8.9, "minimal", False, False),  # 11 %
        (7.1, "minimal", False, False),  # 29 %
        (7, "moderate", True, False),  # 30 %
        (6.9, "moderate", True, False),  # 31 %
        (5.1, "moderate", True, False),  # 49 %
        (5, "substantial", True, True),  # 50 %
        (4.9, "substantial", True, True),  # 51 %
    ],
)
def test_immpact_thresholds(
    follow_up: float, category: str, moderate: bool, substantial: bool
) -> None:
    outputs = score("pain_nrs_change", {"baseline": 10, "follow_up": follow_up}).outputs
    assert outputs["immpact_category"] == category
    assert outputs["moderate_improvement_met"] is moderate
    assert outputs["substantial_improvement_met"] is substantial


def _fm30(**changes: float) -> dict[str, float]:
    answers: dict[str, float] = {}
    for domain, top in (("pain", 10), ("function", 30), ("sleep", 10), ("fatigue", 10)):
        answers[f"{domain}_baseline"] = top
        answers[f"{domain}_follow_up"] = top - changes.get(domain, 0) * top / 100
    return answers


@pytest.mark.parametrize(
    ("domain", "threshold_pct"), [("pain", 30), ("function", 10), ("sleep", 30)]
)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_fm30_domain_thresholds(domain: str, threshold_pct: int, offset: int) -> None:
    improvements = {"pain": 30, "function": 10, "sleep": 30} | {domain: threshold_pct + offset}
    outputs = score("fm30_short", _fm30(**improvements)).outputs
    met = offset >= 0
    key = "sleep_or_fatigue_met" if domain == "sleep" else f"{domain}_met"
    assert outputs[f"{domain}_improvement_pct"] == threshold_pct + offset
    assert outputs[key] is met
    assert outputs["responder"] is met


@pytest.mark.parametrize(("follow_up", "met"), [(43.5, False), (43, True), (42.5, True)])
def test_fiqr_mcid_14_percent(follow_up: float, met: bool) -> None:
    outputs = score("fiqr_change", {"baseline": 50, "follow_up": follow_up}).outputs
    assert outputs["mcid_met"] is met


# --- other published cut-offs ----------------------------------------------------------------


@pytest.mark.parametrize(("response", "responder"), [(1, True), (2, True), (3, False)])
def test_pgic_responder_at_much_improved(response: int, responder: bool) -> None:
    assert score("pgic", {"response": response}).outputs["responder"] is responder


ALDRETE_10 = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2}


@pytest.mark.parametrize(("total", "eligible"), [(8, False), (9, True), (10, True)])
def test_aldrete_total_ge_9(total: int, eligible: bool) -> None:
    answers = ALDRETE_10 | {
        "activity": 2 - min(2, 10 - total),
        "circulation": 2 - max(0, 8 - total),
    }
    outputs = score("modified_aldrete", answers).outputs
    assert outputs["total"] == total
    assert outputs["discharge_eligible"] is eligible


@pytest.mark.parametrize(("total", "eligible"), [(7, False), (8, True), (9, True)])
def test_aldrete_total_ge_8_with_respiration_and_spo2_2(total: int, eligible: bool) -> None:
    answers = ALDRETE_10 | {"activity": 1, "circulation": 1 if total < 9 else 2}
    answers["consciousness"] = 2 if total >= 8 else 1
    outputs = score("modified_aldrete", answers | {"rule": "total_ge_8_resp_spo2_2"}).outputs
    assert outputs["total"] == total
    assert outputs["discharge_eligible"] is eligible
