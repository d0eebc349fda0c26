"""Ketamine dosing, PK/PD simulation, population prediction and target-controlled infusion."""
