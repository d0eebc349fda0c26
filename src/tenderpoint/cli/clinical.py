"""Commands of the clinical core (`tenderpoint score`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tenderpoint.cli.app import app, console, err_console
from tenderpoint.errors import TenderpointError


def _read_answers(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(text)


def _fail(message: str) -> None:
    err_console.print(" ".join(message.split()), markup=False, soft_wrap=True, highlight=False)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    if value is None:
        return "—"
    return str(value).lower() if isinstance(value, bool) else str(value)


@app.command()
def score(
    instrument: Annotated[str, typer.Argument(help="Instrument id, e.g. acr2016, fiqr, phq9.")],
    json_source: Annotated[
        str, typer.Option("--json", help="JSON file with the answers, or - for stdin.")
    ],
) -> None:
    """Score one clinical instrument and print its outputs and the explanation."""
    from tenderpoint.clinical import get_instrument

    try:
        definition = get_instrument(instrument)
        answers = _read_answers(json_source)
        result = definition.scorer(answers)
    except TenderpointError as exc:
        _fail(f"error [{exc.code}]: {exc.message}")
        raise typer.Exit(2) from exc
    except (OSError, ValueError) as exc:
        _fail(f"error [unreadable_input]: cannot read JSON answers from {json_source}: {exc}")
        raise typer.Exit(2) from exc
    table = Table(title=f"{result.instrument_id} ({result.version})")
    table.add_column("output")
    table.add_column("value")
    for key, value in result.outputs.items():
        table.add_row(key, _cell(value))
    console.print(table)
    console.print("Explanation:", style="bold")
    for step in result.steps:
        console.print(f"  • {step}", markup=False)
