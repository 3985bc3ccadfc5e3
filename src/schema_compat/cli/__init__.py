"""The ``schema-compat`` and ``backbeat-validate`` command lines (thin: logic is in the library)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from ..errors import SchemaCompatError
from . import check as _check
from . import diff as _diff
from . import rules as _rules
from . import validate as _validate

app = typer.Typer(
    name="schema-compat",
    help="Check JSON Schema changes for compatibility, with proof; validate messages.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on internal errors."),
) -> None:
    """Check JSON Schema changes for compatibility, with proof; validate messages."""


app.command("diff")(_diff.diff_command)
app.command("check")(_check.check_command)
app.command("bump")(_check.bump_command)
app.command("validate")(_validate.validate_command)
app.command("rules")(_rules.rules_command)
app.command("explain")(_rules.explain_command)

# `backbeat-validate` is the seed's validator: the same command, alone, with the same flags.
backbeat_app = typer.Typer(
    name="backbeat-validate",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
backbeat_app.command()(_validate.validate_command)


def run(application: typer.Typer, argv: Sequence[str] | None = None, prog: str = "") -> int:
    """Run a Typer application and turn every outcome into an exit code.

    Errors the user can fix print one line on stderr and give 2; ``--debug`` re-raises them.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    prog = prog or application.info.name or "schema-compat"
    try:
        result = application(args=args, prog_name=prog, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: Typer prints them with the usage line
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"{prog}: error: {exc.format_message()}", file=sys.stderr)
        return 2
    except typer.Abort:
        print(f"{prog}: aborted", file=sys.stderr)
        return 130
    except SchemaCompatError as exc:
        if "--debug" in args:
            raise
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except RecursionError:
        if "--debug" in args:
            raise
        print(f"{prog}: error: input nested too deeply to process", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0


def main() -> None:
    """Entry point of ``schema-compat``."""
    sys.exit(run(app))


def backbeat_validate_main() -> None:
    """Entry point of ``backbeat-validate``."""
    sys.exit(run(backbeat_app, prog="backbeat-validate"))
