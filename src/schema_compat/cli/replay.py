"""``schema-compat replay OLD NEW --examples PATH``."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import typer

from ._options import (
    DEFAULT_DRAFT_HELP,
    chosen_draft,
    config_option,
    draft_callback,
    ref_dir_option,
    schemas_dir,
    schemas_option,
)
from ._partitioned import ENGINE_HELP, SCHEDULER_HELP, EngineName, make_engine, progress
from .diff import Format, Mode, use_color

#: Unreadable messages named on stderr, at most (the JSON report lists up to 1,000).
_SHOWN_ERRORS = 10


def replay_command(
    old: str = typer.Argument(..., help="Old version: FILE, NAME@VERSION or git:REF:PATH."),
    new: str = typer.Argument(..., help="New version, in the same forms."),
    examples: list[str] = typer.Option(
        ..., "--examples", "-e", metavar="PATH",
        help="Messages: an examples tree, a directory, a .json/.jsonl/.ndjson(.gz) file, or a glob "
             "pattern in quotes (archive/*/*.jsonl.gz); repeatable. Each file is a partition."),
    fmt: Format = typer.Option("text", "--format", "-f", help="Output format."),
    mode: Mode = typer.Option(Mode.backward, "--mode",
                              help="Direction(s) whose transitions fail the command."),
    schemas: Path | None = schemas_option(),
    config_file: Path | None = config_option(),
    workers: int | None = typer.Option(None, "--workers", min=1, metavar="N",
                                       help="Processes, local or of the local Dask cluster (default: one per core)."),
    engine: EngineName = typer.Option(EngineName.local, "--engine", help=ENGINE_HELP),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP),
    default_draft: str | None = typer.Option(
        None, "--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP),
    ref_dir: list[Path] | None = ref_dir_option(),
) -> None:
    """Validate every example against both versions; report those whose verdict changes.

    Shown with the findings and witnesses of the two versions: a message the old version
    accepts and the new one rejects is the same kind of evidence as a witness. Exit 1 when a
    transition falls in the --mode direction(s), or when a message or partition could not
    be read (the replay is incomplete: a gate fails closed); 2 on bad input.
    """
    from .. import __version__
    from .._text import visible
    from ..config import load_config
    from ..engine import Options, compare
    from ..errors import UsageError
    from ..loading import resolve_input
    from ..replay import _collect, replay
    from ..report import REPORTERS, ReportContext
    from ._options import catalog_for

    config = load_config(path=config_file)
    draft = chosen_draft(default_draft, config)
    directory = schemas_dir(schemas, config)
    old_set = resolve_input(old, schemas_dir=directory, default_draft=draft)
    new_set = resolve_input(new, schemas_dir=directory, default_draft=draft)
    if not (old_set.single and new_set.single):
        raise UsageError("replay compares one schema version with another")
    (o,), (n,) = old_set.schemas.values(), new_set.schemas.values()
    inputs = _collect(examples, n.name)  # bad paths and patterns are usage errors, before any work
    runner = make_engine(engine, scheduler, workers)
    catalog = catalog_for(ref_dir, config)
    result = compare(o, n, Options(formats=config.formats, catalog=catalog))
    with progress("replaying") as tick:
        summary = replay(o, n, inputs, workers=workers, engine=runner, progress=tick,
                         catalog=catalog)
    for where, error in summary.errors[:_SHOWN_ERRORS]:
        print(visible(f"warning: {where}: {error}"), file=sys.stderr)
    if summary.unreadable > _SHOWN_ERRORS:
        print(f"warning: {summary.unreadable - _SHOWN_ERRORS:,} more messages could not be read "
              "(listed in the JSON report, up to 1,000)", file=sys.stderr)
    result = replace(result, replay=summary)
    ctx = ReportContext(tool_version=__version__, mode=mode.value, color=use_color(sys.stdout))
    sys.stdout.write(REPORTERS[fmt.value]([result], ctx))
    directions = ("backward", "forward") if mode is Mode.full else (mode.value,)
    failed = any(getattr(summary, d) for d in directions)
    if summary.unreadable:
        print(f"error: {summary.unreadable:,} message(s) could not be read: the replay is "
              "incomplete (fix or remove them, then run it again)", file=sys.stderr)
    raise typer.Exit(1 if failed or summary.unreadable else 0)
