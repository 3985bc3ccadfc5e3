"""The compatibility matrix as Markdown (``docs/compatibility-matrix.md``).

Only renders a :class:`~schema_compat.matrix.MatrixReport`. Nothing that changes between runs
on the same input is written (no time, no tool version, no absolute path), so the committed
document changes exactly when the schemas, their policies or the verdicts do.
"""

from __future__ import annotations

from ..matrix import FAIL, PASS, Cell, MatrixReport, PolicyCheck, Release, SchemaMatrix
from ..verdict import protected_directions
from .escape import md, md_code

# A symbol for reading at a glance and the level name for reading exactly.
SYMBOL = {"FULL": "↔", "BACKWARD": "→", "FORWARD": "←", "NONE": "✗", "UNKNOWN": "?"}
SAME = "·"

LEGEND = [
    ("↔ FULL", "both directions: consumers on Y read everything produced on X, and consumers "
               "on X read everything produced on Y (the two versions accept the same messages)"),
    ("→ BACKWARD", "consumers on Y read everything produced on X; not shown the other way"),
    ("← FORWARD", "consumers on X read everything produced on Y; not shown the other way"),
    ("✗ NONE", "neither: each version accepts a message the other rejects "
               "(`schema-compat diff X Y` shows one)"),
    ("? UNKNOWN", "a direction could not be decided and the other is not compatible; "
                  "release gates treat unknown as breaking"),
    (f"{SAME}", "the same version"),
]


# Labels, names, reasons and file names come from the repository: `md` makes each literal
# Markdown text on one line (no link, HTML, code or table cell can come from it).
_esc = md


def _origin(origin: str) -> str:
    """Where versions came from, e.g. ``git history of `a.json`, tags matching `v*```: the parts
    in backticks are code spans, the rest text, each escaped on its own."""
    parts = origin.split("`")
    return "".join(md_code(part, in_table=False) if i % 2 else md(part)
                   for i, part in enumerate(parts))


def cell_text(cell: Cell) -> str:
    """The short label of a cell, e.g. ``→ BACKWARD``."""
    return f"{SYMBOL[cell.level]} {cell.level}"


def verdict_text(release: Release) -> str:
    """The policy verdict of a release, e.g. ``✅ pass`` or ``❌ fail (1.0.0: backward breaking)``."""
    if release.verdict == PASS:
        return "✅ pass" if release.checks else "✅ pass (no direction protected)"
    if release.verdict == FAIL:
        return "❌ fail (" + "; ".join(failure_text(c, release.policy) for c in release.failures) + ")"
    return release.verdict


def failure_text(check: PolicyCheck, policy: str) -> str:
    """Why one check failed: the protected directions that are not shown compatible."""
    bad = [f"{d} {s}" for d, s in (("backward", check.backward), ("forward", check.forward))
           if d in protected_directions(policy) and s != "compatible"]
    return f"{check.against}: {', '.join(bad)}"


def bump_text(release: Release) -> tuple[str, str]:
    """Declared and required bump, the declared one flagged when it is too small."""
    declared = release.declared_bump or "—"
    required = release.required_bump or "—"
    if release.bump_too_small:
        declared = f"⚠️ {declared} (too small)"
    return declared, required


def version_note(m: SchemaMatrix, label: str) -> str:
    """`` (1.2.0)`` when a version is labelled by something else (a commit, a tag)."""
    info = next(v for v in m.versions if v.label == label)
    if info.version is None or info.version in (label, label[1:]):
        return ""
    return f" ({info.version})"


def _list(items: tuple[str, ...]) -> str:
    return ", ".join(_esc(i) for i in items) if items else "—"


def _schema(m: SchemaMatrix) -> list[str]:
    labels = m.labels
    lines = [f"## {_esc(m.name)}", ""]
    intro = (f"Policy `{m.policy}`; {len(labels)} version{'s' if len(labels) != 1 else ''}: "
             f"{_list(labels)}.")
    if m.origin:
        intro += f" Versions from the {_origin(m.origin)}."
    for draft, versions in m.defaulted().items():
        intro += (f" Read as {draft}, the default draft, as {'they name' if len(versions) > 1 else 'it names'}"
                  f" no `$schema`: {_list(versions)}.")
    lines += [intro, ""]

    lines += ["### Versions × versions", "",
              "Row: the version data is produced with (old side). Column: the version the "
              "consumer reads it with (new side).", ""]
    lines.append("| old ↓ · new → | " + " | ".join(_esc(v) for v in labels) + " |")
    lines.append("|---" * (len(labels) + 1) + "|")
    for old in labels:
        row = [SAME if old == new else cell_text(m.cell(old, new)) for new in labels]
        lines.append(f"| **{_esc(old)}** | " + " | ".join(row) + " |")

    lines += ["", "### Releases", "",
              "| release | declared bump | required bump | policy | checked against | verdict |",
              "|---|---|---|---|---|---|"]
    for r in m.releases:
        declared, required = bump_text(r)
        if r.previous is not None:
            declared = f"{declared} (from {_esc(r.previous)})"
        against = ", ".join(f"{_esc(c.against)} {'✅' if c.satisfied else '❌'}"
                            for c in r.checks) or "—"
        lines.append(f"| **{_esc(r.label)}**{_esc(version_note(m, r.label))} | {declared} | {required} | `{r.policy}` | "
                     f"{against} | {_esc(verdict_text(r))} |")

    lines += ["", "### Who reads whom", "",
              "| version | a consumer on it reads data produced on | its data is read by "
              "consumers on |", "|---|---|---|"]
    for s in m.summaries:
        reads = _list(s.reads_from)
        read_by = _list(s.read_by)
        if s.reads_from_unknown:
            reads += f" (unproven: {_list(s.reads_from_unknown)})"
        if s.read_by_unknown:
            read_by += f" (unproven: {_list(s.read_by_unknown)})"
        lines.append(f"| **{_esc(s.label)}** | {reads} | {read_by} |")

    unknown = _unknown_pairs(m)
    if unknown:
        lines += ["", "### Unknown verdicts", ""]
        lines += [f"- {_esc(old)} → {_esc(new)}, {direction}: {_esc(reason or 'no reason given')}"
                  for old, new, direction, reason in unknown]
    return lines


def _unknown_pairs(m: SchemaMatrix) -> list[tuple[str, str, str, str]]:
    """Each undecided direction once (from the upper triangle; the mirror says the same)."""
    labels = m.labels
    found = []
    for i, old in enumerate(labels):
        for new in labels[i + 1:]:
            c = m.cell(old, new)
            for direction, verdict in (("backward", c.backward), ("forward", c.forward)):
                if verdict.status == "unknown":
                    found.append((old, new, direction, verdict.reason))
    return found


def render(report: MatrixReport) -> str:
    """The whole document."""
    lines = ["# Compatibility matrix", "",
             "Generated by `schema-compat matrix`; do not edit by hand (CI runs "
             "`schema-compat matrix --check` and fails when this file is stale). "
             "How to read it: [matrix.md](matrix.md).", ""]
    lines += ["| cell in row X, column Y | meaning |", "|---|---|"]
    lines += [f"| {label} | {meaning} |" for label, meaning in LEGEND]
    lines += ["",
              "Releases are checked against their predecessors in the same major: "
              "`BACKWARD`, `FORWARD` and `FULL` against the release just before, the "
              "`*_TRANSITIVE` policies against every earlier release of the major. The first "
              "release of a major passes by definition; `NONE` always passes; unknown fails. "
              "The required bump comes from comparing each release with the one before it.",
              "", "| schema | policy | versions | releases violating the policy | "
              "bumps too small |", "|---|---|---|---|---|"]
    for m in report.schemas:
        violating = _list(tuple(r.label for r in m.policy_failures))
        small = _list(tuple(r.label for r in m.releases if r.bump_too_small))
        lines.append(f"| [{_esc(m.name)}](#{_anchor(m.name)}) | `{m.policy}` | "
                     f"{len(m.versions)} | {violating} | {small} |")
    for m in report.schemas:
        lines += [""] + _schema(m)
    return "\n".join(lines) + "\n"


def _anchor(name: str) -> str:
    """GitHub's heading anchor for a schema name."""
    return "".join(ch for ch in name.lower().replace(" ", "-") if ch.isalnum() or ch in "-_")
