"""Pieces shared by the adult model declarations (validity conventions, ke0 default)."""

from __future__ import annotations

import numpy as np

from tenderpoint.pharmacology.models.base import (
    KE0_OLOFSEN2022_PER_MIN,
    Covariates,
    FloatArray,
    Range,
)

#: The published papers' own covariate ranges were not retrieved for the adult models
#: (reference 1.2); the adult-clinic range of section 3.8 (soft weight limits) is used and
#: labelled as such, rather than inventing study ranges.
ADULT_AGE = Range(18.0, 80.0, "years", "adult clinic convention; study range not retrieved")
ADULT_WEIGHT = Range(
    40.0, 150.0, "kg", "adult clinic soft weight limits (reference 3.8); study range not retrieved"
)


def weight(cov: Covariates) -> FloatArray:
    """Total body weight array (kg)."""
    return np.asarray(cov["weight_kg"], dtype=np.float64)


def ke0(cov: Covariates) -> FloatArray:
    """The default ke0 (Olofsen 2022, 0.0835 1/min), broadcast like the weight."""
    return np.full_like(weight(cov), KE0_OLOFSEN2022_PER_MIN)
