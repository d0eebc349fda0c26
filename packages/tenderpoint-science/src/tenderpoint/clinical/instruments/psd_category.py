"""Polysymptomatic distress (PSD) categories of an FS / PSD score (Wolfe et al. 2015; §4).

Bands on FS = WPI + SS (0-31): 0-3 none, 4-7 mild, 8-11 moderate, 12-19 severe, 20-31 very severe.
By definition fibromyalgia needs PSD >= 12. FS >= 13 (Wolfe 2011) is reported beside it as a
research surrogate (``fs_research_threshold_met``). Salaffi et al. 2020 derived other bands for the
same scale ("PDS": remission 0-5, mild 6-15, moderate 16-20, severe 21-25, very severe > 25); the
reference keeps Wolfe 2015 as the default and Salaffi only as a configurable alternative, so it is
available with ``scheme: "salaffi2020"``; the result names the scheme used, in ``scheme`` and in
its version (``psd-wolfe2015/...`` or ``psd-salaffi2020/...``). The band is ``severity_band``;
reference §14's ``psd_category`` and ``fs_ge_13`` are kept as aliases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _acr
from tenderpoint.clinical.instruments._common import (
    NOT_APPLICABLE,
    severity,
    with_aliases,
    yes_no,
)
from tenderpoint.clinical.result import ScoreResult

ID = "psd_category"
SCORING_VERSION = "2"
VERSIONS = {
    "wolfe2015": f"psd-wolfe2015/scoring-{SCORING_VERSION}",
    "salaffi2020": f"psd-salaffi2020/scoring-{SCORING_VERSION}",
}
"""The version a result carries names the banding scheme actually used."""
FIELDS = frozenset({"fs", "scheme"})
SALAFFI_BANDS = (
    (5, "remission", "remission"),
    (15, "mild", "mild"),
    (20, "moderate", "moderate"),
    (25, "severe", "severe"),
    (31, "very_severe", "very severe"),
)
ALIASES = {**_acr.PSD_ALIASES, **_acr.FS_ALIASES}
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
    bands = _acr.psd_bands(fs) if scheme == "wolfe2015" else severity(fs, SALAFFI_BANDS)
    research = fs >= _acr.FS_RESEARCH_THRESHOLD
    steps = (
        f"FS {fs} → PSD category {bands['severity_band_label']} ({scheme}: {SCHEMES[scheme]})",
        f"FS ≥ {_acr.FS_RESEARCH_THRESHOLD} (research surrogate): {yes_no(research)}",
    )
    outputs = {"fs": fs, **bands, "fs_research_threshold_met": research, "scheme": scheme}
    return ScoreResult(ID, VERSIONS[scheme], with_aliases(outputs, ALIASES), steps)


INSTRUMENT = Instrument(
    id=ID,
    title="Polysymptomatic distress (PSD) categories",
    version="psd-wolfe2015",
    scoring_version=SCORING_VERSION,
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
    outputs=(
        "fs",
        "severity_band",
        "severity_band_label",
        "fs_research_threshold_met",
        "scheme",
    ),
    score_range=ScoreRange("fs", 0, 31),
    scorer=score,
    aliases=ALIASES,
)
