"""FM30 long composite responder (Arnold et al. 2012; reference §11).

Responder when pain falls >= 30 %, physical function improves >= 10 %, and at least 2 of sleep,
fatigue, depression, anxiety and cognition improve >= 30 %. Domains with a baseline of 0 are
unknown (None) and the composite follows three-valued logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments import _fm30
from tenderpoint.clinical.instruments._change import all3, count_true, words
from tenderpoint.clinical.result import ScoreResult

ID = "fm30_long"
VERSION = "fm30-arnold2012-long/scoring-2"
SECONDARY = ("sleep", "fatigue", "depression", "anxiety", "cognition")
DOMAINS = ("pain", "function", *SECONDARY)
FIELDS = _fm30.fields(DOMAINS)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Apply the FM30 long responder definition."""
    form = Form(ID, answers, FIELDS)
    values = _fm30.read(form, DOMAINS)
    form.finish()
    percents, met, steps = _fm30.improvements(values)
    improved, unknown = count_true(met[d] for d in SECONDARY)
    two_of_five: bool | None
    if improved >= 2:
        two_of_five = True
    elif improved + unknown >= 2:
        two_of_five = None
    else:
        two_of_five = False
    responder = all3((met["pain"], met["function"], two_of_five))
    outputs: dict[str, Any] = {f"{d}_improvement_pct": percents[d] for d in DOMAINS}
    outputs.update(
        {
            "pain_met": met["pain"],
            "function_met": met["function"],
            "secondary_domain_met_count": improved,
            "two_secondary_met": two_of_five,
            "responder": responder,
        }
    )
    steps += [
        f"{improved} of 5 secondary domains improved ≥ 30 % ({unknown} not computable) → "
        f"at least 2: {words(two_of_five)}",
        f"pain and function and 2 of 5 → responder: {words(responder)}",
        _fm30.ADAPTATION,
    ]
    return ScoreResult(ID, VERSION, outputs, tuple(steps))


INSTRUMENT = _fm30.declare(
    id_=ID,
    variant="long",
    domains=DOMAINS,
    composite_outputs=(
        "secondary_domain_met_count",
        "two_secondary_met",
    ),
    scorer=score,
)
