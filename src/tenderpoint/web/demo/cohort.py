"""The one synthetic cohort behind the demo clinic's clinical history. SYNTHETIC DATA.

The demo's diaries, questionnaire answers and infusion sessions all come from this cohort, so
that the sessions the console shows and the relief the diary shows belong together. Demo
patient ``i`` (in creation order) is cohort patient ``i``. The diary ends on the day the demo is
loaded, so there is something recent to look at and something due today.
"""

from __future__ import annotations

import datetime

from tenderpoint.outcomes.synthetic import SyntheticCohort, SyntheticParams, generate_cohort

DEMO_DIARY_DAYS = 182
DEMO_COHORT_SEED = 20261130
DEMO_TIME_ZONE = "America/Chicago"


def demo_cohort(n_patients: int, today: datetime.date) -> SyntheticCohort:
    """About six months of synthetic history for ``n_patients``, ending the day before ``today``."""
    params = SyntheticParams(
        start_date=today - datetime.timedelta(days=DEMO_DIARY_DAYS),
        timezones=(DEMO_TIME_ZONE,),
        timezone_weights=(1.0,),
    )
    return generate_cohort(n_patients, DEMO_DIARY_DAYS, seed=DEMO_COHORT_SEED, params=params)
