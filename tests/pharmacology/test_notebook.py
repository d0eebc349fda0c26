"""Notebook surface of the pharmacology results: frames, dicts, reprs and Altair charts."""

import json

import numpy as np
import polars as pl
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology import tci
from tenderpoint.pharmacology.dosing import plan_infusion
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.population import simulate_population
from tenderpoint.pharmacology.regimen import Infusion, Regimen
from tenderpoint.pharmacology.simulate import simulate

ADULT = Patient(70.0, 175.0, 40.0, "male")
REGIMEN = Regimen((Infusion(0.0, 40.0, 35.0 / 40.0),))  # 0.5 mg/kg over 40 min
TIMES = np.arange(0.0, 121.0, 10.0)


def test_simulation_frame_dict_and_repr() -> None:
    sim = simulate("domino1984", ADULT, REGIMEN, TIMES)
    frame = sim.to_frame()
    assert frame.columns[:3] == ["time_min", "plasma_ng_per_ml", "effect_ng_per_ml"]
    assert frame["plasma_ng_per_ml"].to_list() == sim.plasma_ng_per_ml.tolist()
    assert frame["central_mg"].to_list() == sim.amounts_mg["central"].tolist()
    data = json.loads(json.dumps(sim.as_dict(), allow_nan=False))
    assert data["model_id"] == "domino1984"
    assert data["effect_ng_per_ml"] == sim.effect_ng_per_ml.tolist()
    assert f"peak plasma {sim.peak_plasma_ng_per_ml:.4g} ng/mL" in repr(sim)
    assert "<th>model</th>" in sim._repr_html_()


def test_simulation_chart_holds_every_curve_point() -> None:
    sim = simulate("domino1984", ADULT, REGIMEN, TIMES)
    spec = sim.chart().to_dict()
    values = spec["data"]["values"]
    assert len(values) == 2 * TIMES.size  # plasma and effect site
    plasma = [v["ng_per_ml"] for v in values if v["curve"] == "plasma"]
    assert plasma == sim.plasma_ng_per_ml.tolist()


def test_population_frame_is_long_and_matches_the_bands() -> None:
    pop = simulate_population("domino1984", ADULT, REGIMEN, 200, 7, TIMES)
    frame = pop.to_frame()
    assert frame.height == 2 * 3 * TIMES.size  # plasma + effect, P5/P50/P95
    p50 = frame.filter((pl.col("output") == "effect") & (pl.col("percentile") == 50.0))
    assert p50["concentration_ng_per_ml"].to_list() == pop.band(50, "effect").tolist()
    assert p50["time_min"].to_list() == TIMES.tolist()
    data = pop.as_dict()
    assert data["n_subjects"] == 200
    assert data["typical"]["plasma_ng_per_ml"] == pop.typical.plasma_ng_per_ml.tolist()
    assert repr(pop).startswith("PopulationPrediction(domino1984")
    assert "n=200" in repr(pop)
    assert "peak plasma P95 (ng/mL)" in pop._repr_html_()


def test_population_chart_band_is_the_outer_percentiles() -> None:
    pop = simulate_population("domino1984", ADULT, REGIMEN, 200, 7, TIMES)
    spec = pop.chart("effect").to_dict()
    band = spec["layer"][0]["data"]["values"]
    assert [row["low"] for row in band] == pop.band(5, "effect").tolist()
    assert [row["high"] for row in band] == pop.band(95, "effect").tolist()
    with pytest.raises(InvalidInputError) as err:
        pop.chart("metabolite")
    assert err.value.field == "output"


def test_infusion_plan_frame_is_the_pump_program() -> None:
    plan = plan_infusion("depression-0.5-over-40", ADULT, vial_mg_per_ml=50, bag_volume_ml=100)
    frame = plan.to_frame()
    assert frame.height == len(plan.segments)
    assert frame["rate_ml_per_h_display"].to_list() == [
        s.rate_ml_per_h_display for s in plan.segments
    ]
    data = json.loads(json.dumps(plan.as_dict(), allow_nan=False))
    assert data["total_dose_mg"] == plan.total_dose_mg == 35.0  # 0.5 mg/kg x 70 kg
    assert data["dosing_weight"]["weight_kg"] == 70.0
    assert "35 mg over 40 min" in repr(plan)
    assert "<caption>Pump program</caption>" in plan._repr_html_()


def test_tci_plan_frame_has_one_row_per_step() -> None:
    plan = tci.plan("domino1984", ADULT, 150.0, 60.0)
    frame = plan.to_frame()
    assert frame.height == plan.step_start_min.size
    assert frame["rate_mg_per_min"].to_list() == plan.rate_mg_per_min.tolist()
    assert frame["cumulative_mg"][0] == 0.0
    assert json.loads(json.dumps(plan.as_dict(), allow_nan=False))["target_ng_per_ml"] == 150.0
    assert "target 150 ng/mL" in repr(plan)
