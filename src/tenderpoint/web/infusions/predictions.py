"""Predicted concentrations for a stored plan: population bands, TCI schedule, limits table.

The numbers come from the pharmacology core (``simulate_population``, ``tci.plan``); this module
only shapes them for the page: an Altair chart rendered to SVG on the server (shown as an image,
so the page's CSP needs no inline styles) and the same numbers as a table.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from django.core.cache import cache

from tenderpoint.errors import TenderpointError
from tenderpoint.pharmacology import models as pk_models
from tenderpoint.pharmacology import simulate_population, tci
from tenderpoint.web.infusions.models import InfusionPlan
from tenderpoint.web.infusions.services import pk_patient, regimen_of

N_SUBJECTS = 1000
SEED = 20261130  # fixed: the same plan always shows the same picture
TABLE_EVERY_MIN = 15.0
BANDS_CACHE_SECONDS = 7 * 24 * 3600


def bands(plan: InfusionPlan, model_id: str) -> dict[str, Any]:
    """5-50-95 % plasma and effect-site bands of 1,000 virtual patients like this one.

    Seeded, so a plan always gives the same picture: computed once per plan, model and core
    version and kept in the shared cache (a changed plan has a new ``updated_at``, a new key).
    """
    model = pk_models.get(model_id)
    key = (
        f"plan-bands:v1:{plan.public_id}:{plan.updated_at.isoformat()}:{plan.core_version}:"
        f"{model_id}"
    )
    shown = cache.get(key)
    if shown is None:
        shown = _bands(plan, model)
        cache.set(key, shown, BANDS_CACHE_SECONDS)
    return {**shown, "model": model}


def _bands(plan: InfusionPlan, model: Any) -> dict[str, Any]:
    patient = pk_patient(plan.inputs, plan.patient)
    regimen = regimen_of(plan)
    end = float(plan.result["duration_min"]) + 120.0
    times = np.arange(0.0, end + 1e-9, 2.0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = simulate_population(model, patient, regimen, N_SUBJECTS, SEED, times)
    except TenderpointError as error:
        return {"error": error.message}
    rows = []
    effect = pred.effect_ng_per_ml
    for i, t in enumerate(times):
        if t % TABLE_EVERY_MIN == 0:
            rows.append(
                {
                    "t": t,
                    "plasma": [float(pred.plasma_ng_per_ml[j, i]) for j in range(3)],
                    "effect": [float(effect[j, i]) for j in range(3)]
                    if effect is not None
                    else None,
                }
            )
    return {
        "n": pred.n_subjects,
        "seed": pred.seed,
        "variability_source": pred.variability_source,
        "illustrative": pred.illustrative_variability,
        "out_of_validity_range": pred.out_of_validity_range,
        "validity_reasons": pred.validity_reasons,
        "notes": pred.notes,
        "rows": rows,
        "svg": _chart(times, pred),
    }


def _chart(times: Any, pred: Any) -> str:
    import altair as alt

    from tenderpoint.web.common.charts import svg_data_uri

    data = []
    for output, label in (("plasma", "plasma"), ("effect", "effect site")):
        if output == "effect" and pred.effect_ng_per_ml is None:
            continue
        lo, mid, hi = (pred.band(p, output) for p in (5, 50, 95))
        data += [
            {"t": float(t), "lo": float(a), "mid": float(b), "hi": float(c), "series": label}
            for t, a, b, c in zip(times, lo, mid, hi, strict=True)
        ]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("t:Q", title="time from start (min)"),
        color=alt.Color("series:N", title="5–95 % band and median"),
    )
    chart = (
        base.mark_area(opacity=0.2).encode(y=alt.Y("lo:Q", title="ketamine (ng/mL)"), y2="hi:Q")
        + base.mark_line().encode(y="mid:Q")
    ).properties(width=560, height=260)
    return svg_data_uri(chart)


def tci_schedule(plan: InfusionPlan, model_id: str, target: str) -> dict[str, Any]:
    """A TCI schedule for this patient (``tci.plan``), summarised where the rate changes most."""
    try:
        target_ng = float(target)
    except ValueError:
        return {"error": "The TCI target must be a number (ng/mL)."}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schedule = tci.plan(
                model_id,
                pk_patient(plan.inputs, plan.patient),
                target_ng,
                float(plan.result["duration_min"]),
                site="plasma",
                product=plan.product,
            )
    except TenderpointError as error:
        findings = error.params.get("findings") if error.params else None
        return {"error": error.message, "findings": findings}
    rows = []
    last = None
    for start, rate in zip(schedule.step_start_min, schedule.rate_mg_per_min, strict=True):
        rounded = round(float(rate) * 60.0, 1)
        if rounded != last:
            rows.append({"t": float(start), "rate_mg_per_h": rounded})
            last = rounded
    return {
        "target": target_ng,
        "rows": rows[:40],
        "more": max(len(rows) - 40, 0),
        "total_mg": float(schedule.cumulative_mg[-1]),
        "peak": schedule.peak_plasma_ng_per_ml,
        "warnings": schedule.warnings,
        "model_id": schedule.model_id,
        "step_s": schedule.step_s,
    }


def limits_table(plan: InfusionPlan) -> list[dict[str, Any]]:
    """Where the plan sits against each limit of reference 3.8 (for its product)."""
    r, lim = plan.result, plan.result["limits"]
    kg = r["dosing_weight"]["weight_kg"]
    infusion = [s for s in r["segments"] if s["label"] == "infusion"][-1]
    bolus = [s for s in r["segments"] if s["label"] == "bolus"]
    peak = r["predicted_peak_effect_ng_per_ml"][r["peak_model_id"]]
    rows = [
        (
            "Infusion rate",
            infusion["delivered_mg_per_kg_per_h"],
            "mg/kg/h",
            lim["rate_soft_mg_per_kg_per_h"],
            lim["rate_hard_mg_per_kg_per_h"],
        ),
        (
            "Session total",
            r["total_dose_mg"] / kg,
            "mg/kg",
            lim["session_soft_mg_per_kg"],
            lim["session_hard_mg_per_kg"],
        ),
        ("Session total", r["total_dose_mg"], "mg", None, lim["session_hard_mg"]),
        (
            "Predicted effect-site peak",
            peak,
            "ng/mL",
            lim["peak_soft_ng_per_ml"],
            lim["peak_hard_ng_per_ml"],
        ),
        (
            "Final concentration",
            r["final_concentration_mg_per_ml"],
            "mg/mL",
            lim["bag_conc_soft_mg_per_ml"],
            lim["conc_hard_mg_per_ml"],
        ),
    ]
    if bolus:
        rows.insert(
            0,
            (
                "Bolus",
                bolus[0]["dose_mg"] / kg,
                "mg/kg",
                lim["bolus_soft_mg_per_kg"],
                lim["bolus_hard_mg_per_kg"],
            ),
        )
    out = []
    for label, value, unit, soft, hard in rows:
        state = "within"
        if hard is not None and value > hard:
            state = "over the hard limit (overridden)"
        elif soft is not None and value > soft:
            state = "over the soft limit (acknowledged)"
        out.append(
            {
                "label": label,
                "value": value,
                "unit": unit,
                "soft": soft,
                "hard": hard,
                "state": state,
                "pct_of_hard": 100 * value / hard if hard else None,
            }
        )
    return out
