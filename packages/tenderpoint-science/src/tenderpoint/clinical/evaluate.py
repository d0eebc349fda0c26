"""Every applicable fibromyalgia criterion from one combined assessment, side by side (§7).

From one body map, the symptom items and the duration answer this computes ACR 2016 (primary)
and ACR 2011 always, ACR 2010 when the physician's somatic-symptom rating is present, ACR 1990
when tender points were examined, and AAPT 2019 when its nine sites were asked; it then states
where 2016 and 2011 disagree and why.

Decisions [P]: one ``duration_ge_3_months`` answer stands for each criterion's duration clause
(2016 "generally present", 2010/2011 "similar level", 1990 pain history, AAPT), as the combined
form asks it once. 2016, 2011 and AAPT carry the assessment's rater; 2010 (somatic judgement)
and 1990 (examination) are clinician acts by definition. When the AAPT sleep or fatigue
judgements are absent, an SSS fatigue or waking-unrefreshed rating >= 2 ("moderate") stands in
for them, as the reference proposes, and the explanation says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tenderpoint._display import html_table
from tenderpoint.clinical.instruments import aapt2019, acr1990, acr2010, acr2011, acr2016
from tenderpoint.clinical.result import ScoreResult


@dataclass(frozen=True, slots=True)
class FibromyalgiaEvaluation:
    """The criteria results of one assessment and the disagreements between 2016 and 2011."""

    results: Mapping[str, ScoreResult]
    """Results keyed by instrument id, 2016 first."""
    divergences: tuple[str, ...]
    """Plain-words reasons why 2016 and 2011 disagree; empty when they agree."""
    rater: str

    @property
    def screening_only(self) -> bool:
        """True for a patient-completed assessment: screening, never a diagnosis."""
        return self.rater == "patient"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: outputs of each criterion plus the divergences."""
        return {
            "rater": self.rater,
            "screening_only": self.screening_only,
            "results": {key: result.as_dict() for key, result in self.results.items()},
            "versions": {key: result.version for key, result in self.results.items()},
            "divergences": list(self.divergences),
        }

    def _repr_html_(self) -> str:
        """Each criterion's result, then the divergences (Jupyter's rich display)."""
        head = html_table(
            "Fibromyalgia criteria"
            + (" (patient-completed: screening only)" if self.screening_only else ""),
            [(key, result.outputs.get("meets_criteria")) for key, result in self.results.items()],
            self.divergences,
        )
        return head + "".join(result._repr_html_() for result in self.results.values())


def evaluate_fibromyalgia(
    *,
    wpi_areas: Iterable[str],
    fatigue: int,
    waking_unrefreshed: int,
    cognitive: int,
    headaches_6mo: bool,
    lower_abdominal_pain_or_cramps_6mo: bool,
    depression_6mo: bool,
    duration_ge_3_months: bool,
    other_disorder_explains_pain: bool,
    rater: str = "clinician",
    somatic_symptoms: int | None = None,
    positive_tender_points: Iterable[str] | None = None,
    aapt_pain_sites: Iterable[str] | None = None,
    moderate_to_severe_sleep_problems: bool | None = None,
    moderate_to_severe_fatigue: bool | None = None,
) -> FibromyalgiaEvaluation:
    """Compute every applicable criterion from one assessment and explain 2016 vs 2011.

    Inputs are validated by each criterion's scorer (InvalidResponseError with a stable code).
    ``other_disorder_explains_pain`` is required because it decides 2010/2011; 2016 ignores it.
    """
    areas = list(wpi_areas)
    symptoms: dict[str, Any] = {
        "wpi_areas": areas,
        "fatigue": fatigue,
        "waking_unrefreshed": waking_unrefreshed,
        "cognitive": cognitive,
        "headaches_6mo": headaches_6mo,
        "lower_abdominal_pain_or_cramps_6mo": lower_abdominal_pain_or_cramps_6mo,
        "depression_6mo": depression_6mo,
    }
    results = _acr2016_and_2011(symptoms, duration_ge_3_months, other_disorder_explains_pain, rater)
    if somatic_symptoms is not None:
        results["acr2010"] = _acr2010(
            symptoms, somatic_symptoms, duration_ge_3_months, other_disorder_explains_pain
        )
    if positive_tender_points is not None:
        results["acr1990"] = acr1990.score(
            {
                "pain_areas": areas,
                "positive_tender_points": list(positive_tender_points),
                "pain_duration_ge_3_months": duration_ge_3_months,
            }
        )
    if aapt_pain_sites is not None:
        results["aapt2019"] = _aapt(
            list(aapt_pain_sites),
            moderate_to_severe_sleep_problems,
            moderate_to_severe_fatigue,
            fatigue,
            waking_unrefreshed,
            duration_ge_3_months,
            rater,
        )
    divergences = _divergences(results["acr2016"], results["acr2011"])
    return FibromyalgiaEvaluation(results, divergences, rater)


def _acr2016_and_2011(
    symptoms: dict[str, Any], duration_ge_3_months: bool, other_disorder: bool, rater: str
) -> dict[str, ScoreResult]:
    """The two criteria every assessment answers: 2016 (generalised pain, no exclusion) and
    2011 (the self-report form of 2010, where another disorder explaining the pain excludes)."""
    return {
        "acr2016": acr2016.score(
            {
                **symptoms,
                "symptoms_generally_present_ge_3_months": duration_ge_3_months,
                "rater": rater,
            }
        ),
        "acr2011": acr2011.score(
            {
                **symptoms,
                "symptoms_similar_level_ge_3_months": duration_ge_3_months,
                "other_disorder_explains_pain": other_disorder,
                "rater": rater,
            }
        ),
    }


def _acr2010(
    symptoms: dict[str, Any], somatic_symptoms: int, duration_ge_3_months: bool, other: bool
) -> ScoreResult:
    """ACR 2010 (clinician's somatic-symptom count in place of the three 6-month symptoms)."""
    return acr2010.score(
        {
            "wpi_areas": symptoms["wpi_areas"],
            "fatigue": symptoms["fatigue"],
            "waking_unrefreshed": symptoms["waking_unrefreshed"],
            "cognitive": symptoms["cognitive"],
            "somatic_symptoms": somatic_symptoms,
            "symptoms_similar_level_ge_3_months": duration_ge_3_months,
            "other_disorder_explains_pain": other,
        }
    )


def _aapt(
    sites: list[str],
    sleep: bool | None,
    tired: bool | None,
    fatigue: int,
    waking_unrefreshed: int,
    duration: bool,
    rater: str,
) -> ScoreResult:
    proxy_steps: list[str] = []
    if sleep is None:
        sleep = type(waking_unrefreshed) is int and waking_unrefreshed >= 2
        proxy_steps.append(
            f"sleep problems taken from waking unrefreshed {waking_unrefreshed} (≥ 2 = moderate)"
        )
    if tired is None:
        tired = type(fatigue) is int and fatigue >= 2
        proxy_steps.append(f"fatigue taken from the fatigue rating {fatigue} (≥ 2 = moderate)")
    result = aapt2019.score(
        {
            "pain_sites": sites,
            "moderate_to_severe_sleep_problems": sleep,
            "moderate_to_severe_fatigue": tired,
            "duration_ge_3_months": duration,
            "rater": rater,
        }
    )
    if not proxy_steps:
        return result
    return ScoreResult(
        result.instrument_id, result.version, result.outputs, (*proxy_steps, *result.steps)
    )


def _divergences(r2016: ScoreResult, r2011: ScoreResult) -> tuple[str, ...]:
    new, old = r2016.outputs, r2011.outputs
    if new["meets_criteria"] == old["meets_criteria"]:
        return ()
    if old["meets_criteria"]:
        # Both read the same duration answer, so 2016 can fail here only through generalized
        # pain, which always fails too when WPI is 3 (three areas reach at most three regions).
        reasons = [
            "2011 criteria met but 2016 not met",
            f"2016 requires generalized pain (≥ 4 of 5 regions) and pain is in "
            f"{new['region_count']}; jaw, chest and abdomen do not count toward regions",
        ]
        if not new["wpi_sss_threshold_met"]:
            reasons.append(
                f"WPI {new['wpi']} meets the 2011 lower band (WPI 3–6 with SS ≥ 9) but the 2016 "
                "lower band starts at WPI 4"
            )
        return tuple(reasons)
    return (
        "2016 criteria met but 2011 not met",
        "another disorder explains the pain: this excludes fibromyalgia under 2010/2011, while "
        "under 2016 the diagnosis is valid irrespective of other diagnoses",
    )
