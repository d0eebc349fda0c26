"""The relief model's prediction for one patient's actual sessions: a reference line.

The pharmacology core's Dahan 2011 slow-compartment model (``pharmacology.pd.relief``) is
driven by the doses the patient actually received (each session a constant-rate infusion of its
delivered amount over its charted duration) and read once a day. The predicted pain is the
patient's own baseline times ``1 - relief`` for a responder (Emax 1). The model was fitted in
CRPS-1 with 100-hour infusions, so for fibromyalgia and short outpatient sessions it is an
extrapolation; the one controlled fibromyalgia trial with follow-up (Noppers 2011) found no
sustained effect. The line is a reference to compare the diary against, not an expectation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.pd.relief import DAHAN2011, ReliefModel, predict_course
from tenderpoint.pharmacology.regimen import Infusion, Regimen

PREDICTION_VERSION = "tenderpoint-predicted-relief/1.0"
NOPPERS_2011 = (
    "Noppers I, Niesters M, Swartjes M, et al. Absence of long-term analgesic effect from a "
    "short-term S-ketamine infusion on fibromyalgia pain: a randomized, prospective, double "
    "blind, active placebo-controlled trial. Eur J Pain 2011;15(9):942-949. "
    "doi:10.1016/j.ejpain.2011.03.008"
)
Product = Literal["racemic", "esketamine"]


@dataclass(frozen=True)
class DeliveredSession:
    """One charted session: when it started (UTC), how long it ran and what was delivered."""

    start: dt.datetime
    duration_min: float
    delivered_mg: float
    product: Product


@dataclass(frozen=True)
class PredictedRelief:
    """Relief and predicted pain on each requested day (evaluated at ``read_at_local``)."""

    days: tuple[dt.date, ...]
    relief_fraction: tuple[float, ...]
    predicted_pain: tuple[float, ...]
    baseline_pain: float
    pk_model_id: str
    relief_model_id: str
    relief_model_version: str
    citation: str
    flags: tuple[str, ...]
    version: str = PREDICTION_VERSION

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "days": [d.isoformat() for d in self.days],
            "relief_fraction": list(self.relief_fraction),
            "predicted_pain": list(self.predicted_pain),
            "baseline_pain": self.baseline_pain,
            "pk_model_id": self.pk_model_id,
            "relief_model_id": self.relief_model_id,
            "relief_model_version": self.relief_model_version,
            "citation": self.citation,
            "flags": list(self.flags),
            "version": self.version,
        }


def _check_sessions(sessions: Sequence[DeliveredSession]) -> None:
    if not sessions:
        raise InvalidInputError(
            "A prediction needs at least one delivered session.", field="sessions", code="empty"
        )
    for n, s in enumerate(sessions):
        if s.start.tzinfo is None:
            raise InvalidInputError(
                f"sessions[{n}].start must be timezone-aware (UTC).",
                field="sessions.start",
                code="naive_datetime",
            )
        if s.product != sessions[0].product:
            raise InvalidInputError(
                "All sessions of one prediction must be of one product.",
                field="sessions.product",
                code="mixed_products",
            )


def predicted_relief(
    sessions: Sequence[DeliveredSession],
    patient: Patient,
    baseline_pain: float,
    days: Sequence[dt.date],
    time_zone: str,
    *,
    pk_model: str = "domino1984",
    model: ReliefModel = DAHAN2011,
    read_at_local: dt.time = dt.time(20, 0),
) -> PredictedRelief:
    """Predict relief on each of ``days`` from the sessions actually delivered.

    Each session is a constant-rate infusion of ``delivered_mg`` over ``duration_min``; the
    whole course is one regimen, so the slow compartment is solved exactly across sessions of
    different doses. Days are read at ``read_at_local`` in ``time_zone`` (the evening diary).
    """
    from zoneinfo import ZoneInfo

    _check_sessions(sessions)
    if not 0.0 <= baseline_pain <= 10.0 or not np.isfinite(baseline_pain):
        raise InvalidInputError(
            "baseline_pain must be 0-10.", field="baseline_pain", code="out_of_range"
        )
    origin = min(s.start for s in sessions)
    infusions = [
        Infusion(
            (s.start - origin).total_seconds() / 60.0,
            s.duration_min,
            s.delivered_mg / s.duration_min,
        )
        for s in sessions
        if s.delivered_mg > 0
    ]
    zone = ZoneInfo(time_zone)
    read_min = np.array(
        [
            (dt.datetime.combine(d, read_at_local, tzinfo=zone) - origin).total_seconds() / 60.0
            for d in days
        ]
    )
    relief = np.zeros(len(days))
    flags: tuple[str, ...] = (model.extrapolation_note,)
    after = read_min >= 0
    if infusions and after.any():
        course = Regimen(infusions, product=sessions[0].product)
        prediction = predict_course(pk_model, patient, course, [0.0], read_min[after], model)
        relief[after] = prediction.relief_fraction
        flags = prediction.flags
    pain = baseline_pain * (1.0 - relief)
    return PredictedRelief(
        days=tuple(days),
        relief_fraction=tuple(float(round(r, 4)) for r in relief),
        predicted_pain=tuple(float(round(p, 2)) for p in pain),
        baseline_pain=float(baseline_pain),
        pk_model_id=pk_model,
        relief_model_id=model.model_id,
        relief_model_version=model.version,
        citation=model.citation,
        flags=flags,
    )
