"""Background work of the API: running a Bulk Data export (django-tasks, database worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_bulk_export(export_id: int) -> str:
    """Run one export job; returns its final status."""
    from tenderpoint.web.api import exporting
    from tenderpoint.web.api.models import BulkExport

    return str(exporting.run(BulkExport.objects.get(pk=export_id)).status)
