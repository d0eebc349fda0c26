"""Doses in mg for this patient, and the bag or syringe that holds them (reference section 4).

    V_drug = dose_mg / vial_mg_per_ml
    C      = dose_mg / (bag_volume_ml + V_drug)        (whole dose added to the bag)

or, for a clinic-standard concentration, remove the drug's volume of diluent and add drug to
reach that concentration in the bag; only the volume the dose needs is infused.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology._validate import finite_float
from tenderpoint.pharmacology.dosing.order import Prescription


@dataclass(frozen=True)
class Doses:
    """The session's doses in mg for a dosing weight, with the arithmetic in words."""

    dosing_weight_kg: float
    bolus_mg: float
    infusion_mg: float
    rate_mg_per_h: float
    total_mg: float
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Preparation:
    """What goes into the bag or syringe: drug volume, final concentration, total volume."""

    drug_volume_ml: float
    final_concentration_mg_per_ml: float
    total_volume_ml: float
    steps: tuple[str, ...]


def compute_doses(rx: Prescription, kg: float) -> Doses:
    """The bolus, infusion and session total in mg for ``kg`` of dosing weight."""
    bolus_mg = rx.bolus_mg_per_kg * kg
    infusion_mg = rx.dose_mg_per_kg * kg
    rate_mg_h = rx.rate_mg_per_kg_per_h * kg
    total_mg = bolus_mg + infusion_mg
    duration = rx.duration_min
    steps: list[str] = []
    if bolus_mg > 0:
        steps.append(
            f"Bolus: {rx.bolus_mg_per_kg:g} mg/kg x {kg:.1f} kg = {bolus_mg:.2f} mg over "
            f"{rx.bolus_duration_min:g} min."
        )
    if rx.kind == "mg_per_kg_over":
        steps.append(
            f"Infusion dose: {rx.dose_mg_per_kg:g} mg/kg x {kg:.1f} kg = {infusion_mg:.2f} mg "
            f"over {duration:g} min, i.e. {infusion_mg:.2f} mg / {duration / 60:.4g} h "
            f"= {rate_mg_h:.2f} mg/h ({rx.rate_mg_per_kg_per_h:.3g} mg/kg/h)."
        )
    else:
        steps.append(
            f"Infusion rate: {rx.rate_mg_per_kg_per_h:g} mg/kg/h x {kg:.1f} kg = "
            f"{rate_mg_h:.2f} mg/h for {duration:g} min = {rate_mg_h:.2f} mg/h x "
            f"{duration / 60:.4g} h = {infusion_mg:.2f} mg."
        )
    steps.append(
        f"Session total: {bolus_mg:.2f} + {infusion_mg:.2f} = {total_mg:.2f} mg "
        f"({total_mg / kg:.3g} mg/kg)."
    )
    return Doses(kg, bolus_mg, infusion_mg, rate_mg_h, total_mg, tuple(steps))


def _standard_concentration(rx: Prescription, total_mg: float) -> Preparation:
    """A clinic-standard concentration bag; refused when the dose does not fit in it."""
    vial, bag = rx.vial_mg_per_ml, rx.bag_volume_ml
    conc = finite_float(
        rx.standard_conc_mg_per_ml,
        "standard_conc_mg_per_ml",
        minimum=0.0,
        strict_minimum=True,
        maximum=vial,
    )
    if bag <= 0:
        raise InvalidInputError(
            "A standard concentration needs a bag volume.", field="bag_volume_ml", code="required"
        )
    in_bag_mg = conc * bag
    drug_ml = in_bag_mg / vial
    if total_mg / conc > bag + 1e-9:
        raise InvalidInputError(
            f"The session needs {total_mg / conc:.1f} mL at {conc:g} mg/mL but the bag holds "
            f"{bag:g} mL.",
            field="bag_volume_ml",
            code="bag_too_small",
            params={"needed_ml": total_mg / conc, "bag_volume_ml": bag},
        )
    step = (
        f"Standard concentration {conc:g} mg/mL: remove {drug_ml:.2f} mL of diluent "
        f"from the {bag:g} mL bag and add {drug_ml:.2f} mL of {vial:g} mg/mL "
        f"= {in_bag_mg:.1f} mg in {bag:g} mL."
    )
    return Preparation(drug_ml, conc, bag, (step,))


def prepare(rx: Prescription, total_mg: float) -> Preparation:
    """The bag or syringe for a session of ``total_mg``: standard, whole dose, or undiluted."""
    if rx.standard_conc_mg_per_ml is not None:
        return _standard_concentration(rx, total_mg)
    vial, bag = rx.vial_mg_per_ml, rx.bag_volume_ml
    drug_ml = total_mg / vial
    if bag > 0:
        total_volume = bag + drug_ml
        conc = total_mg / total_volume
        return Preparation(
            drug_ml,
            conc,
            total_volume,
            (
                f"Drug volume: {total_mg:.2f} mg / {vial:g} mg/mL = {drug_ml:.2f} mL.",
                f"Final concentration: {total_mg:.2f} mg / ({bag:g} mL + {drug_ml:.2f} mL) "
                f"= {conc:.4g} mg/mL in {total_volume:.2f} mL.",
            ),
        )
    return Preparation(
        drug_ml, vial, drug_ml, (f"Undiluted: final concentration = vial strength {vial:g} mg/mL.",)
    )
