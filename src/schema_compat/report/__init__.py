"""Reporters: one module per output format, each named once in ``FORMATS`` and registered
by its module with ``@reporter``.

A reporter only renders: it receives finished results and returns text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
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


__all__ = ["FORMATS", "REPORTERS", "GateSummary", "ReportContext", "reporter"]
