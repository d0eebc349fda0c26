"""The reference line: the relief model driven by the doses actually delivered."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from tenderpoint.errors import InvalidInputError
from tenderpoint.outcomes.predicted import DeliveredSession, predicted_relief
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.pd.relief import predict_course
from tenderpoint.pharmacology.regimen import Infusion, Regimen

PATIENT = Patient(weight_kg=70.0, height_cm=170.0, age_years=45.0, sex="female")
UTC = dt.UTC


def _session(day: int, mg: float = 140.0) -> DeliveredSession:
    start = dt.datetime(2026, 3, 1 + day, 15, 0, tzinfo=UTC)
    return DeliveredSession(start, 240.0, mg, "racemic")


def test_identical_sessions_agree_with_the_cores_course_prediction() -> None:
    sessions = [_session(d) for d in range(5)]
    days = [dt.date(2026, 3, 1) + dt.timedelta(days=k) for k in range(40)]
    out = predicted_relief(sessions, PATIENT, 6.0, days, "UTC")
    one = Regimen([Infusion(0.0, 240.0, 140.0 / 240.0)])
    read = np.array([(k * 1440.0 + 20 * 60) - 15 * 60 for k in range(40)])
    ref = predict_course("domino1984", PATIENT, one, [d * 1440.0 for d in range(5)], read)
    assert out.relief_fraction == pytest.approx(np.round(ref.relief_fraction, 4), abs=1e-4)
    assert out.predicted_pain[10] == pytest.approx(6.0 * (1 - ref.relief_fraction[10]), abs=0.01)


def test_no_relief_before_the_first_session_and_more_dose_more_relief() -> None:
    days = [dt.date(2026, 2, 27), dt.date(2026, 2, 28), dt.date(2026, 3, 10)]
    low = predicted_relief([_session(0, 70.0)], PATIENT, 6.0, days, "UTC")
    high = predicted_relief([_session(0, 140.0)], PATIENT, 6.0, days, "UTC")
    assert low.relief_fraction[:2] == (0.0, 0.0)
    assert low.predicted_pain[0] == 6.0
    assert 0 < low.relief_fraction[2] < high.relief_fraction[2] < 1


def test_relief_fades_with_the_models_half_life() -> None:
    days = [dt.date(2026, 3, 20), dt.date(2026, 3, 20) + dt.timedelta(days=40)]
    out = predicted_relief([_session(0)], PATIENT, 6.0, days, "UTC")
    assert out.relief_fraction[1] < out.relief_fraction[0]
    assert not math.isnan(out.predicted_pain[1])
    assert any("extrapolat" in f.lower() for f in out.flags)


@pytest.mark.parametrize(
    ("sessions", "baseline", "field"),
    [
        ([], 6.0, "sessions"),
        (
            [
                DeliveredSession(
                    dt.datetime(2026, 3, 1),  # noqa: DTZ001  (naive on purpose)
                    240.0,
                    100.0,
                    "racemic",
                )
            ],
            6.0,
            "sessions.start",
        ),
        ([_session(0)], 11.0, "baseline_pain"),
        (
            [_session(0), DeliveredSession(_session(1).start, 240.0, 50.0, "esketamine")],
            6.0,
            "sessions.product",
        ),
    ],
)
def test_bad_input_names_the_field(
    sessions: list[DeliveredSession], baseline: float, field: str
) -> None:
    with pytest.raises(InvalidInputError) as err:
        predicted_relief(sessions, PATIENT, baseline, [dt.date(2026, 3, 5)], "UTC")
    assert err.value.field == field
