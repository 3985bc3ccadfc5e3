"""``schema-compat diff OLD NEW``."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path

import typer

from ..report import REPORTERS, ReportContext
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

# The choices come from the reporter registry, so a new reporter needs no CLI edit.
Format = Enum("Format", {name: name for name in sorted(REPORTERS)}, type=str)  # type: ignore[misc]


class FormatMode(str, Enum):
    assert_ = "assert"
    annotation = "annotation"


class Mode(str, Enum):
    backward = "backward"
    forward = "forward"
    full = "full"


def use_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def diff_command(
    old: str = typer.Argument(..., help="Old side: FILE, DIR, NAME@VERSION, git:REF:PATH or a git ref."),
    new: str = typer.Argument(..., help="New side, in the same forms."),
    fmt: Format = typer.Option("text", "--format", "-f", help="Output format."),
    mode: Mode = typer.Option(Mode.backward, "--mode", help="Direction the exit code gates on."),
    schemas: Path | None = schemas_option(),
    policy: str | None = typer.Option(
        None, "--policy", help="Compatibility policy for the required bump (default: each "
        "schema's, from the config, else BACKWARD)."),
    config_file: Path | None = config_option(),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", callback=timeout_callback,
                                  help="Seconds per schema pair before open questions are unknown."),
    formats: FormatMode | None = typer.Option(
        None, "--formats", help="Whether `format` narrows valid strings, as validators that "
        "assert formats read it (default: `formats` of the config, else assert)."),
    default_draft: str | None = typer.Option(
        None, "--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Text: every finding, witness and example, not only failures."),
    ref_dir: list[Path] | None = ref_dir_option(),
) -> None:
    """Classify every change between two schema versions, with witnesses for each break.

    Exit 0 when the --mode direction(s) are compatible, 1 when not (breaking or unknown),
    2 on bad input.
    """
    from .. import __version__
    from ..config import load_config
    from ..decide import decide_diff
    from ..engine import Options, compare_sets
    from ..errors import UsageError
    from ..loading import resolve_input
    from ..verdict import POLICIES
    from ._options import catalog_for

    if policy is not None and policy.upper() not in POLICIES:
        raise UsageError(f"--policy must be one of {', '.join(POLICIES)}")
    config = load_config(path=config_file)
    draft = chosen_draft(default_draft, config)
    directory = schemas_dir(schemas, config)
    old_set = resolve_input(old, schemas_dir=directory, default_draft=draft)
    new_set = resolve_input(new, schemas_dir=directory, default_draft=draft)
    if old_set.single != new_set.single:
        raise UsageError("compare a file with a file, or a directory with a directory")
    mode_of_formats = formats.value if formats is not None else config.formats
    catalog = catalog_for(ref_dir, config)
    options = Options(timeout=timeout, formats=mode_of_formats, catalog=catalog)
    if policy is not None:
        results = compare_sets(old_set, new_set, replace(options, policy=policy.upper()))
    else:
        results = compare_sets(old_set, new_set, options, policy_for=config.policy)
    decision = decide_diff(results, mode.value)
    ctx = ReportContext(tool_version=__version__, mode=mode.value, color=use_color(sys.stdout),
                        decision=decision, verbose=verbose)
    sys.stdout.write(REPORTERS[fmt.value](results, ctx))
    raise typer.Exit(decision.exit_code)
