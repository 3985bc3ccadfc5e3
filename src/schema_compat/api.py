"""Convenience entry points for Python callers: the CLI's work without the CLI."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .catalog import load_catalog
from .config import load_config
from .engine import Options, compare_sets
from .findings import ComparisonResult
from .formats import DEFAULT_FORMAT_MODE
from .gate import GateReport, gate
from .loading import resolve_input


def diff(old: str | os.PathLike[str], new: str | os.PathLike[str], *,
         schemas: str | os.PathLike[str] = "schemas", policy: str = "BACKWARD",
         timeout: float = 10.0, formats: str = DEFAULT_FORMAT_MODE,
         default_draft: str | int = "2020-12",
         ref_dirs: Sequence[str | os.PathLike[str]] = ()) -> list[ComparisonResult]:
    """Compare two schema versions (files, directories, ``NAME@VERSION``, ``git:REF:PATH``;
    JSON or YAML).

    ``timeout`` (seconds, finite and above zero) bounds each pair of schemas; ``formats`` is
    ``"assert"`` (a ``format`` narrows the valid strings) or ``"annotation"``;
    ``default_draft`` (``4``, ``6``, ``7``, ``"2019-09"``, ``"2020-12"``) is the draft of a
    schema without ``$schema``; ``ref_dirs`` are catalog directories of the documents the
    schemas refer to by URL (``--ref-dir``).
    """
    from .cli._options import seconds
    from .drafts import parse_draft
    from .errors import UsageError

    seconds(timeout, "timeout")
    try:
        draft = parse_draft(default_draft, "default_draft")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    root = Path(schemas)
    old_set = resolve_input(os.fspath(old), schemas_dir=root, default_draft=draft)
    new_set = resolve_input(os.fspath(new), schemas_dir=root, default_draft=draft)
    return compare_sets(old_set, new_set, Options(timeout=timeout, policy=policy.upper(),
                                                  formats=formats,
                                                  catalog=load_catalog(map(Path, ref_dirs))))


def check(against: str | None = None, *, config: str | os.PathLike[str] | None = None) -> GateReport:
    """Run the release gate of the contracts repository in the working directory (with the
    catalog directories its configuration names, ``ref-dirs``)."""
    cfg = load_config(path=Path(config) if config is not None else None)
    return gate(config=cfg, against=against,
                options=Options(catalog=load_catalog(cfg.catalog_dirs())))
