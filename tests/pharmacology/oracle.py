"""An independent reference solution: scipy solve_ivp on the compartment ODEs, piece by piece.

Built directly from the structural parameters (CL, V, Q) with the textbook mammillary ODEs of
reference 5.1/5.3, not from the engine's exponentials.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.integrate import solve_ivp

from tenderpoint.pharmacology.regimen import Regimen


def ode_solution(
    structural: Mapping[str, np.ndarray],
    regimen: Regimen,
    times: np.ndarray,
    ke0: float | None,
    fraction: float = 1.0,
    rtol: float = 1e-11,
) -> dict[str, np.ndarray]:
    p = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in structural.items()}
    v1, cl = p["v1_l"], p["cl_l_per_min"]
    periph = [(p[f"q{j}_l_per_min"], p[f"v{j}_l"]) for j in (2, 3) if f"q{j}_l_per_min" in p]
    has_m = "cl_m_l_per_min" in p
    n = 1 + len(periph)

    def rhs(_t: float, x: np.ndarray, rate: float) -> np.ndarray:
        dx = np.zeros_like(x)
        cp = x[0] / v1
        dx[0] = rate - cl * cp
        for j, (q, v) in enumerate(periph, start=1):
            flow = q * (cp - x[j] / v)
            dx[0] -= flow
            dx[j] = flow
        idx = n
        if ke0 is not None:
            dx[idx] = ke0 * (cp - x[idx])
            idx += 1
        if has_m:
            dx[idx] = (cl * cp - p["cl_m_l_per_min"] * x[idx]) / p["v_m_l"]
        return dx

    size = n + (ke0 is not None) + has_m
    events = {0.0, *times.tolist()}
    for inf in regimen.infusions:
        events |= {inf.start_min, inf.end_min}
    for b in regimen.boluses:
        events.add(b.time_min)
    grid = sorted(events)
    x = np.zeros(size)
    states = {}
    for i, t0 in enumerate(grid):
        for b in regimen.boluses:
            if b.time_min == t0:
                x[0] += b.dose_mg * fraction
        states[t0] = x.copy()
        if i + 1 == len(grid):
            break
        t1 = grid[i + 1]
        rate = fraction * sum(
            inf.rate_mg_per_min for inf in regimen.infusions if inf.start_min <= t0 < inf.end_min
        )
        sol = solve_ivp(
            rhs,
            (t0, t1),
            x,
            args=(rate,),
            method="Radau",
            rtol=rtol,
            atol=1e-14,
            first_step=min(1e-3, (t1 - t0) / 10),
        )
        x = sol.y[:, -1]
    out = np.array([states[t] for t in times])
    result = {"plasma": out[:, 0] / v1 * 1000.0, "central": out[:, 0]}
    for j in range(1, n):
        result[f"peripheral_{j + 1}"] = out[:, j]
    idx = n
    if ke0 is not None:
        result["effect"] = out[:, idx] * 1000.0
        idx += 1
    if has_m:
        result["metabolite"] = out[:, idx] * 1000.0
    return result
