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

The classification (ci.py) is shared by the other CI formats (SARIF, JUnit), so all three
agree with each other; the summary line comes from the run's decision, as the exit code does.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import BREAKING, OK, UNKNOWN, ComparisonResult
from . import ReportContext, reporter, run_decision
from .ci import collect
from .escape import visible

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
    failures = run_decision(results, ctx).failures
    if ctx.gate is not None:
        verdict = f"gate FAILED ({_plural(len(failures), 'problem')})" if failures else "gate passed"
    else:
        names = ", ".join(dict.fromkeys(p.schema or p.id for p in failures))
        verdict = f"FAILED: {names}" if failures else "passed"
    # A plain log line, not a command: schema names in it are shown with their control
    # characters escaped, so none can start a line (a workflow command) of its own.
    lines.append(visible(
        f"schema-compat ({ctx.mode}): {_plural(len(results), 'comparison')}, {verdict}; "
        f"{_plural(counts[BREAKING], 'error')}, {_plural(counts[UNKNOWN], 'warning')}, "
        f"{_plural(counts[OK], 'notice')}"))
    return "\n".join(lines) + "\n"
