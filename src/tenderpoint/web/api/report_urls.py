from django.urls import path

from tenderpoint.web.api import report_views

urlpatterns = [
    path("report.pdf", report_views.ClinicianReportView.as_view(), name="report_pdf"),
]
