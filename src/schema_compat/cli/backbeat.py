"""``backbeat-validate``: the seed's validator, alone, with its flags verbatim.

Kept apart from the other commands so that validating a message does not import the diff
engine: start-up is most of the time a CI job spends on a directory of messages.
"""

from __future__ import annotations

import sys

import typer

from . import validate as _validate
from ._runner import run, tune_gc_for_one_run

backbeat_app = typer.Typer(
    name="backbeat-validate",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

backbeat_app.command()(_validate.validate_command)


def backbeat_validate_main() -> None:
    """Entry point of ``backbeat-validate``."""
    tune_gc_for_one_run()
    sys.exit(run(backbeat_app, prog="backbeat-validate"))
