"""Commands of the pharmacology core (`tenderpoint models`, `simulate`, `tci`).

numpy, the core and altair are imported inside the commands so `tenderpoint --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tenderpoint.cli.app import app, console, err_console

if TYPE_CHECKING:
    from tenderpoint.pharmacology.dosing import InfusionPlan
    from tenderpoint.pharmacology.patient import Patient
    from tenderpoint.pharmacology.tci import TCIPlan

WeightOpt = Annotated[float, typer.Option("--weight", help="Total body weight (kg).")]
HeightOpt = Annotated[float, typer.Option("--height", help="Height (cm).")]
AgeOpt = Annotated[float, typer.Option("--age", help="Age (years).")]
SexOpt = Annotated[str, typer.Option("--sex", help="female or male.")]


def _fail(error: Exception) -> typer.Exit:
    from tenderpoint.errors import TenderpointError

    if isinstance(error, TenderpointError):
        err_console.print(
            f"[bold red]error[/] ({error.code}"
            + (f", {error.field}" if error.field else "")
            + f"): {error.message}"
        )
        return typer.Exit(code=2)
    raise error


def _patient(weight: float, height: float, age: float, sex: str) -> Patient:
    from tenderpoint.pharmacology.patient import Patient

    return Patient(weight, height, age, sex)  # type: ignore[arg-type]


@app.command()
def models() -> None:
    """List the published PK models with citations and validity ranges."""
    from rich.table import Table

    from tenderpoint.pharmacology import models as registry

    table = Table(title="Ketamine PK models", show_lines=True)
    for column in ("id", "drug", "structure", "population / validity", "citation", "lacks"):
        table.add_column(column, overflow="fold")
    for m in registry.all():
        v = m.validity
        validity = (
            f"{m.population}\nage {v.age_years.low:g}-{v.age_years.high:g} y, "
            f"weight {v.weight_kg.low:g}-{v.weight_kg.high:g} kg"
            + ("\n[yellow]research mode only[/]" if m.research_only else "")
        )
        table.add_row(
            f"{m.model_id}\n{m.version}",
            m.drug,
            m.structure,
            validity,
            f"{m.citation}\nDOI: {m.doi}",
            "\n".join(f"- {x}" for x in m.lacks),
        )
    console.print(table)


@app.command()
def simulate(
    weight: WeightOpt,
    model: Annotated[str, typer.Option(help="Model id (see `tenderpoint models`).")] = (
        "domino1984"
    ),
    protocol: Annotated[
        str | None, typer.Option(help="Protocol id; omit for a direct dose.")
    ] = None,
    height: HeightOpt = 170.0,
    age: AgeOpt = 40.0,
    sex: SexOpt = "female",
    dose_mg_per_kg: Annotated[
        float | None, typer.Option(help="Direct mg/kg over --duration-min.")
    ] = None,
    dose_mg_per_kg_per_h: Annotated[float | None, typer.Option(help="Direct mg/kg/h.")] = None,
    duration_min: Annotated[float | None, typer.Option(help="Infusion duration (min).")] = None,
    bolus_mg_per_kg: Annotated[float | None, typer.Option(help="Loading dose (mg/kg).")] = None,
    bolus_duration_min: Annotated[float | None, typer.Option(help="Bolus duration (min).")] = None,
    product: Annotated[str | None, typer.Option(help="racemic or esketamine.")] = None,
    vial: Annotated[
        float | None,
        typer.Option(help="Vial strength (mg/mL); default 50 (racemic) or 25 (esketamine)."),
    ] = None,
    bag: Annotated[float, typer.Option(help="Bag diluent volume (mL).")] = 250.0,
    standard_conc: Annotated[
        float | None, typer.Option(help="Standard concentration (mg/mL).")
    ] = None,
    every: Annotated[float, typer.Option(help="Table interval (min).")] = 15.0,
    after_min: Annotated[float, typer.Option(help="Minutes simulated after the infusion.")] = 120.0,
    population: Annotated[int, typer.Option(help="Virtual patients for bands (0 = none).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed for the population.")] = 1,
    svg: Annotated[Path | None, typer.Option(help="Write the concentration plot as SVG.")] = None,
    research: Annotated[
        bool, typer.Option("--research", help="Allow research-only (paediatric) models.")
    ] = False,
    acknowledge: Annotated[
        list[str] | None, typer.Option(help="Acknowledge a warning code.")
    ] = None,
) -> None:
    """Plan an infusion, check its limits, and show predicted concentrations."""
    import numpy as np

    from tenderpoint.errors import TenderpointError
    from tenderpoint.pharmacology.dosing.order import InfusionOrder
    from tenderpoint.pharmacology.dosing.plan import plan_order

    try:
        patient = _patient(weight, height, age, sex)
        order = InfusionOrder(
            protocol,
            vial_mg_per_ml=vial if vial is not None else _default_vial(protocol, product),
            bag_volume_ml=bag,
            standard_conc_mg_per_ml=standard_conc,
            dose_mg_per_kg=dose_mg_per_kg,
            dose_mg_per_kg_per_h=dose_mg_per_kg_per_h,
            duration_min=duration_min,
            bolus_mg_per_kg=bolus_mg_per_kg,
            bolus_duration_min=bolus_duration_min,
            product=product,  # type: ignore[arg-type]
            acknowledged=acknowledge or (),
        )
        plan = plan_order(order, patient)
        end = plan.duration_min + after_min
        times = np.unique(np.concatenate([np.arange(0.0, end + 1e-9, every), [plan.duration_min]]))
        sim, bands, notes = _predict(model, patient, plan, times, population, seed, research)
    except TenderpointError as error:
        raise _fail(error) from None
    _print_plan(plan, notes)
    if sim.out_of_validity_range:
        console.print(f"  [yellow]out of validity range[/]: {'; '.join(sim.validity_reasons)}")
    _print_concentrations(times, sim, bands)
    if svg is not None:
        _write_svg(svg, times, sim, bands)
        console.print(f"Wrote {svg}")


def _default_vial(protocol: str | None, product: str | None) -> float:
    """The vial the product is usually drawn from: 50 mg/mL racemic, 25 mg/mL esketamine."""
    from tenderpoint.pharmacology.dosing import get_protocol

    ordered = product or (get_protocol(protocol).product if protocol else "racemic")
    return 25.0 if ordered == "esketamine" else 50.0


def _predict(
    model: str,
    patient: Patient,
    plan: InfusionPlan,
    times: Any,
    population: int,
    seed: int,
    research: bool,
) -> tuple[Any, Any, set[str]]:
    """The typical-patient simulation, the population bands (if asked) and their notes."""
    import warnings

    from tenderpoint.pharmacology.population import simulate_population
    from tenderpoint.pharmacology.simulate import simulate as run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sim = run(model, patient, plan.regimen, times, research_mode=research)
        bands = (
            simulate_population(
                model, patient, plan.regimen, population, seed, times, research_mode=research
            )
            if population
            else None
        )
    return sim, bands, {str(c.message) for c in caught}


def _print_plan(plan: InfusionPlan, notes: set[str]) -> None:
    """The plan's steps, source, warnings (acknowledged or not) and validity notes."""
    console.print(
        f"[bold]Plan[/] ({plan.protocol_id or 'direct dose'}; {plan.product}; {plan.version})"
    )
    for step in plan.steps:
        console.print(f"  - {step}")
    console.print(f"  Source: {plan.protocol_citation}")
    for w in plan.warnings:
        mark = "acknowledged" if w.code in plan.acknowledged else "ACKNOWLEDGE"
        console.print(f"  [yellow]warning[/] {w.code} ({mark}): {w.message}")
    for message in notes:
        console.print(f"  [yellow]note[/] {message}")
    if plan.out_of_validity_range:
        console.print(
            f"  [yellow]dose-limit models out of validity range[/]: "
            f"{'; '.join(plan.validity_reasons)}"
        )


def _print_concentrations(times: Any, sim: Any, bands: Any) -> None:
    """The concentration table: plasma, effect site and the population percentiles."""
    from rich.table import Table

    table = Table(title=f"Predicted concentrations, {sim.model_id} ({sim.drug}), ng/mL")
    table.add_column("time (min)", justify="right")
    table.add_column("plasma", justify="right")
    if sim.effect_ng_per_ml is not None:
        table.add_column("effect site", justify="right")
    if bands is not None:
        for p in bands.percentiles:
            table.add_column(f"plasma P{p:g}", justify="right")
    for i, t in enumerate(times):
        row = [f"{t:g}", f"{sim.plasma_ng_per_ml[i]:.1f}"]
        if sim.effect_ng_per_ml is not None:
            row.append(f"{sim.effect_ng_per_ml[i]:.1f}")
        if bands is not None:
            row += [f"{bands.plasma_ng_per_ml[j, i]:.1f}" for j in range(len(bands.percentiles))]
        table.add_row(*row)
    console.print(table)
    if bands is not None:
        console.print(
            f"Population: n={bands.n_subjects}, seed={bands.seed}; {bands.variability_source}"
        )


def _write_svg(path: Path, times: Any, sim: Any, bands: Any) -> None:
    import altair as alt
    import vl_convert

    rows = [
        {"time_min": float(t), "conc_ng_per_ml": float(c), "series": "plasma"}
        for t, c in zip(times, sim.plasma_ng_per_ml, strict=True)
    ]
    if sim.effect_ng_per_ml is not None:
        rows += [
            {"time_min": float(t), "conc_ng_per_ml": float(c), "series": "effect site"}
            for t, c in zip(times, sim.effect_ng_per_ml, strict=True)
        ]
    lines = (
        alt.Chart({"values": rows})
        .mark_line()
        .encode(
            x=alt.X("time_min:Q", title="time (min)"),
            y=alt.Y("conc_ng_per_ml:Q", title="concentration (ng/mL)"),
            color=alt.Color("series:N", title=None),
        )
    )
    chart: Any = lines
    if bands is not None:
        lo, hi = bands.percentiles[0], bands.percentiles[-1]
        band_rows = [
            {"time_min": float(t), "low": float(a), "high": float(b)}
            for t, a, b in zip(times, bands.band(lo), bands.band(hi), strict=True)
        ]
        area = (
            alt.Chart({"values": band_rows})
            .mark_area(opacity=0.25)
            .encode(x="time_min:Q", y="low:Q", y2="high:Q")
        )
        chart = area + lines
    chart = chart.properties(
        title=f"{sim.model_id}: predicted ketamine concentrations", width=560, height=300
    )
    path.write_text(vl_convert.vegalite_to_svg(chart.to_json()), encoding="utf-8")


@app.command()
def tci(
    weight: WeightOpt,
    target: Annotated[float, typer.Option(help="Target concentration (ng/mL).")],
    duration_min: Annotated[float, typer.Option(help="Schedule length (min).")] = 60.0,
    model: Annotated[str, typer.Option(help="Model id.")] = "domino1984",
    site: Annotated[str, typer.Option(help="plasma or effect.")] = "plasma",
    cap_ratio: Annotated[
        float | None, typer.Option(help="Plasma cap (x target), effect site only.")
    ] = None,
    max_rate: Annotated[float | None, typer.Option(help="Pump maximum (mg/min).")] = None,
    step_s: Annotated[float, typer.Option(help="Update interval (s).")] = 10.0,
    product: Annotated[
        str, typer.Option(help="Product ordered (racemic or esketamine); sets the limits.")
    ] = "racemic",
    every: Annotated[float, typer.Option(help="Table interval (min).")] = 5.0,
    height: HeightOpt = 170.0,
    age: AgeOpt = 40.0,
    sex: SexOpt = "female",
    research: Annotated[
        bool,
        typer.Option(
            "--research",
            help="Research mode (research-only models, uncapped effect-site targeting).",
        ),
    ] = False,
) -> None:
    """Plan a target-controlled infusion (plasma by default) and show the rate schedule."""
    import warnings

    import numpy as np

    from tenderpoint.errors import TenderpointError
    from tenderpoint.pharmacology import tci as tci_core

    try:
        patient = _patient(weight, height, age, sex)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = tci_core.plan(
                model,
                patient,
                target,
                duration_min,
                site,  # type: ignore[arg-type]
                max_rate,
                step_s,
                plasma_cap_ratio=cap_ratio,
                research_mode=research,
                product=product,  # type: ignore[arg-type]
            )
    except TenderpointError as error:
        raise _fail(error) from None
    console.print(
        f"[bold]TCI[/] {result.model_id}, {result.site} target {target:g} ng/mL, "
        f"max rate {result.max_rate_mg_per_min:.2f} mg/min, step {step_s:g} s; "
        f"peak plasma {result.peak_plasma_ng_per_ml:.0f} ng/mL"
    )
    for message in {str(c.message) for c in caught}:
        console.print(f"  [yellow]note[/] {message}")
    _print_schedule(result, every)
    console.print(
        f"Total {float(np.sum(result.rate_mg_per_min) * step_s / 60):.1f} mg over "
        f"{duration_min:g} min."
    )


def _print_schedule(result: TCIPlan, every: float) -> None:
    """The TCI rate schedule, one row every ``every`` minutes."""
    from rich.table import Table

    table = Table(title="Schedule (rate over the step starting at the time shown)")
    for column in (
        "time (min)",
        "rate (mg/min)",
        "rate (mg/h)",
        "cumulative (mg)",
        "plasma (ng/mL)",
        "effect (ng/mL)",
    ):
        table.add_column(column, justify="right")
    stride = max(1, round(every * 60.0 / result.step_s))
    effect = result.effect_ng_per_ml
    for i in range(0, result.rate_mg_per_min.size, stride):
        table.add_row(
            f"{result.times_min[i]:g}",
            f"{result.rate_mg_per_min[i]:.3f}",
            f"{result.rate_mg_per_min[i] * 60:.1f}",
            f"{result.cumulative_mg[i]:.2f}",
            f"{result.plasma_ng_per_ml[i]:.1f}",
            "-" if effect is None else f"{effect[i]:.1f}",
        )
    console.print(table)
