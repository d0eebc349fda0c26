"""Polysymptomatic distress (PSD) categories of an FS / PSD score (Wolfe et al. 2015; §4).

Bands on FS = WPI + SS (0-31): 0-3 none, 4-7 mild, 8-11 moderate, 12-19 severe, 20-31 very
severe. By definition fibromyalgia needs PSD >= 12. FS >= 13 (Wolfe 2011) is reported beside it
as a research surrogate. Salaffi et al. 2020 derived other bands for the same scale ("PDS":
remission 0-5, mild 6-15, moderate 16-20, severe 21-25, very severe > 25); the reference keeps
Wolfe 2015 as the default and Salaffi only as a configurable alternative, so it is available
with ``scheme: "salaffi2020"`` and the result names the scheme used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._acr import psd_category
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE, band, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "psd_category"
VERSION = "psd-wolfe2015/scoring-1"
FIELDS = frozenset({"fs", "scheme"})
SALAFFI_BANDS = (
    (5, "remission"),
    (15, "mild"),
    (20, "moderate"),
    (25, "severe"),
    (31, "very_severe"),
)
SCHEMES = {
    "wolfe2015": "0–3 none, 4–7 mild, 8–11 moderate, 12–19 severe, 20–31 very severe",
    "salaffi2020": "0–5 remission, 6–15 mild, 16–20 moderate, 21–25 severe, 26–31 very severe",
}


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Band an FS score."""
    form = Form(ID, answers, FIELDS)
    fs = form.integer("fs", 0, 31)
    scheme = form.choice("scheme", tuple(SCHEMES), "wolfe2015")
    form.finish()
    category = psd_category(fs) if scheme == "wolfe2015" else band(fs, SALAFFI_BANDS)
    steps = (
        f"FS {fs} → PSD category {category.replace('_', ' ')} ({scheme}: {SCHEMES[scheme]})",
        f"FS ≥ 13: {yes_no(fs >= 13)}",
    )
    return ScoreResult(
        ID,
        VERSION,
        {"psd_category": category, "fs_ge_13": fs >= 13, "scheme": scheme},
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Polysymptomatic distress (PSD) categories",
    version="psd-wolfe2015",
    scoring_version="1",
    citation=(
        "Wolfe F, Walitt BT, Rasker JJ, Katz RS, Häuser W. The use of polysymptomatic distress "
        "categories in the evaluation of fibromyalgia (FM) and FM severity. J Rheumatol "
        "2015;42(8):1494-1501."
    ),
    licence=NOT_APPLICABLE,
    recall_window=None,
    kind="derived",
    items=(Item("fs", "fs", "integer", min_value=0, max_value=31),),
    inputs={
        "fs": "FS / PSD score, whole number 0-31 (WPI + SS)",
        "scheme": "optional: wolfe2015 (default) or salaffi2020",
    },
    outputs=("psd_category", "fs_ge_13", "scheme"),
    score_range=ScoreRange("fs", 0, 31),
    scorer=score,
)
