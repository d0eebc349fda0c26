"""Pharmacodynamics: acute sigmoid-Emax effects and the slow relief compartment."""

from tenderpoint.pharmacology.pd import acute, relief

__all__ = ["acute", "relief"]
