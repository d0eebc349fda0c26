"""Dosing protocols as data, each with its citation (reference sections 3.1-3.4).

Two kinds: ``"mg_per_kg_over"`` (a fixed mg/kg dose infused over a fixed time, e.g. the
0.5 mg/kg over 40 min depression regimen) and ``"mg_per_kg_per_h"`` (a rate for hours, the
chronic-pain form), optionally preceded by a bolus. Doses are mg of ketamine base per kg of
dosing weight, of the named product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.regimen import Product

ProtocolKind = Literal["mg_per_kg_over", "mg_per_kg_per_h"]

GUIDELINE_2018 = (
    "Cohen SP, Bhatia A, Buvanendran A, et al. Consensus guidelines on the use of intravenous "
    "ketamine infusions for chronic pain from the American Society of Regional Anesthesia and "
    "Pain Medicine, the American Academy of Pain Medicine, and the American Society of "
    "Anesthesiologists. Reg Anesth Pain Med 2018;43:521-546. doi:10.1097/AAP.0000000000000808"
)


@dataclass(frozen=True)
class Protocol:
    """A named dosing regimen with its source.

    Attributes
    ----------
    protocol_id : str
    name : str
    kind : {"mg_per_kg_over", "mg_per_kg_per_h"}
    dose_mg_per_kg : float
        For ``mg_per_kg_over``: the dose given over ``duration_min``.
    rate_mg_per_kg_per_h : float
        For ``mg_per_kg_per_h``: the infusion rate.
    duration_min : float
        Infusion duration (min).
    bolus_mg_per_kg, bolus_duration_min : float
        Optional loading dose before the infusion (0 = none).
    product : {"racemic", "esketamine"}
    indication : str
    citation : str
    evidence : str
        The strength of the evidence, as the reference states it.
    first_pain_infusion : bool
        Whether the guideline's ">= 80 mg over > 2 h" first-infusion check applies.
    """

    protocol_id: str
    name: str
    kind: ProtocolKind
    duration_min: float
    citation: str
    indication: str
    evidence: str
    dose_mg_per_kg: float = 0.0
    rate_mg_per_kg_per_h: float = 0.0
    bolus_mg_per_kg: float = 0.0
    bolus_duration_min: float = 0.0
    product: Product = "racemic"
    first_pain_infusion: bool = False


PROTOCOLS: dict[str, Protocol] = {
    p.protocol_id: p
    for p in (
        Protocol(
            "depression-0.5-over-40",
            "0.5 mg/kg over 40 min (depression regimen)",
            "mg_per_kg_over",
            dose_mg_per_kg=0.5,
            duration_min=40.0,
            citation=(
                "Zarate CA Jr, et al. Arch Gen Psychiatry 2006;63:856-864; Krystal JH, et "
                "al. Arch Gen Psychiatry 1994;51:199-214 (via Zanos et al. Pharmacol Rev "
                "2018;70:621-660, Table 1)"
            ),
            indication="treatment-resistant depression (contrast regimen; not a pain protocol)",
            evidence="RCTs in depression; measured mean Cmax about 185 ng/mL",
        ),
        Protocol(
            "asra-chronic-pain-0.5-per-h-4h",
            "0.5 mg/kg/h for 4 h (consensus lower bound)",
            "mg_per_kg_per_h",
            rate_mg_per_kg_per_h=0.5,
            duration_min=240.0,
            citation=GUIDELINE_2018,
            indication="chronic pain; guideline infusion range 0.5-2 mg/kg/h",
            evidence="Grade C, low certainty; fibromyalgia D (weak or no evidence)",
            first_pain_infusion=True,
        ),
        Protocol(
            "asra-bolus-0.35-then-0.5-per-h-2h",
            "0.35 mg/kg over 2 min then 0.5 mg/kg/h for 2 h",
            "mg_per_kg_per_h",
            bolus_mg_per_kg=0.35,
            bolus_duration_min=2.0,
            rate_mg_per_kg_per_h=0.5,
            duration_min=120.0,
            citation=GUIDELINE_2018,
            indication="chronic pain; guideline bolus up to 0.35 mg/kg",
            evidence="Grade C, low certainty",
            first_pain_infusion=True,
        ),
        Protocol(
            "crps-0.35-per-h-4h",
            "0.35 mg/kg/h for 4 h daily (CRPS course)",
            "mg_per_kg_per_h",
            rate_mg_per_kg_per_h=0.35,
            duration_min=240.0,
            citation=GUIDELINE_2018 + " (CRPS regimen 0.35 mg/kg/h x 4 h daily x 10 days)",
            indication="complex regional pain syndrome",
            evidence="Grade B, moderate evidence for CRPS up to 12 weeks",
        ),
        Protocol(
            "fm-graven-nielsen-0.3-over-30",
            "0.3 mg/kg over 30 min (Graven-Nielsen 2000)",
            "mg_per_kg_over",
            dose_mg_per_kg=0.3,
            duration_min=30.0,
            citation=(
                "Graven-Nielsen T, Aspegren Kendall S, Henriksson KG, et al. Ketamine "
                "reduces muscle pain, temporal summation, and referred pain in "
                "fibromyalgia patients. Pain 2000;85:483-491"
            ),
            indication="fibromyalgia (trial regimen)",
            evidence="RCT, 29 patients; relief for hours",
        ),
        Protocol(
            "fm-noppers-s-ketamine-0.5-over-30",
            "S-ketamine 0.5 mg/kg over 30 min (Noppers 2011)",
            "mg_per_kg_over",
            dose_mg_per_kg=0.5,
            duration_min=30.0,
            product="esketamine",
            citation=(
                "Noppers I, Niesters M, Swartjes M, et al. Absence of long-term analgesic "
                "effect from a short-term S-ketamine infusion on fibromyalgia pain. "
                "Eur J Pain 2011;15:942-949"
            ),
            indication="fibromyalgia (trial regimen, esketamine)",
            evidence="RCT, 24 patients; effect at 15 min, none at weeks 1-8",
        ),
    )
}


def get_protocol(protocol: Protocol | str) -> Protocol:
    """The protocol object for an id (or the object itself)."""
    if isinstance(protocol, Protocol):
        return protocol
    try:
        return PROTOCOLS[protocol]
    except (KeyError, TypeError):
        raise InvalidInputError(
            f"Unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}.",
            field="protocol",
            code="unknown_protocol",
            params={"known": list(PROTOCOLS)},
        ) from None
