"""Predicted peaks of a plan: the typical patient of each shipped adult model (reference 3.8).

The predicted-peak limit is checked on the typical patient of each shipped adult model with a
distribution phase (Domino, Clements, Hijazi) using total body weight, and the highest
prediction is the one compared with the limit (reference 3.8, 0.2). The limit is applied to the
effect-site peak (ke0 = ln 2/8.3 min, Olofsen 2022); plasma peaks are reported beside it. See
``tenderpoint.pharmacology.dosing.plan`` for why.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from tenderpoint.pharmacology.models import PEAK_CHECK_MODEL_IDS
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Regimen
from tenderpoint.pharmacology.simulate import simulate

_GRID_MIN = 0.1
_TAIL_MIN = 120.0


@dataclass(frozen=True)
class PeakPrediction:
    """Typical-patient peaks per checked model (ng/mL) and the model the limit uses.

    ``validity_reasons`` says where the patient lies outside a checked model's studied range.
    """

    plasma_ng_per_ml: dict[str, float]
    effect_ng_per_ml: dict[str, float]
    peak_model_id: str
    validity_reasons: tuple[str, ...]
    step: str

    @property
    def highest_effect_ng_per_ml(self) -> float:
        """The effect-site peak that is compared with the limit."""
        return self.effect_ng_per_ml[self.peak_model_id]


def _explain(weight_kg: float, plasma: dict[str, float], effect: dict[str, float], top: str) -> str:
    return (
        "Predicted peaks (typical patient, total body weight "
        f"{weight_kg:g} kg), effect site / plasma: "
        + ", ".join(f"{m} {effect[m]:.0f} / {plasma[m]:.0f} ng/mL" for m in effect)
        + f"; the highest effect-site peak ({top}) is checked against the limit. "
        "The effect site uses ke0 = ln 2/8.3 min = 0.0835 /min, Olofsen 2022's S-ketamine value "
        "applied to these racemic models (an extrapolation). Checking the effect site departs "
        "from reference 3.8, which states the limit on plasma Cp: the one-minute plasma spike "
        "of a guideline bolus (Domino) would otherwise refuse every guideline bolus; see "
        "docs/pharmacology.md, decision 1."
    )


def predict_peaks(patient: Patient, regimen: Regimen) -> PeakPrediction:
    """Simulate ``regimen`` on every checked model, on a 0.1-min grid to 120 min after the end."""
    starts, ends, _, bolus_t, _ = regimen.arrays()
    end = regimen.end_min
    grid = np.arange(0.0, end + _TAIL_MIN, _GRID_MIN)
    times = np.union1d(np.concatenate([starts, ends, bolus_t]), grid)
    plasma: dict[str, float] = {}
    effect: dict[str, float] = {}
    reasons: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in PEAK_CHECK_MODEL_IDS:
            sim = simulate(m, patient, regimen, times)
            plasma[m] = sim.peak_plasma_ng_per_ml
            assert sim.effect_ng_per_ml is not None  # noqa: S101  (every checked model has ke0)
            effect[m] = float(sim.effect_ng_per_ml.max())
            reasons += [f"{m}: {r}" for r in sim.validity_reasons]
    top = max(effect, key=lambda m: effect[m])
    step = _explain(patient.weight_kg, plasma, effect, top)
    return PeakPrediction(plasma, effect, top, tuple(reasons), step)
