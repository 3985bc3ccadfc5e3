"""What the CI formats (GitHub annotations, SARIF, JUnit) show, classified once.

Each change that matters becomes an :class:`Item`: a finding, a verdict no finding explains,
or a problem of the run's decision (decide.py). ``breaking`` and ``unknown`` items fail the
run in a direction it gates on; ``ok`` ones are shown for information. Under the release gate
the gate decides, not the directions: each of its problems is an item, and the breaks of a
schema it has no problem with (a declared major bump, a waiver, a policy that does not
protect that direction) are notices. Items are built from records only: no message is read
back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._json import dumps
from ..config import fingerprint
from ..decide import ERROR, PROBLEM_KINDS, SCHEMA_INCOMPATIBLE, SCHEMA_REMOVED, Problem, gated_directions
from ..findings import (
    BACKWARD,
    BREAKING,
    COMPATIBLE,
    FORWARD,
    OK,
    UNKNOWN,
    ComparisonResult,
    Finding,
    Witness,
)
from ..sourcemap import SourceLocation, finding_locations, result_location, source_location
from . import ReportContext

#: Ids of what no single finding carries: the run's problems (decide.py), by registered id.
VERDICT_RULES = {kind.id: kind.summary for kind in PROBLEM_KINDS.values()}

# A witness can be a large document; an annotation should stay readable. The JSON and SARIF
# reports carry it whole.
WITNESS_LIMIT = 400


def _effect(values: Sequence[str]) -> str:
    if BREAKING in values:
        return BREAKING
    if UNKNOWN in values:
        return UNKNOWN
    return OK


def compact(value: object, limit: int = WITNESS_LIMIT) -> str:
    """A JSON value on one line, cut to ``limit`` characters."""
    text = dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _and(words: Sequence[str]) -> str:
    return " and ".join(words)


@dataclass(frozen=True)
class Item:
    """One thing a CI format shows: a finding, a verdict no finding explains, a gate problem.

    ``effect`` is what counts for the run: ``breaking`` or ``unknown`` (it fails the run),
    ``ok`` (shown for information). ``directions`` are the gated directions with that effect.
    ``allowed`` marks a break the release gate accepts.
    """

    rule: str
    effect: str
    message: str
    detail: str
    location: SourceLocation | None
    fingerprint: str
    result: ComparisonResult | None = None
    directions: tuple[str, ...] = ()
    related: SourceLocation | None = None
    finding: Finding | None = None
    witness: Witness | None = None
    allowed: bool = False
    problem: Problem | None = None

    @property
    def text(self) -> str:
        """The message and its detail, as one line."""
        return f"{self.message} — {self.detail}" if self.detail else self.message


def _witness_text(w: Witness) -> str:
    side = "new" if w.direction == BACKWARD else "old"
    text = f"witness: {compact(w.instance)}"
    return f"{text}; the {side} schema rejects it: {w.error}" if w.error else text


_ALLOWED = "the release gate allows it"


def _finding_item(result: ComparisonResult, finding: Finding, gated: tuple[str, ...],
                  allowed: bool) -> Item | None:
    effect = _effect([getattr(finding, d) for d in gated])
    if effect == OK and finding.annotation:
        return None  # titles and descriptions: the markdown and text reports list them
    location, related = finding_locations(result, finding)
    breaks = tuple(d for d in gated if getattr(finding, d) == BREAKING)
    unknown = tuple(d for d in gated if getattr(finding, d) == UNKNOWN)
    witness = next((w for w in finding.witnesses if w.direction in breaks), None)
    parts = []
    if breaks:
        parts.append(f"breaks {_and(breaks)}" + (f" ({_witness_text(witness)})" if witness else ""))
    if unknown:
        parts.append(f"{_and(unknown)} effect unknown"
                     + (f": {finding.reason}" if finding.reason else ""))
    if not parts:
        # Compatible where it counts; say so, and what it does to the other direction.
        elsewhere = [d for d in (BACKWARD, FORWARD)
                     if d not in gated and getattr(finding, d) in (BREAKING, UNKNOWN)]
        parts.append(f"{_and(elsewhere)} {_effect([getattr(finding, d) for d in elsewhere])}, "
                     "not gated" if elsewhere else "compatible")
    elif allowed:
        parts.append(_ALLOWED)
    return Item(finding.rule, OK if allowed else effect, finding.message, "; ".join(parts),
                location,
                fingerprint(result.schema, finding.rule, finding.old_path, finding.new_path),
                result, () if allowed else breaks if effect == BREAKING else unknown, related,
                finding, witness, allowed=allowed and effect != OK)


def _verdict_items(result: ComparisonResult, gated: tuple[str, ...],
                   shown: set[tuple[str, str]], allowed: bool) -> list[Item]:
    """Gated directions that fail with no finding showing that failure."""
    items = []
    for d in gated:
        verdict = result.direction(d)
        if verdict.status == COMPATIBLE or (d, verdict.status) in shown:
            continue
        rule = SCHEMA_REMOVED if result.status == "removed" else SCHEMA_INCOMPATIBLE
        witness = next((w for w in verdict.witnesses if w.direction == d), None)
        if result.status == "removed":
            message = f"schema {result.schema} removed"
        else:
            message = f"{result.schema} is {verdict.status} {d}"
        detail = _witness_text(witness) if witness else (
            verdict.reason or "no single change explains it")
        if allowed:
            detail += f"; {_ALLOWED}"
        items.append(Item(rule, OK if allowed else verdict.status, message, detail,
                          result_location(result),
                          fingerprint(result.schema, f"{rule}:{d}", None, None), result,
                          () if allowed else (d,), witness=witness, allowed=allowed))
    return items


def _problem_items(results: Sequence[ComparisonResult], problems: Sequence[Problem]) -> list[Item]:
    last = {r.schema: r for r in results}
    items = []
    for problem in problems:
        location: SourceLocation | None = None
        if problem.file is not None:
            location = source_location(problem.file, problem.pointer)
        elif problem.schema in last:
            location = result_location(last[problem.schema])
        detail = f"next: {problem.action}" if problem.action else ""
        items.append(Item(problem.id, BREAKING if problem.severity == ERROR else UNKNOWN,
                          problem.message, detail, location,
                          fingerprint(problem.schema or "", problem.id,
                                      problem.version or problem.file, problem.pointer),
                          last.get(problem.schema) if problem.schema else None,
                          witness=problem.witness, problem=problem))
    return items


def allowed_by_gate(results: Sequence[ComparisonResult], ctx: ReportContext) -> set[str]:
    """Schemas whose breaks the release gate accepts: those it has no problem with.

    Empty without a gate (``diff``): there the directions decide.
    """
    if ctx.gate is None:
        return set()
    failing = {p.schema for p in ctx.gate.problems if p.severity == ERROR}
    return {r.schema for r in results if r.schema not in failing}


def collect(results: Sequence[ComparisonResult], ctx: ReportContext) -> list[Item]:
    """Every item to show: results in order, their findings in order, then gate problems."""
    gated = gated_directions(ctx.mode)
    problems = ctx.gate.problems if ctx.gate is not None else ()
    accepted = allowed_by_gate(results, ctx)
    items: list[Item] = []
    for result in results:
        allowed = result.schema in accepted
        shown: set[tuple[str, str]] = set()
        for finding in result.findings:
            item = _finding_item(result, finding, gated, allowed)
            if item is not None:
                items.append(item)
                shown.update((d, getattr(finding, d)) for d in gated)
        items.extend(_verdict_items(result, gated, shown, allowed))
    items.extend(_problem_items(results, problems))
    return items
