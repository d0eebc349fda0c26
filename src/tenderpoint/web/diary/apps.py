from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "tenderpoint.web.diary"
    label = "diary"
    verbose_name = "Diary"
