"""Ketamine dosing, PK/PD simulation, population prediction and target-controlled infusion.

Public entry points (see docs/pharmacology.md):

- ``Patient`` (dosing weights), ``Regimen``/``Infusion``/``Bolus``;
- ``models.get(id)`` / ``models.all()``: published PK models as declarations;
- ``simulate`` (exact closed form) and ``simulate_population`` (percentile bands);
- ``tci.plan``; ``dosing.plan_infusion``; ``contraindications.check``;
- ``pd.acute`` (sigmoid Emax) and ``pd.relief`` (Dahan 2011 slow relief compartment).
"""

from tenderpoint.pharmacology import contraindications, dosing, models, pd, tci
from tenderpoint.pharmacology.patient import DosingWeight, Patient
from tenderpoint.pharmacology.population import PopulationPrediction, simulate_population
from tenderpoint.pharmacology.regimen import Bolus, Infusion, Regimen
from tenderpoint.pharmacology.simulate import (
    ExtrapolationWarning,
    OutOfValidityRangeWarning,
    Simulation,
    simulate,
)

__all__ = [
    "Bolus",
    "DosingWeight",
    "ExtrapolationWarning",
    "Infusion",
    "OutOfValidityRangeWarning",
    "Patient",
    "PopulationPrediction",
    "Regimen",
    "Simulation",
    "contraindications",
    "dosing",
    "models",
    "pd",
    "simulate",
    "simulate_population",
    "tci",
]
