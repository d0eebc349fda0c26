"""Modified Aldrete post-anaesthesia recovery score (Aldrete 1995; reference §9.11).

Activity, respiration, circulation, consciousness and SpO2, each 0-2, total 0-10. Discharge rules
differ between units, so the rule is chosen per call: ``total_ge_9`` (default, the common rule) or
``total_ge_8_resp_spo2_2`` (total >= 8 with respiration and SpO2 both 2). The level anchors
below are short summaries from the reference; the form wording itself does not ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "modified_aldrete"
VERSION = "aldrete1995/scoring-2"
MAX_POSSIBLE = 10
CRITERIA = {
    "activity": ("Moves 4 extremities", "Moves 2 extremities", "Moves 0 extremities"),
    "respiration": (
        "Breathes deeply and coughs freely",
        "Dyspnoea or limited breathing",
        "Apnoea",
    ),
    "circulation": (
        "BP within ± 20 % of pre-procedure",
        "BP within ± 20-50 % of pre-procedure",
        "BP beyond ± 50 % of pre-procedure",
    ),
    "consciousness": ("Fully awake", "Arousable on calling", "Not responding"),
    "spo2": (
        "SpO2 > 92 % on room air",
        "Needs O2 to keep SpO2 > 90 %",
        "SpO2 < 90 % even with O2",
    ),
}
RULES = ("total_ge_9", "total_ge_8_resp_spo2_2")
FIELDS = frozenset({*CRITERIA, "rule"})


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total and discharge eligibility under the chosen rule."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    values = {name: form.integer(name, 0, 2) for name in CRITERIA}
    rule = form.choice("rule", RULES, "total_ge_9")
    form.finish()
    total = sum(values.values())
    if rule == "total_ge_9":
        eligible = total >= 9
        rule_words = "total ≥ 9"
    else:
        eligible = total >= 8 and values["respiration"] == 2 and values["spo2"] == 2
        rule_words = "total ≥ 8 with respiration 2 and SpO2 2"
    steps = (
        f"total {total} = "
        + " + ".join(f"{k.replace('spo2', 'SpO2')} {v}" for k, v in values.items()),
        f"rule: {rule_words} → discharge eligible: {yes_no(eligible)}",
    )
    outputs = {
        "total": total,
        "max_possible": MAX_POSSIBLE,
        "discharge_eligible": eligible,
        "rule": rule,
        **completeness(),
    }
    return ScoreResult(ID, VERSION, outputs, steps)


INSTRUMENT = Instrument(
    id=ID,
    title="Modified Aldrete score",
    version="aldrete1995",
    scoring_version="2",
    citation=(
        "Aldrete JA. The post-anesthesia recovery score revisited. J Clin Anesth 1995;7(1):89-91."
    ),
    licence=Licence(
        False,
        "Widely reproduced clinical scale, but the reference (§10) says to check the "
        "publisher's terms before shipping its wording: criterion ids and level anchors only.",
    ),
    recall_window="at the time of assessment",
    kind="questionnaire",
    items=tuple(
        Item(
            name,
            name,
            "choice",
            tuple(AnswerOption(2 - n, label, score=2 - n) for n, label in enumerate(labels)),
        )
        for name, labels in CRITERIA.items()
    ),
    inputs={
        **dict.fromkeys(CRITERIA, "0-2"),
        "rule": "optional: total_ge_9 (default) or total_ge_8_resp_spo2_2",
    },
    outputs=("total", "max_possible", "discharge_eligible", "rule", "complete", "missing_items"),
    score_range=ScoreRange("total", 0, 10),
    scorer=score,
)
