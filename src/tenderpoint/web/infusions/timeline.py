"""The chart's timeline: assessments, contraindication checks, plans, sessions, newest first.

The portal's records (questionnaires, diary summary, messages) join when that work lands: each
source is one function returning ``Entry`` rows, so adding one does not touch the others.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from tenderpoint.web.patients.models import Patient

KINDS = {
    "assessment": "Assessments",
    "contraindication": "Contraindication checks",
    "plan": "Plans",
    "session": "Sessions",
    "course": "Courses",
}


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    kind: str
    title: str
    status: str
    url: str


def timeline(patient: Patient, kind: str = "", limit: int = 200) -> list[Entry]:
    from tenderpoint.web.assessments.models import CriteriaAssessment
    from tenderpoint.web.infusions.models import (
        ContraindicationCheck,
        Course,
        InfusionPlan,
        InfusionSession,
    )

    pid = patient.public_id
    entries: list[Entry] = []
    if kind in ("", "assessment"):
        for a in CriteriaAssessment.objects.current().filter(patient=patient)[:limit]:
            met = [c["title"].split(" (")[0] for c in a.result["criteria"].values() if c["meets"]]
            entries.append(
                Entry(
                    a.assessed_at,
                    "assessment",
                    "Criteria assessment: "
                    + (", ".join(met) + " met" if met else "no criterion met"),
                    a.get_status_display(),
                    reverse(
                        "assessments:detail",
                        kwargs={"patient_id": pid, "assessment_id": a.public_id},
                    ),
                )
            )
    if kind in ("", "contraindication"):
        for c in ContraindicationCheck.objects.current().filter(patient=patient)[:limit]:
            hard = sum(1 for f in c.findings if f["severity"] == "hard_stop")
            warn = len(c.findings) - hard
            entries.append(
                Entry(
                    c.checked_at,
                    "contraindication",
                    f"Contraindication check: {hard} hard stop(s), {warn} warning(s)",
                    "recorded",
                    reverse("console:contraindications", kwargs={"patient_id": pid}),
                )
            )
    if kind in ("", "plan"):
        for p in InfusionPlan.objects.current().filter(patient=patient)[:limit]:
            entries.append(
                Entry(
                    p.prescribed_at,
                    "plan",
                    f"Plan: {p.total_dose_mg} mg {p.product}, {p.pump_rate_ml_per_h} mL/h",
                    p.get_status_display(),
                    reverse("console:plan", kwargs={"patient_id": pid, "plan_id": p.public_id}),
                )
            )
    if kind in ("", "session"):
        for s in InfusionSession.objects.current().filter(patient=patient)[:limit]:
            entries.append(
                Entry(
                    s.started_at or s.created_at,
                    "session",
                    f"Infusion session: {s.delivered_mg} mg given",
                    s.get_status_display(),
                    reverse(
                        "console:session", kwargs={"patient_id": pid, "session_id": s.public_id}
                    ),
                )
            )
    if kind in ("", "course"):
        for c in Course.objects.for_patient(patient)[:limit]:
            entries.append(
                Entry(
                    datetime.datetime.combine(c.start_date, datetime.time.min, tzinfo=datetime.UTC),
                    "course",
                    f"{c.get_kind_display()}: {c.planned_infusions} infusions planned",
                    c.get_status_display(),
                    reverse("console:courses", kwargs={"patient_id": pid}),
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
