"""The slow relief compartment against the hand-derived table of reference section 2.3."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology.pd.relief import (
    DAHAN2011,
    ReliefModel,
    relief_fraction,
    slow_compartment,
    slow_compartment_from_auc,
    threshold_concentration,
    time_until_relief_below,
)

DAY = 1440.0


def test_k_slow_is_ln2_over_10_9_days() -> None:
    # Reference 2.3: 4.4161e-5 per min.
    assert DAHAN2011.k_slow_per_min == pytest.approx(4.4161e-5, rel=1e-4)
    assert DAHAN2011.half_life_days == pytest.approx(10.9)
    assert DAHAN2011.c50_ng_per_ml == 10.5
    assert DAHAN2011.responder_probability == 0.67
    assert DAHAN2011.enantiomer == "S"


@pytest.mark.parametrize(
    ("start", "end", "conc", "time", "expected_c", "tol_c", "expected_r"),
    [
        (0.0, 6000.0, 100.0, 6000.0, 23.28, 0.005, 0.689),  # 100 h at 100 ng/mL
        (0.0, 6000.0, 100.0, 6000.0 + 50 * DAY, 0.968, 0.0005, 0.084),  # then 50 days off
        (0.0, 240.0, 300.0, 240.0, 3.163, 0.0005, 0.231),  # 4 h at 300 ng/mL
    ],
)
def test_hand_derived_table(start, end, conc, time, expected_c, tol_c, expected_r) -> None:
    # Tolerances are half a unit of the last digit the reference printed.
    c = slow_compartment([start], [end], [conc], [time])
    assert c[0] == pytest.approx(expected_c, abs=tol_c)
    assert relief_fraction(c)[0] == pytest.approx(expected_r, abs=0.0005)


@pytest.mark.parametrize(
    ("day", "expected_c", "expected_r"),
    [(5, 6.70, 0.390), (14, 3.78, 0.265), (28, 1.55, 0.129), (42, 0.64, 0.057)],
)
def test_five_daily_sessions_from_auc(day, expected_c, expected_r) -> None:
    # Reference 2.3: AUC_rac 72,447 ng*min/mL per 4-h session, C_S = 0.5 * C_rac, sessions on
    # days 0-4; table values are rounded to 2 decimals (and the approximation is ~0.5 % high).
    ends = np.arange(5) * DAY + 240.0
    c = slow_compartment_from_auc(ends, [0.5 * 72447.0] * 5, [day * DAY])
    assert c[0] == pytest.approx(expected_c, abs=0.005 + 0.003 * expected_c)
    assert relief_fraction(c)[0] == pytest.approx(expected_r, abs=0.002)


def test_exact_solution_matches_ode() -> None:
    starts = np.array([0.0, 1440.0, 2880.0, 10000.0])
    ends = starts + np.array([240.0, 120.0, 600.0, 30.0])
    concs = np.array([150.0, 300.0, 80.0, 1000.0])
    k = DAHAN2011.k_slow_per_min
    times = np.array([0.0, 100.0, 240.0, 1500.0, 2000.0, 3000.0, 10015.0, 20000.0, 90000.0])

    # Integrate piece by piece between input changes so the solver never steps over one.
    breaks = np.unique(np.concatenate([[0.0], starts, ends, times]))
    y = 0.0
    values = {0.0: 0.0}
    for t0, t1 in itertools.pairwise(breaks):
        driving = concs[(t0 >= starts) & (t0 < ends)].sum()
        sol = solve_ivp(
            lambda _t, c, d=driving: k * (d - c),
            (t0, t1),
            [y],
            rtol=1e-12,
            atol=1e-14,
            method="LSODA",
        )
        y = float(sol.y[0, -1])
        values[float(t1)] = y
    want = np.array([values[float(t)] for t in times])
    got = slow_compartment(starts, ends, concs, times)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


def test_auc_approximation_is_close_to_exact() -> None:
    c_exact = slow_compartment([0.0], [240.0], [300.0], [240.0, 30 * DAY])
    c_auc = slow_compartment_from_auc([240.0], [300.0 * 240.0], [240.0, 30 * DAY])
    np.testing.assert_allclose(c_auc, c_exact, rtol=0.006)
    assert slow_compartment_from_auc([240.0], [1e4], [100.0])[0] == 0.0


def test_time_until_relief_below_inverts_the_decay() -> None:
    # From 23.28 ng/mL, relief 0.2 needs C* = 10.5 * 0.2 / 0.8 = 2.625 ng/mL.
    t = time_until_relief_below(23.28, 0.2)
    assert t == pytest.approx(math.log(23.28 / 2.625) / 4.416075e-5, rel=1e-6)
    later = 23.28 * math.exp(-DAHAN2011.k_slow_per_min * t)
    assert float(relief_fraction(later)) == pytest.approx(0.2, rel=1e-9)
    assert time_until_relief_below(1.0, 0.2) == 0.0


def test_emax_below_one_generalises_threshold() -> None:
    model = ReliefModel(
        k_slow_per_min=1e-4,
        c50_ng_per_ml=10.0,
        emax=0.5,
        responder_probability=0.5,
        citation="test",
        version="t",
        extrapolation_note="test",
    )
    assert threshold_concentration(0.25, model) == pytest.approx(10.0)
    assert relief_fraction([10.0], model)[0] == pytest.approx(0.25)
    with pytest.raises(InvalidInputError) as info:
        time_until_relief_below(5.0, 0.5, model)
    assert info.value.field == "threshold_fraction"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"session_mean_conc_s_ng_per_ml": [-1.0]}, "session_mean_conc_s_ng_per_ml"),
        ({"session_end_min": [-5.0]}, "session_end_min"),
        ({"times_min": [float("nan")]}, "times_min"),
    ],
)
def test_bad_input_names_the_field(kwargs, field) -> None:
    args = {
        "session_start_min": [0.0],
        "session_end_min": [10.0],
        "session_mean_conc_s_ng_per_ml": [1.0],
        "times_min": [5.0],
    } | kwargs
    with pytest.raises(InvalidInputError) as info:
        slow_compartment(**args)
    assert info.value.field == field
