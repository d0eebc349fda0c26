"""Registry of published ketamine PK models: one module per model, chosen by id.

>>> from tenderpoint.pharmacology import models
>>> models.get("domino1984").citation.startswith("Domino")
True
"""

from __future__ import annotations

from tenderpoint.errors import UnknownModelError
from tenderpoint.pharmacology.models import (
    clements1981,
    domino1984,
    flint2017,
    herd2007,
    hijazi2003,
    kamp2020,
)
from tenderpoint.pharmacology.models.base import PKModel

DEFAULT_MODEL_ID = "domino1984"
#: The shipped adult models with a distribution phase; dose limits use the highest of them.
PEAK_CHECK_MODEL_IDS = ("domino1984", "clements1981", "hijazi2003")

MODELS: dict[str, PKModel] = {
    m.model_id: m
    for m in (
        domino1984.MODEL,
        clements1981.MODEL,
        hijazi2003.MODEL,
        herd2007.MODEL,
        flint2017.MODEL,
        kamp2020.MODEL,
    )
}


def get(model_id: str) -> PKModel:
    """The model registered under ``model_id``.

    Raises
    ------
    UnknownModelError
        When no model has that id (the error lists the known ids).
    """
    if isinstance(model_id, PKModel):
        return model_id
    try:
        return MODELS[model_id]
    except (KeyError, TypeError):
        raise UnknownModelError(
            f"Unknown model {model_id!r}; known: {', '.join(MODELS)}.",
            field="model",
            params={"model_id": repr(model_id), "known": list(MODELS)},
        ) from None


def all() -> tuple[PKModel, ...]:
    """Every registered model, default first."""
    return tuple(MODELS.values())


__all__ = ["DEFAULT_MODEL_ID", "MODELS", "PEAK_CHECK_MODEL_IDS", "PKModel", "all", "get"]
