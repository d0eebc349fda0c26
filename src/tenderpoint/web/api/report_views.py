"""The clinician report download (``/patients/<id>/report.pdf``) and the CSV exports."""

from __future__ import annotations

import datetime
from typing import Any

import rules
from django.http import HttpRequest, HttpResponse

from tenderpoint.web.api import report
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.patients.policies import is_in_care_team

# The report is a clinical document for referral: the care team only (not the patient, whose
# own export is /me/export.fhir.json; not clinic admins; not operators).
rules.add_perm("api.clinician_report", is_in_care_team)


class ClinicianReportView(PatientRecordView):
    permission = "api.clinician_report"
    audit_object_type = "api.clinician_report"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        today = datetime.datetime.now(tz=self.patient.clinic.tzinfo).date()
        pdf = report.render_pdf(report.report_context(self.patient, today))
        audit.record(
            Action.EXPORT,
            request=request,
            object_type="api.clinician_report",
            object_id=str(self.patient.public_id),
            patient=self.patient,
            detail={"format": "pdf", "bytes": len(pdf)},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"report-{self.patient.medical_record_number}-{today:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
