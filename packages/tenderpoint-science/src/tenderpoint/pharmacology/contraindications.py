"""Contraindication triage before a ketamine infusion (reference section 3.6).

Structured answers in, findings out: each finding is a *hard stop* (the calculator refuses;
only a physician may override, with a reason, audited by the web layer) or a *warning* (must be
acknowledged), with its reason and source. An unanswered hard-stop question is itself a warning
("not answered"), so a blank form never looks like a clean one.

Decisions: the 3.6 table lists BP >= 180/100 as a hard stop and 160-179 / 95-99 as a warning
(the 3.8 table agrees). "Sessions > 6 in 14 days" (3.8) is added as an LFT prompt warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float

Severity = Literal["hard_stop", "warning"]
Hepatic = Literal["none", "mild", "moderate", "severe"]
SubstanceUse = Literal["none", "past", "active"]
VERSION = "contraindications/1.0"

LABEL_US = "Ketalar (ketamine hydrochloride injection) US prescribing information"
LABEL_CH = "Swiss ketamine product information (oddb.org)"
GUIDELINE = (
    "Cohen SP, et al. Consensus guidelines on the use of intravenous ketamine infusions "
    "for chronic pain. Reg Anesth Pain Med 2018;43:521-546. "
    "doi:10.1097/AAP.0000000000000808"
)
PROPOSAL = "tenderpoint reference pharmacology.md section 3.6/3.8 proposal [P]"


@dataclass(frozen=True)
class Answers:
    """Structured pre-infusion answers; ``None`` means not answered."""

    hypersensitivity_to_ketamine: bool | None = None
    systolic_bp_mmhg: float | None = None
    diastolic_bp_mmhg: float | None = None
    bp_rise_hazard: bool | None = None  # recent stroke, aneurysm, unstable angina, recent MI
    active_psychosis: bool | None = None
    pregnant_or_preeclampsia: bool | None = None
    hepatic_disease: Hepatic | None = None
    untreated_hyperthyroidism: bool | None = None
    theophylline_or_aminophylline: bool | None = None
    elevated_icp: bool | None = None
    elevated_iop_glaucoma_or_open_globe: bool | None = None
    substance_use_disorder: SubstanceUse | None = None
    controlled_cardiovascular_disease: bool | None = None
    benzodiazepine_or_opioid: bool | None = None
    stop_bang_score: int | None = None
    repeated_high_dose_courses: bool | None = None
    sessions_last_14_days: int | None = None


@dataclass(frozen=True)
class Finding:
    """One triage result with its reason and source."""

    code: str
    severity: Severity
    reason: str
    source: str


@dataclass(frozen=True)
class Triage:
    """All findings; ``hard_stop`` is True when any finding is a hard stop."""

    findings: tuple[Finding, ...]
    version: str = VERSION

    @property
    def hard_stop(self) -> bool:
        """Whether the calculator must refuse."""
        return any(f.severity == "hard_stop" for f in self.findings)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings that need acknowledgement."""
        return tuple(f for f in self.findings if f.severity == "warning")


_HARD_BOOLEANS = (
    (
        "hypersensitivity_to_ketamine",
        "hypersensitivity",
        "Known hypersensitivity to ketamine.",
        "Ketamine labels",
    ),
    (
        "bp_rise_hazard",
        "bp_rise_hazard",
        "A condition where a rise in blood pressure is a serious hazard (recent stroke, aneurysm, "
        "unstable angina or recent myocardial infarction).",
        LABEL_US,
    ),
    (
        "active_psychosis",
        "active_psychosis",
        "Active psychosis or schizophrenia.",
        GUIDELINE + " (relative, grade B); older labels list it as a contraindication",
    ),
    (
        "pregnant_or_preeclampsia",
        "pregnancy",
        "Pregnancy, pre-eclampsia or eclampsia.",
        GUIDELINE + " (relative); " + LABEL_CH,
    ),
    ("untreated_hyperthyroidism", "hyperthyroidism", "Untreated hyperthyroidism.", LABEL_CH),
    (
        "theophylline_or_aminophylline",
        "theophylline",
        "Co-administration of theophylline or aminophylline (lowers the seizure threshold).",
        LABEL_US,
    ),
)
_WARN_BOOLEANS = (
    ("elevated_icp", "elevated_icp", "Elevated intracranial pressure.", GUIDELINE + " (C)"),
    (
        "elevated_iop_glaucoma_or_open_globe",
        "elevated_iop",
        "Elevated intra-ocular pressure, glaucoma or open globe injury.",
        GUIDELINE + " (C)",
    ),
    (
        "controlled_cardiovascular_disease",
        "cardiovascular_disease",
        "Controlled cardiovascular disease.",
        PROPOSAL,
    ),
    (
        "benzodiazepine_or_opioid",
        "cns_depressants",
        "Benzodiazepine or opioid co-medication: profound sedation and respiratory depression "
        "possible; use capnography.",
        LABEL_US,
    ),
    (
        "repeated_high_dose_courses",
        "repeated_courses",
        "Repeated high-dose courses: check liver function tests and screen for urinary symptoms.",
        GUIDELINE + "; " + LABEL_US,
    ),
)


def check(answers: Answers | Mapping[str, Any]) -> Triage:
    """Triage the answers into hard stops and warnings (reference 3.6).

    Parameters
    ----------
    answers : Answers or mapping
        Structured answers (a mapping uses the ``Answers`` field names); ``None`` or a missing
        key = not answered.

    Returns
    -------
    Triage
        Findings in a fixed order, each with reason and source.

    Raises
    ------
    InvalidInputError
        When an answer is of the wrong type or implausible (naming the field).
    """
    checked = _validate(_as_answers(answers))
    return Triage(
        _hard_stop_questions(checked)
        + _blood_pressure(checked)
        + _hepatic(checked)
        + _warning_questions(checked)
        + _use_and_frequency(checked)
    )


def _as_answers(answers: object) -> Answers:
    """``answers`` as an ``Answers`` object; a mapping must use the field names."""
    if isinstance(answers, Mapping):
        known = {f.name for f in fields(Answers)}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InvalidInputError(
                f"Unknown answer {unknown[0]!r}.",
                field=str(unknown[0]),
                code="unknown_field",
                params={"unknown": unknown},
            )
        answers = Answers(**answers)
    if not isinstance(answers, Answers):
        raise InvalidInputError(
            "answers must be an Answers object or a mapping.", field="answers", code="invalid_type"
        )
    return answers


def _validate(answers: Answers) -> Answers:
    """Every answer of the right type and in range (the first problem names its field)."""
    for f in fields(Answers):
        value = getattr(answers, f.name)
        if f.name in ("hepatic_disease", "substance_use_disorder") or value is None:
            continue
        if f.name.endswith(("_mmhg",)):
            finite_float(value, f.name, minimum=30.0, maximum=300.0)
        elif f.name in ("stop_bang_score", "sessions_last_14_days"):
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value < 0
                or (f.name == "stop_bang_score" and value > 8)
            ):
                raise InvalidInputError(
                    f"{f.name} must be a whole number in range.", field=f.name, code="out_of_range"
                )
        elif not isinstance(value, bool):
            raise InvalidInputError(f"{f.name} must be yes/no.", field=f.name, code="invalid_type")
    if answers.hepatic_disease not in (None, "none", "mild", "moderate", "severe"):
        raise InvalidInputError(
            "hepatic_disease must be none, mild, moderate or severe.",
            field="hepatic_disease",
            code="invalid_choice",
        )
    if answers.substance_use_disorder not in (None, "none", "past", "active"):
        raise InvalidInputError(
            "substance_use_disorder must be none, past or active.",
            field="substance_use_disorder",
            code="invalid_choice",
        )
    return answers


def _hard_stop_questions(answers: Answers) -> tuple[Finding, ...]:
    """The yes/no hard stops; an unanswered one is a warning (a blank form is not clean)."""
    out: list[Finding] = []
    for attr, code, reason, source in _HARD_BOOLEANS:
        value = getattr(answers, attr)
        if value is None:
            out.append(Finding(f"{code}_unanswered", "warning", f"Not answered: {reason}", source))
        elif value:
            out.append(Finding(code, "hard_stop", reason, source))
    return tuple(out)


def _blood_pressure(answers: Answers) -> tuple[Finding, ...]:
    """Resting BP: >= 180/100 mmHg a hard stop, 160-179/95-99 a warning (reference 3.6/3.8)."""
    sbp, dbp = answers.systolic_bp_mmhg, answers.diastolic_bp_mmhg
    if sbp is None or dbp is None:
        return (
            Finding("bp_unanswered", "warning", "Resting blood pressure not recorded.", LABEL_CH),
        )
    if sbp >= 180 or dbp >= 100:
        return (
            Finding(
                "bp_high",
                "hard_stop",
                f"Resting BP {sbp:g}/{dbp:g} mmHg is at or above 180/100 mmHg.",
                LABEL_CH + "; " + LABEL_US,
            ),
        )
    if sbp >= 160 or dbp >= 95:
        return (
            Finding(
                "bp_elevated",
                "warning",
                f"Resting BP {sbp:g}/{dbp:g} mmHg is in the 160-179/95-99 range.",
                PROPOSAL,
            ),
        )
    return ()


def _hepatic(answers: Answers) -> tuple[Finding, ...]:
    """Severe hepatic disease a hard stop, moderate a warning (guideline)."""
    hepatic = answers.hepatic_disease
    if hepatic is None:
        return (
            Finding("hepatic_unanswered", "warning", "Hepatic disease not answered.", GUIDELINE),
        )
    if hepatic == "severe":
        return (
            Finding("hepatic_severe", "hard_stop", "Severe hepatic disease (avoid).", GUIDELINE),
        )
    if hepatic == "moderate":
        return (
            Finding(
                "hepatic_moderate",
                "warning",
                "Moderate hepatic disease: caution, check liver function tests.",
                GUIDELINE,
            ),
        )
    return ()


def _warning_questions(answers: Answers) -> tuple[Finding, ...]:
    """The yes/no warnings (must be acknowledged)."""
    return tuple(
        Finding(code, "warning", reason, source)
        for attr, code, reason, source in _WARN_BOOLEANS
        if getattr(answers, attr)
    )


def _use_and_frequency(answers: Answers) -> tuple[Finding, ...]:
    """Substance use, obstructive sleep apnoea risk and session frequency (warnings)."""
    out: list[Finding] = []
    if answers.substance_use_disorder == "active":
        out.append(
            Finding(
                "substance_use_active",
                "warning",
                "Active substance use disorder: no serial infusions.",
                GUIDELINE,
            )
        )
    elif answers.substance_use_disorder == "past":
        out.append(
            Finding("substance_use_past", "warning", "Past substance use disorder.", GUIDELINE)
        )
    if answers.stop_bang_score is not None and answers.stop_bang_score >= 3:
        out.append(
            Finding(
                "osa_risk",
                "warning",
                f"STOP-Bang {answers.stop_bang_score} (>= 3): obstructive sleep apnoea risk.",
                "NCT07230171 exclusion criterion; " + PROPOSAL,
            )
        )
    if answers.sessions_last_14_days is not None and answers.sessions_last_14_days > 6:
        out.append(
            Finding(
                "lft_prompt",
                "warning",
                f"{answers.sessions_last_14_days} sessions in 14 days (> 6): check "
                "liver function tests.",
                GUIDELINE + "; " + PROPOSAL,
            )
        )
    return tuple(out)
