"""``--format json``: the stable report contract of DESIGN §6 (sorted keys, no timestamps)."""

from __future__ import annotations

from collections.abc import Sequence

from .._json import dumps
from ..findings import ComparisonResult
from . import ReportContext, reporter, run_decision

#: The JSON report contract's version: 2 added ``decision`` (structured problems with
#: registered ids, the exit code) and structured ``gate.problems`` (docs/report-format.md).
REPORT_VERSION = 2


@reporter("json")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    data: dict[str, object] = {"tool": "schema-compat", "version": ctx.tool_version,
                               "report_version": REPORT_VERSION, "mode": ctx.mode,
                               "results": [r.to_json() for r in results],
                               "decision": run_decision(results, ctx).to_json()}
    if ctx.gate is not None:
        data["gate"] = ctx.gate.to_json()
    return dumps(data, indent=True) + "\n"
