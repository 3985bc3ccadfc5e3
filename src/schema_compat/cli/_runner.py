"""Turn a Typer application's outcome into an exit code (shared by both commands)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from ..errors import SchemaCompatError


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
