"""``--format junit``: JUnit XML, for CI test viewers (GitLab, Jenkins, test-reporter actions).

Layout, chosen so a test viewer reads like the review: one ``<testsuite>`` per schema, and in
it, per direction (backward, forward):

- one ``<testcase>`` per change that breaks the direction or whose effect there is unknown,
  named ``<direction>: <rule> at <pointer>``; a break is a ``<failure>`` (message: rule and
  message; body: the witness as JSON and the error the rejecting side gives), an unknown effect
  an ``<error>`` (the gate fails closed on it);
- when no change does, one testcase named after the direction alone, passing when the
  direction is compatible (and failing with the verdict's witness or reason when the schema
  breaks it as a whole).

A suite is named ``<schema> <old version> → <new version>`` (the release gate may compare
several versions of one schema). A break that does not count is ``<skipped>``, with the reason:
a direction the run does not gate on (``ctx.mode``), or, under the release gate (``check``), a
schema the gate has no problem with (a declared major bump, a waiver, a policy that does not
protect the direction). The gate's problems are failing testcases of a ``release gate`` suite.
So the test viewer agrees with the exit code. Names are stable across runs (no counters, no
times), so a viewer's history follows each change; output is deterministic.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .._json import dumps
from ..findings import BACKWARD, BREAKING, COMPATIBLE, FORWARD, UNKNOWN, ComparisonResult, Finding, Witness
from ..sourcemap import finding_locations
from . import ReportContext, reporter
from .escape import visible
from .github import allowed_by_gate, gated_directions

# XML 1.0 cannot carry these characters at all, escaped or not; a witness or an error message
# may hold them, so they are written as \uXXXX instead of producing an unreadable file.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Names, paths and messages come from the schemas: each goes through `visible` (one line, its
# control characters escaped) before it joins an attribute or a body, so that no line of the
# report, printed in a CI log, can be a workflow command; ElementTree then escapes for XML.


def _json_lines(value: object) -> str:
    """A JSON value, indented, each of its lines made visible (JSON has escaped the rest)."""
    return "\n".join(visible(line) for line in dumps(value, indent=True).split("\n"))


def _witness_body(w: Witness) -> str:
    accepts, rejects = ("old", "new") if w.direction == BACKWARD else ("new", "old")
    body = f"witness ({w.direction}): valid under the {accepts} schema, invalid under the {rejects}\n"
    body += _json_lines(w.instance) + "\n"
    if w.error:
        body += f"the {rejects} schema rejects it: {visible(w.error)}\n"
    return body


class _Suite:
    """Builds one ``<testsuite>`` and keeps its counts."""

    def __init__(self, result: ComparisonResult | None) -> None:
        # The class name leaves the versions out: Jenkins splits it at its last dot.
        self.classname = visible(f"schema-compat.{result.schema if result is not None else 'gate'}")
        name = visible(_suite_name(result)) if result is not None else "release gate"
        self.element = ET.Element("testsuite", name=_xml_text(name))
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if result is None:
            return
        props = ET.SubElement(self.element, "properties")
        for name, value in (("old", _side(result, "old")), ("new", _side(result, "new")),
                            ("status", result.status), ("backward", result.backward.status),
                            ("forward", result.forward.status), ("level", result.level),
                            ("required_bump", result.required_bump)):
            ET.SubElement(props, "property", name=name, value=_xml_text(visible(value)))

    def case(self, name: str, *, file: str | None = None, line: int | None = None) -> ET.Element:
        self.counts["tests"] += 1
        attrs = {"classname": _xml_text(self.classname),
                 "name": _xml_text(visible(name)), "time": "0"}
        if file is not None:
            attrs["file"] = _xml_text(visible(file))
        if line is not None:
            attrs["line"] = str(line)
        return ET.SubElement(self.element, "testcase", attrs)

    def outcome(self, case: ET.Element, status: str, counts: bool, message: str, body: str,
                why_not: str = "") -> None:
        """Mark ``case`` failed (breaking) or errored (unknown); skipped when it does not count."""
        if not counts:
            self.counts["skipped"] += 1
            ET.SubElement(case, "skipped",
                          message=_xml_text(visible(f"{why_not}: {status}: {message}")))
            return
        kind = "failure" if status == BREAKING else "error"
        self.counts["failures" if kind == "failure" else "errors"] += 1
        element = ET.SubElement(case, kind, message=_xml_text(visible(message)), type=status)
        element.text = _xml_text(body)

    def finish(self) -> ET.Element:
        for key, value in self.counts.items():
            self.element.set(key, str(value))
        self.element.set("time", "0")
        return self.element


def _suite_name(result: ComparisonResult) -> str:
    old = result.old.version if result.old else None
    new = result.new.version if result.new else None
    if old is None and new is None:
        return result.schema
    return f"{result.schema} {old or '(none)'} → {new or '(none)'}"


def _side(result: ComparisonResult, which: str) -> str:
    side = result.old if which == "old" else result.new
    if side is None:
        return "(none)"
    return f"{side.source} ({side.version})" if side.version else side.source


def _finding_body(finding: Finding, direction: str) -> str:
    lines = [f"{finding.rule}: {visible(finding.message)}",
             visible(f"old: {finding.old_path}  new: {finding.new_path}"),
             f"backward: {finding.backward}  forward: {finding.forward}"]
    if finding.reason:
        lines.append(f"why unknown: {visible(finding.reason)}")
    body = "\n".join(lines) + "\n"
    for w in finding.witnesses:
        if w.direction == direction:
            body += "\n" + _witness_body(w)
    return body


def _suite(result: ComparisonResult, gated: tuple[str, ...], mode: str, allowed: bool) -> _Suite:
    suite = _Suite(result)
    for direction in (BACKWARD, FORWARD):
        counts = direction in gated and not allowed
        why_not = "allowed by the release gate" if allowed else f"not gated (mode {mode})"
        relevant = [f for f in result.findings if getattr(f, direction) in (BREAKING, UNKNOWN)]
        for finding in relevant:
            where, _ = finding_locations(result, finding)
            path = finding.new_path if finding.new_path is not None else finding.old_path
            case = suite.case(f"{direction}: {finding.rule} at {path or '/'}",
                              file=where.file, line=where.line)
            suite.outcome(case, getattr(finding, direction), counts,
                          f"{finding.rule}: {finding.message}",
                          _finding_body(finding, direction), why_not)
        verdict = result.direction(direction)
        if relevant and any(getattr(f, direction) == verdict.status for f in relevant):
            continue
        # No change explains this direction's verdict: one testcase for the direction itself.
        case = suite.case(direction)
        if verdict.status == COMPATIBLE:
            continue
        body = (visible(verdict.reason) + "\n") if verdict.reason else ""
        for w in verdict.witnesses:
            if w.direction == direction:
                body += _witness_body(w)
        what = "schema removed" if result.status == "removed" else f"{direction} {verdict.status}"
        suite.outcome(case, verdict.status, counts, f"{result.schema}: {what}", body, why_not)
    return suite


def _gate_suite(problems: Sequence[str]) -> _Suite:
    """The release gate's own verdict: one failing testcase per problem, or one passing."""
    suite = _Suite(None)
    if not problems:
        suite.case("gate")
    for problem in problems:
        # The problem is the name: it is specific, and stable while the problem lasts.
        case = suite.case(problem)
        suite.outcome(case, BREAKING, True, problem, visible(problem) + "\n")
    return suite


@reporter("junit")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    gated = gated_directions(ctx.mode)
    root = ET.Element("testsuites", name="schema-compat")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    accepted = allowed_by_gate(results, ctx)
    suites = [_suite(r, gated, ctx.mode, r.schema in accepted) for r in results]
    if ctx.gate is not None:
        suites.append(_gate_suite(ctx.gate.problems))
    for suite in suites:
        for key in totals:
            totals[key] += suite.counts[key]
        root.append(suite.finish())
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
