"""Bulk Data export: writing one NDJSON file per resource type for a clinic's patients.

Resources are serialised from the mapping's plain dicts, one line each (orjson, into a 1 MiB
buffer), records are read from the database in chunks, and a sample is validated with
fhir.resources (the first 20 of each file and one in 5,000): building two million models would
take longer than the export itself. docs/performance.md has the figures.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from tenderpoint.interop.fhir.validate import should_validate, validate
from tenderpoint.web.api.models import BulkExport, ExportStatus
from tenderpoint.web.api.responses import ndjson_line
from tenderpoint.web.api.sources import export_resources
from tenderpoint.web.patients.models import Patient

EXPIRY = datetime.timedelta(hours=24)
# NDJSON lines are collected in a buffer of this size and written to the file in one call.
WRITE_BUFFER_BYTES = 1 << 20
EXPORT_TYPES = (
    "Patient",
    "Condition",
    "Observation",
    "QuestionnaireResponse",
    "MedicationRequest",
    "MedicationAdministration",
    "Encounter",
    "AdverseEvent",
    "Provenance",
)


def export_dir(export: BulkExport) -> Path:
    return Path(settings.DATA_DIR) / "exports" / str(export.public_id)


def now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def write_type(export: BulkExport, resource_type: str, patients: Any, folder: Path) -> int:
    """Write ``<Type>.ndjson``; return the number of resources written."""
    count = 0
    path = folder / f"{resource_type}.ndjson"
    with path.open("wb", buffering=WRITE_BUFFER_BYTES) as out:
        for resource in export_resources(resource_type, patients, export.since):
            if should_validate(count):
                validate(resource)
            out.write(ndjson_line(resource))
            count += 1
    if count == 0:
        path.unlink()
    return count


def run(export: BulkExport) -> BulkExport:
    """Produce the export's files and manifest entries; failures are recorded, not raised."""
    BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    folder = export_dir(export)
    folder.mkdir(parents=True, exist_ok=True)
    patients = Patient.objects.current().filter(clinic_id=export.clinic_id)
    output = []
    try:
        for resource_type in export.types or EXPORT_TYPES:
            count = write_type(export, resource_type, patients, folder)
            if count:
                output.append({"type": resource_type, "count": count})
    except Exception as error:  # noqa: BLE001  (recorded on the job, which reports it)
        shutil.rmtree(folder, ignore_errors=True)
        BulkExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:2000], completed_at=now()
        )
        export.refresh_from_db()
        return export
    finished = now()
    with transaction.atomic():
        BulkExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.COMPLETE,
            output=output,
            completed_at=finished,
            expires_at=finished + EXPIRY,
        )
    export.refresh_from_db()
    return export


def purge_expired(at: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their expiry; the rows stay as the record."""
    at = at or now()
    purged = 0
    for export in BulkExport.objects.filter(expires_at__lte=at, status=ExportStatus.COMPLETE):
        shutil.rmtree(export_dir(export), ignore_errors=True)
        purged += 1
    return purged
