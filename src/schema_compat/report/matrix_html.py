"""The compatibility matrix as one self-contained HTML page (inline CSS, no script, no fetch).

Colours follow the Okabe–Ito palette, which stays distinguishable with the common colour-vision
deficiencies; every cell also carries a symbol and the level name, so colour is never the only
cue, and a ``title`` with the details (verdict per direction, a witness when one exists).
"""

from __future__ import annotations

import html

from .._json import dumps
from ..findings import DirectionVerdict
from ..matrix import FAIL, PASS, Cell, MatrixReport, Release, SchemaMatrix
from .escape import html_text as escape
from .escape import visible
from .matrix_markdown import LEGEND, SAME, SYMBOL, bump_text, failure_text, version_note

_CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 24px; color: #1a1a1a; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 4px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.note { margin: 4px 0 10px; color: #333; max-width: 70em; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #888; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eee; }
table.grid { font-size: 13px; }
table.grid td, table.grid th { text-align: center; white-space: nowrap; padding: 3px 6px; }
table.grid th.row { text-align: right; background: #eee; }
table.grid thead th { position: sticky; top: 0; }
.sym { font-weight: bold; margin-right: 0.25em; }
.lvl-FULL { background: #0072B2; color: #fff; }
.lvl-BACKWARD { background: #56B4E9; color: #000; }
.lvl-FORWARD { background: #F0E442; color: #000; }
.lvl-NONE { background: #D55E00; color: #000; }
.lvl-UNKNOWN { color: #000; background: repeating-linear-gradient(45deg, #ddd 0 6px, #aaa 6px 12px); }
.same { background: #f4f4f4; color: #555; }
.pass { color: #0b5394; font-weight: bold; }
.fail { color: #a33a00; font-weight: bold; }
.small { color: #a33a00; font-weight: bold; }
ul.legend { list-style: none; padding: 0; margin: 8px 0 4px; columns: 2 32em; }
ul.legend li { margin: 0 0 6px; break-inside: avoid; }
.chip { display: inline-block; min-width: 7.5em; text-align: center; padding: 1px 6px;
        border: 1px solid #888; margin-right: 4px; }
.panels { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
.panel h2 { border: none; margin-top: 12px; }
.panel h2 a { color: inherit; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }
""".strip()

_TITLE_WITNESS_CHARS = 240


# Every label, name, witness and message comes from the schemas: `escape` makes it HTML text
# (control characters shown as escapes); a title's own line breaks are joined after that.


def _direction_title(name: str, reader: str, producer: str, verdict: DirectionVerdict) -> str:
    text = visible(f"{name}: {verdict.status} (consumers on {reader} reading data produced on "
                   f"{producer})")
    if verdict.witnesses:
        w = verdict.witnesses[0]
        instance = dumps(w.instance)
        if len(instance) > _TITLE_WITNESS_CHARS:
            instance = instance[: _TITLE_WITNESS_CHARS - 1] + "…"
        text += f"\n  e.g. {visible(instance)}"
        if w.error:
            text += f"\n  rejected by {visible(reader)}: {visible(w.error)}"
    elif verdict.reason and verdict.status == "unknown":
        text += f"\n  why unknown: {visible(verdict.reason)}"
    return text


def _cell(cell: Cell) -> str:
    title = "\n".join([
        visible(f"row {cell.old} → column {cell.new}: {cell.level}"),
        _direction_title("backward", cell.new, cell.old, cell.backward),
        _direction_title("forward", cell.old, cell.new, cell.forward),
    ])
    # Its parts are visible already; its own line breaks stay (a title shows them).
    return (f'<td class="lvl-{cell.level}" title="{html.escape(title)}">'
            f'<span class="sym" aria-hidden="true">{SYMBOL[cell.level]}</span>'
            f'{cell.level}</td>')


def _grid(m: SchemaMatrix) -> list[str]:
    labels = m.labels
    out = ['<table class="grid">',
           f'<caption class="visually-hidden">{escape(m.name)}: rows old (producer), columns new '
           '(consumer)</caption>',
           '<thead><tr><th scope="col">old ↓ · new →</th>'
           + "".join(f'<th scope="col">{escape(v)}</th>' for v in labels) + "</tr></thead>",
           "<tbody>"]
    for old in labels:
        row = [f'<th scope="row" class="row">{escape(old)}</th>']
        for new in labels:
            if old == new:
                row.append(f'<td class="same" title="{escape(old)}: the same version">{SAME}</td>')
            else:
                row.append(_cell(m.cell(old, new)))
        out.append("<tr>" + "".join(row) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _verdict(release: Release) -> str:
    if release.verdict == PASS:
        text = "✓ pass" if release.checks else "✓ pass (no direction protected)"
        return f'<span class="pass">{text}</span>'
    if release.verdict == FAIL:
        why = "; ".join(failure_text(c, release.policy) for c in release.failures)
        return f'<span class="fail">✗ fail</span> ({escape(why)})'
    return escape(release.verdict)


def _releases(m: SchemaMatrix) -> list[str]:
    out = ["<table>", "<thead><tr><th>release</th><th>declared bump</th><th>required bump</th>"
           "<th>policy</th><th>checked against</th><th>verdict</th></tr></thead>", "<tbody>"]
    for r in m.releases:
        declared, required = bump_text(r)
        declared_html = (f'<span class="small">{escape(declared)}</span>' if r.bump_too_small
                         else escape(declared))
        if r.previous is not None:
            declared_html += f" (from {escape(r.previous)})"
        against = ", ".join(
            f'{escape(c.against)} <span class="{"pass" if c.satisfied else "fail"}">'
            f'{"✓" if c.satisfied else "✗"}</span>' for c in r.checks) or "—"
        out.append(f"<tr><th scope=\"row\">{escape(r.label)}{escape(version_note(m, r.label))}</th>"
                   f"<td>{declared_html}</td>"
                   f"<td>{escape(required)}</td><td><code>{escape(r.policy)}</code></td>"
                   f"<td>{against}</td><td>{_verdict(r)}</td></tr>")
    out += ["</tbody>", "</table>"]
    return out


def _names(items: tuple[str, ...]) -> str:
    return escape(", ".join(items)) if items else "—"


def _summary(m: SchemaMatrix) -> list[str]:
    out = ["<table>", "<thead><tr><th>version</th><th>a consumer on it reads data produced on"
           "</th><th>its data is read by consumers on</th></tr></thead>", "<tbody>"]
    for s in m.summaries:
        reads, read_by = _names(s.reads_from), _names(s.read_by)
        if s.reads_from_unknown:
            reads += f" (unproven: {_names(s.reads_from_unknown)})"
        if s.read_by_unknown:
            read_by += f" (unproven: {_names(s.read_by_unknown)})"
        out.append(f'<tr><th scope="row">{escape(s.label)}</th><td>{reads}</td>'
                   f"<td>{read_by}</td></tr>")
    out += ["</tbody>", "</table>"]
    return out


def _legend() -> list[str]:
    out = ['<ul class="legend">']
    for label, meaning in LEGEND:
        level = label.split()[-1]
        if level in SYMBOL:
            chip = (f'<span class="chip lvl-{level}"><span class="sym" aria-hidden="true">'
                    f"{SYMBOL[level]}</span>{level}</span>")
        else:
            chip = f'<span class="chip same">{escape(label)}</span>'
        # The legend text is shared with the Markdown document; drop its code ticks here.
        out.append(f"<li>{chip} {escape(meaning.replace('`', ''))}</li>")
    out.append("</ul>")
    return out


def _overview(m: SchemaMatrix) -> list[str]:
    failures = len(m.policy_failures)
    small = sum(1 for r in m.releases if r.bump_too_small)
    gate = ('<span class="pass">✓ every release meets it</span>' if not failures else
            f'<span class="fail">✗ {failures} release{"s" if failures != 1 else ""} '
            "violate it</span>")
    if small:
        gate += f'; <span class="small">⚠ {small} bump{"s" if small != 1 else ""} too small</span>'
    origin = f" Versions from the {escape(m.origin.replace('`', ''))}." if m.origin else ""
    for draft, versions in m.defaulted().items():
        origin += (f" Read as {escape(draft)}, the default draft (no <code>$schema</code>): "
                   f"{escape(', '.join(versions))}.")
    return ['<div class="panel">', f'<h2><a href="#{escape(m.name)}">{escape(m.name)}</a></h2>',
            f'<p class="note">Policy <code>{escape(m.policy)}</code>: {gate}.{origin}</p>',
            *_grid(m), "</div>"]


def render(report: MatrixReport) -> str:
    """The whole page: the grids side by side first, then each schema's releases and readers."""
    body = ["<h1>Compatibility matrix</h1>",
            '<p class="note">Generated by <code>schema-compat matrix</code>. Each cell compares '
            "the version of its row (old side, where the data is produced) with the version of "
            "its column (new side, the consumer); hover a cell for the verdict of each direction "
            "and a witness message. Releases are checked against their predecessors in the same "
            "major (transitive policies against all of them); unknown fails.</p>"]
    body += _legend()
    body.append('<div class="panels">')
    for m in report.schemas:
        body += _overview(m)
    body.append("</div>")
    for m in report.schemas:
        body += [f'<section id="{escape(m.name)}">', f"<h2>{escape(m.name)}: releases</h2>"]
        body += _releases(m)
        body += ["<h3>Who reads whom</h3>"] + _summary(m)
        body.append("</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>Compatibility matrix</title>\n"
            f"<style>\n{_CSS}\n</style>\n"
            "</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
