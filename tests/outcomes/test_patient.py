"""analyse_patient: validation at the entry point and the JSON form of its result."""

import json

import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.patient import analyse_patient

from .helpers import NOW, diary, infusions, patients
from .test_response import BASE


def _frames(baseline_pain: float = 8.0):
    rows = [("a", d, baseline_pain if d == 5 else p) for d, p in BASE]
    rows += [("a", d, 4.0) for d in range(11, 40)]
    return diary(rows), infusions([("a", 10)]), patients(["a"])


@pytest.mark.parametrize(("pain", "ok"), [(10.0, True), (10.01, False), (11.0, False)])
def test_pain_above_ten_in_a_baseline_week_is_an_error_naming_the_field(
    pain: float, ok: bool
) -> None:
    d, i, p = _frames(pain)
    if ok:
        assert analyse_patient("a", d, i, p, now=NOW).baseline["baseline_status"][0] == "ok"
        return
    with pytest.raises(InvalidInputError) as err:
        analyse_patient("a", d, i, p, now=NOW)
    assert err.value.code == "out_of_range"
    assert err.value.field == "pain"
    assert err.value.params["errors"][0]["example"]["pain"] == pain


def test_unknown_patient_and_wrong_types_are_named() -> None:
    d, i, p = _frames()
    with pytest.raises(InvalidInputError) as err:
        analyse_patient("zz", d, i, p, now=NOW)
    assert (err.value.code, err.value.field) == ("unknown_patient", "patient_id")
    with pytest.raises(InvalidInputError) as err:
        analyse_patient("a", d.to_dicts(), i, p, now=NOW)  # type: ignore[arg-type]
    assert err.value.field == "diary"
    with pytest.raises(InvalidInputError) as err:
        analyse_patient("a", d, i, p, now=NOW, relief_rule="tenderpoint-relief/9.9")
    assert (err.value.code, err.value.field) == ("unknown_rule", "relief_rule")


def test_result_has_a_json_form_with_the_rules_used() -> None:
    d, i, p = _frames()
    a = analyse_patient("a", d, i, p, now=NOW)
    plain = json.loads(json.dumps(a.as_dict(), allow_nan=False))
    assert plain["rules"]["relief"] == "tenderpoint-relief/2.4"
    relief = plain["relief"][0]
    assert relief["relief"] is True
    assert relief["rule_version"] == "tenderpoint-relief/2.4"
    assert relief["censor_reason"] == "last_entry"  # relief holds to the end of the diary
    assert plain["forecast"]["status"] in {"ok", "no_relief"}
    old = analyse_patient("a", d, i, p, now=NOW, relief_rule="tenderpoint-relief/1.0")
    assert old.rules["relief"] == "tenderpoint-relief/1.0"
    v20 = analyse_patient("a", d, i, p, now=NOW, relief_rule="tenderpoint-relief/2.0")
    assert v20.relief["rule_version"].to_list() == ["tenderpoint-relief/2.0"]


def test_notebook_display_names_the_patient_rules_and_frames() -> None:
    d, i, p = _frames()
    a = analyse_patient("a", d, i, p, now=NOW)
    assert repr(a).startswith("PatientAnalysis('a', ")
    text = a._repr_html_()
    assert "<caption>Patient a</caption>" in text
    assert "<th>relief</th><td>tenderpoint-relief/2.4</td>" in text
    assert text.count("<table") >= 4  # the rules, then baseline, responses and relief


@pytest.mark.parametrize(
    "rule",
    [
        "tenderpoint-booster-forecast/1.0",
        "tenderpoint-booster-forecast/2.0",
        "tenderpoint-booster-forecast/2.1",
        "tenderpoint-booster-forecast/2.2",
        "tenderpoint-booster-forecast/2.3",
        None,
    ],
)
def test_the_forecast_names_the_rule_that_made_it(rule: str | None) -> None:
    # a stored forecast must say which rule made it (it said 1.0 whatever the rule was)
    expected = rule or "tenderpoint-booster-forecast/2.3"  # the default
    d, i, p = _frames()
    no_course = infusions([("b", 10)])
    for frames in ((d, i, p), (d, no_course.vstack(i), patients(["a", "b"]))):
        a = analyse_patient("a", *frames, now=NOW, forecast_rule=rule)
        assert a.forecast.version == expected
        assert a.rules["forecast"] == expected
        assert a.forecast.model_version.endswith("; " + expected)
    pain_back = diary([("a", d, p) for d, p in BASE] + [("a", d, 8.0) for d in range(11, 40)])
    back = analyse_patient("a", pain_back, i, p, now=NOW, forecast_rule=rule).forecast
    empty = analyse_patient("a", diary([("a", 30, 5.0)]), i, p, now=NOW, forecast_rule=rule)
    assert empty.forecast.status == "insufficient_data"  # no baseline week
    for forecast in (back, empty.forecast):
        assert forecast.version == expected
