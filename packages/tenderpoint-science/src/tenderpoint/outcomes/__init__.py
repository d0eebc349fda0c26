"""Diary analytics: treatment response, flares, durability of relief, forecasts, cohorts.

Modules (one capability each): ``contracts`` (schemas, validation, daily values), ``schedule``
(courses), ``baseline``, ``response``, ``flares``, ``cohort``, ``forecast``, ``patient`` (one
patient's full analysis) and ``synthetic`` (seeded cohorts with ground truth). See
``docs/outcomes.md``.
"""
