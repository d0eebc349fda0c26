"""The base of every view that shows or changes one patient's data (``/patients/<uuid>/…``).

``PatientRecordView`` is the patient-record shape of the one access mixin in
``tenderpoint.web.common.access``: it resolves ``patient_id`` from the URL, checks the named
``rules`` permission, writes a ``view`` (GET) or ``denied`` audit event and sets
``self.patient``. A subclass that forgets ``permission`` fails at import time.

    class DiaryView(PatientRecordView, TemplateView):
        permission = "patients.view_patient"
        template_name = "diary/diary.html"
"""

from tenderpoint.web.common.access import OwnRecordView, PatientRecordView

__all__ = ["OwnRecordView", "PatientRecordView"]
