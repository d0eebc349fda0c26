"""Every hard limit of reference section 3.8, for both products, at, just under and just over it.

Each test asserts *which* limit fired (its id in ``DoseLimitError.limit_ids``) and the limit it
was compared with, so a limit that is not halved for esketamine, a ``>`` turned into ``>=``, or
a limit that stopped firing fails here. Esketamine halves every mg/kg, mg and concentration
limit (3.8); the weight gate, bolus duration, final concentration and pump maximum are not
product-specific and are tested to stay the same for both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from tenderpoint.errors import DoseLimitError
from tenderpoint.pharmacology import tci
from tenderpoint.pharmacology.dosing import Limits, plan_infusion
from tenderpoint.pharmacology.patient import Patient

MAN_70 = Patient(70.0, 175.0, 40.0, "male")  # IBW 70.5 kg: dosing weight = 70 kg
PRODUCTS = {"racemic": (1.0, 50.0), "esketamine": (0.5, 25.0)}  # (limit factor, vial mg/mL)


def _crossed(patient: Patient = MAN_70, **kwargs: Any) -> dict[str, dict[str, Any]]:
    """The hard limits an order crosses, by id (empty when the plan is accepted)."""
    try:
        plan_infusion(None, patient, **kwargs)
    except DoseLimitError as error:
        crossed = {f["code"]: f for f in error.crossed}
        if error.limit_ids != tuple(crossed):
            raise AssertionError(error.limit_ids) from error
        return crossed
    return {}


def _tci_crossed(**kwargs: Any) -> dict[str, dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            tci.plan("domino1984", MAN_70, duration_min=30.0, **kwargs)
        except DoseLimitError as error:
            return {f["code"]: f for f in error.crossed}
    return {}


def _direct(product: str, **kwargs: Any) -> dict[str, Any]:
    _, vial = PRODUCTS[product]
    return {"vial_mg_per_ml": vial, "bag_volume_ml": 250, "product": product} | kwargs


# (limit id, racemic limit, halved for esketamine?, order(x, factor) -> plan kwargs and patient,
#  just-under / just-over offsets). ``x`` is the quantity compared with the limit.
Order = Callable[[float, float], tuple[Patient, dict[str, Any]]]


def _rate(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    return MAN_70, {"dose_mg_per_kg_per_h": x, "duration_min": 10, "standard_conc_mg_per_ml": 1}


def _bolus_per_kg(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    return MAN_70, {
        "bolus_mg_per_kg": x,
        "bolus_duration_min": 2,
        "dose_mg_per_kg_per_h": 0.25 * f,
        "duration_min": 60,
        "standard_conc_mg_per_ml": 2,
    }


def _bolus_mg(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    # x = weight (kg); 0.5 mg/kg (0.25 esketamine) x 100 kg = the 50 mg (25 mg) limit.
    return Patient(x, 190.0, 40.0, "male"), {  # IBW 84.0 kg: TBW <= 1.2 x IBW, actual weight
        "bolus_mg_per_kg": 0.5 * f,
        "bolus_duration_min": 2,
        "dose_mg_per_kg_per_h": 0.25 * f,
        "duration_min": 60,
        "standard_conc_mg_per_ml": 2,
    }


def _bolus_duration(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    return MAN_70, {
        "bolus_mg_per_kg": 0.1 * f,
        "bolus_duration_min": x,
        "dose_mg_per_kg_per_h": 0.25 * f,
        "duration_min": 60,
        "standard_conc_mg_per_ml": 2,
    }


def _session_per_kg(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    # x = duration (min) at 1 mg/kg/h (0.5 esketamine): 240 min = 4 mg/kg (2 mg/kg).
    return MAN_70, {
        "dose_mg_per_kg_per_h": 1.0 * f,
        "duration_min": x,
        "standard_conc_mg_per_ml": 2,
    }


def _session_mg(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    # x = weight (kg): 4 mg/kg (2 esketamine) x 100 kg = the 400 mg (200 mg) limit.
    return Patient(x, 190.0, 40.0, "male"), {
        "dose_mg_per_kg_per_h": 1.0 * f,
        "duration_min": 240,
        "standard_conc_mg_per_ml": 2,
    }


def _day(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    # x = mg given in the previous 24 h; the session adds 1 mg/kg (0.5) = 70 mg (35 mg).
    return MAN_70, {
        "dose_mg_per_kg_per_h": 0.5 * f,
        "duration_min": 120,
        "standard_conc_mg_per_ml": 1,
        "prior_24h_mg": x,
    }


def _pump(x: float, f: float) -> tuple[Patient, dict[str, Any]]:
    # x = device maximum (mL/h); the order runs at 35 mL/h (17.5 mL/h esketamine).
    return MAN_70, {
        "dose_mg_per_kg_per_h": 0.5 * f,
        "duration_min": 60,
        "standard_conc_mg_per_ml": 1,
        "device_max_ml_per_h": x,
    }


CASES: list[tuple[str, float, bool, Order, float, float]] = [
    # id, racemic limit, halved, order, at-limit x (racemic), step to just under/over
    ("rate_mg_per_kg_per_h", 2.0, True, _rate, 2.0, 0.01),
    ("bolus_mg_per_kg", 0.5, True, _bolus_per_kg, 0.5, 0.01),
    ("bolus_mg", 50.0, True, _bolus_mg, 100.0, 0.2),
    ("session_mg_per_kg", 4.0, True, _session_per_kg, 240.0, 1.0),
    ("session_mg", 400.0, True, _session_mg, 100.0, 0.2),
    ("day_mg_per_kg", 6.0, True, _day, 350.0, 1.0),
    ("bolus_duration", 1.0, False, _bolus_duration, 1.0, -0.01),
    ("pump_rate", 35.0, False, _pump, 35.0, -0.1),
]


def _at_limit_x(case_id: str, x_racemic: float, f: float) -> float:
    """The order's x at the limit: dose-like quantities scale with the product factor."""
    if case_id in ("rate_mg_per_kg_per_h", "bolus_mg_per_kg", "day_mg_per_kg"):
        return x_racemic * f
    if case_id == "pump_rate":
        return 35.0 * f  # the order's pump rate halves with the esketamine dose
    return x_racemic  # weights, durations


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
@pytest.mark.parametrize(("limit_id", "limit", "halved", "order", "x_at", "step"), CASES)
def test_hard_limit_at_under_and_over(
    product: str,
    limit_id: str,
    limit: float,
    halved: bool,
    order: Order,
    x_at: float,
    step: float,
) -> None:
    f, _ = PRODUCTS[product]
    x = _at_limit_x(limit_id, x_at, f)
    expected_limit = limit * f if halved else limit
    if limit_id == "pump_rate":
        expected_limit = x + step  # the device maximum entered is the limit
    # ``step`` points from the limit towards crossing it (negative for "below" limits).
    for offset, fires in ((-step, False), (0.0, False), (step, True)):
        patient, kwargs = order(x + offset, f)
        crossed = _crossed(patient, **_direct(product, **kwargs))
        assert (limit_id in crossed) is fires, (product, x + offset, crossed)
        if fires:
            assert crossed[limit_id]["limit"] == pytest.approx(expected_limit)
            assert crossed[limit_id]["unit"]


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
def test_weight_gate_is_the_same_for_both_products(product: str) -> None:
    kwargs = _direct(product, dose_mg_per_kg_per_h=0.25, duration_min=60)
    for weight, fires, bound in (
        (29.99, True, 30.0),
        (30.0, False, 30.0),
        (30.01, False, 30.0),
        (249.99, False, 250.0),
        (250.0, False, 250.0),
        (250.01, True, 250.0),
    ):
        patient = Patient(weight, 150.0 if weight < 100 else 200.0, 40.0, "male")
        crossed = _crossed(patient, **kwargs)
        assert ("weight_implausible" in crossed) is fires, weight
        if fires:
            assert crossed["weight_implausible"]["limit"] == bound
            assert crossed["weight_implausible"]["value"] == weight


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
def test_predicted_peak_limit(product: str) -> None:
    """The effect-site peak limit (800 ng/mL, 400 esketamine), other limits overridden."""
    f, _ = PRODUCTS[product]
    overrides = dict.fromkeys(
        ("rate_mg_per_kg_per_h", "delivered_rate_mg_per_kg_per_h", "session_mg_per_kg"),
        "isolating the peak limit in a test",
    )
    base = {"duration_min": 120, "standard_conc_mg_per_ml": 2, "hard_limit_overrides": overrides}
    probe = plan_infusion(None, MAN_70, **_direct(product, dose_mg_per_kg_per_h=1.0 * f, **base))
    peak_per_rate = max(probe.predicted_peak_effect_ng_per_ml.values()) / (1.0 * f)
    limit = 800.0 * f
    for ratio, fires in ((0.998, False), (1.002, True)):
        rate = limit / peak_per_rate * ratio  # the model is linear in the rate
        crossed = _crossed(**_direct(product, dose_mg_per_kg_per_h=rate, **base))
        assert ("predicted_peak" in crossed) is fires, (ratio, crossed)
        if fires:
            assert crossed["predicted_peak"]["limit"] == limit
            assert crossed["predicted_peak"]["value"] == pytest.approx(limit * ratio, rel=1e-9)
    # At the limit exactly: a clinic limit equal to the plan's own peak does not fire (the limit
    # is "above", not "at or above"); the clinic's racemic value is halved for esketamine.
    own_peak = max(probe.predicted_peak_effect_ng_per_ml.values())
    at = replace(
        Limits(), peak_hard_ng_per_ml=own_peak / f, peak_soft_ng_per_ml=min(400.0, own_peak / f)
    )
    kwargs = _direct(product, dose_mg_per_kg_per_h=1.0 * f, limits=at, **base)
    assert "predicted_peak" not in _crossed(**kwargs)
    nudged = _direct(product, dose_mg_per_kg_per_h=1.0 * f * 1.001, limits=at, **base)
    assert _crossed(**nudged)["predicted_peak"]["limit"] == pytest.approx(own_peak)


def test_final_concentration_limit_at_under_and_over() -> None:
    """50 mg/mL for both products; only racemic has a marketed strength above it (100 mg/mL)."""
    for conc, fires in ((49.99, False), (50.0, False), (50.01, True)):
        crossed = _crossed(
            vial_mg_per_ml=100,
            bag_volume_ml=20,
            container="syringe",
            standard_conc_mg_per_ml=conc,
            dose_mg_per_kg_per_h=0.5,
            duration_min=60,
        )
        assert ("final_concentration" in crossed) is fires, conc
        if fires:
            assert crossed["final_concentration"]["limit"] == 50.0
    assert Limits().for_product("esketamine").conc_hard_mg_per_ml == 50.0
    strongest = _crossed(
        **_direct("esketamine", bag_volume_ml=0, container="syringe"),
        dose_mg_per_kg_per_h=0.25,
        duration_min=60,
    )
    assert "final_concentration" not in strongest


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
def test_tci_target_limit(product: str) -> None:
    f, _ = PRODUCTS[product]
    limit = 400.0 * f
    for target, fires in ((limit - 1.0, False), (limit, False), (limit + 1.0, True)):
        crossed = _tci_crossed(target_ng_per_ml=target, product=product)
        assert ("tci_target" in crossed) is fires, (target, crossed)
        if fires:
            assert crossed["tci_target"]["limit"] == limit
            assert crossed["tci_target"]["value"] == target


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
def test_tci_plasma_cap_limit(product: str) -> None:
    """A plasma cap above the hard peak limit (800, 400 esketamine) is refused."""
    f, _ = PRODUCTS[product]
    target = 200.0 * f
    for ratio, fires in ((3.99, False), (4.0, False), (4.01, True)):
        crossed = _tci_crossed(
            target_ng_per_ml=target, site="effect", plasma_cap_ratio=ratio, product=product
        )
        assert ("tci_plasma_cap" in crossed) is fires, (ratio, crossed)
        if fires:
            assert crossed["tci_plasma_cap"]["limit"] == 800.0 * f


@pytest.mark.parametrize("product", ["racemic", "esketamine"])
def test_tci_uncapped_effect_site_is_a_named_hard_limit(product: str) -> None:
    crossed = _tci_crossed(target_ng_per_ml=100.0 * PRODUCTS[product][0], site="effect")
    assert set(crossed) == {"tci_uncapped_effect_site"}


def test_esketamine_session_limit_is_halved_with_the_racemic_order_unchanged() -> None:
    """The mutation the issue found: 3 mg/kg passes racemic (soft) and is refused esketamine."""
    racemic = _crossed(**_direct("racemic", dose_mg_per_kg_per_h=1.0, duration_min=180))
    assert racemic == {}
    eske = _crossed(**_direct("esketamine", dose_mg_per_kg_per_h=1.0, duration_min=180))
    assert "session_mg_per_kg" in eske
    assert eske["session_mg_per_kg"]["limit"] == 2.0
    assert eske["session_mg_per_kg"]["value"] == pytest.approx(3.0)


def test_error_names_every_crossed_limit_with_value_and_limit() -> None:
    with pytest.raises(DoseLimitError) as info:
        plan_infusion(
            None,
            MAN_70,
            vial_mg_per_ml=50,
            bag_volume_ml=250,
            dose_mg_per_kg_per_h=2.5,
            duration_min=240,
        )
    error = info.value
    assert error.field == error.limit_ids[0]
    assert {"rate_mg_per_kg_per_h", "session_mg_per_kg", "day_mg_per_kg"} <= set(error.limit_ids)
    rate = next(c for c in error.crossed if c["code"] == "rate_mg_per_kg_per_h")
    assert (rate["value"], rate["limit"], rate["unit"]) == (2.5, 2.0, "mg/kg/h")
