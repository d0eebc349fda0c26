"""Diary analytics: treatment response, flares, durability of relief, forecasts, cohorts."""
