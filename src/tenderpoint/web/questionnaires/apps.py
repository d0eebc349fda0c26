from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "tenderpoint.web.questionnaires"
    label = "questionnaires"
    verbose_name = "Questionnaires"
