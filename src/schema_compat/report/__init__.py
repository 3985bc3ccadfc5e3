"""Reporters: one module per output format, each registered once in ``REPORTERS``.

A reporter only renders: it receives finished results and returns text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..findings import ComparisonResult


@dataclass(frozen=True)
class ReportContext:
    """What a reporter may need besides the results."""

    tool_version: str
    mode: str = "backward"
    color: bool = False


Renderer = Callable[[Sequence[ComparisonResult], ReportContext], str]
REPORTERS: dict[str, Renderer] = {}


def reporter(name: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer under ``name`` (the ``--format`` value)."""

    def register(fn: Renderer) -> Renderer:
        if name in REPORTERS:
            raise ValueError(f"reporter {name} registered twice")
        REPORTERS[name] = fn
        return fn

    return register


from . import json_report, markdown, text  # noqa: E402,F401  (registration)

__all__ = ["REPORTERS", "ReportContext", "reporter"]
