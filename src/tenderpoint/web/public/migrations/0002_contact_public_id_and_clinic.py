"""Contact requests get a public UUID (URLs and e-mails no longer carry the counting integer
id) and the contact page names the clinic that receives its requests."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    ContactRequest = apps.get_model("public", "ContactRequest")
    for pk in ContactRequest.objects.values_list("pk", flat=True):
        ContactRequest.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("public", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactrequest",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contactrequest",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="historicalcontactrequest",
            name="public_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="contactpage",
            name="clinic",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The clinic whose staff receive the requests sent with this form. Needed "
                    "when the installation serves more than one clinic."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.clinic",
            ),
        ),
    ]
