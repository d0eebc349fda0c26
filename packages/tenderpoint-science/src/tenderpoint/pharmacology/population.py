"""Population (Monte Carlo) prediction bands: log-normal IIV, vectorised, memory-bounded.

Each virtual subject's structural parameters are ``TV * exp(eta)``, ``eta ~ N(0, Omega)`` with
the model's Omega (or the reference's illustrative defaults, flagged). Every subject is reduced
to exponential rates and coefficients at once (``engine.build_disposition`` on arrays), then the
schedule is advanced with the exact state recursion of reference 5.2::

    s_r <- s_r exp(-r dt) + R (1 - exp(-r dt)) / r        (constant rate R over dt)
    s_r <- s_r + D                                          (bolus D)
    y   =  sum_r coef_r s_r

over the union of the requested times and the schedule's breakpoints. This is exact for
piecewise-constant input (the same numbers as the closed form, to rounding), loops over *time*
only, and is vectorised over subjects. ``exp`` is evaluated once per distinct step length.
Memory is bounded by chunking over time: only ``chunk_times x n_subjects`` outputs are held
before their percentiles are taken.

From ``COMPILED_FROM_SUBJECTS`` subjects the recursion and the percentiles run in compiled
kernels (``_population_kernels``, numba): the same recursion operation for operation, and the
order statistics read by an exact bracketed selection instead of a sort of every row. Both
give the numpy route's bands, every value (tests/pharmacology/test_population_compiled.py).
Smaller populations (the plan page's 1,000 patients) stay on numpy, which is then as fast and
spares the process numba's import and the kernels' first compilation.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tenderpoint._display import html_table, plain, require_altair
from tenderpoint.errors import InvalidInputError
from tenderpoint.pharmacology import engine
from tenderpoint.pharmacology._validate import finite_array
from tenderpoint.pharmacology.models.base import PKModel
from tenderpoint.pharmacology.patient import Patient
from tenderpoint.pharmacology.regimen import Regimen
from tenderpoint.pharmacology.simulate import (
    OutOfValidityRangeWarning,
    Simulation,
    individual_system,
    input_fraction,
    resolve_ke0,
    resolve_model,
    schedule_arrays,
    simulate,
)

FloatArray = npt.NDArray[np.float64]
_MAX_CACHED_STEPS = 8
_BLOCK = 4096  # subjects per block: 4 states x 4096 x 8 B = 128 KiB, cache-resident
_BATCH_OUTPUTS_MAX = 1024  # subjects up to which a chunk's outputs are formed in one call


def cores_available() -> int:
    """CPU cores this process may run on (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# Where the compiled kernels start to pay for numba's import and their first compilation
# (docs/performance.md: the plan page's 1,000 patients take ~16 ms on numpy).
COMPILED_FROM_SUBJECTS: Final = 10_000


@dataclass(frozen=True)
class PopulationPrediction:
    """Percentile bands of a virtual population.

    Attributes
    ----------
    times_min : ndarray, shape (n_times,)
    percentiles : tuple[float, ...]
    plasma_ng_per_ml : ndarray, shape (n_percentiles, n_times)
    effect_ng_per_ml : ndarray or None, shape (n_percentiles, n_times)
    metabolite_ng_per_ml : ndarray or None, shape (n_percentiles, n_times)
    typical : Simulation
        The typical-patient curve (first patient's covariates, no IIV).
    n_subjects, seed : int
    model_id, model_version : str
    variability_source : str
    illustrative_variability : bool
        True when the model has no published Omega.
    out_of_validity_range : bool
    validity_reasons : tuple[str, ...]
    notes : tuple[str, ...]
    """

    times_min: FloatArray
    percentiles: tuple[float, ...]
    plasma_ng_per_ml: FloatArray
    effect_ng_per_ml: FloatArray | None
    metabolite_ng_per_ml: FloatArray | None
    typical: Simulation
    n_subjects: int
    seed: int
    model_id: str
    model_version: str
    variability_source: str
    illustrative_variability: bool
    out_of_validity_range: bool
    validity_reasons: tuple[str, ...]
    notes: tuple[str, ...]

    def band(self, percentile: float, output: str = "plasma") -> FloatArray:
        """One percentile curve of ``output`` ("plasma", "effect" or "metabolite")."""
        data = {
            "plasma": self.plasma_ng_per_ml,
            "effect": self.effect_ng_per_ml,
            "metabolite": self.metabolite_ng_per_ml,
        }.get(output)
        if data is None or percentile not in self.percentiles:
            raise InvalidInputError(
                f"No {output} band for percentile {percentile}.",
                field="percentile",
                code="not_computed",
            )
        return np.asarray(data[self.percentiles.index(percentile)], dtype=np.float64)

    def _outputs(self) -> dict[str, FloatArray]:
        data = {
            "plasma": self.plasma_ng_per_ml,
            "effect": self.effect_ng_per_ml,
            "metabolite": self.metabolite_ng_per_ml,
        }
        return {name: values for name, values in data.items() if values is not None}

    def to_frame(self) -> Any:
        """The bands as a long polars DataFrame: ``time_min``, ``output`` (plasma, effect,
        metabolite), ``percentile``, ``concentration_ng_per_ml``; one row per value."""
        import polars as pl

        frames = [
            pl.DataFrame(
                {
                    "time_min": self.times_min,
                    "output": output,
                    "percentile": p,
                    "concentration_ng_per_ml": values[i],
                }
            )
            for output, values in self._outputs().items()
            for i, p in enumerate(self.percentiles)
        ]
        return pl.concat(frames)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field (the typical curve nested), arrays as lists."""
        return dict(plain(self))

    def chart(self, output: str = "plasma") -> Any:
        """An Altair chart of one output: the outer percentiles as a band, the others as lines
        (the median among them), the typical patient dashed. Needs the plot extra."""
        alt = require_altair()
        if output not in self._outputs():
            raise InvalidInputError(
                f"No {output} bands in this prediction.", field="output", code="not_computed"
            )
        values = self._outputs()[output]
        lo, hi = values[0], values[-1]
        times = [float(t) for t in self.times_min]
        band = [
            {"time_min": t, "low": float(a), "high": float(b)}
            for t, a, b in zip(times, lo, hi, strict=True)
        ]
        lines = [
            {"time_min": t, "curve": f"P{p:g}", "ng_per_ml": float(c)}
            for i, p in enumerate(self.percentiles)
            for t, c in zip(times, values[i], strict=True)
        ]
        typical_curve = getattr(self.typical, f"{output}_ng_per_ml", None)
        typical = [
            {"time_min": t, "ng_per_ml": float(c)}
            for t, c in zip(times, typical_curve if typical_curve is not None else [], strict=False)
        ]
        x = alt.X("time_min:Q", title="time (min)")
        area = (
            alt.Chart(alt.Data(values=band))
            .mark_area(opacity=0.25)
            .encode(x=x, y=alt.Y("low:Q", title=f"{output} (ng/mL)"), y2="high:Q")
        )
        curves = (
            alt.Chart(alt.Data(values=lines))
            .mark_line()
            .encode(x=x, y="ng_per_ml:Q", color=alt.Color("curve:N", title=None))
        )
        dashed = (
            alt.Chart(alt.Data(values=typical))
            .mark_line(strokeDash=[4, 4], color="black")
            .encode(x=x, y="ng_per_ml:Q")
        )
        title = f"{self.model_id}: {self.n_subjects:,} virtual patients, seed {self.seed}"
        return alt.layer(area, curves, dashed, title=title)

    def __repr__(self) -> str:
        return (
            f"PopulationPrediction({self.model_id} {self.model_version}, n={self.n_subjects:,}, "
            f"seed={self.seed}, {self.times_min.size} times, percentiles {self.percentiles}, "
            f"outputs {tuple(self._outputs())})"
        )

    def _repr_html_(self) -> str:
        """Provenance and the bands' peaks as a table, notes below (Jupyter's rich display)."""
        rows: list[tuple[str, Any]] = [
            ("model", f"{self.model_id} ({self.model_version})"),
            ("virtual patients", f"{self.n_subjects:,} (seed {self.seed})"),
            ("variability", self.variability_source),
            ("illustrative variability", self.illustrative_variability),
            ("out of validity range", self.out_of_validity_range),
        ]
        rows += [
            (f"peak {output} P{p:g} (ng/mL)", float(values[i].max()))
            for output, values in self._outputs().items()
            for i, p in enumerate(self.percentiles)
        ]
        return html_table("Population prediction", rows, (*self.validity_reasons, *self.notes))


def _covariate_arrays(
    subjects: Patient | Sequence[Patient] | Mapping[str, npt.ArrayLike], n: int
) -> dict[str, FloatArray]:
    """Covariate arrays of length n from a patient, n patients, or a mapping of arrays."""
    if isinstance(subjects, Mapping):
        bounds = {
            "weight_kg": (0.5, 350.0),
            "age_years": (0.0, 120.0),
            "height_cm": (40.0, 250.0),
            "is_female": (0.0, 1.0),
        }
        unknown = set(subjects) - set(bounds)
        if unknown or "weight_kg" not in subjects or "age_years" not in subjects:
            raise InvalidInputError(
                "Covariates need weight_kg and age_years (optional height_cm, is_female) and "
                f"nothing else; got {sorted(subjects)}.",
                field="patient_or_covariates",
                code="bad_covariates",
            )
        out: dict[str, FloatArray] = {}
        for key, value in subjects.items():
            arr = finite_array(value, key, minimum=bounds[key][0])
            if arr.size not in (1, n):
                raise InvalidInputError(
                    f"{key} must have 1 or n={n} values.", field=key, code="bad_shape"
                )
            if float(arr.max()) > bounds[key][1]:
                raise InvalidInputError(
                    f"{key} must be at most {bounds[key][1]:g}.", field=key, code="out_of_range"
                )
            out[key] = np.broadcast_to(arr, (n,)).copy()
        return out
    if isinstance(subjects, Patient):
        people: Sequence[Patient] = [subjects]
    else:
        people = list(subjects)
        if not people or not all(isinstance(p, Patient) for p in people):
            raise InvalidInputError(
                "patient_or_covariates must be a Patient, a sequence of "
                "Patients or a mapping of covariate arrays.",
                field="patient_or_covariates",
                code="invalid_type",
            )
        if len(people) not in (1, n):
            raise InvalidInputError(
                f"Give one patient or exactly n={n} patients.",
                field="patient_or_covariates",
                code="bad_shape",
            )
    cov = {
        "weight_kg": np.array([p.weight_kg for p in people]),
        "age_years": np.array([p.age_years for p in people]),
        "height_cm": np.array([p.height_cm for p in people]),
        "is_female": np.array([1.0 if p.sex == "female" else 0.0 for p in people]),
    }
    return {k: np.broadcast_to(v, (n,)).copy() for k, v in cov.items()}


def _typical_patient(
    subjects: Patient | Sequence[Patient] | Mapping[str, npt.ArrayLike],
    covariates: dict[str, FloatArray],
) -> Patient:
    """The patient the typical curve is drawn for: the one given, the first, or the medians."""
    if isinstance(subjects, Patient):
        return subjects
    if isinstance(subjects, Mapping):
        height = float(np.median(covariates["height_cm"])) if "height_cm" in covariates else 170.0
        female = float(np.median(covariates.get("is_female", np.zeros(1)))) >= 0.5
        return Patient(
            float(np.median(covariates["weight_kg"])),
            height,
            float(np.median(covariates["age_years"])),
            "female" if female else "male",
        )
    return next(iter(subjects))


def sample_structural(
    model: PKModel, covariates: dict[str, FloatArray], n: int, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """Individual structural parameters, shape (n,), with log-normal IIV from the model."""
    typical = model.covariates(covariates)
    structural = {
        k: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy() for k, v in typical.items()
    }
    names, cov = model.variability.covariance()
    if names:
        chol = np.linalg.cholesky(cov)
        eta = rng.standard_normal((n, len(names))) @ chol.T
        for j, name in enumerate(names):
            if name in structural:
                structural[name] *= np.exp(eta[:, j])
    return structural


def _nodes(
    schedule: engine.Schedule, times: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Grid nodes, the infusion rate after each node, bolus amount at each node, output mask."""
    starts, ends, rates, bolus_t, bolus_mg = schedule
    nodes = np.unique(np.concatenate([times, starts, ends, bolus_t]))
    active = (starts[None, :] <= nodes[:, None]) & (nodes[:, None] < ends[None, :])
    rate_after = (active * rates[None, :]).sum(axis=1) if starts.size else np.zeros(nodes.size)
    dose_at = np.zeros(nodes.size)
    if bolus_t.size:
        np.add.at(dose_at, np.searchsorted(nodes, bolus_t), bolus_mg)
    is_output = np.isin(nodes, times)
    return nodes, rate_after, dose_at, is_output


def _percentiles_float32(block: npt.NDArray[np.floating], pct: FloatArray) -> FloatArray:
    """Linear-interpolation percentiles along axis 1 of float32 values (a float32 copy).

    numpy's SIMD sort of float32 is several times faster than ``np.percentile`` (which
    partitions float64 at several kth at once); rounding the values to float32 (relative
    6e-8) is far below the Monte Carlo error of any band. Shape (n_rows, n_pct).
    """
    return _percentiles_sorting(block.astype(np.float32), pct)


def _percentiles_sorting(block: npt.NDArray[np.float32], pct: FloatArray) -> FloatArray:
    """As ``_percentiles_float32`` on a float32 block that it sorts in place (no copy)."""
    block.sort(axis=1)
    ordered = block
    lo, hi, frac = _rank_positions(ordered.shape[1], pct)
    low = ordered[:, lo].astype(np.float64)
    return np.asarray(low + (ordered[:, hi].astype(np.float64) - low) * frac, dtype=np.float64)


def _rank_positions(
    n: int, pct: FloatArray
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
    """The two ranks each percentile interpolates between, and the fraction between them."""
    pos = pct / 100.0 * (n - 1)
    lo = np.floor(pos).astype(np.intp)
    return lo, np.minimum(lo + 1, n - 1), pos - lo


def _percentiles_selecting(
    block: npt.NDArray[np.float32], pct: FloatArray, guide: FloatArray
) -> FloatArray:
    """As ``_percentiles_sorting``, the order statistics found by the compiled bracketed
    selection (the block is left as it is). ``guide`` (n_pct, 6), NaN at first, carries each
    percentile's bracket from one row (and call) to the next. Rows that escape their brackets
    are sorted here, so every value is the sort's."""
    from tenderpoint.pharmacology import _population_kernels as kernels

    rows, n = block.shape
    lo, hi, frac = _rank_positions(n, pct)
    lo_value = np.empty((rows, pct.size), dtype=np.float32)
    hi_value = np.empty((rows, pct.size), dtype=np.float32)
    escaped = np.zeros(rows, dtype=np.bool_)
    kernels.select_order_statistics(
        block, lo.astype(np.int64), hi.astype(np.int64), lo_value, hi_value, escaped, guide
    )
    if escaped.any():
        ordered = np.sort(block[escaped], axis=1)
        lo_value[escaped] = ordered[:, lo]
        hi_value[escaped] = ordered[:, hi]
    low = lo_value.astype(np.float64)
    return np.asarray(low + (hi_value.astype(np.float64) - low) * frac, dtype=np.float64)


@dataclass
class _Recursion:
    """The exact state recursion of a population over the grid nodes, in named steps.

    Holds the decay rates and output coefficients of the exponentials an output uses, the grid
    (nodes, the rate after each node, the bolus at each node, which nodes are outputs), the
    per-step-length ``exp`` cache, the subjects' states and the float32 output buffers of one
    chunk of output rows.
    """

    rates: FloatArray
    coefs: dict[str, FloatArray]
    steps: FloatArray
    step_index: npt.NDArray[np.intp]
    rate_after: FloatArray
    dose_at: FloatArray
    is_output: npt.NDArray[np.bool_]
    cache: list[tuple[FloatArray, FloatArray]]
    state: FloatArray
    buffers: dict[str, npt.NDArray[np.float32]]
    rows: int
    stacked: npt.NDArray[np.float32]

    @classmethod
    def prepare(
        cls,
        disp: engine.Disposition,
        schedule: engine.Schedule,
        times: FloatArray,
        outputs: tuple[str, ...],
        chunk_times: int,
    ) -> tuple[_Recursion, npt.NDArray[np.intp]]:
        """The recursion's arrays, and the indices of the output nodes."""
        rates = np.ascontiguousarray(disp.rates_per_min.T)  # (R, S)
        coefs = {o: np.ascontiguousarray(disp.coefficients[o].T) for o in outputs}
        # Only the exponentials an output uses are carried.
        used = np.zeros(rates.shape[0], dtype=bool)
        for c in coefs.values():
            used |= np.any(c != 0.0, axis=1)
        rates = np.ascontiguousarray(rates[used])
        coefs = {o: np.ascontiguousarray(c[used]) for o, c in coefs.items()}
        nodes, rate_after, dose_at, is_output = _nodes(schedule, times)
        steps = np.diff(nodes)
        unique_steps, step_index = np.unique(steps, return_inverse=True)
        cache = (
            [(np.exp(-rates * dt), -np.expm1(-rates * dt) / rates) for dt in unique_steps]
            if unique_steps.size <= _MAX_CACHED_STEPS
            else []
        )
        rows = min(chunk_times, times.size)
        # Outputs are written as float32 straight from the float64 sum (the same rounding as
        # a later astype), which halves the buffers and saves a conversion pass per chunk.
        # One array holds every output's rows (the compiled kernel writes it whole).
        stacked = np.empty((len(outputs), rows, disp.n_subjects), dtype=np.float32)
        buffers = {o: stacked[i] for i, o in enumerate(outputs)}
        recursion = cls(
            rates,
            coefs,
            steps,
            step_index,
            rate_after,
            dose_at,
            is_output,
            cache,
            np.zeros_like(rates),
            buffers,
            rows,
            stacked,
        )
        return recursion, np.flatnonzero(is_output)

    def advance(self, a: int, b: int, k0: int, k1: int, resume: bool) -> None:
        """Advance subjects [a, b) over nodes k0..k1 (inclusive), writing output rows.

        With ``resume`` node k0 was already handled (dose, output) by the previous chunk.
        Subjects go in blocks of ``_BLOCK`` so a block's state stays in cache across steps.
        """
        for a0 in range(a, b, _BLOCK):
            self._advance_block(a0, min(a0 + _BLOCK, b), k0, k1, resume)

    def _advance_block(self, a: int, b: int, k0: int, k1: int, resume: bool) -> None:
        st = self.state[:, a:b]
        # Small blocks (the clinic's 1,000 patients) keep the states at the output nodes and
        # turn them into outputs with one einsum per output and chunk: the same sum, r = 0..R-1,
        # as the per-row einsum of large blocks, in far fewer calls.
        batched = b - a <= _BATCH_OUTPUTS_MAX
        history = np.empty((self.rows if batched else 0, *st.shape))
        row = 0
        step = _BlockStep(
            [(decay[:, a:b], gain[:, a:b]) for decay, gain in self.cache],
            self.rates[:, a:b],
            np.empty_like(st),
        )
        for k in range(k0, k1 + 1):
            if not (resume and k == k0):
                if self.dose_at[k]:
                    st += self.dose_at[k]
                if self.is_output[k]:
                    if batched:
                        history[row] = st
                    else:
                        self._outputs_at(a, b, row, st)
                    row += 1
            if k == k1:
                break
            self._step(step, k, st)
        if batched:
            for o, c in self.coefs.items():
                np.einsum(
                    "rs,trs->ts",
                    c[:, a:b],
                    history[:row],
                    out=self.buffers[o][:row, a:b],
                    dtype=np.float64,
                    casting="unsafe",
                )

    def _outputs_at(self, a: int, b: int, row: int, st: FloatArray) -> None:
        """One output row of subjects [a, b): sum_r coef_r s_r, written as float32."""
        for o, c in self.coefs.items():
            np.einsum(
                "rs,rs->s",
                c[:, a:b],
                st,
                out=self.buffers[o][row, a:b],
                dtype=np.float64,
                casting="unsafe",
            )

    def _step(self, step: _BlockStep, k: int, st: FloatArray) -> None:
        """Decay a block's states over step k and add the infusion's gain (reference 5.2)."""
        u = int(self.step_index[k])
        if step.blocks:
            decay, gain = step.blocks[u]
        else:
            dt = self.steps[k]
            decay, gain = np.exp(-step.rates * dt), -np.expm1(-step.rates * dt) / step.rates
        st *= decay
        rate = float(self.rate_after[k])
        if rate:
            # gain x rate is the same array while the step length and rate repeat: kept.
            if not step.blocks or step.last != (u, rate):
                np.multiply(gain, rate, out=step.term)
                step.last = (u, rate)
            st += step.term


@dataclass
class _BlockStep:
    """What one block of subjects reuses from step to step: its slices of the exp cache, its
    rates, and the last gain x rate term with the (step length, rate) it was formed for."""

    blocks: list[tuple[FloatArray, FloatArray]]
    rates: FloatArray
    term: FloatArray
    last: tuple[int, float] | None = None


@dataclass
class _CompiledRecursion:
    """The recursion's arrays stacked for the compiled kernel: the exp cache as (U, R, S)
    arrays, the coefficients as (O, R, S), and the recursion's float32 buffers (O, rows, S)."""

    recursion: _Recursion
    decay: FloatArray
    gain: FloatArray
    coefs: FloatArray
    out: npt.NDArray[np.float32]
    step_index: npt.NDArray[np.int64]

    @classmethod
    def of(cls, recursion: _Recursion) -> _CompiledRecursion:
        outputs = tuple(recursion.buffers)
        return cls(
            recursion,
            np.stack([decay for decay, _ in recursion.cache]),
            np.stack([gain for _, gain in recursion.cache]),
            np.stack([recursion.coefs[o] for o in outputs]),
            recursion.stacked,
            recursion.step_index.astype(np.int64),
        )

    def advance(self, a: int, b: int, k0: int, k1: int, resume: bool) -> None:
        """As ``_Recursion.advance``, in the compiled kernel (the same bits)."""
        from tenderpoint.pharmacology import _population_kernels as kernels

        r = self.recursion
        kernels.advance(
            r.state,
            self.decay,
            self.gain,
            self.step_index,
            r.rate_after,
            r.dose_at,
            r.is_output,
            self.coefs,
            self.out,
            a,
            b,
            k0,
            k1,
            resume,
        )


_Advance = Callable[[int, int, int, int, bool], None]
_Percentiles = Callable[[str, int, npt.NDArray[np.float32]], FloatArray]


def _routes(
    recursion: _Recursion, pct: FloatArray, compiled: bool
) -> tuple[_Advance, _Percentiles]:
    """How a chunk is advanced and its percentiles taken: numpy (recursion, float32 sort) or
    the compiled kernels (recursion, bracketed selection). The kernels need the exp cache,
    which is kept for up to ``_MAX_CACHED_STEPS`` distinct step lengths."""
    if not (compiled and recursion.cache):

        def sorting(output: str, part: int, rows: npt.NDArray[np.float32]) -> FloatArray:
            return _percentiles_sorting(rows, pct)

        return recursion.advance, sorting
    kernel = _CompiledRecursion.of(recursion)
    guides: dict[tuple[str, int], FloatArray] = {}

    def selecting(output: str, part: int, rows: npt.NDArray[np.float32]) -> FloatArray:
        # Each output and thread's share of the rows carries its brackets to its next rows.
        guide = guides.setdefault((output, part), np.full((pct.size, 6), np.nan))
        return _percentiles_selecting(rows, pct, guide)

    return kernel.advance, selecting


def _thread_count(threads: int | None, n_subjects: int, compiled: bool) -> int:
    """Threads a population runs on: as asked (``None``: every available core on the
    compiled route, one on numpy's), at most one per 1,000 subjects, at least one."""
    wanted = threads if threads is not None else (cores_available() if compiled else 1)
    return max(1, min(int(wanted), n_subjects // 1000 or 1))


def _percentile_jobs(
    outputs: tuple[str, ...], n_rows: int, n_threads: int
) -> list[tuple[str, int, int, int]]:
    """How a chunk's percentiles are shared between threads: (output, part, first row, end).

    With at least as many outputs as threads each output's rows stay whole, so every row's
    bracket is predicted from the row before it (a share that starts mid-chunk follows its
    own previous share, rows away, and needs a wider bracket); otherwise the rows are split.
    """
    if len(outputs) >= n_threads:
        return [(o, 0, 0, n_rows) for o in outputs]
    splits = np.linspace(0, n_rows, n_threads + 1).astype(int).tolist()
    return [
        (o, part, r0, r1)
        for o in outputs
        for part, (r0, r1) in enumerate(itertools.pairwise(splits))
        if r1 > r0
    ]


def population_bands(
    disp: engine.Disposition,
    schedule: engine.Schedule,
    times: FloatArray,
    outputs: tuple[str, ...],
    percentiles: tuple[float, ...],
    chunk_times: int = 64,
    threads: int | None = 1,
    compiled: bool | None = None,
) -> dict[str, FloatArray]:
    """Exact recursion over time, percentiles per chunk; returns (n_pct, n_times) per output.

    ``times`` must be sorted and unique. With ``threads`` > 1 the subjects are split between
    threads for the recursion, and the outputs (or, with fewer outputs than threads, the time
    rows) for the percentiles; numpy and the kernels release the GIL in both. ``None``: the
    cores this process may run on for the compiled route, one thread for numpy's.
    ``compiled`` chooses the compiled kernels (default: from ``COMPILED_FROM_SUBJECTS``
    subjects); both routes give the same bands, every value.
    """
    n_subj = disp.n_subjects
    recursion, output_nodes = _Recursion.prepare(disp, schedule, times, outputs, chunk_times)
    pct = np.asarray(percentiles, dtype=np.float64)
    use_compiled = n_subj >= COMPILED_FROM_SUBJECTS if compiled is None else compiled
    advance, percentiles_of_rows = _routes(recursion, pct, use_compiled)
    n_threads = _thread_count(threads, n_subj, use_compiled)
    bounds = np.linspace(0, n_subj, n_threads + 1).astype(int)
    parts = list(itertools.pairwise(bounds.tolist()))
    result = {o: np.empty((pct.size, times.size)) for o in outputs}
    rows = recursion.rows

    def percentiles_of(o: str, part: int, r0: int, r1: int, col0: int) -> None:
        rows_of_chunk = recursion.buffers[o][r0:r1]
        result[o][:, col0 + r0 : col0 + r1] = percentiles_of_rows(o, part, rows_of_chunk).T

    pool = ThreadPoolExecutor(max_workers=n_threads) if n_threads > 1 else None

    def run_all(jobs: list[Callable[[], None]]) -> None:
        if pool is None:
            for job in jobs:
                job()
        else:
            for future in [pool.submit(job) for job in jobs]:
                future.result()

    try:
        k_start, resume = 0, False
        for c0 in range(0, output_nodes.size, rows):
            c1 = min(c0 + rows, output_nodes.size)
            k_end = int(output_nodes[c1 - 1])
            run_all([partial(advance, a, b, k_start, k_end, resume) for a, b in parts])
            # The next chunk steps on from the node this one ended at, without redoing it.
            k_start, resume = k_end, True
            run_all(
                [
                    partial(percentiles_of, o, part, r0, r1, c0)
                    for o, part, r0, r1 in _percentile_jobs(outputs, c1 - c0, n_threads)
                ]
            )
    finally:
        if pool is not None:
            pool.shutdown()
    return result


def simulate_population(
    model: PKModel | str,
    patient_or_covariates: Patient | Sequence[Patient] | Mapping[str, npt.ArrayLike],
    regimen: Regimen,
    n: int,
    seed: int,
    times_min: npt.ArrayLike,
    percentiles: Sequence[float] = (5, 50, 95),
    *,
    ke0_per_min: float | None = None,
    with_effect_site: bool = True,
    research_mode: bool = False,
    chunk_times: int = 64,
    threads: int | None = None,
) -> PopulationPrediction:
    """Percentile bands of plasma (and effect-site, metabolite) concentrations.

    Parameters
    ----------
    model : PKModel or str
    patient_or_covariates : Patient, sequence of Patient, or mapping of arrays
        One patient (every subject shares the covariates), ``n`` patients (a cohort), or
        covariate arrays of length 1 or n: ``weight_kg`` and ``age_years`` required,
        ``height_cm`` and ``is_female`` (0/1) optional. The typical curve is drawn for the
        patient given, the first patient, or the median covariates.
    regimen : Regimen
    n : int
        Number of virtual subjects (1 to 10,000,000).
    seed : int
        Seed of ``numpy.random.default_rng``; store it with the result.
    times_min : array_like, shape (n_times,)
        Sorted, unique evaluation times (min).
    percentiles : sequence of float
        Percentiles in [0, 100] (default 5, 50, 95).
    ke0_per_min, with_effect_site, research_mode
        As in ``simulate``.
    chunk_times : int
        Time points held in memory at once (memory ~ 8 * chunk_times * n bytes per output).
    threads : int or None
        Worker threads. Default ``None``: every core this process may run on once the
        compiled kernels take over (``COMPILED_FROM_SUBJECTS`` subjects), one below (the plan
        page's 1,000 patients). The bands are the same, every value, for any thread count;
        a second thread helps only as much as the second core is free (docs/performance.md).

    Returns
    -------
    PopulationPrediction
    """
    m = resolve_model(model, research_mode)
    times, pct = _check_population_args(
        regimen, n, seed, times_min, percentiles, threads, chunk_times
    )
    covariates = _covariate_arrays(patient_or_covariates, int(n))
    disp = _virtual_population(m, covariates, int(seed), ke0_per_min, with_effect_site)
    fraction, notes = input_fraction(m, regimen)
    outputs = tuple(o for o in ("plasma", "effect", "metabolite") if o in disp.coefficients)
    bands = population_bands(
        disp, schedule_arrays(regimen, fraction), times, outputs, pct, chunk_times, threads
    )
    scaled = {o: values * engine.MG_PER_L_TO_NG_PER_ML for o, values in bands.items()}
    outside, reasons = _population_validity(m, covariates, int(n))
    first = _typical_patient(patient_or_covariates, covariates)
    typical = _typical_curve(m, first, regimen, times, ke0_per_min, with_effect_site)
    if m.variability.illustrative:
        notes = (*notes, "Illustrative variability: " + m.variability.source)
    return PopulationPrediction(
        times_min=times,
        percentiles=pct,
        plasma_ng_per_ml=scaled["plasma"],
        effect_ng_per_ml=scaled.get("effect"),
        metabolite_ng_per_ml=scaled.get("metabolite"),
        typical=typical,
        n_subjects=int(n),
        seed=int(seed),
        model_id=m.model_id,
        model_version=m.version,
        variability_source=m.variability.source,
        illustrative_variability=m.variability.illustrative,
        out_of_validity_range=outside,
        validity_reasons=reasons,
        notes=notes,
    )


def _virtual_population(
    m: PKModel,
    covariates: dict[str, FloatArray],
    seed: int,
    ke0_per_min: float | None,
    with_effect_site: bool,
) -> engine.Disposition:
    """The virtual subjects: structural parameters drawn with the model's variability from
    ``seed``, each reduced to its exponential rates and output coefficients."""
    n = covariates["weight_kg"].size
    structural = sample_structural(m, covariates, n, np.random.default_rng(seed))
    ke0 = resolve_ke0(m, structural, ke0_per_min, with_effect_site)
    return individual_system(m, structural, ke0)


def _typical_curve(
    m: PKModel,
    first: Patient,
    regimen: Regimen,
    times: FloatArray,
    ke0_per_min: float | None,
    with_effect_site: bool,
) -> Simulation:
    """The typical patient's curve (no variability); the population already warned about
    the validity range, so this run does not warn again."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfValidityRangeWarning)
        # m is resolved already: research_mode only gated which model could be used.
        return simulate(
            m,
            first,
            regimen,
            times,
            ke0_per_min=ke0_per_min,
            with_effect_site=with_effect_site,
            research_mode=True,
        )


def _check_population_args(
    regimen: object,
    n: object,
    seed: object,
    times_min: npt.ArrayLike,
    percentiles: Sequence[float],
    threads: object,
    chunk_times: object,
) -> tuple[FloatArray, tuple[float, ...]]:
    """Boundary checks of ``simulate_population`` (each error names its field)."""
    if not isinstance(regimen, Regimen):
        raise InvalidInputError("regimen must be a Regimen.", field="regimen", code="invalid_type")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= 10_000_000:
        raise InvalidInputError(
            "n must be an integer from 1 to 10,000,000.",
            field="n",
            code="out_of_range",
            params={"value": repr(n)},
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidInputError(
            "seed must be a non-negative integer.", field="seed", code="out_of_range"
        )
    times = finite_array(times_min, "times_min")
    if times.size == 0 or np.any(np.diff(times) <= 0):
        raise InvalidInputError(
            "times_min must be non-empty, sorted and unique.", field="times_min", code="not_sorted"
        )
    pct = tuple(float(p) for p in finite_array(list(percentiles), "percentiles", minimum=0.0))
    if not pct or max(pct) > 100.0:
        raise InvalidInputError(
            "percentiles must lie in [0, 100].", field="percentiles", code="out_of_range"
        )
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 64
    ):
        raise InvalidInputError(
            "threads must be None or an integer from 1 to 64.",
            field="threads",
            code="out_of_range",
        )
    if isinstance(chunk_times, bool) or not isinstance(chunk_times, int) or chunk_times < 1:
        raise InvalidInputError(
            "chunk_times must be a positive integer.", field="chunk_times", code="out_of_range"
        )

    return times, pct


def _population_validity(
    m: PKModel, covariates: dict[str, FloatArray], n: int
) -> tuple[bool, tuple[str, ...]]:
    """Whether any subject lies outside the model's studied age/weight range, and why."""
    reasons: list[str] = []
    outside = np.zeros(n, dtype=bool)
    for lo_hi, key in ((m.validity.age_years, "age_years"), (m.validity.weight_kg, "weight_kg")):
        mask = (covariates[key] < lo_hi.low) | (covariates[key] > lo_hi.high)
        if mask.any():
            reasons.append(
                f"{int(mask.sum())} of {n} subjects have {key.replace('_', ' ')} "
                f"outside {lo_hi.low:g}-{lo_hi.high:g} ({lo_hi.basis})"
            )
        outside |= mask
    if reasons:
        warnings.warn(
            f"{m.model_id}: " + "; ".join(reasons), OutOfValidityRangeWarning, stacklevel=3
        )
    return bool(outside.any()), tuple(reasons)
