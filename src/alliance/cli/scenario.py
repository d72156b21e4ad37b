"""`alliance scenario NAME`: scenario models from the shell (thin shell over alliance.scenarios)."""

from __future__ import annotations

import typer

HELP = "Scenarios: europe-without-us, ukraine, vs-russia."


def register(app: typer.Typer) -> None:
    scenario_app = typer.Typer(name="scenario", help=HELP, no_args_is_help=True)
    app.add_typer(scenario_app, name="scenario")
