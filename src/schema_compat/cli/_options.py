"""Option values every command checks the same way."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import UsageError

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config import Config

REF_DIR_HELP = ("A catalog of referenced documents: local copies of the schemas referred to "
                "by URL, read from an index.json or by each file's $id (repeatable; default: "
                "`ref-dirs` of the config). Nothing is ever fetched.")


def ref_dir_option() -> list[Path] | None:
    """``--ref-dir DIR`` (repeatable), the same on every command that reads schemas."""
    option: list[Path] | None = typer.Option(None, "--ref-dir", metavar="DIR", help=REF_DIR_HELP)
    return option


def catalog_for(ref_dirs: Sequence[Path] | None, config: Config | None) -> Catalog | None:
    """The catalog of ``--ref-dir`` when given (the command line wins), else of the
    configuration's ``ref-dirs`` (``config`` may be None when ``--ref-dir`` is given); None
    when neither names one."""
    from ..catalog import load_catalog
    from ..loading import check_named_path

    if ref_dirs:
        for directory in ref_dirs:
            check_named_path(directory)
        return load_catalog(ref_dirs)
    return None if config is None else load_catalog(config.catalog_dirs())


def seconds(value: float | None, option: str = "--timeout") -> float | None:
    """A time limit: a finite number of seconds above zero (None: the default applies).

    ``nan`` would make every deadline comparison false (no limit at all), ``inf`` and very
    large values are no limit either, and zero or less would leave nothing to decide: each is
    refused with one line rather than taken to mean something.
    """
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{option} must be a finite number of seconds greater than 0, got {value}")
    return value


def timeout_callback(ctx: typer.Context, param: typer.CallbackParam, value: float | None) -> float | None:
    """Typer callback for ``--timeout``: checked while the command line is parsed."""
    return seconds(value, "--timeout")
