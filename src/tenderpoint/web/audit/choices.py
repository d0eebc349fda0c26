from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    FAILED_LOGIN = "failed_login", "Failed sign-in"
    DENIED = "denied", "Access denied"
    FAILED_MFA = "failed_mfa", "Failed second factor"
    LOCKED_OUT = "locked_out", "Sign-in attempt while locked"
    ADMIN = "admin", "Operator admin action"
    CHECKPOINT = "checkpoint", "Audit checkpoint"
