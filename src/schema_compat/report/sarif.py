"""``--format sarif``: a SARIF 2.1.0 log, for code scanning (``github/codeql-action/upload-sarif``).

One run; the driver lists every rule (all of them, sorted: the list is then the same for every
log, so rule indexes are stable). A result per change that matters, levelled by its effect in
the directions the run gates on: ``error`` (breaking), ``warning`` (unknown: the gate fails
closed), ``note`` (any other change to the valid messages). Locations point at the changed
keyword's line; the other side's location is a related location. Under the release gate
(``check``) the gate decides: its problems are errors (rule ``gate-problem``), and the breaks
of a schema it has no problem with are notes marked ``allowedByGate``. ``partialFingerprints`` carry
the finding fingerprint waivers use, so an alert keeps its identity across pushes.

Deterministic: sorted keys, no timestamps, no absolute paths unless a schema lies outside the
working directory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .._json import dumps
from ..findings import BREAKING, OK, UNKNOWN, ComparisonResult
from ..loading import parse_version
from ..rules import RULES, Rule
from ..sourcemap import SourceLocation
from . import ReportContext, reporter
from .escape import visible
from .github import GATE_PROBLEM, VERDICT_RULES, Item, collect, gated_directions

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
#: partialFingerprints key: versioned, so a change of the fingerprint recipe starts afresh.
FINGERPRINT_KEY = "schemaCompatFinding/v1"

_LEVEL = {BREAKING: "error", UNKNOWN: "warning", OK: "note"}
_TYPICAL = {"breaking": "breaking", "ok": "compatible", "depends": "measured per change",
            "none": "no effect"}


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _default_level(rule: Rule) -> str:
    if rule.annotation or (rule.backward == rule.forward == "none"):
        return "note"
    if "breaking" in (rule.backward, rule.forward):
        return "error"
    return "warning"


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    keywords = ", ".join(f"`{k}`" for k in rule.keywords) or "any keyword"
    effects = (f"Usual effect: backward {_TYPICAL[rule.backward]}, "
               f"forward {_TYPICAL[rule.forward]}.")
    return {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {effects}"},
        "help": {
            "text": (f"{rule.summary} {effects} schema-compat measures the real effect of each "
                     f"change on the set of valid messages and backs every break with a witness "
                     f"message. See `schema-compat explain {rule.id}`."),
            "markdown": (f"**{rule.summary}**\n\nKeywords: {keywords}. {effects}\n\n"
                         "schema-compat measures the real effect of each change on the set of "
                         "valid messages and backs every break with a *witness*: a message one "
                         "version accepts and the other rejects (in the result's properties).\n\n"
                         f"`schema-compat explain {rule.id}`"),
        },
        "defaultConfiguration": {"level": _default_level(rule)},
        "properties": {"tags": ["schema-compat", rule.family],
                       "family": rule.family, "keywords": list(rule.keywords),
                       "backward": rule.backward, "forward": rule.forward,
                       "annotation": rule.annotation, "deprecated": rule.deprecated},
    }


def _verdict_descriptor(rule_id: str, summary: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": summary, "markdown": summary},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["schema-compat", "verdict"]},
    }


def _uri(file: str) -> str:
    path = PurePosixPath(file)
    if path.is_absolute():
        return path.as_uri()
    # A file name that is not UTF-8 reaches here with lone surrogates: its bytes are quoted.
    return quote(file, safe="/", errors="surrogateescape")


_BRACKET = re.compile(r"(\\*)([\[\]])")


def _message(text: str) -> str:
    """Plain SARIF message text: viewers (GitHub code scanning) turn ``[text](target)`` into a
    link, so brackets from the schemas are escaped (SARIF 2.1.0, embedded links), and control
    characters are shown as escapes."""
    return _BRACKET.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), visible(text))


def _physical(loc: SourceLocation) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.file)}}
    if loc.line is not None:
        region: dict[str, int] = {"startLine": loc.line}
        if loc.column is not None:
            region["startColumn"] = loc.column
        physical["region"] = region
    return physical


def _result(item: Item, index: dict[str, int]) -> dict[str, Any]:
    r = item.result
    properties: dict[str, Any] = {"effect": item.effect,
                                  "gatedDirections": list(item.directions)}
    if r is not None:
        properties["schema"] = r.schema
    if item.allowed:
        properties["allowedByGate"] = True
    if item.finding is not None:
        f = item.finding
        properties.update(backward=f.backward, forward=f.forward, old_path=f.old_path,
                          new_path=f.new_path)
        if f.witnesses:
            properties["witness"] = f.witnesses[0].to_json()
            properties["witnesses"] = [w.to_json() for w in f.witnesses]
        if f.reason:
            properties["reason"] = f.reason
    elif item.rule != GATE_PROBLEM and r is not None:
        properties.update(backward=r.backward.status, forward=r.forward.status)
        if item.witness is not None:
            properties["witness"] = item.witness.to_json()
    result: dict[str, Any] = {
        "ruleId": item.rule,
        "ruleIndex": index[item.rule],
        "level": _LEVEL[item.effect],
        "message": {"text": _message(item.text)},
        "partialFingerprints": {FINGERPRINT_KEY: item.fingerprint},
        "properties": properties,
    }
    if item.location is not None:
        result["locations"] = [{"physicalLocation": _physical(item.location)}]
    if item.related is not None:
        result["relatedLocations"] = [{"id": 1, "physicalLocation": _physical(item.related),
                                       "message": {"text": "the same place in the old schema"}}]
    return result


def sarif_log(results: Sequence[ComparisonResult], ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as a JSON value."""
    descriptors = [_rule_descriptor(RULES[rule_id]) for rule_id in sorted(RULES)]
    descriptors += [_verdict_descriptor(rule_id, summary)
                    for rule_id, summary in sorted(VERDICT_RULES.items()) if rule_id not in RULES]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    driver: dict[str, Any] = {"name": "schema-compat", "version": ctx.tool_version,
                              "rules": descriptors}
    if parse_version(ctx.tool_version) is not None:
        driver["semanticVersion"] = ctx.tool_version
    summary = [{"schema": r.schema, "status": r.status,
                "old": r.old.to_json() if r.old else None,
                "new": r.new.to_json() if r.new else None,
                "backward": r.backward.status, "forward": r.forward.status,
                "level": r.level, "required_bump": r.required_bump} for r in results]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            # The source map counts code points, not UTF-16 units (SARIF's default).
            "columnKind": "unicodeCodePoints",
            "results": [_result(item, index) for item in collect(results, ctx)],
            "properties": {"mode": ctx.mode, "gatedDirections": list(gated_directions(ctx.mode)),
                           "comparisons": summary,
                           **({"gate": ctx.gate.to_json()} if ctx.gate is not None else {})},
        }],
    }


@reporter("sarif")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    return dumps(sarif_log(results, ctx), indent=True) + "\n"
