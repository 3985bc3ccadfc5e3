"""``schema-compat``: every command, assembled (thin: logic is in the library)."""

from __future__ import annotations

import sys

import typer

from . import check as _check
from . import diff as _diff
from . import matrix as _matrix
from . import replay as _replay
from . import rules as _rules
from . import validate as _validate
from ._runner import run, tune_gc_for_one_run, version_option

app = typer.Typer(
    name="schema-compat",
    help="Check JSON Schema changes for compatibility, with proof; validate messages.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", help="Show a traceback on internal errors (anywhere on the line)."),
    version: bool = version_option(),
) -> None:
    """Check JSON Schema changes for compatibility, with proof; validate messages."""


app.command("diff")(_diff.diff_command)
app.command("check")(_check.check_command)
app.command("bump")(_check.bump_command)
app.command("matrix")(_matrix.matrix_command)
app.command("replay")(_replay.replay_command)
app.command("validate")(_validate.validate_command)
app.command("rules")(_rules.rules_command)
app.command("explain")(_rules.explain_command)


def main() -> None:
    """Entry point of ``schema-compat``."""
    tune_gc_for_one_run()
    sys.exit(run(app))
