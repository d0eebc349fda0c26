from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tenderpoint.web.messaging"
    label = "messaging"
    verbose_name = "Messaging"
