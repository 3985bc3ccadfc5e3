"""``--format text``: for a person at a terminal (colour only on a TTY; NO_COLOR honoured).

The verdict comes first, then one line per schema version (``check``) or per comparison
(``diff``), then details only for what fails: the changes that break a direction the policy
protects, their smallest witness, the examples replay caught, the problem and what to do
next, and the waiver to paste when one would accept the break. ``--verbose`` shows every
finding, witness and replayed example. Colour marks only what counts for the run: a break in
a direction nobody protects is shown plainly.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console

from .._brief import brief
from ..decide import ERROR, Problem, gated_directions
from ..findings import (
    BREAKING,
    COMPATIBLE,
    UNKNOWN,
    ComparisonResult,
    Finding,
    ReplaySummary,
    Side,
    Witness,
)
from ..verdict import protected_directions
from . import GateSummary, ReportContext, reporter, run_decision
from .escape import rich_text as escape

if TYPE_CHECKING:
    from ..gate import GateEntry  # the gate imports the engine; a reporter needs only the type

_STYLE = {COMPATIBLE: "green", BREAKING: "bold red", UNKNOWN: "yellow", "ok": "green"}
_SHOWN_PER_DIRECTION = 10


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def _label(side: Side | None) -> str:
    return side.label if side is not None else "(none)"


def _span(result: ComparisonResult) -> str:
    return f"{escape(_label(result.old))} → {escape(_label(result.new))}"


def _protected(result: ComparisonResult, ctx: ReportContext) -> tuple[str, ...]:
    """The directions that count for this result: its policy's under the gate, else the run's
    gated directions (``diff --mode``)."""
    if ctx.gate is not None:
        return protected_directions(result.policy)
    return gated_directions(ctx.mode)


def _status(result: ComparisonResult, direction: str, counted: tuple[str, ...]) -> str:
    status = result.direction(direction).status
    if direction in counted or status == COMPATIBLE:
        return f"{direction}: [{_STYLE[status]}]{status}[/]"
    return f"{direction}: {status} [dim](not protected)[/]"


class _Writer:
    """Renders records to a console; nothing here reads a message back."""

    def __init__(self, console: Console, ctx: ReportContext) -> None:
        self.out = console
        self.ctx = ctx

    def line(self, text: str = "") -> None:
        self.out.print(text)

    # -- pieces ------------------------------------------------------------------------

    def witness(self, w: Witness, indent: str, new: str = "new", old: str = "old") -> None:
        rejecting = new if w.direction == "backward" else old
        self.line(f"{indent}witness ({w.direction}): {escape(brief(w.instance))}")
        if w.error:
            error = w.error if len(w.error) <= 160 else w.error[:159] + "…"
            self.line(f"{indent}  rejected by {escape(rejecting)}: {escape(error)}")

    def finding(self, result: ComparisonResult, f: Finding, counted: tuple[str, ...],
                witnesses: bool) -> None:
        path = f.new_path or f.old_path or "/"
        effects = {d: getattr(f, d) for d in ("backward", "forward")}
        counts = any(effects[d] in (BREAKING, UNKNOWN) for d in counted)
        mark = "[bold red]✗[/]" if counts and BREAKING in (effects[d] for d in counted) else (
            "[yellow]?[/]" if counts else "·")
        effect = ", ".join((f"breaks {d}" if e == BREAKING else f"{d} unknown")
                           + ("" if d in counted else " (not protected)")
                           for d, e in effects.items() if e in (BREAKING, UNKNOWN))
        self.line(f"  {mark} {f.rule}  [dim]{escape(path)}[/]: {escape(f.message)}"
                  + (f" — {effect}" if effect else ""))
        if f.reason and UNKNOWN in effects.values() and (counts or self.ctx.verbose):
            self.line(f"      [yellow]why unknown:[/] {escape(f.reason)}")
        if witnesses:
            for w in f.witnesses:
                if self.ctx.verbose or w.direction in counted:
                    self.witness(w, "      ", _label(result.new), _label(result.old))

    def annotations(self, findings: Sequence[Finding]) -> None:
        if findings:
            kinds = sorted({x.rule.removeprefix("annotation-").removesuffix("-changed")
                            for x in findings})
            self.line(f"  [dim]· {_plural(len(findings), 'annotation change')} "
                      f"({', '.join(kinds)})[/]")

    def replay(self, result: ComparisonResult, replay: ReplaySummary,
               counted: tuple[str, ...]) -> None:
        old, new = escape(_label(result.old)), escape(_label(result.new))
        unreadable = f", {replay.unreadable:,} unreadable" if replay.unreadable else ""
        self.line(f"  replay: {_plural(replay.examples, 'example')}; {replay.backward:,} valid "
                  f"under old but not new (backward), {replay.forward:,} valid under new but "
                  f"not old (forward){unreadable}")
        for direction, total in (("backward", replay.backward), ("forward", replay.forward)):
            if not (self.ctx.verbose or direction in counted):
                continue
            changes = [c for c in replay.changed if c.direction == direction]
            for c in changes[:_SHOWN_PER_DIRECTION]:
                rejecting = new if direction == "backward" else old
                self.line(f"    {direction}: {escape(c.example)}")
                self.line(f"      rejected by {rejecting}: {escape(c.error)}")
            if total > _SHOWN_PER_DIRECTION:
                self.line(f"    … and {total - _SHOWN_PER_DIRECTION:,} more {direction} "
                          "(--format json lists up to 1,000 of each)")

    def details(self, result: ComparisonResult, counted: tuple[str, ...]) -> None:
        """What changed and what it breaks; in concise mode only what counts is expanded."""
        for direction in counted if not self.ctx.verbose else ("backward", "forward"):
            verdict = result.direction(direction)
            if verdict.reason and verdict.status == UNKNOWN:
                self.line(f"  [yellow]{direction} unknown:[/] {escape(verdict.reason)}")
        validity = [f for f in result.findings if not f.annotation]
        for f in validity:
            self.finding(result, f, counted, witnesses=True)
        self.annotations([f for f in result.findings if f.annotation])
        explained = {w.direction for f in validity for w in f.witnesses}
        for w in (*result.backward.witnesses, *result.forward.witnesses):
            # A break no finding shows (or every witness, when asked for everything).
            if w.direction not in explained and (self.ctx.verbose or w.direction in counted):
                self.witness(w, "  ", _label(result.new), _label(result.old))
        for note in result.notes:
            self.line(f"  [dim]note: {escape(note)}[/]")
        if result.replay is not None and (result.replay.examples or self.ctx.verbose):
            self.replay(result, result.replay, counted)

    def problems(self, problems: Iterable[Problem], indent: str = "  ") -> None:
        for p in problems:
            mark = "[bold red]✗[/]" if p.severity == ERROR else "[yellow]![/]"
            self.line(f"{indent}{mark} {escape(p.message)} [dim]({p.id})[/]")
            if p.action:
                self.line(f"{indent}  next: {escape(p.action)}")

    def waivers(self, problems: Iterable[Problem]) -> None:
        blocks = list(dict.fromkeys(w.to_toml() for p in problems for w in p.waivers))
        if not blocks:
            return
        self.line()
        self.line("To accept the break instead, paste into schema-compat.toml "
                  "(and say why in reason):")
        for block in blocks:
            self.line()
            for text in block.splitlines():
                self.line(f"  {escape(text)}")

    # -- whole reports -----------------------------------------------------------------

    def result_line(self, result: ComparisonResult, counted: tuple[str, ...]) -> str:
        failing = any(result.direction(d).status != COMPATIBLE for d in counted)
        mark = ("[bold red]✗[/]" if any(result.direction(d).status == BREAKING for d in counted)
                else "[yellow]?[/]") if failing else "[green]✓[/]"
        head = f"{mark} [bold]{escape(result.schema)}[/] {_span(result)}"
        if result.status in ("added", "removed"):
            return f"{head}  schema {result.status}"
        return (f"{head}  {_status(result, 'backward', counted)}  "
                f"{_status(result, 'forward', counted)}  [bold]{result.level}[/]  "
                f"bump: [bold]{result.required_bump}[/]")

    def diff(self, results: Sequence[ComparisonResult]) -> None:
        decision = run_decision(results, self.ctx)
        gated = gated_directions(self.ctx.mode)
        failing = [r for r in results if any(r.direction(d).status != COMPATIBLE for d in gated)]
        # Named as the gate: "breaking (backward and forward)" read as "breaks both ways".
        scope = "gate: " + (" and ".join(gated) if gated else "none, --mode none")
        if decision.passed:
            self.line(f"[green]✓ compatible[/] ({scope}): {_plural(len(results), 'comparison')}")
        else:
            word = "breaking" if any(r.direction(d).status == BREAKING
                                     for r in failing for d in gated) else "unknown"
            self.line(f"[bold red]✗ {word}[/] ({scope}): {len(failing):,} of "
                      f"{_plural(len(results), 'comparison')}")
        for result in results:
            self.line(self.result_line(result, gated))
            if result.status not in ("added", "removed"):
                self.details(result, gated)
        actions = [p for p in decision.problems if p.action]
        for p in actions:
            self.line(f"next: {escape(p.schema or '')}: {escape(p.action)}")

    def gate(self, results: Sequence[ComparisonResult]) -> None:
        gate = self.ctx.gate
        assert gate is not None
        releases = [e for e in gate.entries if e.kind != "first release"]
        firsts = [e for e in gate.entries if e.kind == "first release"]
        self.line(self.gate_verdict(gate, len(releases), len(firsts)))
        width = max((len(e.schema) for e in releases), default=0)
        for e in releases:
            self.line(self.entry_line(e, width))
        if firsts:
            self.line("  [dim]· first releases: "
                      + ", ".join(f"{escape(e.schema)} {escape(e.version or '')}" for e in firsts)
                      + "[/]")
        for e in gate.entries:
            if not e.passed or (self.ctx.verbose and e.result is not None):
                self.entry_details(e)
        listed = {id(p) for e in gate.entries for p in e.problems}
        others = [p for p in gate.problems if id(p) not in listed]
        if others:
            self.line()
            self.problems(others, "")
        for item in gate.waived:
            self.line(f"[dim]waived: {escape(item)}[/]")
        self.waivers(gate.problems)

    def gate_verdict(self, gate: GateSummary, releases: int, firsts: int) -> str:
        """The first line: passed or failed, and where."""
        if gate.passed:
            warnings = gate.decision.problems
            return (f"[green]✓ gate passed[/]: {_plural(releases, 'version')} checked in "
                    f"{_plural(len({e.schema for e in gate.entries}), 'schema')}"
                    + (f", {_plural(firsts, 'first release')}" if firsts else "")
                    + (f"; {_plural(len(warnings), 'warning')}" if warnings else "; no problems"))
        failed = [e for e in gate.entries if not e.passed]
        where = ", ".join(escape(f"{e.schema} {e.version or '(working tree)'}") for e in failed[:3])
        more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        return (f"[bold red]✗ gate failed[/]: {_plural(len(gate.decision.failures), 'problem')}"
                + (f" in {where}{more}" if where else ""))

    def entry_details(self, e: GateEntry) -> None:
        """One version in full: its policy, what changed, its problems and what to do."""
        self.line()
        version = e.version or "(working tree)"
        span = f"{e.previous} → {version}" if e.kind == "release" else version
        protected = protected_directions(e.policy) if e.policy else ()
        guards = f"protects {' and '.join(protected)}" if protected else "protects nothing"
        self.line(f"[bold]{escape(e.schema)} {escape(span)}[/] [dim](policy {e.policy}: "
                  f"{guards})[/]")
        if e.result is not None:
            self.details(e.result, protected)
        self.problems(e.problems)

    def entry_line(self, e: GateEntry, width: int) -> str:
        mark = "[green]✓[/]" if e.passed else "[bold red]✗[/]"
        name = escape(e.schema) + " " * (width - len(e.schema))
        version = escape(e.version or "(working tree)")
        if e.kind == "release" and e.result is not None:
            declared = e.declared_bump
            bump = (f"needs {e.required_bump}" if declared is None else declared
                    if declared == e.required_bump else f"{declared} (needs {e.required_bump})")
            return (f"  {mark} {name}  {escape(e.previous or '')} → {version}  "
                    f"{e.result.level:<8}  {bump}")
        if e.kind == "new schema":
            return f"  {mark} {name}  {version}  new schema"
        if e.kind == "changed in place" and e.result is not None:
            return f"  {mark} {name}  {version}  changed in place ({e.result.required_bump})"
        return f"  {mark} {name}  {version}  {e.kind}"

    def everything(self, results: Sequence[ComparisonResult]) -> None:
        """``--verbose`` under the gate: the summary with every version in full, then the
        comparisons no summary line stands for (transitive policy checks)."""
        self.gate(results)
        assert self.ctx.gate is not None
        shown = {id(e.result) for e in self.ctx.gate.entries}
        for result in results:
            if id(result) in shown:
                continue
            counted = _protected(result, self.ctx)
            self.line()
            self.line(self.result_line(result, counted) + " [dim](policy check)[/]")
            self.details(result, counted)


@reporter("text")
def render(results: Sequence[ComparisonResult], ctx: ReportContext) -> str:
    buffer = io.StringIO()
    # Names and messages come from the schemas: no markup, emoji codes (":warning:") or
    # highlighting may be read into them (every one goes through `escape`).
    console = Console(file=buffer, force_terminal=ctx.color, no_color=not ctx.color,
                      width=100, highlight=False, soft_wrap=True, emoji=False)
    writer = _Writer(console, ctx)
    if ctx.gate is None:
        writer.diff(results)
    elif ctx.verbose:
        writer.everything(results)
    else:
        writer.gate(results)
    return buffer.getvalue()
