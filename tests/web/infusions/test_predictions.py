"""The plan page's population bands: the core's numbers, computed once per plan and model."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache

from tenderpoint.pharmacology import models as pk_models
from tenderpoint.pharmacology import simulate_population
from tenderpoint.web.infusions import predictions
from tenderpoint.web.infusions.services import pk_patient, regimen_of
from tests.web.infusions.helpers import make_prescriber, verified_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):  # type: ignore[no-untyped-def]
    world.patient_record.weight_kg, world.patient_record.height_cm = 70, 168
    world.patient_record.save()
    make_prescriber(world.clinician)
    cache.clear()
    return verified_plan(world.patient_record, world.clinician, world.nurse)


def test_bands_are_the_cores_seeded_population(plan):
    model_id = "domino1984"
    shown = predictions.bands(plan, model_id)
    times = np.arange(0.0, float(plan.result["duration_min"]) + 120.0 + 1e-9, 2.0)
    direct = simulate_population(
        pk_models.get(model_id),
        pk_patient(plan.inputs, plan.patient),
        regimen_of(plan),
        predictions.N_SUBJECTS,
        predictions.SEED,
        times,
    )
    first = shown["rows"][1]  # 15 min
    i = int(np.searchsorted(times, first["t"]))
    assert first["plasma"] == [float(direct.plasma_ng_per_ml[j, i]) for j in range(3)]
    assert shown["n"] == predictions.N_SUBJECTS
    assert shown["svg"].startswith("data:image/svg+xml;base64,")


def test_bands_are_computed_once_per_plan_and_model(plan, monkeypatch):
    calls = []
    real = predictions.simulate_population

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(predictions, "simulate_population", counted)
    first = predictions.bands(plan, "domino1984")
    again = predictions.bands(plan, "domino1984")
    assert len(calls) == 1
    assert again == first
    predictions.bands(plan, "clements1981")  # another model: its own computation
    assert len(calls) == 2
    plan.save()  # a changed plan (new updated_at) is computed afresh
    predictions.bands(plan, "domino1984")
    assert len(calls) == 3
