"""Contraindication triage (reference 3.6): hard stops, warnings, unanswered questions."""

import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.contraindications import Answers, check

CLEAN = Answers(
    hypersensitivity_to_ketamine=False,
    systolic_bp_mmhg=125,
    diastolic_bp_mmhg=80,
    bp_rise_hazard=False,
    active_psychosis=False,
    pregnant_or_preeclampsia=False,
    hepatic_disease="none",
    untreated_hyperthyroidism=False,
    theophylline_or_aminophylline=False,
)


def test_clean_answers_give_no_findings() -> None:
    triage = check(CLEAN)
    assert triage.findings == ()
    assert not triage.hard_stop


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"hypersensitivity_to_ketamine": True}, "hypersensitivity"),
        ({"systolic_bp_mmhg": 180}, "bp_high"),
        ({"diastolic_bp_mmhg": 100}, "bp_high"),
        ({"bp_rise_hazard": True}, "bp_rise_hazard"),
        ({"active_psychosis": True}, "active_psychosis"),
        ({"pregnant_or_preeclampsia": True}, "pregnancy"),
        ({"hepatic_disease": "severe"}, "hepatic_severe"),
        ({"untreated_hyperthyroidism": True}, "hyperthyroidism"),
        ({"theophylline_or_aminophylline": True}, "theophylline"),
    ],
)
def test_hard_stops(change, code) -> None:
    from dataclasses import replace

    triage = check(replace(CLEAN, **change))
    assert triage.hard_stop
    finding = next(f for f in triage.findings if f.code == code)
    assert finding.severity == "hard_stop"
    assert finding.reason
    assert finding.source


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"systolic_bp_mmhg": 165}, "bp_elevated"),
        ({"diastolic_bp_mmhg": 96}, "bp_elevated"),
        ({"hepatic_disease": "moderate"}, "hepatic_moderate"),
        ({"elevated_icp": True}, "elevated_icp"),
        ({"elevated_iop_glaucoma_or_open_globe": True}, "elevated_iop"),
        ({"substance_use_disorder": "active"}, "substance_use_active"),
        ({"controlled_cardiovascular_disease": True}, "cardiovascular_disease"),
        ({"benzodiazepine_or_opioid": True}, "cns_depressants"),
        ({"stop_bang_score": 3}, "osa_risk"),
        ({"repeated_high_dose_courses": True}, "repeated_courses"),
        ({"sessions_last_14_days": 7}, "lft_prompt"),
    ],
)
def test_warnings(change, code) -> None:
    from dataclasses import replace

    triage = check(replace(CLEAN, **change))
    assert not triage.hard_stop
    assert [f.code for f in triage.warnings] == [code]


def test_unanswered_is_not_clean() -> None:
    triage = check(Answers())
    assert not triage.hard_stop
    assert len(triage.warnings) == 8
    assert all("unanswered" in f.code for f in triage.warnings)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"systolic_bp_mmhg": 500}, "systolic_bp_mmhg"),
        ({"stop_bang_score": 9}, "stop_bang_score"),
        ({"active_psychosis": "yes"}, "active_psychosis"),
        ({"hepatic_disease": "bad"}, "hepatic_disease"),
    ],
)
def test_bad_answers_name_the_field(change, field) -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInputError) as info:
        check(replace(CLEAN, **change))
    assert info.value.field == field


def test_mapping_answers_and_unknown_keys() -> None:
    triage = check({"systolic_bp_mmhg": 185, "diastolic_bp_mmhg": 90})
    assert triage.hard_stop
    assert "bp_high" in {f.code for f in triage.findings}
    with pytest.raises(InvalidInputError) as info:
        check({"systolic": 120})
    assert info.value.field == "systolic"


@pytest.mark.parametrize(
    ("sbp", "dbp", "code"),
    [
        (179.9, 80, "bp_elevated"),
        (180, 80, "bp_high"),
        (180.1, 80, "bp_high"),
        (125, 99.9, "bp_elevated"),
        (125, 100, "bp_high"),
        (125, 100.1, "bp_high"),
        (159.9, 80, None),
        (160, 80, "bp_elevated"),
        (125, 94.9, None),
        (125, 95, "bp_elevated"),
    ],
)
def test_blood_pressure_cut_offs_at_under_and_over(sbp, dbp, code) -> None:
    """Reference 3.6/3.8: >= 180/100 mmHg a hard stop, 160-179 / 95-99 a warning."""
    from dataclasses import replace

    findings = check(replace(CLEAN, systolic_bp_mmhg=sbp, diastolic_bp_mmhg=dbp)).findings
    assert [f.code for f in findings] == ([code] if code else [])
    if code == "bp_high":
        assert findings[0].severity == "hard_stop"
