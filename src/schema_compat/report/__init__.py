"""Reporters: one module per output format, each registered once in ``REPORTERS``.

A reporter only renders: it receives finished results and returns text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..findings import ComparisonResult


@dataclass(frozen=True)
class GateSummary:
    """What the release gate decided, for reporters of ``check``."""

    passed: bool
    problems: tuple[str, ...] = ()
    waived: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"passed": self.passed, "problems": list(self.problems), "waived": list(self.waived)}


@dataclass(frozen=True)
class ReportContext:
    """What a reporter may need besides the results."""

    tool_version: str
    mode: str = "backward"
    color: bool = False
    gate: GateSummary | None = field(default=None)


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


from . import github, json_report, junit, markdown, sarif, text  # noqa: E402,F401  (registration)

__all__ = ["REPORTERS", "GateSummary", "ReportContext", "reporter"]
