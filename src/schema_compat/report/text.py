"""``--format text``: for people at a terminal (colour only on a TTY; NO_COLOR honoured).

Annotation-only findings are summarised in one line; everything that changes which messages
are valid is shown with its effect and witness.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from .._json import dumps
from ..findings import BREAKING, COMPATIBLE, ComparisonResult, Finding, ReplaySummary, Witness
from . import ReportContext, reporter
from .escape import rich_text as escape

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


def _shorten(value: Any) -> Any:
    """Long strings are cut for the terminal; the JSON report keeps them whole."""
    if isinstance(value, str) and len(value) > 48:
        return f"{value[:24]}…({len(value)} chars)"
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    return value


def _print_witness(console: Console, w: Witness, indent: str) -> None:
    rejecting = "new" if w.direction == "backward" else "old"
    console.print(f"{indent}witness ({w.direction}): {escape(dumps(_shorten(w.instance)))}")
    if w.error:
        error = w.error if len(w.error) <= 160 else w.error[:159] + "…"
        console.print(f"{indent}  rejected by {rejecting}: {escape(error)}")


def _render_result(console: Console, result: ComparisonResult) -> None:
    head = (f"[bold]{escape(result.schema)}[/]  {escape(_side(result, 'old'))} → "
            f"{escape(_side(result, 'new'))}")
    if result.status in ("added", "removed"):
        console.print(f"{head}  schema {result.status}")
        return
    b, f = result.backward.status, result.forward.status
    console.print(f"{head}  [bold]{result.level}[/]  backward: [{_STYLE[b]}]{b}[/]  "
                  f"forward: [{_STYLE[f]}]{f}[/]  bump: [bold]{result.required_bump}[/]")
    for direction in ("backward", "forward"):
        verdict = result.direction(direction)
        if verdict.reason and verdict.status == "unknown":
            console.print(f"  [yellow]{direction} unknown:[/] {escape(verdict.reason)}")
    annotations = [x for x in result.findings if x.annotation]
    for finding in result.findings:
        if finding.annotation:
            continue
        effect = _effect(finding)
        path = finding.new_path or finding.old_path or "/"
        console.print(f"  [{_STYLE[effect]}]{_MARK[effect]}[/] {finding.rule}  [dim]{escape(path)}[/]")
        console.print(f"      {escape(finding.message)}")
        if effect != "ok":
            console.print(f"      backward: [{_STYLE[finding.backward]}]{finding.backward}[/]  "
                          f"forward: [{_STYLE[finding.forward]}]{finding.forward}[/]")
        if finding.reason and effect == "unknown":
            console.print(f"      [yellow]why unknown:[/] {escape(finding.reason)}")
        for w in finding.witnesses:
            _print_witness(console, w, "      ")
    if annotations:
        kinds = sorted({x.rule.removeprefix("annotation-").removesuffix("-changed")
                        for x in annotations})
        console.print(f"  [dim]· {len(annotations)} annotation change"
                      f"{'s' if len(annotations) != 1 else ''} ({', '.join(kinds)})[/]")
    shown = [w.instance for x in result.findings for w in x.witnesses]
    for w in (*result.backward.witnesses, *result.forward.witnesses):
        if w.instance not in shown:
            _print_witness(console, w, "  ")
    for note in result.notes:
        console.print(f"  [dim]note: {escape(note)}[/]")
    if result.replay is not None:
        _render_replay(console, result.replay)


_SHOWN_PER_DIRECTION = 10


def _render_replay(console: Console, replay: ReplaySummary) -> None:
    unreadable = f", {replay.unreadable} unreadable" if replay.unreadable else ""
    console.print(f"  replay: {replay.examples:,} messages; {replay.backward:,} valid under old "
                  f"but not new (backward), {replay.forward:,} valid under new but not old "
                  f"(forward){unreadable}")
    for direction, total in (("backward", replay.backward), ("forward", replay.forward)):
        changes = [c for c in replay.changed if c.direction == direction]
        for c in changes[:_SHOWN_PER_DIRECTION]:
            rejecting = "new" if direction == "backward" else "old"
            console.print(f"    {direction}: {escape(c.example)}")
            console.print(f"      rejected by {rejecting}: {escape(c.error)}")
        if total > _SHOWN_PER_DIRECTION:
            console.print(f"    … and {total - _SHOWN_PER_DIRECTION:,} more {direction} "
                          "(--format json lists up to 1,000 of each)")


@reporter("text")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    buffer = io.StringIO()
    # Names and messages come from the schemas: no markup, emoji codes (":warning:") or
    # highlighting may be read into them (every one goes through `escape`).
    console = Console(file=buffer, force_terminal=ctx.color, no_color=not ctx.color,
                      width=100, highlight=False, soft_wrap=True, emoji=False)
    for result in results:
        _render_result(console, result)
    if ctx.gate is not None:
        for item in ctx.gate.waived:
            console.print(f"[dim]waived:[/] {escape(item)}")
        for problem in ctx.gate.problems:
            console.print(f"[bold red]✗[/] {escape(problem)}")
        verdict = "[green]gate passed[/]" if ctx.gate.passed else "[bold red]gate failed[/]"
        console.print(f"{verdict}: {len(results)} comparisons, {len(ctx.gate.problems)} problems")
    return buffer.getvalue()
