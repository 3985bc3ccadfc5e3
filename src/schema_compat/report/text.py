"""``--format text``: for people at a terminal (colour only on a TTY; NO_COLOR honoured)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from .._json import dumps
from ..findings import BREAKING, COMPATIBLE, ComparisonResult, Finding
from . import ReportContext, reporter

_STYLE = {COMPATIBLE: "green", BREAKING: "bold red", "unknown": "yellow", "ok": "green"}
_MARK = {BREAKING: "✗", "unknown": "?", "ok": "·"}


def _effect(f: Finding) -> str:
    if BREAKING in (f.backward, f.forward):
        return BREAKING
    if "unknown" in (f.backward, f.forward):
        return "unknown"
    return "ok"


def _side(result: ComparisonResult, which: str) -> str:
    side = result.old if which == "old" else result.new
    if side is None:
        return "(none)"
    return side.version or side.source


@reporter("text")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=ctx.color, no_color=not ctx.color,
                      width=100, highlight=False, soft_wrap=True)
    for result in results:
        head = (f"[bold]{escape(result.schema)}[/]  {escape(_side(result, 'old'))} → "
                f"{escape(_side(result, 'new'))}")
        if result.status in ("added", "removed"):
            console.print(f"{head}  schema {result.status}")
            continue
        b, f = result.backward.status, result.forward.status
        console.print(
            f"{head}  [bold]{result.level}[/]  backward: [{_STYLE[b]}]{b}[/]  "
            f"forward: [{_STYLE[f]}]{f}[/]  bump: [bold]{result.required_bump}[/]")
        for reason, label in ((result.backward.reason, "backward"),
                              (result.forward.reason, "forward")):
            if reason and result.direction(label).status == "unknown":
                console.print(f"  [yellow]{label} unknown:[/] {escape(reason)}")
        for finding in result.findings:
            effect = _effect(finding)
            path = finding.new_path or finding.old_path or "/"
            console.print(f"  [{_STYLE[effect]}]{_MARK[effect]}[/] {finding.rule}  "
                          f"[dim]{escape(path)}[/]")
            console.print(f"      {escape(finding.message)}")
            if effect != "ok":
                console.print(f"      backward: [{_STYLE[finding.backward]}]{finding.backward}"
                              f"[/]  forward: [{_STYLE[finding.forward]}]{finding.forward}[/]")
            if finding.reason and effect == "unknown":
                console.print(f"      [yellow]why unknown:[/] {escape(finding.reason)}")
            for w in finding.witnesses:
                side = "new" if w.direction == "backward" else "old"
                console.print(f"      witness ({w.direction}): {escape(dumps(w.instance))}")
                if w.error:
                    console.print(f"        rejected by {side}: {escape(w.error)}")
        shown = {id(w) for f in result.findings for w in f.witnesses}
        for verdict in (result.backward, result.forward):
            for w in verdict.witnesses:
                if id(w) not in shown and not any(
                        x.instance == w.instance for f in result.findings for x in f.witnesses):
                    side = "new" if w.direction == "backward" else "old"
                    console.print(f"  witness ({w.direction}): {escape(dumps(w.instance))}")
                    if w.error:
                        console.print(f"    rejected by {side}: {escape(w.error)}")
        for note in result.notes:
            console.print(f"  [dim]note: {escape(note)}[/]")
        if result.replay is not None and result.replay.examples:
            console.print(f"  replay: {result.replay.examples} examples, "
                          f"{len(result.replay.changed)} changed verdict")
            for c in result.replay.changed:
                console.print(f"    {c.direction}: {escape(c.example)}: {escape(c.error)}")
    return buffer.getvalue()
