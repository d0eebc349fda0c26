"""Infusion planning: protocols as data, the limits of reference 3.8, and the planner.

See ``plan`` for the pump arithmetic and the decisions on the limits.
"""

from tenderpoint.pharmacology.dosing.limits import LIMITS_SOURCE, LimitFinding, Limits
from tenderpoint.pharmacology.dosing.plan import InfusionPlan, PumpSegment, plan_infusion
from tenderpoint.pharmacology.dosing.protocols import PROTOCOLS, Protocol, get_protocol

__all__ = [
    "LIMITS_SOURCE",
    "PROTOCOLS",
    "InfusionPlan",
    "LimitFinding",
    "Limits",
    "Protocol",
    "PumpSegment",
    "get_protocol",
    "plan_infusion",
]
