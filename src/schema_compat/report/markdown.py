"""``--format markdown``: a pull-request comment.

The verdict heads the comment; a table has a row per schema version (``check``) or per
comparison (``diff``); only what fails is expanded. A red mark is only ever put on a
direction that counts (the schema's policy under the gate, ``--mode`` for ``diff``), so a
passing gate never shows a ❌. Tables are written only when they have rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._json import dumps
from ..decide import ERROR, Problem, gated_directions
from ..findings import BREAKING, COMPATIBLE, UNKNOWN, ComparisonResult, Side
from ..verdict import protected_directions
from . import ReportContext, reporter, run_decision
from .escape import md, md_block, md_code

if TYPE_CHECKING:
    from ..gate import GateEntry

# Every name, path, version and message comes from the schemas: `md` makes it literal text
# (no link, image, HTML or table cell can come from it), `md_code` a code span.
_cell = md


def _direction(result: ComparisonResult, direction: str, counted: tuple[str, ...]) -> str:
    status = result.direction(direction).status
    if status == COMPATIBLE:
        return "✅ compatible"
    if direction not in counted:
        return f"{status} (not protected)"
    return "❌ breaking" if status == BREAKING else "⚠️ unknown"


def _label(side: Side | None) -> str:
    return side.label if side is not None else "—"


def _details(result: ComparisonResult, counted: tuple[str, ...]) -> list[str]:
    relevant = [f for f in result.findings if not f.annotation
                and any(getattr(f, d) in (BREAKING, UNKNOWN) for d in counted)]
    lines: list[str] = []
    if relevant:
        lines += ["", "| rule | where | backward | forward | change |", "|---|---|---|---|---|"]
        lines += [f"| `{f.rule}` | {md_code(f.new_path or f.old_path or '/')} | {f.backward} | "
                  f"{f.forward} | {_cell(f.message)} |" for f in relevant]
    shown = False
    for f in relevant:
        for w in f.witnesses:
            if w.direction in counted and getattr(f, w.direction) == BREAKING:
                lines += _witness(f"<code>{f.rule}</code> ({w.direction})", w.instance, w.error)
                shown = True
    if not shown:
        for d in counted:
            for w in result.direction(d).witnesses[:1]:
                lines += _witness(f"{d} break", w.instance, w.error)
    for d in counted:
        verdict = result.direction(d)
        if verdict.status == UNKNOWN and verdict.reason:
            lines += ["", f"{d} unknown: {_cell(verdict.reason)}"]
    return lines


def _witness(title: str, instance: object, error: str) -> list[str]:
    return ["", f"<details><summary>witness for {title}</summary>", "",
            *md_block(dumps(instance, indent=True), "json"), "", _cell(error), "</details>"]


def _problems(problems: Sequence[Problem]) -> list[str]:
    return [f"- {'❌' if p.severity == ERROR else '⚠️'} {_cell(p.message)} (`{p.id}`)"
            + (f" — **next:** {_cell(p.action)}" if p.action else "") for p in problems]


def _waivers(problems: Sequence[Problem]) -> list[str]:
    blocks = list(dict.fromkeys(w.to_toml() for p in problems for w in p.waivers))
    if not blocks:
        return []
    return ["", "<details><summary>To accept the break instead: the waiver to paste into "
            "<code>schema-compat.toml</code></summary>", "", *md_block("\n\n".join(blocks), "toml"),
            "</details>"]


def _entry_row(e: GateEntry) -> str:
    mark = "✅" if e.passed else "❌"
    if e.kind == "release" and e.result is not None:
        bump = e.declared_bump or ""
        if e.required_bump and e.required_bump != bump:
            bump += f" (needs {e.required_bump})" if bump else f"needs {e.required_bump}"
        return (f"| {mark} | {_cell(e.schema)} | {_cell(e.previous or '')} → "
                f"{_cell(e.version or '(working tree)')} | {e.result.level} | {bump} | "
                f"{_cell(e.policy)} |")
    return (f"| {mark} | {_cell(e.schema)} | {_cell(e.version or '')} | {_cell(e.kind)} | | "
            f"{_cell(e.policy)} |")


def _gate(ctx: ReportContext) -> list[str]:
    gate = ctx.gate
    assert gate is not None
    lines = ["✅ **gate passed**" if gate.passed else "❌ **gate failed**", ""]
    entries = [e for e in gate.entries if e.kind != "first release"]
    firsts = [e for e in gate.entries if e.kind == "first release"]
    if entries:
        lines += ["| | schema | version | level | bump | policy |", "|---|---|---|---|---|---|"]
        lines += [_entry_row(e) for e in entries]
    if firsts:
        lines += ["", "First releases: " + ", ".join(
            f"{_cell(e.schema)} {_cell(e.version or '')}" for e in firsts) + "."]
    listed = {id(p) for e in gate.entries for p in e.problems}
    for e in gate.entries:
        if e.passed:
            continue
        lines += ["", f"### {_cell(e.schema)} {_cell(e.version or '(working tree)')}", ""]
        lines += _problems(e.problems)
        if e.result is not None:
            lines += _details(e.result, protected_directions(e.policy))
    others = [p for p in gate.problems if id(p) not in listed]
    if others:
        lines += ["", *_problems(others)]
    if gate.waived:
        lines += ["", *[f"- waived: {_cell(w)}" for w in gate.waived]]
    lines += _waivers(gate.problems)
    return lines


def _diff(results: Sequence[ComparisonResult], ctx: ReportContext) -> list[str]:
    decision = run_decision(results, ctx)
    gated = gated_directions(ctx.mode)
    verdict = "✅ **passed**" if decision.passed else "❌ **failed**"
    lines = [f"{verdict} (gated: {', '.join(gated) or 'nothing'})", ""]
    if results:
        lines += ["| schema | old → new | backward | forward | level | required bump |",
                  "|---|---|---|---|---|---|"]
    for r in results:
        span = f"{_cell(_label(r.old))} → {_cell(_label(r.new))}"
        if r.status in ("added", "removed"):
            lines.append(f"| {_cell(r.schema)} | {span} | schema {r.status} | | | |")
            continue
        lines.append(f"| {_cell(r.schema)} | {span} | {_direction(r, 'backward', gated)} | "
                     f"{_direction(r, 'forward', gated)} | {r.level} | {r.required_bump} |")
    for r in results:
        details = _details(r, gated)
        if details:
            lines += ["", f"### {_cell(r.schema)}", *details]
    problems = [p for p in decision.problems if p.action]
    if problems:
        lines += ["", *_problems(problems)]
    return lines


@reporter("markdown")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    lines = ["## schema-compat", ""]
    lines += _gate(ctx) if ctx.gate is not None else _diff(results, ctx)
    return "\n".join(lines) + "\n"
