from django.db import models


class ContactMethod(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"


class ContactReason(models.TextChoices):
    NEW_PATIENT = "new_patient", "I would like to become a patient"
    KETAMINE = "ketamine", "Questions about ketamine therapy"
    APPOINTMENT = "appointment", "An existing appointment"
    REFERRAL = "referral", "A referral from a clinician"
    OTHER = "other", "Something else"


class ContactStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    CLOSED = "closed", "Closed"
