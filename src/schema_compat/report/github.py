"""``--format github``: GitHub Actions workflow commands, one annotation per change that matters.

Each annotation points at the changed keyword's line in the new schema file (the old file for a
removal), so the pull request shows it inline::

    ::error file=schemas/beatframe/2.0.0.json,line=59,col=7,title=number-maximum-decreased::…

``::error`` for a change that breaks a direction the run gates on (``ctx.mode``), ``::warning``
for one whose effect there is unknown (the gate fails closed on it), ``::notice`` for any other
change to the set of valid messages. A verdict that no single change explains (a removed schema,
a break that only the changes together cause) gets an annotation of its own on the file. The
last line is a plain-text summary for the log. (GitHub shows at most ten annotations of each
kind per step in the pull request; the log keeps them all.)

Under the release gate (``check``: ``ctx.gate`` is set) the gate decides, not the directions:
each of its problems is an error, and the breaks of a schema it has no problem with (a declared
major bump, a waiver, a policy that does not protect that direction) are notices.

The classification here is shared by the other CI formats (SARIF, JUnit), so all three agree
with each other and with the exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._json import dumps
from ..config import fingerprint
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
from . import ReportContext, reporter
from .escape import visible

#: Reporter-level rule ids, for what no single finding carries. Not change rules: they never
#: appear in ``findings``, only in the CI formats.
SCHEMA_REMOVED = "schema-removed"
SCHEMA_INCOMPATIBLE = "schema-incompatible"
GATE_PROBLEM = "gate-problem"
VERDICT_RULES = {
    SCHEMA_REMOVED: "The schema was removed: nothing accepts its messages any more.",
    SCHEMA_INCOMPATIBLE: "The schema as a whole breaks a direction, though no single change "
                         "does on its own (the changes break it together, or could not be "
                         "measured one by one).",
    GATE_PROBLEM: "The release gate refuses the change: a version bump below the required "
                  "one, a violated compatibility policy, a type constant without its major, an "
                  "expired waiver, a removed release or a wrong example.",
}

# A witness can be a large document; an annotation should stay readable. The JSON and SARIF
# reports carry it whole.
WITNESS_LIMIT = 400


def gated_directions(mode: str) -> tuple[str, ...]:
    """The directions the run gates on: ``backward``, ``forward``, ``full`` (both), ``none``.

    Anything else gates on both: an unrecognised mode must not let a break through.
    """
    mode = mode.lower()
    if mode in (BACKWARD, FORWARD):
        return (mode,)
    if mode == "none":
        return ()
    return (BACKWARD, FORWARD)


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


def problem_schema(problem: str, names: Sequence[str]) -> str | None:
    """The schema a gate problem is about, when it begins with one of ``names``.

    Problems read ``<schema> <version>: …``, ``<schema>: …`` or ``waiver for <schema>: …``.
    """
    text = problem.removeprefix("waiver for ")
    for name in sorted(names, key=len, reverse=True):  # "bar" must not claim "barreport"
        if text.startswith((f"{name} ", f"{name}:")):
            return name
    return None


def _problem_items(results: Sequence[ComparisonResult], problems: Sequence[str]) -> list[Item]:
    last = {r.schema: r for r in results}
    items = []
    for problem in problems:
        name = problem_schema(problem, list(last))
        location: SourceLocation | None = None
        if name is not None:
            location = result_location(last[name])
        else:
            # Example and file problems begin with the file's path.
            head = problem.split(": ", 1)[0]
            if head and Path(head).is_file():
                location = source_location(head, None)
        items.append(Item(GATE_PROBLEM, BREAKING, problem, "", location,
                          fingerprint(name or "", GATE_PROBLEM, problem, None),
                          last.get(name) if name else None))
    return items


def allowed_by_gate(results: Sequence[ComparisonResult], ctx: ReportContext) -> set[str]:
    """Schemas whose breaks the release gate accepts: those it has no problem with.

    Empty without a gate (``diff``): there the directions decide.
    """
    if ctx.gate is None:
        return set()
    names = [r.schema for r in results]
    failing = {problem_schema(p, names) for p in ctx.gate.problems}
    return {name for name in names if name not in failing}


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


def failed(results: Sequence[ComparisonResult], ctx: ReportContext) -> list[str]:
    """What failed the run: gate problems under the gate, else schemas failing a direction."""
    if ctx.gate is not None:
        return [] if ctx.gate.passed else list(ctx.gate.problems) or ["gate failed"]
    gated = gated_directions(ctx.mode)
    return [r.schema for r in results if any(r.direction(d).status != COMPATIBLE for d in gated)]


# --------------------------------------------------------------------------- workflow commands


def escape_data(text: str) -> str:
    """A command's message, escaped as the Actions runner expects (actions/toolkit)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: object) -> str:
    """One workflow command line, e.g. ``::error file=a.json,line=3::message``.

    The message and every property come from the schemas (names, paths, witnesses): control
    characters are shown as escapes first (:func:`visible`), so a newline in a file name is
    ``\\n`` in the annotation, never a line of its own, and then escaped for the runner.
    """
    props = ",".join(f"{k}={escape_property(visible(str(v)))}" for k, v in properties.items()
                     if v is not None)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(visible(message))}"


_COMMAND = {BREAKING: "error", UNKNOWN: "warning", OK: "notice"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@reporter("github")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    items = collect(results, ctx)
    lines = []
    for item in items:
        loc = item.location
        lines.append(command(_COMMAND[item.effect], item.text,
                             file=loc.file if loc else None, line=loc.line if loc else None,
                             col=loc.column if loc else None, title=item.rule))
    counts = {k: sum(1 for i in items if i.effect == k) for k in _COMMAND}
    failures = failed(results, ctx)
    if ctx.gate is not None:
        verdict = f"gate FAILED ({_plural(len(failures), 'problem')})" if failures else "gate passed"
    else:
        verdict = f"FAILED: {', '.join(failures)}" if failures else "passed"
    # A plain log line, not a command: schema names in it are shown with their control
    # characters escaped, so none can start a line (a workflow command) of its own.
    lines.append(visible(
        f"schema-compat ({ctx.mode}): {_plural(len(results), 'comparison')}, {verdict}; "
        f"{_plural(counts[BREAKING], 'error')}, {_plural(counts[UNKNOWN], 'warning')}, "
        f"{_plural(counts[OK], 'notice')}"))
    return "\n".join(lines) + "\n"
