"""Encrypt the TOTP secrets and recovery-code seeds stored in plain text before issue 13
(defect 10), with TENDERPOINT_TOTP_KEY. Values already encrypted are left alone."""

from django.db import migrations

FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def encrypt_stored_secrets(apps, schema_editor):
    from tenderpoint.web.accounts.mfa import ENCRYPTED_PREFIX, encrypt_secret

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(FIELDS)):
        field = FIELDS[authenticator.type]
        value = authenticator.data.get(field)
        if isinstance(value, str) and not value.startswith(ENCRYPTED_PREFIX):
            authenticator.data[field] = encrypt_secret(value)
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_stored_secrets, migrations.RunPython.noop)]
