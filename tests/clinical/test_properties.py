"""Hypothesis properties of the scorers: ranges, monotonicity, order independence, item deltas."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tenderpoint.clinical import body, score

AREAS = [area.id for area in body.WPI_AREAS]
POINTS = [point.id for point in body.TENDER_POINTS]
SITES = [site.id for site in body.AAPT_SITES]

area_sets = st.lists(st.sampled_from(AREAS), unique=True)
rating = st.integers(0, 3)


@st.composite
def acr_answers(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "wpi_areas": draw(area_sets),
        "fatigue": draw(rating),
        "waking_unrefreshed": draw(rating),
        "cognitive": draw(rating),
        "headaches_6mo": draw(st.booleans()),
        "lower_abdominal_pain_or_cramps_6mo": draw(st.booleans()),
        "depression_6mo": draw(st.booleans()),
        "symptoms_generally_present_ge_3_months": draw(st.booleans()),
    }


def as2011(answers: dict[str, Any], excluded: bool = False) -> dict[str, Any]:
    result = dict(answers)
    result["symptoms_similar_level_ge_3_months"] = result.pop(
        "symptoms_generally_present_ge_3_months"
    )
    result["other_disorder_explains_pain"] = excluded
    return result


# --- scores stay in range ---------------------------------------------------------------


@given(acr_answers())
def test_acr2016_outputs_stay_in_range(answers: dict[str, Any]) -> None:
    out = score("acr2016", answers).outputs
    assert 0 <= out["wpi"] <= 19
    assert 0 <= out["sss"] <= 12
    assert out["fs"] == out["wpi"] + out["sss"]
    assert 0 <= out["region_count"] <= 5
    assert out["region_count"] <= out["wpi"]
    assert not out["meets_criteria"] or out["fs"] >= 12  # Wolfe 2015: FM needs PSD >= 12


@given(acr_answers(), st.booleans())
def test_acr2011_fs_never_below_12_when_met(answers: dict[str, Any], excluded: bool) -> None:
    out = score("acr2011", as2011(answers, excluded)).outputs
    assert 0 <= out["fs"] <= 31
    assert not out["meets_criteria"] or out["fs"] >= 12


LIST_INSTRUMENTS = {
    "phq9": (9, 3),
    "gad7": (7, 3),
    "isi": (7, 4),
    "cadss": (23, 4),
    "cadss6": (6, 4),
    "jenkins_sleep_4": (4, 5),
}


@st.composite
def list_answers(draw: st.DrawFn) -> tuple[str, list[int]]:
    instrument = draw(st.sampled_from(sorted(LIST_INSTRUMENTS)))
    count, high = LIST_INSTRUMENTS[instrument]
    return instrument, draw(st.lists(st.integers(0, high), min_size=count, max_size=count))


@given(list_answers())
def test_item_list_totals_stay_in_range(case: tuple[str, list[int]]) -> None:
    instrument, items = case
    count, high = LIST_INSTRUMENTS[instrument]
    total = score(instrument, {"items": items}).outputs["total"]
    assert 0 <= total <= count * high


@st.composite
def fiqr_answers(draw: st.DrawFn) -> dict[str, list[int | None]]:
    answer = st.integers(0, 10)
    function: list[int | None] = list(draw(st.lists(answer, min_size=9, max_size=9)))
    missing = draw(st.one_of(st.none(), st.integers(0, 8)))
    if missing is not None:
        function[missing] = None
    return {
        "function": function,
        "overall": list(draw(st.lists(answer, min_size=2, max_size=2))),
        "symptoms": list(draw(st.lists(answer, min_size=10, max_size=10))),
    }


@given(fiqr_answers())
def test_fiqr_total_stays_in_range(answers: dict[str, list[int | None]]) -> None:
    out = score("fiqr", answers).outputs
    assert out["complete"] is (answers["function"].count(None) == 0)
    assert 0 <= out["function_domain"] <= 30
    assert 0 <= out["overall_domain"] <= 20
    assert 0 <= out["symptom_domain"] <= 50
    assert 0 <= out["total"] <= 100
    assert abs(out["total_display_1dp"] - out["total"]) <= 0.05 + 1e-9


# --- adding a painful area never lowers the WPI -----------------------------------------


@given(acr_answers(), st.sampled_from(AREAS))
def test_adding_a_painful_area_never_lowers_anything(answers: dict[str, Any], area: str) -> None:
    before = score("acr2016", answers).outputs
    grown = {**answers, "wpi_areas": sorted({*answers["wpi_areas"], area})}
    after = score("acr2016", grown).outputs
    added = area not in answers["wpi_areas"]
    assert after["wpi"] == before["wpi"] + added
    assert after["region_count"] >= before["region_count"]
    assert after["meets_criteria"] >= before["meets_criteria"]
    old_before = score("acr2011", as2011(answers)).outputs
    old_after = score("acr2011", as2011(grown)).outputs
    assert old_after["wpi"] == old_before["wpi"] + added
    assert old_after["meets_criteria"] >= old_before["meets_criteria"]


# --- the order of a list never changes a result -----------------------------------------


@given(acr_answers(), st.randoms(use_true_random=False))
def test_area_order_does_not_matter(answers: dict[str, Any], random: Any) -> None:
    shuffled = list(answers["wpi_areas"])
    random.shuffle(shuffled)
    first = score("acr2016", answers)
    second = score("acr2016", {**answers, "wpi_areas": shuffled})
    assert first == second
    assert first.explanation == second.explanation


@given(acr_answers())
def test_explanation_agrees_with_the_outputs(answers: dict[str, Any]) -> None:
    result = score("acr2016", answers)
    out = result.outputs
    text = result.explanation
    assert text.startswith(f"WPI {out['wpi']}")
    assert f"SSS {out['sss']} = " in text
    assert ("→ threshold met" in text) == out["wpi_sss_threshold_met"]
    assert ("criteria met" in text) == out["meets_criteria"]
    assert f"pain in {out['region_count']} of 5 regions" in text


@given(
    st.lists(st.sampled_from(AREAS), unique=True),
    st.lists(st.sampled_from(POINTS), unique=True),
    st.randoms(use_true_random=False),
)
def test_tender_point_order_does_not_matter(
    areas: list[str], points: list[str], random: Any
) -> None:
    answers: dict[str, Any] = {
        "pain_areas": areas,
        "positive_tender_points": points,
        "pain_duration_ge_3_months": True,
    }
    reordered = {**answers, "pain_areas": areas[::-1], "positive_tender_points": points[::-1]}
    random.shuffle(reordered["positive_tender_points"])
    first, second = score("acr1990", answers), score("acr1990", reordered)
    assert first == second
    assert first.explanation == second.explanation


@given(st.lists(st.sampled_from(SITES), unique=True), st.booleans(), st.booleans())
def test_aapt_site_order_does_not_matter(sites: list[str], sleep: bool, tired: bool) -> None:
    base = {
        "moderate_to_severe_sleep_problems": sleep,
        "moderate_to_severe_fatigue": tired,
        "duration_ge_3_months": True,
    }
    forward = score("aapt2019", {**base, "pain_sites": sites})
    backward = score("aapt2019", {**base, "pain_sites": sites[::-1]})
    assert forward == backward
    assert forward.outputs["site_count"] == len(sites)


# --- every item change moves a total by exactly its score -------------------------------


@given(list_answers(), st.data())
def test_item_change_moves_total_by_its_score(case: tuple[str, list[int]], data: Any) -> None:
    instrument, items = case
    count, high = LIST_INSTRUMENTS[instrument]
    position = data.draw(st.integers(0, count - 1))
    new_value = data.draw(st.integers(0, high))
    changed = list(items)
    changed[position] = new_value
    before = score(instrument, {"items": items}).outputs["total"]
    after = score(instrument, {"items": changed}).outputs["total"]
    assert after - before == new_value - items[position]


@given(fiqr_answers(), st.data())
def test_fiqr_item_change_moves_total_by_its_domain_weight(
    answers: dict[str, list[int | None]], data: Any
) -> None:
    domain = data.draw(st.sampled_from(["function", "overall", "symptoms"]))
    values = answers[domain]
    position = data.draw(st.sampled_from([n for n, v in enumerate(values) if v is not None]))
    new_value = data.draw(st.integers(0, 10))
    old_value = values[position]
    assert old_value is not None
    changed = {**answers, domain: [*values[:position], new_value, *values[position + 1 :]]}
    answered = sum(v is not None for v in values)
    # Published weights: function / 3 (prorated x 9/8 with one missing), overall / 1, symptoms / 2.
    weight = {
        "function": Fraction(9, answered * 3),
        "overall": Fraction(1),
        "symptoms": Fraction(1, 2),
    }[domain]
    before = score("fiqr", answers).outputs["total"]
    after = score("fiqr", changed).outputs["total"]
    assert abs((after - before) - float(weight * (new_value - old_value))) < 1e-9


@given(acr_answers(), st.sampled_from(["fatigue", "waking_unrefreshed", "cognitive"]), rating)
def test_symptom_rating_change_moves_sss_by_its_score(
    answers: dict[str, Any], field: str, new_value: int
) -> None:
    before = score("acr2016", answers).outputs
    after = score("acr2016", {**answers, field: new_value}).outputs
    assert after["sss"] - before["sss"] == new_value - answers[field]
    assert after["fs"] - before["fs"] == new_value - answers[field]


@given(
    acr_answers(),
    st.sampled_from(["headaches_6mo", "lower_abdominal_pain_or_cramps_6mo", "depression_6mo"]),
)
def test_six_month_symptom_counts_one(answers: dict[str, Any], field: str) -> None:
    yes = score("acr2016", {**answers, field: True}).outputs
    no = score("acr2016", {**answers, field: False}).outputs
    assert yes["sss"] - no["sss"] == 1


@given(
    st.fixed_dictionaries(
        {
            name: st.integers(0, 2)
            for name in ("activity", "respiration", "circulation", "consciousness", "spo2")
        }
    ),
    st.sampled_from(["activity", "respiration", "circulation", "consciousness", "spo2"]),
    st.integers(0, 2),
)
def test_aldrete_criterion_change_moves_total(
    answers: dict[str, int], field: str, new_value: int
) -> None:
    before = score("modified_aldrete", answers).outputs["total"]
    after = score("modified_aldrete", {**answers, field: new_value}).outputs["total"]
    assert after - before == new_value - answers[field]
    assert 0 <= after <= 10


# --- change scores ------------------------------------------------------------------------


@given(st.integers(1, 100), st.integers(0, 100))
def test_improvement_matches_exact_arithmetic_with_one_sign(baseline: int, follow_up: int) -> None:
    out = score("fiqr_change", {"baseline": baseline, "follow_up": follow_up}).outputs
    exact = Fraction(baseline - follow_up, baseline) * 100
    assert out["improvement"] == baseline - follow_up
    assert type(out["improvement"]) is int
    assert abs(out["improvement_pct"] - float(exact)) <= 0.00005 + 1e-12
    assert (out["improvement"] > 0) == (out["improvement_pct"] > 0)
    assert out["mcid_met"] == (exact >= 14 - Fraction(1, 20000))
