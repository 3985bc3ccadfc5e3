"""Option values every command checks the same way."""

from __future__ import annotations

import math

import typer

from ..errors import UsageError


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
