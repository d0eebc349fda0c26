"""The problem list, medications and allergies: coded vocabulary, interaction flags, writes.

The coded problems are the conditions that commonly co-occur with fibromyalgia (and those the
contraindication checklist asks about), each with a SNOMED CT concept and an ICD-10-CM code.
Each code carries how it was checked (``CODE_CHECKS``; sources per code in docs/console.md):
only the fibromyalgia codes are confirmed by the project's reference; the others were found
with the same meaning in independent public code lists (FHIR value sets and examples, C-CDA
samples, comorbidity tables), which corroborates but does not replace a check against an
official release; a code found nowhere is marked unconfirmed. Verify against the clinic's
terminology server before exchanging data.

Medications are matched by name to the ketamine interaction classes of the pharmacology
reference (3.5: theophylline/aminophylline; benzodiazepines, opioids and other CNS depressants;
sympathomimetics and vasopressin); the flags pre-fill the contraindication checklist, which the
clinician confirms rather than re-types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Allergy, Medication, Patient, Problem


@dataclass(frozen=True)
class CodedProblem:
    code: str
    label: str
    snomed_ct: str
    icd10cm: str
    checklist_answer: str | None = None
    """The contraindication answer (``contraindications.Answers`` field) this problem sets."""

    @property
    def snomed_check(self) -> str:
        return CODE_CHECKS[self.code][0]

    @property
    def icd_check(self) -> str:
        return CODE_CHECKS[self.code][1]


CONFIRMED = "confirmed (reference clinical.md §12)"
CORROBORATED = "corroborated (public code lists; not an official release)"
UNCONFIRMED = "unconfirmed"


PROBLEMS: tuple[CodedProblem, ...] = (
    CodedProblem("fibromyalgia", "Fibromyalgia", "203082005", "M79.7"),
    CodedProblem("ibs", "Irritable bowel syndrome", "10743008", "K58.9"),
    CodedProblem("migraine", "Migraine", "37796009", "G43.909"),
    CodedProblem("interstitial_cystitis", "Interstitial cystitis", "197834003", "N30.10"),
    CodedProblem("restless_legs", "Restless legs syndrome", "32914008", "G25.81"),
    CodedProblem("sleep_apnoea", "Obstructive sleep apnoea", "78275009", "G47.33"),
    CodedProblem("depression", "Depressive disorder", "35489007", "F32.A"),
    CodedProblem("anxiety", "Anxiety disorder", "197480006", "F41.9"),
    CodedProblem("osteoarthritis", "Osteoarthritis", "396275006", "M19.90"),
    CodedProblem("rheumatoid_arthritis", "Rheumatoid arthritis", "69896004", "M06.9"),
    CodedProblem("lupus", "Systemic lupus erythematosus", "55464009", "M32.9"),
    CodedProblem("hypertension", "Essential hypertension", "59621000", "I10"),
    CodedProblem(
        "schizophrenia", "Schizophrenia", "58214004", "F20.9", checklist_answer="active_psychosis"
    ),
    CodedProblem(
        "hyperthyroidism",
        "Hyperthyroidism",
        "34486009",
        "E05.90",
        checklist_answer="untreated_hyperthyroidism",
    ),
    CodedProblem(
        "glaucoma",
        "Glaucoma",
        "23986001",
        "H40.9",
        checklist_answer="elevated_iop_glaucoma_or_open_globe",
    ),
    CodedProblem("pregnancy", "Pregnancy", "77386006", "Z33.1", "pregnant_or_preeclampsia"),
    CodedProblem("liver_disease", "Disorder of liver", "235856003", "K76.9"),
    # SNOMED CT 66214007 is "Substance abuse (disorder)" and ICD-10-CM F19.10 "Other
    # psychoactive substance abuse, uncomplicated": the label says so (it read "use disorder").
    CodedProblem("substance_use", "Substance abuse", "66214007", "F19.10"),
)
PROBLEM_BY_CODE = {p.code: p for p in PROBLEMS}

#: problem -> (how its SNOMED CT code was checked, how its ICD-10-CM code was checked)
CODE_CHECKS: dict[str, tuple[str, str]] = {
    "fibromyalgia": (CONFIRMED, CONFIRMED),
    "ibs": (CORROBORATED, CORROBORATED),
    "migraine": (CORROBORATED, CORROBORATED),
    "interstitial_cystitis": (CORROBORATED, CORROBORATED),
    "restless_legs": (CORROBORATED, CORROBORATED),
    "sleep_apnoea": (CORROBORATED, CORROBORATED),
    "depression": (CORROBORATED, CORROBORATED),
    "anxiety": (CORROBORATED, CORROBORATED),
    "osteoarthritis": (CORROBORATED, CORROBORATED),
    "rheumatoid_arthritis": (CORROBORATED, CORROBORATED),
    "lupus": (CORROBORATED, UNCONFIRMED),
    "hypertension": (CORROBORATED, CORROBORATED),
    "schizophrenia": (CORROBORATED, CORROBORATED),
    "hyperthyroidism": (CORROBORATED, CORROBORATED),
    "glaucoma": (CORROBORATED, CORROBORATED),
    "pregnancy": (CORROBORATED, CORROBORATED),
    "liver_disease": (CORROBORATED, CORROBORATED),
    "substance_use": (CORROBORATED, CORROBORATED),
}

INTERACTION_CLASSES: dict[str, tuple[str, str]] = {
    # class: (why it matters with ketamine, checklist answer it sets)
    "benzodiazepine": (
        "Benzodiazepine: profound sedation and respiratory depression with ketamine; capnography.",
        "benzodiazepine_or_opioid",
    ),
    "opioid": (
        "Opioid: profound sedation and respiratory depression with ketamine; capnography.",
        "benzodiazepine_or_opioid",
    ),
    "cns_depressant": ("Other CNS depressant: additive sedation; monitor closely.", ""),
    "theophylline": (
        "Theophylline/aminophylline: lowers the seizure threshold; do not co-administer.",
        "theophylline_or_aminophylline",
    ),
    "sympathomimetic": ("Sympathomimetic: blood pressure and heart rate rise; monitor.", ""),
}
DRUG_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        ["alprazolam", "clonazepam", "diazepam", "lorazepam", "temazepam", "midazolam"],
        "benzodiazepine",
    ),
    **dict.fromkeys(
        [
            "oxycodone",
            "hydrocodone",
            "morphine",
            "tramadol",
            "codeine",
            "tapentadol",
            "fentanyl",
            "buprenorphine",
            "methadone",
            "hydromorphone",
        ],
        "opioid",
    ),
    **dict.fromkeys(
        ["pregabalin", "gabapentin", "cyclobenzaprine", "zolpidem", "quetiapine"],
        "cns_depressant",
    ),
    **dict.fromkeys(["theophylline", "aminophylline"], "theophylline"),
    **dict.fromkeys(
        ["pseudoephedrine", "phentermine", "methylphenidate", "amphetamine"], "sympathomimetic"
    ),
}


def drug_class(name: str) -> str:
    """The interaction class of a medication name ('' when none is known)."""
    words = name.lower().replace("/", " ").split()
    for word in words:
        if word in DRUG_CLASSES:
            return DRUG_CLASSES[word]
    return ""


def interaction_note(cls: str) -> str:
    return INTERACTION_CLASSES[cls][0] if cls in INTERACTION_CLASSES else ""


def checklist_prefill(patient: Patient) -> dict[str, Any]:
    """Contraindication answers implied by the problem and medication lists, with the basis."""
    answers: dict[str, Any] = {}
    basis: dict[str, list[str]] = {}
    for problem in Problem.objects.current().filter(patient=patient, status="active"):
        coded = PROBLEM_BY_CODE.get(problem.code)
        if coded and coded.checklist_answer:
            answers[coded.checklist_answer] = True
            basis.setdefault(coded.checklist_answer, []).append(f"problem list: {problem.label}")
        if problem.code == "liver_disease":
            basis.setdefault("hepatic_disease", []).append("problem list: liver disease")
        if problem.code == "substance_use":
            basis.setdefault("substance_use_disorder", []).append("problem list: substance use")
    for med in Medication.objects.current().filter(patient=patient, stopped_on__isnull=True):
        cls = med.drug_class or drug_class(med.name)
        answer = INTERACTION_CLASSES.get(cls, ("", ""))[1]
        if answer:
            answers[answer] = True
            basis.setdefault(answer, []).append(f"medication: {med.name}")
    return {"answers": answers, "basis": basis}


def _check(user: Any, patient: Patient) -> None:
    import rules

    if not rules.has_perm("patients.change_patient", user, patient):
        raise PermissionDenied("Only the patient's care team can change the chart.")


@transaction.atomic
def do_save_entry(entry: Problem | Medication | Allergy, *, user: Any, request: Any = None) -> Any:
    """Add or change a problem, medication or allergy (audited); the history check is voided by
    the change automatically (its fingerprint no longer matches)."""
    _check(user, entry.patient)
    creating = entry.pk is None
    if creating:
        entry.created_by = user
    if isinstance(entry, Problem) and entry.code in PROBLEM_BY_CODE:
        coded = PROBLEM_BY_CODE[entry.code]
        entry.label = entry.label or coded.label
        entry.snomed_ct, entry.icd10cm = coded.snomed_ct, coded.icd10cm
    if isinstance(entry, Medication) and not entry.drug_class:
        entry.drug_class = drug_class(entry.name)
    entry.updated_by = user
    entry.full_clean()
    entry.save()
    audit.record(
        Action.CREATE if creating else Action.UPDATE,
        request=request,
        user=user,
        obj=entry,
        patient=entry.patient,
    )
    return entry
