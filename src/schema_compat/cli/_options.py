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


CONFIG_HELP = "schema-compat.toml or pyproject.toml (default: found from the working directory up)."
SCHEMAS_HELP = "Contracts directory (default: `schemas` of the config, else ./schemas)."


def config_option() -> Path | None:
    """``--config FILE``, the same on every command that reads the configuration."""
    option: Path | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP)
    return option


def schemas_option() -> Path | None:
    """``--schemas DIR``: the contracts directory, by default the configuration's."""
    option: Path | None = typer.Option(None, "--schemas", metavar="DIR", help=SCHEMAS_HELP)
    return option


def schemas_dir(value: Path | None, config: Config) -> Path:
    """``--schemas`` when given, else the configuration's ``schemas`` (relative to its file)."""
    return value if value is not None else config.root / config.schemas


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


DEFAULT_DRAFT_HELP = ("Draft of schemas without $schema: 4, 6, 7, 2019-09 or 2020-12 (default: "
                      "`default-draft` of the config, else 2020-12).")


def draft_callback(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """Typer callback for ``--default-draft``: a draft name, checked while the command line is
    parsed (one line and exit 2 for anything else, before any schema is read)."""
    if value is not None:
        chosen_draft(value, None)
    return value


def chosen_draft(value: str | None, config: Config | None) -> int:
    """The default draft a command reads schemas in: ``--default-draft`` when given, else the
    configuration's ``default-draft``, else 2020-12."""
    from ..drafts import DEFAULT_DRAFT, parse_draft

    if value is None:
        return config.default_draft if config is not None else DEFAULT_DRAFT
    try:
        return parse_draft(value, "--default-draft")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
