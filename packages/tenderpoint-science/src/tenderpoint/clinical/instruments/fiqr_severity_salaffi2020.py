"""FIQR severity states of Salaffi et al. 2020 on the continuous total (reference §8).

Published bands: remission 0-23, mild 24-40, moderate 41-63, severe 64-82, very severe > 83,
which leave gaps for a continuous total (e.g. 23.5, 82.5). Following the reference, the bounds
are applied upper-inclusive on the exact total: remission <= 23 < mild <= 40 < moderate <= 63 <
severe <= 82 < very severe. The 2018 Salaffi bands (n = 521) disagree and are not used. The result
echoes the ``total`` it bands (an int stays an int) and names the bands in ``scheme``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.numbers import plain, whole_or_float
from tenderpoint.clinical.result import ScoreResult

ID = "fiqr_severity_salaffi2020"
VERSION = "fiqr-severity-salaffi2020/scoring-2"
FIELDS = frozenset({"total"})
BANDS = (
    (23, "remission", "remission"),
    (40, "mild", "mild"),
    (63, "moderate", "moderate"),
    (82, "severe", "severe"),
    (100, "very_severe", "very severe"),
)
SOURCE = "Salaffi 2020 (n = 2,339), upper-inclusive bounds on the continuous total"


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Severity state of an FIQR total."""
    form = Form(ID, answers, FIELDS)
    total = form.number("total", 0, 100)
    whole = form.is_whole("total")
    form.finish()
    code, label = next((code, label) for upper, code, label in BANDS if total <= upper)
    steps = (
        f"FIQR total {plain(total)} → {label} (≤ 23 remission, ≤ 40 mild, "
        "≤ 63 moderate, ≤ 82 severe, above very severe)",
        f"bands: {SOURCE}",
    )
    outputs = {
        "total": whole_or_float(total, whole=whole),
        "severity_band": code,
        "severity_band_label": label,
        "scheme": "salaffi2020",
    }
    return ScoreResult(ID, VERSION, outputs, steps)


INSTRUMENT = Instrument(
    id=ID,
    title="FIQR severity states (Salaffi 2020)",
    version="fiqr-severity-salaffi2020",
    scoring_version="2",
    citation=(
        "Salaffi F, Di Carlo M, Bazzichi L, et al. Definition of fibromyalgia severity: findings "
        "from a cross-sectional survey of 2339 Italian patients. Rheumatology (Oxford) 2020 "
        "(DOI not verified here)."
    ),
    licence=NOT_APPLICABLE,
    recall_window=None,
    kind="derived",
    items=(Item("total", "total", "decimal", min_value=0, max_value=100),),
    inputs={"total": "FIQR total, number 0-100"},
    outputs=("total", "severity_band", "severity_band_label", "scheme"),
    score_range=ScoreRange("total", 0, 100),
    scorer=score,
)
