"""Commands that run the web application: demo, serve, manage, version."""

from __future__ import annotations

import tenderpoint
from tenderpoint.cli.app import app, console


@app.command()
def version() -> None:
    """Print the installed tenderpoint version."""
    console.print(tenderpoint.__version__)
