"""``schema-compat matrix``: every version against every other, as a document CI keeps current.

Thin: the matrix is built by :mod:`schema_compat.matrix` and rendered by
``report/matrix_markdown.py`` and ``report/matrix_html.py``; this module turns flags into
inputs and writes the result (atomically) or checks that a committed copy is current.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._text import visible
from ._options import (
    CONFIG_HELP,
    DEFAULT_DRAFT_HELP,
    REF_DIR_HELP,
    chosen_draft,
    draft_callback,
    timeout_callback,
)

if TYPE_CHECKING:
    from ..matrix import MatrixReport, Progress


class MatrixFormat(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"


_SUFFIX_FORMATS = {".html": MatrixFormat.html, ".htm": MatrixFormat.html,
                   ".json": MatrixFormat.json}

_HELP = "\n\n".join([
    "Compare every version of each schema with every other, and check each release against "
    "its policy.",
    "Rows are the old (producer) side, columns the new (consumer) side: BACKWARD in row X, "
    "column Y means consumers on Y read everything produced on X. Releases are checked "
    "against their predecessors in the same major (transitive policies against all of "
    "them); unknown fails closed. See docs/matrix.md.",
    "Without --out the document goes to stdout. With --out it is written atomically; with "
    "--out and --check nothing is written and the exit status says whether the file is "
    "current. --format defaults to the --out suffix (.html, .json), else markdown.",
    "Exit status: 0; 1 when --check finds the file stale or missing, or with "
    "--fail-on-policy when a release violates its policy; 2 on bad input.",
])


def render(report: MatrixReport, fmt: MatrixFormat) -> str:
    """The document in ``fmt``: the same report always gives the same text."""
    if fmt is MatrixFormat.markdown:
        from ..report import matrix_markdown

        return matrix_markdown.render(report)
    if fmt is MatrixFormat.html:
        from ..report import matrix_html

        return matrix_html.render(report)
    from .. import __version__
    from .._json import dumps

    return dumps(report.to_json(__version__), indent=True) + "\n"


def matrix_command(
    schemas_dir: Annotated[Path | None, typer.Argument(
        metavar="SCHEMAS_DIR",
        help="Contracts directory of <name>/<semver>.json files (default: `schemas` of the config).",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", help="Write the document here (atomically).")] = None,
    fmt: Annotated[MatrixFormat | None, typer.Option(
        "--format", "-f", help="Default: from the --out suffix, else markdown.",
        show_default=False)] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 when --out differs from what would be written.")] = False,
    git_history: Annotated[Path | None, typer.Option(
        "--git-history", metavar="PATH",
        help="Versions are the git commits that changed this one schema file.")] = None,
    tags: Annotated[str | None, typer.Option(
        "--tags", metavar="PATTERN",
        help="With --git-history: the tags matching this glob (e.g. 'v*') instead of commits.")] = None,
    schema: Annotated[list[str] | None, typer.Option(
        "--schema", metavar="NAME", help="Only this schema (repeatable).")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", metavar="POLICY",
        help="Use this policy for every schema instead of the configured ones.")] = None,
    fail_on_policy: Annotated[bool, typer.Option(
        "--fail-on-policy", help="Exit 1 when a release violates its policy.")] = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", metavar="SECONDS", callback=timeout_callback,
        help="Per pair of versions, before open questions are unknown (default: 10).",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, metavar="N", help="Processes (default: one per core).")] = None,
    ref_dir: Annotated[list[Path] | None, typer.Option(
        "--ref-dir", metavar="DIR", help=REF_DIR_HELP)] = None,
    default_draft: Annotated[str | None, typer.Option(
        "--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP,
        show_default=False)] = None,
    config_file: Annotated[Path | None, typer.Option(
        "--config", metavar="FILE", help=CONFIG_HELP)] = None,
    schemas: Annotated[Path | None, typer.Option(
        "--schemas", metavar="DIR", help="Same as SCHEMAS_DIR (as the other commands name it).")] = None,
) -> int:
    from ..config import load_config
    from ..errors import UsageError
    from ..loading import check_named_path, load_repository
    from ..matrix import build_matrix, versions_from_git, write_atomic
    from ..verdict import DEFAULT_TIMEOUT
    from ._options import catalog_for

    if schemas is not None:
        if schemas_dir is not None:
            raise UsageError("give the contracts directory once: SCHEMAS_DIR or --schemas")
        schemas_dir = schemas
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if check and out is None:
        raise UsageError("--check needs --out FILE (the committed document to check)")
    if tags is not None and git_history is None:
        raise UsageError("--tags selects tags of --git-history PATH; give --git-history too")
    if git_history is not None and (schemas_dir is not None or schema):
        raise UsageError("--git-history reads one schema file from git; "
                         "give neither SCHEMAS_DIR nor --schema with it")
    if fmt is None:
        fmt = _SUFFIX_FORMATS.get(out.suffix.lower(), MatrixFormat.markdown) if out else MatrixFormat.markdown
    config = load_config(path=config_file)
    config = replace(config, default_draft=chosen_draft(default_draft, config))
    catalog = catalog_for(ref_dir, config)
    with _progress_bar() as progress:
        if git_history is not None:
            versions, origin = versions_from_git(git_history, tags=tags,
                                                 default_draft=config.default_draft)
            report = build_matrix(versions, config, policy=policy, timeout=timeout,
                                  workers=workers, progress=progress, origin=origin,
                                  catalog=catalog)
        else:
            directory = schemas_dir if schemas_dir is not None else config.root / config.schemas
            report = build_matrix(load_repository(directory, default_draft=config.default_draft),
                                  config, names=schema or (),
                                  policy=policy, timeout=timeout, workers=workers,
                                  progress=progress, catalog=catalog)
    text = render(report, fmt)

    status = 0
    if out is not None:
        # The committed document (or its directory) may be a link the change under review
        # made: neither read nor written outside the repository through it.
        check_named_path(out)
    if out is None:
        sys.stdout.write(text)
    elif check:
        status = _check(out, text)
    else:
        write_atomic(out, text)
        print(visible(f"wrote {out}"), file=sys.stderr)
    if fail_on_policy and report.policy_failures:
        for name, release in report.policy_failures:
            against = ", ".join(f"{c.against} (backward {c.backward}, forward {c.forward})"
                                for c in release.failures)
            print(visible(f"{name} {release.label}: violates {release.policy} against {against}"),
                  file=sys.stderr)
        status = 1
    return status


matrix_command.__doc__ = _HELP


def _check(out: Path, text: str) -> int:
    """0 when ``out`` holds exactly ``text``; else 1 and one line saying why."""
    regenerate = f"regenerate it with: schema-compat matrix --out {out}"
    try:
        current = out.read_bytes()
    except FileNotFoundError:
        print(visible(f"{out}: missing; {regenerate}"), file=sys.stderr)
        return 1
    except OSError as exc:
        from ..errors import LoadError

        raise LoadError(f"{out}: cannot read: {exc.strerror}") from None
    if current != text.encode():
        print(visible(f"{out}: stale, differs from what the schemas produce now; {regenerate}"),
              file=sys.stderr)
        return 1
    print(visible(f"{out}: up to date"), file=sys.stderr)
    return 0


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A rich progress bar on stderr when it is a terminal; no callback otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            # Started on the first report, which comes after the worker processes are
            # forked: the bar's refresh thread never exists in a forked child.
            bar = Progress("comparing versions", BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task("pairs", total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    callback: Callable[[int, int], None] = update
    try:
        yield callback
    finally:
        if bar is not None:
            bar.stop()
