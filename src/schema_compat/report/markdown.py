"""``--format markdown``: a pull-request comment."""

from __future__ import annotations

from collections.abc import Sequence

from .._json import dumps
from ..findings import BREAKING, ComparisonResult
from . import ReportContext, reporter
from .escape import md, md_code

_ICON = {"compatible": "✅ compatible", "breaking": "❌ breaking", "unknown": "⚠️ unknown"}


# Every name, path, version and message comes from the schemas: `md` makes it literal text
# (no link, image, HTML or table cell can come from it), `md_code` a code span.
_cell = md


@reporter("markdown")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    lines = ["## schema-compat", ""]
    if ctx.gate is not None:
        lines += ["✅ **gate passed**" if ctx.gate.passed else "❌ **gate failed**", ""]
        lines += [f"- ❌ {_cell(p)}" for p in ctx.gate.problems]
        lines += [f"- waived: {_cell(w)}" for w in ctx.gate.waived]
        lines += [""] if ctx.gate.problems or ctx.gate.waived else []
    lines += [
             "| schema | old → new | backward | forward | level | required bump |",
             "|---|---|---|---|---|---|"]
    for r in results:
        old = r.old.version or r.old.source if r.old else "—"
        new = r.new.version or r.new.source if r.new else "—"
        if r.status in ("added", "removed"):
            lines.append(f"| {_cell(r.schema)} | {_cell(str(old))} → {_cell(str(new))} | "
                         f"schema {r.status} | | | |")
            continue
        lines.append(f"| {_cell(r.schema)} | {_cell(str(old))} → {_cell(str(new))} | "
                     f"{_ICON[r.backward.status]} | {_ICON[r.forward.status]} | {r.level} | "
                     f"{r.required_bump} |")
    for r in results:
        relevant = [f for f in r.findings if not f.annotation]
        if not relevant:
            continue
        lines += ["", f"### {_cell(r.schema)}", "", "| rule | where | backward | forward | change |",
                  "|---|---|---|---|---|"]
        for f in relevant:
            lines.append(f"| `{f.rule}` | {md_code(f.new_path or f.old_path or '/')} | "
                         f"{f.backward} | {f.forward} | {_cell(f.message)} |")
        for f in relevant:
            for w in f.witnesses:
                if f.backward == BREAKING or f.forward == BREAKING:
                    lines += ["", f"<details><summary>witness for <code>{f.rule}</code> "
                              f"({w.direction})</summary>", "", "```json",
                              dumps(w.instance, indent=True), "```", "",
                              _cell(w.error), "</details>"]
    return "\n".join(lines) + "\n"
