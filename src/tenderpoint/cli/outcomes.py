"""Commands of the outcomes core (`tenderpoint cohort`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from tenderpoint.cli.app import app, console


@app.command()
def cohort(
    patients: Annotated[int, typer.Option(help="Number of synthetic patients.", min=1)] = 500,
    days: Annotated[int, typer.Option(help="Diary length in days.", min=35)] = 365,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 1,
    by: Annotated[
        str | None, typer.Option(help="Stratify by sex, age_band or baseline_severity.")
    ] = None,
) -> None:
    """Generate a SYNTHETIC cohort and print its outcome summary."""
    from rich.table import Table

    from tenderpoint.outcomes.cohort import STRATA, cohort_summary
    from tenderpoint.outcomes.synthetic import generate_cohort

    if by is not None and by not in STRATA:
        raise typer.BadParameter(f"--by must be one of {', '.join(STRATA)}")
    data = generate_cohort(patients, days, seed=seed)
    now = dt.datetime.combine(
        data.params.start_date + dt.timedelta(days=days + 1), dt.time(), tzinfo=dt.UTC
    )
    summary = cohort_summary(
        data.diary,
        data.infusions,
        data.patients,
        data.assessments,
        by=by,
        now=now,  # type: ignore[arg-type]
    )
    console.print(f"[bold]{data.label}[/bold] ({data.version}, seed {seed})")
    rates = Table(title="Responders (>= 30 % pain reduction), Wilson 95 % CI")
    for name in ("window", "stratum", "n", "responders", "rate", "95 % CI"):
        rates.add_column(name)
    for r in summary.responder_rates.iter_rows(named=True):
        rate = r["responder_rate"]
        rates.add_row(
            r["window"],
            r["stratum"],
            str(r["n_evaluable"]),
            str(r["n_responders"]),
            "-" if rate is None else f"{rate:.1%}",
            "-" if rate is None else f"{r['responder_ci_low']:.1%}-{r['responder_ci_high']:.1%}",
        )
    console.print(rates)
    km = Table(title="Kaplan-Meier medians (first course)")
    for name in ("measure", "stratum", "n", "events", "median", "95 % CI", "range (unsure)"):
        km.add_column(name)
    for label, fit in (
        ("durability", summary.durability),
        ("time to relief", summary.time_to_relief),
    ):
        for r in fit.medians.iter_rows(named=True):
            km.add_row(
                f"{label} ({fit.unit})",
                r["stratum"],
                str(r["n"]),
                str(r["events"]),
                "-" if r["median"] is None else f"{r['median']:g}",
                "-" if r["median"] is None else f"{r['median_ci_low']:g}-{r['median_ci_high']:g}",
                "-"
                if r.get("range_low") is None
                else f"{r['range_low']:g}-{r['range_high']:g} ({r['unsure']})",
            )
    console.print(km)
    ind = Table(title="Induction completion (Wilson 95 % CI)")
    for name in ("stratum", "started", "completed", "rate", "95 % CI"):
        ind.add_column(name)
    for r in summary.induction.iter_rows(named=True):
        ind.add_row(
            r["stratum"],
            str(r["n_started"]),
            str(r["n_completed"]),
            f"{r['completion_rate']:.1%}",
            f"{r['completion_ci_low']:.1%}-{r['completion_ci_high']:.1%}",
        )
    console.print(ind)
