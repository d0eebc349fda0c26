"""FM30 short composite responder (Arnold et al. 2012; reference §11).

Responder when pain falls >= 30 %, physical function improves >= 10 %, and sleep or fatigue
improves >= 30 %. A domain with a baseline of 0 cannot show a percent change: its result is None
and the composite follows three-valued logic (False if any part is False, None if a needed part
is unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _fm30
from tenderpoint.clinical.instruments._change import all3, any3, words
from tenderpoint.clinical.result import ScoreResult

ID = "fm30_short"
VERSION = "fm30-arnold2012-short/scoring-2"
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


INSTRUMENT = _fm30.declare(
    id_=ID,
    variant="short",
    domains=DOMAINS,
    composite_outputs=("sleep_or_fatigue_met",),
    scorer=score,
)
