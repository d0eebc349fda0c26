"""Pharmacodynamics: acute sigmoid-Emax effects and the slow relief compartment."""
