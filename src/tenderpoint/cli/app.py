"""The shared Typer application and console that every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="tenderpoint",
    help="tenderpoint: fibromyalgia clinic platform and its scientific cores.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """tenderpoint: fibromyalgia clinic platform and its scientific cores."""
