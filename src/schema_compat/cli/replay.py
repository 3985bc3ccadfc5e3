"""``schema-compat replay OLD NEW --examples PATH``."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from .diff import Format, Mode, use_color


def replay_command(
    old: str = typer.Argument(..., help="Old version: FILE, NAME@VERSION or git:REF:PATH."),
    new: str = typer.Argument(..., help="New version, in the same forms."),
    examples: Path = typer.Option(..., "--examples", "-e",
                                  help="Messages: an examples tree, a directory, or a .json/.jsonl(.gz) file."),
    fmt: Format = typer.Option("text", "--format", "-f", help="Output format."),
    mode: Mode = typer.Option(Mode.backward, "--mode",
                              help="Direction(s) whose transitions fail the command."),
    schemas: Path = typer.Option(Path("schemas"), "--schemas", help="Contracts directory."),
    workers: int | None = typer.Option(None, "--workers", help="Processes (default: one per core)."),
) -> None:
    """Validate every example against both versions; report those whose verdict changes.

    Shown with the findings and witnesses of the two versions: a message the old version
    accepts and the new one rejects is the same kind of evidence as a witness. Exit 1 when a
    transition falls in the --mode direction(s), 2 on bad input.
    """
    from .. import __version__
    from ..config import load_config
    from ..engine import Options, compare
    from ..errors import UsageError
    from ..loading import resolve_input
    from ..replay import replay
    from ..report import REPORTERS, ReportContext

    old_set = resolve_input(old, schemas_dir=schemas)
    new_set = resolve_input(new, schemas_dir=schemas)
    if not (old_set.single and new_set.single):
        raise UsageError("replay compares one schema version with another")
    if not examples.exists():
        raise UsageError(f"{examples}: no such file or directory")
    (o,), (n,) = old_set.schemas.values(), new_set.schemas.values()
    result = compare(o, n, Options(formats=load_config().formats))
    with _progress() as tick:
        summary = replay(o, n, examples, workers=workers, progress=tick)
    result = replace(result, replay=summary)
    ctx = ReportContext(tool_version=__version__, mode=mode.value, color=use_color(sys.stdout))
    sys.stdout.write(REPORTERS[fmt.value]([result], ctx))
    directions = ("backward", "forward") if mode is Mode.full else (mode.value,)
    failed = any(getattr(summary, d) for d in directions)
    raise typer.Exit(1 if failed else 0)


def _progress() -> Any:
    """A live message count on stderr, only when a person is watching."""
    if not sys.stderr.isatty():
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    class _Live:
        def __enter__(self) -> Any:
            self.bar = Progress(SpinnerColumn(), TextColumn("replaying: {task.completed:,} messages"),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            task = self.bar.add_task("replay", total=None)
            return lambda n: self.bar.update(task, completed=n)

        def __exit__(self, *exc: object) -> None:
            self.bar.__exit__(None, None, None)

    return _Live()
