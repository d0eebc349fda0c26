"""FM30 short composite responder (Arnold et al. 2012; reference §11).

Responder when pain falls >= 30 %, physical function improves >= 10 %, and sleep or fatigue
improves >= 30 %. A domain with a baseline of 0 cannot show a percent change: its result is None
and the composite follows three-valued logic (False if any part is False, None if a needed part
is unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _fm30
from tenderpoint.clinical.instruments._change import all3, any3, words
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.result import ScoreResult

ID = "fm30_short"
VERSION = "fm30-arnold2012-short/scoring-1"
DOMAINS = ("pain", "function", "sleep", "fatigue")
FIELDS = _fm30.fields(DOMAINS)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Apply the FM30 short responder definition."""
    form = Form(ID, answers, FIELDS)
    values = _fm30.read(form, DOMAINS)
    form.finish()
    percents, met, steps = _fm30.improvements(values)
    sleep_or_fatigue = any3((met["sleep"], met["fatigue"]))
    responder = all3((met["pain"], met["function"], sleep_or_fatigue))
    outputs: dict[str, Any] = {f"{d}_improvement_pct": percents[d] for d in DOMAINS}
    outputs.update(
        {
            "pain_met": met["pain"],
            "function_met": met["function"],
            "sleep_or_fatigue_met": sleep_or_fatigue,
            "responder": responder,
        }
    )
    steps += [
        f"sleep or fatigue ≥ 30 %: {words(sleep_or_fatigue)}",
        f"pain and function and (sleep or fatigue) → responder: {words(responder)}",
        _fm30.ADAPTATION,
    ]
    return ScoreResult(ID, VERSION, outputs, tuple(steps))


INSTRUMENT = Instrument(
    id=ID,
    title="FM30 short composite responder definition",
    version="fm30-arnold2012-short",
    scoring_version="1",
    citation=(
        "Arnold LM, Williams DA, Hudson JI, et al. Development of responder definitions for "
        "fibromyalgia clinical trials. Arthritis Rheum 2012;64(3):885-894."
    ),
    licence=NOT_APPLICABLE,
    recall_window=None,
    kind="derived",
    items=_fm30.items(DOMAINS),
    inputs={
        f"{d}_{w}": f"{d} at {w.replace('_', '-')}, 0-{_fm30.RANGES[d]} (higher = worse)"
        for d in DOMAINS
        for w in ("baseline", "follow_up")
    },
    outputs=(
        *(f"{d}_improvement_pct" for d in DOMAINS),
        "pain_met",
        "function_met",
        "sleep_or_fatigue_met",
        "responder",
    ),
    scorer=score,
)
