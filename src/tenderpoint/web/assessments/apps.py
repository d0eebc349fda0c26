from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tenderpoint.web.assessments"
    label = "assessments"
    verbose_name = "Assessments"
