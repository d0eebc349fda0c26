"""Outcomes in Chromium: a clinician reads one patient's outcomes and the clinic's dashboard.

The clinician answers "is this patient still responding, and when is a booster likely?" from
the patient's page, then recomputes the clinic dashboard and reads induction completion and
durability. axe audits each page at desktop and phone widths (0 serious or critical).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tenderpoint.outcomes.patient import analyse_patient
from tenderpoint.web.outcomes.dashboard import MIN_CELL_PATIENTS
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.outcomes.models import OutcomeSnapshot, SnapshotStatus
from tests.e2e.test_console import Audit, as_staff
from tests.web.factories import PatientFactory
from tests.web.outcomes.helpers import synthetic_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 390)


def _audit_widths(page: Page, audit: Audit, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        audit.check(f"{name}-{width}")


def test_clinician_reads_a_patients_outcomes_and_the_clinic_dashboard(world, page: Page):
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    expect.set_options(timeout=120_000)
    patient = world.patient_record
    patient.weight_kg, patient.height_cm, patient.sex = 70, 165, "female"
    patient.save()
    synthetic_history(patient, world.clinician, world.nurse, days=120, seed=7)
    for k in range(MIN_CELL_PATIENTS):
        other = PatientFactory(clinic=world.clinic, sex="female", weight_kg=70, height_cm=165)
        synthetic_history(other, world.clinician, world.nurse, days=60, seed=200 + k)
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    frames = frames_for([patient], today)
    direct = analyse_patient(
        str(patient.public_id), frames.diary, frames.infusions, frames.patients, today=today
    )
    audit = Audit(page)

    # --- one patient's outcomes ---------------------------------------------------------
    as_staff(page, world, "clinician")
    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("navigation", name="Chart").get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name=re.compile("^Outcomes of"))).to_be_visible()
    baseline = direct.baseline.row(0, named=True)["baseline_pain"]
    expect(page.locator("main")).to_contain_text(f"{baseline:.1f}")
    expect(page.get_by_role("heading", name=re.compile("booster forecast"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("reference line"))).to_be_visible()
    chart = page.locator("main img.chart").first
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.complete && image.naturalWidth") > 0  # the SVG drew
    expect(page.locator("main")).to_contain_text("Noppers")
    page.get_by_text(re.compile("How this was computed", re.I)).first.click()
    _audit_widths(page, audit, "outcomes-patient")
    # at 390 px (the last width audited) a wide table scrolls inside its region, and its
    # caption stays on the screen instead of scrolling away with the table
    right_edges = page.eval_on_selector_all(
        ".table-scroll caption:not(.visually-hidden)",
        "captions => captions.map(c => c.getBoundingClientRect().right)",
    )
    assert right_edges
    assert max(right_edges) <= 390

    # --- the clinic dashboard: recompute, then read ----------------------------------------
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/clinic/outcomes/")
    expect(page.get_by_role("heading", name="Clinic outcomes")).to_be_visible()
    page.get_by_role("button", name="Recompute for these filters").click()
    snapshot = OutcomeSnapshot.objects.get(clinic=world.clinic)
    _wait_for_snapshot(snapshot)
    page.reload()
    main = page.locator("main")
    expect(main).to_contain_text(re.compile("induction", re.I))
    expect(main).to_contain_text(str(snapshot.figures["n_patients"]))
    expect(
        page.get_by_role("link", name=re.compile("de-identified per-patient table"))
    ).to_be_visible()
    _audit_widths(page, audit, "outcomes-dashboard")
    assert not audit.problems, audit.problems


def _wait_for_snapshot(snapshot: OutcomeSnapshot) -> None:
    """The demo's worker is not running here: run the queued computation as the worker would."""
    from tenderpoint.web.outcomes import services

    snapshot.refresh_from_db()
    if snapshot.status != SnapshotStatus.COMPLETE:
        services.compute_snapshot(snapshot)
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.COMPLETE, snapshot.error
