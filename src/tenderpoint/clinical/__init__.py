"""Fibromyalgia criteria and patient-reported instruments (standard library only)."""
