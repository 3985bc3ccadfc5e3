"""Turn a Typer application's outcome into an exit code (shared by both commands)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

import typer

from .._text import visible
from ..errors import SchemaCompatError


def tune_gc_for_one_run() -> None:
    """Collector settings for a process that runs one command and exits.

    A comparison allocates many small, long-lived objects (subschema nodes and views, the
    parsed documents), and the default thresholds make the collector walk them over and
    over, a share of the command's time that grows with the schema. Objects
    created during start-up (modules, classes) are frozen out of collection, and young
    collections run less often. Only for the process entry points: an embedding
    application (or the test suite, which calls ``run``) keeps its own settings.
    """
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _print_version(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .. import __version__

    print(f"{ctx.find_root().info_name} {__version__}")
    raise typer.Exit(0)


def version_option() -> Any:
    """``--version``: print the program's name and version, and exit (before anything else)."""
    return typer.Option(False, "--version", is_eager=True, expose_value=False,
                        callback=_print_version, help="Show the version and exit.")


def _debug_first(args: list[str]) -> tuple[list[str], bool]:
    """Move ``--debug`` to the front, wherever it was given (``--`` ends the options).

    The option belongs to the program, not to a command, yet users put it at the end of the
    line they are already typing, as the README's examples do.
    """
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args, False
    rest = [a for i, a in enumerate(args) if not (a == "--debug" and i < end)]
    return rest, True


def run(application: typer.Typer, argv: Sequence[str] | None = None, prog: str = "") -> int:
    """Run a Typer application and turn every outcome into an exit code.

    Errors the user can fix print one line on stderr and give 2; ``--debug`` re-raises them.
    """
    args, debug = _debug_first(list(sys.argv[1:] if argv is None else argv))
    prog = prog or application.info.name or "schema-compat"
    if debug and application.registered_callback is not None:
        args = ["--debug", *args]
    try:
        result = application(args=args, prog_name=prog, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: one line, and where to look
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else prog
        print(f"{prog}: error: {visible(exc.format_message())} (see '{where} --help')",
              file=sys.stderr)
        return 2
    except typer.Abort:
        print(f"{prog}: aborted", file=sys.stderr)
        return 130
    except SchemaCompatError as exc:
        if debug:
            raise
        # One line whatever the message quotes (file names, keys): a newline in a file name
        # must not start a second line, let alone a workflow command in a CI log.
        print(f"{prog}: error: {visible(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except RecursionError:
        if debug:
            raise
        print(f"{prog}: error: input nested too deeply to process", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0
