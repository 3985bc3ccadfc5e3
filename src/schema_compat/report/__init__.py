"""Reporters: one module per output format, each named once in ``FORMATS`` and registered
by its module with ``@reporter``.

A reporter only renders: it receives finished results and returns text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..decide import Decision, Problem
from ..findings import ComparisonResult

if TYPE_CHECKING:
    from ..gate import GateEntry


@dataclass(frozen=True)
class GateSummary:
    """What the release gate decided, for reporters of ``check``: its decision (problems,
    exit code) and the breaks it waived."""

    decision: Decision
    waived: tuple[str, ...] = ()
    entries: tuple[GateEntry, ...] = ()

    @property
    def passed(self) -> bool:
        return self.decision.passed

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.decision.problems

    def to_json(self) -> dict[str, object]:
        return {**self.decision.to_json(), "waived": list(self.waived),
                "entries": [e.to_json() for e in self.entries]}


@dataclass(frozen=True)
class ReportContext:
    """What a reporter may need besides the results: the run's decision (what failed it, its
    exit code) and, under the release gate, the gate's summary."""

    tool_version: str
    mode: str = "backward"
    color: bool = False
    gate: GateSummary | None = field(default=None)
    decision: Decision | None = None
    verbose: bool = False  # every finding, witness and replayed example (text format)


def run_decision(results: Sequence[ComparisonResult], ctx: ReportContext) -> Decision:
    """The decision the exit code comes from: the gate's under ``check``, else the one the
    command made (``diff``'s, from the gated directions)."""
    if ctx.gate is not None:
        return ctx.gate.decision
    if ctx.decision is not None:
        return ctx.decision
    from ..decide import decide_diff

    return decide_diff(results, ctx.mode)


Renderer = Callable[[Sequence[ComparisonResult], ReportContext], str]

# ``--format`` value → module of this package that renders it. A module is imported when its
# format is first asked for: a command renders one format, and some reporters are costly to
# import (rich for text, the source map for github, sarif and junit).
FORMATS: dict[str, str] = {
    "github": "github",
    "json": "json_report",
    "junit": "junit",
    "markdown": "markdown",
    "sarif": "sarif",
    "text": "text",
}


class _Registry(Mapping[str, Renderer]):
    """The renderers by format name, each loaded on first use."""

    def __init__(self) -> None:
        self.loaded: dict[str, Renderer] = {}

    def __getitem__(self, name: str) -> Renderer:
        if name not in self.loaded:
            importlib.import_module(f"{__name__}.{FORMATS[name]}")  # registers it
        return self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


REPORTERS = _Registry()


def reporter(name: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer under ``name`` (the ``--format`` value, listed in ``FORMATS``)."""

    def register(fn: Renderer) -> Renderer:
        if name not in FORMATS:
            raise ValueError(f"reporter {name} is not listed in FORMATS")
        if name in REPORTERS.loaded:
            raise ValueError(f"reporter {name} registered twice")
        REPORTERS.loaded[name] = fn
        return fn

    return register


__all__ = ["FORMATS", "REPORTERS", "GateSummary", "ReportContext", "reporter", "run_decision"]
