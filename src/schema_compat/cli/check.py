"""``schema-compat check`` (the pull-request gate) and ``schema-compat bump``."""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path

import typer

from ..verdict import DEFAULT_TIMEOUT
from ._options import (
    DEFAULT_DRAFT_HELP,
    chosen_draft,
    config_option,
    draft_callback,
    ref_dir_option,
    schemas_dir,
    schemas_option,
    timeout_callback,
)
from .diff import Format, use_color


def check_command(
    against: str | None = typer.Option(
        None, "--against",
        help="Base to compare with: a directory of schemas, a git ref (e.g. origin/main) or "
             "git:REF:PATH. Without it every version is checked as new."),
    fmt: Format = typer.Option("text", "--format", "-f", help="Output format."),
    schemas: Path | None = schemas_option(),
    examples: Path | None = typer.Option(
        None, "--examples", metavar="DIR",
        help="Examples tree (default: `examples` of the config, else ./examples)."),
    config_file: Path | None = config_option(),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", callback=timeout_callback,
                                  help="Seconds per schema pair."),
    default_draft: str | None = typer.Option(
        None, "--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Text: every finding, witness and example, not only failures."),
    ref_dir: list[Path] | None = ref_dir_option(),
) -> None:
    """Gate a change to the contracts: bumps, policies, type constants, examples, waivers.

    Exit 0 when it passes, 1 when it fails, 2 on bad input.
    """
    from .. import __version__
    from ..config import load_config
    from ..engine import Options
    from ..gate import gate
    from ..report import REPORTERS, GateSummary, ReportContext
    from ._options import catalog_for

    config = load_config(path=config_file)
    config = replace(config, default_draft=chosen_draft(default_draft, config))
    report = gate(config=config, against=against, schemas=schemas, examples=examples,
                  options=Options(timeout=timeout, formats=config.formats,
                                  catalog=catalog_for(ref_dir, config)))
    summary = GateSummary(report.decision, report.waived, report.entries)
    ctx = ReportContext(tool_version=__version__, mode="full", color=use_color(sys.stdout),
                        gate=summary, verbose=verbose)
    sys.stdout.write(REPORTERS[fmt.value](report.results, ctx))
    raise typer.Exit(report.decision.exit_code)


class BumpFormat(str, Enum):
    text = "text"
    json = "json"


def bump_command(
    old: str = typer.Argument(..., help="Old version: FILE, NAME@VERSION or git:REF:PATH."),
    new: str = typer.Argument(..., help="New version, in the same forms."),
    policy: str | None = typer.Option(None, "--policy", help="Policy (default: the schema's, from config)."),
    schemas: Path | None = schemas_option(),
    fmt: BumpFormat = typer.Option(BumpFormat.text, "--format", "-f", help="Output format."),
    as_json: bool = typer.Option(False, "--json", hidden=True, help="Same as --format json."),
    config_file: Path | None = config_option(),
    default_draft: str | None = typer.Option(
        None, "--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP),
    ref_dir: list[Path] | None = ref_dir_option(),
) -> None:
    """The version bump a change needs, and the next version number."""
    from .._json import dumps
    from .._text import visible
    from ..config import load_config
    from ..engine import Options, compare
    from ..errors import UsageError
    from ..gate import declared_bump, next_version
    from ..loading import resolve_input
    from ..verdict import POLICIES
    from ._options import catalog_for

    config = load_config(path=config_file)
    draft = chosen_draft(default_draft, config)
    directory = schemas_dir(schemas, config)
    old_set = resolve_input(old, schemas_dir=directory, default_draft=draft)
    new_set = resolve_input(new, schemas_dir=directory, default_draft=draft)
    if not (old_set.single and new_set.single):
        raise UsageError("bump compares one schema version with another, not directories")
    (o,), (n,) = old_set.schemas.values(), new_set.schemas.values()
    chosen = (policy or config.policy(n.name)).upper()
    if chosen not in POLICIES:
        raise UsageError(f"--policy must be one of {', '.join(POLICIES)}")
    result = compare(o, n, Options(policy=chosen, formats=config.formats,
                                   catalog=catalog_for(ref_dir, config)))
    nxt = next_version(o.version, result.required_bump) if o.version else None
    declared = declared_bump(o.version, n.version) if o.version and n.version else None
    data = {"schema": result.schema, "policy": chosen, "old_version": str(o.version) if o.version else None,
            "new_version": str(n.version) if n.version else None,
            "required_bump": result.required_bump, "next_version": str(nxt) if nxt else None,
            "declared_bump": declared, "backward": result.backward.status,
            "forward": result.forward.status}
    if as_json or fmt is BumpFormat.json:
        print(dumps(data, indent=True))
    else:
        line = f"{result.schema}: {result.required_bump} bump required (policy {chosen}; " \
               f"backward {result.backward.status}, forward {result.forward.status})"
        if nxt:
            line += f"; next version {nxt}"
        if declared:
            line += f"; declared {declared}"
        print(visible(line))  # the schema's name comes from its file name
