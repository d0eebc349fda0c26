"""Probe: does a numba kernel earn its place for the population recursion (issue 15 §3)?

Written before numba was used for the bands (it is now: pharmacology/_population_kernels.py,
whose kernels vectorise where these did not). Run in a scratch environment:

    uv venv /tmp/nb && uv pip install --python /tmp/nb/bin/python numpy==2.4.6 numba
    NUMBA_CACHE_DIR=/tmp/nb/cache /tmp/nb/bin/python benchmarks/numba_recursion_probe.py        # import, compile
    NUMBA_CACHE_DIR=/tmp/nb/cache /tmp/nb/bin/python benchmarks/numba_recursion_probe.py big    # + 100,000 x 1,441

It prints the import time, the first call (compile, or load from the cache with cache=True),
and the CPU time of the recursion of 100,000 subjects x 1,441 output times (4 exponentials,
2 outputs, float32 outputs in 64-row chunks) in two numba layouts and in numpy's layout (the
project's blocks of 4,096 subjects). Figures: docs/performance.md and docs/dependencies.md.
"""
# ruff: noqa: E402, E501

import sys
import time

t0 = time.perf_counter()
c0 = time.process_time()
import numba  # noqa: F401

t_import = time.perf_counter() - t0
c_import = time.process_time() - c0
import numpy as np
from numba import njit


@njit(cache=True)
def advance_chunk(
    state, decay, gain, step_index, rate_after, dose_at, is_output, coefs, out, k0, k1, resume
):
    S, R = state.shape
    n_out = coefs.shape[0]
    for s in range(S):
        row = 0
        for k in range(k0, k1 + 1):
            if not (resume and k == k0):
                if dose_at[k] != 0.0:
                    for r in range(R):
                        state[s, r] += dose_at[k]
                if is_output[k]:
                    for o in range(n_out):
                        acc = 0.0
                        for r in range(R):
                            acc += coefs[o, s, r] * state[s, r]
                        out[o, row, s] = np.float32(acc)
                    row += 1
            if k == k1:
                break
            u = step_index[k]
            rate = rate_after[k]
            for r in range(R):
                state[s, r] = state[s, r] * decay[u, s, r]
                if rate != 0.0:
                    state[s, r] += gain[u, s, r] * rate


@njit(cache=True)
def advance_blocked(
    state, decay, gain, step_index, rate_after, dose_at, is_output, coefs, out, k0, k1, resume
):
    """state (R, S), decay/gain (U, R, S), coefs (O, R, S), out (O, rows, S): time outer,
    subjects inner in blocks of 4096 (the block's state stays in cache)."""
    R, S = state.shape
    n_out = coefs.shape[0]
    for a in range(0, S, 4096):
        b = min(a + 4096, S)
        row = 0
        for k in range(k0, k1 + 1):
            if not (resume and k == k0):
                dose = dose_at[k]
                if dose != 0.0:
                    for r in range(R):
                        for s in range(a, b):
                            state[r, s] += dose
                if is_output[k]:
                    for o in range(n_out):
                        for s in range(a, b):
                            acc = 0.0
                            for r in range(R):
                                acc += coefs[o, r, s] * state[r, s]
                            out[o, row, s] = np.float32(acc)
                    row += 1
            if k == k1:
                break
            u = step_index[k]
            rate = rate_after[k]
            for r in range(R):
                if rate != 0.0:
                    for s in range(a, b):
                        state[r, s] = state[r, s] * decay[u, r, s] + gain[u, r, s] * rate
                else:
                    for s in range(a, b):
                        state[r, s] = state[r, s] * decay[u, r, s]


def inputs(S, K, R=4):
    rng = np.random.default_rng(1)
    rates = rng.uniform(0.01, 0.5, size=(S, R))
    coefs = rng.uniform(0.0, 1.0, size=(2, S, R))
    decay = np.exp(-rates)[None]
    gain = (-np.expm1(-rates) / rates)[None]
    step_index = np.zeros(K, dtype=np.intp)
    rate_after = np.where(np.arange(K) < 240, 0.5, 0.0)
    dose_at = np.zeros(K)
    dose_at[0] = 20.0
    is_output = np.ones(K, dtype=np.bool_)
    return rates, coefs, decay, gain, step_index, rate_after, dose_at, is_output


# first call (compile, or load from cache)
S, K = 100, 10
rates, coefs, decay, gain, si, ra, da, io = inputs(S, K)
state = np.zeros((S, 4))
out = np.empty((2, K, S), dtype=np.float32)
t0 = time.perf_counter()
c0 = time.process_time()
advance_chunk(state, decay, gain, si, ra, da, io, coefs, out, 0, K - 1, False)
t_first = time.perf_counter() - t0
c_first = time.process_time() - c0
print(
    f"import numba {t_import:.2f} s (CPU {c_import:.2f}); first call {t_first:.2f} s (CPU {c_first:.2f})"
)
if len(sys.argv) > 1:
    S, K, chunk = 100_000, 1441, 64
    rates, coefs, decay, gain, si, ra, da, io = inputs(S, K)
    # numba: subject-major state
    state = np.zeros((S, 4))
    out = np.empty((2, chunk, S), dtype=np.float32)
    c0 = time.process_time()
    t0 = time.perf_counter()
    k_start, resume = 0, False
    for c in range(0, K, chunk):
        k_end = min(c + chunk, K) - 1
        advance_chunk(state, decay, gain, si, ra, da, io, coefs, out, k_start, k_end, resume)
        k_start, resume = k_end, True
    print(
        f"numba recursion 100,000 x 1,441 (R=4, 2 outputs): {time.perf_counter() - t0:.2f} s, CPU {time.process_time() - c0:.2f} s"
    )
    stT = np.zeros((4, S))
    dT3 = np.ascontiguousarray(decay.transpose(0, 2, 1))
    gT3 = np.ascontiguousarray(gain.transpose(0, 2, 1))
    cT3 = np.ascontiguousarray(coefs.transpose(0, 2, 1))
    outb = np.empty((2, chunk, S), dtype=np.float32)
    advance_blocked(
        np.zeros((4, 10)),
        dT3[:, :, :10].copy(),
        gT3[:, :, :10].copy(),
        si,
        ra,
        da,
        io,
        cT3[:, :, :10].copy(),
        np.empty((2, chunk, 10), dtype=np.float32),
        0,
        5,
        False,
    )
    c0 = time.process_time()
    t0 = time.perf_counter()
    k_start, resume = 0, False
    for c in range(0, K, chunk):
        k_end = min(c + chunk, K) - 1
        advance_blocked(stT, dT3, gT3, si, ra, da, io, cT3, outb, k_start, k_end, resume)
        k_start, resume = k_end, True
    print(
        f"numba blocked recursion 100,000 x 1,441: {time.perf_counter() - t0:.2f} s, CPU {time.process_time() - c0:.2f} s"
    )
    # numpy: the project's layout (R, S) in 4096-subject blocks, per-row einsum
    st_all = np.zeros((4, S))
    dT = np.ascontiguousarray(decay[0].T)
    gT = np.ascontiguousarray(gain[0].T)
    cT = [np.ascontiguousarray(coefs[o].T) for o in range(2)]
    buf = np.empty((2, chunk, S), dtype=np.float32)
    c0 = time.process_time()
    t0 = time.perf_counter()
    for a in range(0, S, 4096):
        b = min(a + 4096, S)
        st = st_all[:, a:b]
        d = dT[:, a:b]
        g = gT[:, a:b]
        term = np.empty_like(st)
        last = None
        for k in range(K):
            if da[k]:
                st += da[k]
            row = k % chunk
            for o in range(2):
                np.einsum(
                    "rs,rs->s",
                    cT[o][:, a:b],
                    st,
                    out=buf[o, row, a:b],
                    dtype=np.float64,
                    casting="unsafe",
                )
            st *= d
            if ra[k]:
                if last != ra[k]:
                    np.multiply(g, ra[k], out=term)
                    last = ra[k]
                st += term
    print(
        f"numpy recursion 100,000 x 1,441 (same work): {time.perf_counter() - t0:.2f} s, CPU {time.process_time() - c0:.2f} s"
    )
