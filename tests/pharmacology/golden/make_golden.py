"""Write the golden outputs of the planner, TCI and contraindication triage for a set of orders.

Generated once from the code *before* these functions were split into steps (commit c7a5f74),
so ``test_golden.py`` proves the split changed no output:

    PYTHONPATH=<old checkout>/src uv run python tests/pharmacology/golden/make_golden.py

Orders cover every protocol, both products, bolus/standard concentration/undiluted
preparations, obesity, soft warnings, overrides, custom limits, hard-limit refusals and input
errors. Floats are stored with ``repr`` (exact round trip).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent


def encode(value: Any) -> Any:
    """A JSON-ready, exact form of a plan, a TCI plan or a triage."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out["__type__"] = type(value).__name__
        return out
    if isinstance(value, np.ndarray):
        return [encode(v) for v in value.tolist()]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in sorted(value.items())}
    if isinstance(value, frozenset | set):
        return sorted(encode(v) for v in value)
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def run(call: Any) -> Any:
    """The encoded result, or the error's type, code, field and message."""
    from tenderpoint.errors import TenderpointError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = encode(call())
        except TenderpointError as error:
            result = {
                "__error__": type(error).__name__,
                "code": error.code,
                "field": error.field,
                "message": error.message,
            }
    result_warnings = sorted({str(w.message) for w in caught})
    return {"result": result, "warnings": result_warnings}


def plan_orders() -> list[tuple[str, Any]]:
    from tenderpoint.pharmacology.dosing import PROTOCOLS, Limits, plan_infusion
    from tenderpoint.pharmacology.patient import Patient

    man = Patient(70.0, 175.0, 40.0, "male")
    man80 = Patient(80.0, 180.0, 40.0, "male")
    woman_obese = Patient(110.0, 165.0, 45.0, "female")
    light = Patient(35.0, 150.0, 30.0, "female")
    teen = Patient(55.0, 165.0, 16.0, "male")
    heavy = Patient(150.0, 200.0, 40.0, "male")
    orders: list[tuple[str, Any]] = []
    for pid, proto in PROTOCOLS.items():
        vial = 25.0 if proto.product == "esketamine" else 50.0
        for name, patient in (("man70", man), ("obese", woman_obese), ("light", light)):
            orders.append(
                (
                    f"{pid}/{name}",
                    lambda pid=pid, patient=patient, vial=vial: plan_infusion(
                        pid, patient, vial_mg_per_ml=vial, bag_volume_ml=250
                    ),
                )
            )
    direct = {"vial_mg_per_ml": 50, "bag_volume_ml": 100}
    cases: list[tuple[str, Any, dict[str, Any]]] = [
        ("1a", man, {"protocol": "depression-0.5-over-40", "bag_volume_ml": 100}),
        ("1b", man, {"protocol": "depression-0.5-over-40", "standard_conc_mg_per_ml": 1.0}),
        (
            "2",
            man80,
            {"standard_conc_mg_per_ml": 2.0, "dose_mg_per_kg_per_h": 0.5, "duration_min": 240},
        ),
        (
            "3-bolus",
            man80,
            {
                "bag_volume_ml": 250,
                "standard_conc_mg_per_ml": 2.0,
                "bolus_mg_per_kg": 0.35,
                "bolus_duration_min": 2,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 120,
            },
        ),
        (
            "bolus-1min",
            man,
            {
                "bag_volume_ml": 250,
                "standard_conc_mg_per_ml": 2.0,
                "bolus_mg_per_kg": 0.35,
                "bolus_duration_min": 1.0,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 120,
            },
        ),
        ("hard-many", man, {"dose_mg_per_kg_per_h": 2.5, "duration_min": 240}),
        (
            "hard-bolus",
            man,
            {
                "bolus_mg_per_kg": 0.6,
                "bolus_duration_min": 2,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 120,
            },
        ),
        (
            "hard-bolus-duration",
            man,
            {
                "bolus_mg_per_kg": 0.35,
                "bolus_duration_min": 0.5,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 120,
            },
        ),
        (
            "hard-day",
            man,
            {"prior_24h_mg": 400.0, "dose_mg_per_kg_per_h": 0.5, "duration_min": 120},
        ),
        (
            "hard-pump",
            man,
            {"device_max_ml_per_h": 10.0, "dose_mg_per_kg_per_h": 0.5, "duration_min": 120},
        ),
        (
            "bolus-50mg",
            heavy,
            {
                "bolus_mg_per_kg": 0.45,
                "bolus_duration_min": 2,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
            },
        ),
        (
            "undiluted-100",
            man,
            {
                "vial_mg_per_ml": 100,
                "bag_volume_ml": 0,
                "dose_mg_per_kg": 0.5,
                "duration_min": 40,
                "container": "syringe",
            },
        ),
        (
            "undiluted-50",
            man,
            {
                "vial_mg_per_ml": 50,
                "bag_volume_ml": 0,
                "dose_mg_per_kg": 0.5,
                "duration_min": 40,
                "container": "syringe",
            },
        ),
        (
            "undiluted-10-syringe",
            man,
            {
                "vial_mg_per_ml": 10,
                "bag_volume_ml": 0,
                "dose_mg_per_kg_per_h": 0.3,
                "duration_min": 60,
                "container": "syringe",
            },
        ),
        ("weight-25", Patient(25.0, 130.0, 30.0, "female"), {"protocol": "depression-0.5-over-40"}),
        ("weight-light-soft", light, {"dose_mg_per_kg_per_h": 0.5, "duration_min": 60}),
        ("teen", teen, {"dose_mg_per_kg_per_h": 0.5, "duration_min": 60}),
        ("soft-rate", man, {"dose_mg_per_kg_per_h": 1.5, "duration_min": 60}),
        (
            "soft-rate-ack",
            man,
            {
                "dose_mg_per_kg_per_h": 1.5,
                "duration_min": 60,
                "acknowledged": ["rate_mg_per_kg_per_h"],
            },
        ),
        (
            "ack-unknown",
            man,
            {"dose_mg_per_kg_per_h": 1.5, "duration_min": 60, "acknowledged": ["nope"]},
        ),
        (
            "first-infusion",
            man,
            {"dose_mg_per_kg_per_h": 0.5, "duration_min": 60, "first_pain_infusion": True},
        ),
        (
            "esk-hard-rate",
            man,
            {
                "vial_mg_per_ml": 25,
                "bag_volume_ml": 250,
                "dose_mg_per_kg_per_h": 1.2,
                "duration_min": 60,
                "product": "esketamine",
            },
        ),
        (
            "esk-ok",
            man,
            {
                "vial_mg_per_ml": 25,
                "bag_volume_ml": 250,
                "dose_mg_per_kg_per_h": 0.4,
                "duration_min": 60,
                "product": "esketamine",
                "bolus_mg_per_kg": 0.1,
                "bolus_duration_min": 3,
            },
        ),
        (
            "override",
            man,
            {
                "bag_volume_ml": 500,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 240,
                "prior_24h_mg": 300.0,
                "hard_limit_overrides": {"day_mg_per_kg": "second session"},
            },
        ),
        (
            "override-blank",
            man,
            {
                "bag_volume_ml": 500,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 240,
                "hard_limit_overrides": {"day_mg_per_kg": " "},
            },
        ),
        (
            "custom-tight",
            man,
            {
                "bag_volume_ml": 250,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
                "limits": dataclasses.replace(Limits(), rate_hard_mg_per_kg_per_h=1.5),
            },
        ),
        (
            "custom-tight-refuse",
            man,
            {
                "bag_volume_ml": 250,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
                "limits": dataclasses.replace(Limits(), rate_hard_mg_per_kg_per_h=0.4),
            },
        ),
        (
            "custom-loose",
            man,
            {
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
                "limits": dataclasses.replace(Limits(), session_hard_mg=1000.0),
            },
        ),
        (
            "dw-override",
            woman_obese,
            {
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
                "dosing_weight_basis": "lean",
                "dosing_weight_reason": "clinic policy",
            },
        ),
        (
            "dw-override-no-reason",
            woman_obese,
            {"dose_mg_per_kg_per_h": 0.5, "duration_min": 60, "dosing_weight_basis": "lean"},
        ),
        (
            "bag-too-small",
            man,
            {
                "bag_volume_ml": 50,
                "standard_conc_mg_per_ml": 1.0,
                "dose_mg_per_kg_per_h": 1.0,
                "duration_min": 120,
            },
        ),
        (
            "std-no-bag",
            man,
            {
                "bag_volume_ml": 0,
                "standard_conc_mg_per_ml": 1.0,
                "dose_mg_per_kg_per_h": 0.5,
                "duration_min": 60,
            },
        ),
        ("no-dose", man, {}),
        (
            "both-doses",
            man,
            {"dose_mg_per_kg": 0.5, "dose_mg_per_kg_per_h": 0.5, "duration_min": 60},
        ),
        ("no-duration", man, {"dose_mg_per_kg_per_h": 0.5}),
        ("bad-vial", man, {"vial_mg_per_ml": 20, "dose_mg_per_kg_per_h": 0.5, "duration_min": 60}),
        (
            "bad-bag",
            man,
            {"bag_volume_ml": float("nan"), "dose_mg_per_kg_per_h": 0.5, "duration_min": 60},
        ),
        (
            "bad-container",
            man,
            {"container": "cup", "dose_mg_per_kg_per_h": 0.5, "duration_min": 60},
        ),
        (
            "bad-product",
            man,
            {"product": "arketamine", "dose_mg_per_kg_per_h": 0.5, "duration_min": 60},
        ),
        (
            "product-mismatch",
            man,
            {"protocol": "depression-0.5-over-40", "vial_mg_per_ml": 25, "product": "esketamine"},
        ),
        (
            "proto-override-dose",
            man,
            {"protocol": "depression-0.5-over-40", "dose_mg_per_kg": 0.3, "duration_min": 30},
        ),
        (
            "pump-resolution",
            Patient(40.0, 160.0, 40.0, "female"),
            {
                "vial_mg_per_ml": 100,
                "bag_volume_ml": 0,
                "container": "syringe",
                "dose_mg_per_kg_per_h": 0.05,
                "duration_min": 60,
            },
        ),
        (
            "rounded-rate",
            Patient(77.0, 175.0, 40.0, "male"),
            {
                "vial_mg_per_ml": 10,
                "bag_volume_ml": 0,
                "container": "syringe",
                "dose_mg_per_kg_per_h": 0.7,
                "duration_min": 60,
            },
        ),
        (
            "long-7d",
            man,
            {"bag_volume_ml": 5000, "dose_mg_per_kg_per_h": 0.1, "duration_min": 7 * 24 * 60.0},
        ),
    ]
    for name, patient, kwargs in cases:
        args = direct | kwargs
        protocol = args.pop("protocol", None)
        orders.append(
            (
                f"case/{name}",
                lambda protocol=protocol, patient=patient, args=args: plan_infusion(
                    protocol, patient, **args
                ),
            )
        )
    return orders


def tci_orders() -> list[tuple[str, Any]]:
    from tenderpoint.pharmacology import tci
    from tenderpoint.pharmacology.patient import Patient

    man = Patient(70.0, 175.0, 40.0, "male")
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("plasma-150", ("domino1984", man, 150.0, 60.0), {}),
        ("effect-cap2", ("domino1984", man, 150.0, 60.0, "effect"), {"plasma_cap_ratio": 2.0}),
        ("effect-cap1.5", ("domino1984", man, 150.0, 30.0, "effect"), {"plasma_cap_ratio": 1.5}),
        ("effect-uncapped", ("domino1984", man, 150.0, 30.0, "effect"), {}),
        (
            "effect-uncapped-research",
            ("domino1984", man, 150.0, 30.0, "effect"),
            {"research_mode": True},
        ),
        ("clements", ("clements1981", man, 120.0, 45.0), {}),
        (
            "hijazi-ke0",
            ("hijazi2003", man, 100.0, 30.0, "effect"),
            {"plasma_cap_ratio": 2.0, "ke0_per_min": 0.2},
        ),
        ("target-300", ("domino1984", man, 300.0, 30.0), {}),
        ("target-300-esk", ("domino1984", man, 300.0, 30.0), {"product": "esketamine"}),
        ("target-500", ("domino1984", man, 500.0, 30.0), {}),
        ("cap-too-high", ("domino1984", man, 300.0, 30.0, "effect"), {"plasma_cap_ratio": 3.0}),
        ("max-rate", ("domino1984", man, 150.0, 30.0, "plasma", 2.0), {}),
        ("step-30", ("domino1984", man, 150.0, 30.0, "plasma", None, 30.0), {}),
        ("prior", ("domino1984", man, 150.0, 60.0), {"prior_24h_mg": 380.0}),
        ("long", ("domino1984", man, 100.0, 26 * 60.0), {}),
        ("bad-site", ("domino1984", man, 150.0, 30.0, "brain"), {}),
        ("cap-plasma", ("domino1984", man, 150.0, 30.0), {"plasma_cap_ratio": 2.0}),
        ("weight-260", ("domino1984", Patient(260.0, 200.0, 40.0, "male"), 150.0, 30.0), {}),
        (
            "herd-research",
            ("herd2007", Patient(30.0, 130.0, 8.0, "male"), 100.0, 20.0),
            {"research_mode": True},
        ),
    ]
    return [
        (f"tci/{name}", lambda a=args, k=kwargs: tci.plan(*a, **k)) for name, args, kwargs in cases
    ]


def triage_orders() -> list[tuple[str, Any]]:
    from tenderpoint.pharmacology.contraindications import check

    clean = {
        "hypersensitivity_to_ketamine": False,
        "systolic_bp_mmhg": 125,
        "diastolic_bp_mmhg": 80,
        "bp_rise_hazard": False,
        "active_psychosis": False,
        "pregnant_or_preeclampsia": False,
        "hepatic_disease": "none",
        "untreated_hyperthyroidism": False,
        "theophylline_or_aminophylline": False,
    }
    cases = {
        "blank": {},
        "clean": clean,
        "bp-180": clean | {"systolic_bp_mmhg": 180},
        "bp-99": clean | {"diastolic_bp_mmhg": 99},
        "everything": clean
        | {
            "hypersensitivity_to_ketamine": True,
            "active_psychosis": True,
            "hepatic_disease": "severe",
            "elevated_icp": True,
            "elevated_iop_glaucoma_or_open_globe": True,
            "controlled_cardiovascular_disease": True,
            "benzodiazepine_or_opioid": True,
            "repeated_high_dose_courses": True,
            "substance_use_disorder": "active",
            "stop_bang_score": 5,
            "sessions_last_14_days": 7,
        },
        "moderate-past": clean | {"hepatic_disease": "moderate", "substance_use_disorder": "past"},
        "unknown-field": {"colour": "red"},
        "bad-bool": {"active_psychosis": "yes"},
        "bad-bp": {"systolic_bp_mmhg": 500},
        "bad-stopbang": {"stop_bang_score": 9},
        "bad-hepatic": {"hepatic_disease": "awful"},
        "bad-substance": {"substance_use_disorder": "sometimes"},
    }
    return [(f"triage/{name}", lambda a=answers: check(a)) for name, answers in cases.items()]


def main() -> None:
    golden = {name: run(call) for name, call in plan_orders() + tci_orders() + triage_orders()}
    out = HERE / "plans.json"
    out.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {len(golden)} cases to {out}\n")


if __name__ == "__main__":
    main()
