"""Which engine reads each pattern construct how: the probe table (tests/fixtures/ecma-probes.json).

Each probe is a pattern and a string, with the answers of ECMA-262 without the ``u`` flag
(``ecma``) and with it (``ecma_u``; null where that flag makes the pattern a syntax error),
of regress (null: it cannot take the string, a lone surrogate), of the oracle
(``reference``; "undecidable" where no exact engine is at hand) and of jsonschema-rs
("error": it refuses the pattern; "cannot take": the string). The reference differs from
ECMA-262 only where the probe says why. The ECMA columns are checked against node (V8)
when it is installed; docs/conformance.md shows the same table.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import regress

from conftest import REPO
from schema_compat import oracle
from schema_compat.regex import compile_pattern
from test_regex import MEMBERSHIP

PROBES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "ecma-probes.json").read_text())
IDS = [f"{p['pattern']} on {p['string']!r}" for p in PROBES]


def _regress(pattern: str, string: str) -> bool | None:
    try:
        return regress.Regex(pattern).find(string) is not None
    except UnicodeEncodeError:
        return None


def _reference(pattern: str, string: str) -> bool | str:
    try:
        return oracle.ecma_search(pattern, string)
    except oracle.Undecidable:
        return "undecidable"


def _rs(pattern: str, string: str) -> bool | str:
    try:
        validator = jsonschema_rs.validator_for({"pattern": pattern})
    except Exception:
        return "error"
    try:
        return bool(validator.is_valid(string))
    except ValueError:
        return "cannot take"


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
def test_regress_answers_as_recorded(probe: dict[str, Any]) -> None:
    assert _regress(probe["pattern"], probe["string"]) == probe["regress"]


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
def test_the_reference_is_ecma_262_or_says_why(probe: dict[str, Any]) -> None:
    assert _reference(probe["pattern"], probe["string"]) == probe["reference"]
    assert probe["reference"] == probe["ecma"] or probe.get("why")
    if probe["regress"] is not None and probe["reference"] != "undecidable":
        assert probe["reference"] == probe["regress"]  # regress is the judge where it can be


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
def test_jsonschema_rs_answers_as_recorded(probe: dict[str, Any]) -> None:
    """Pinned: a new jsonschema-rs that reads a construct otherwise shows up here."""
    assert _rs(probe["pattern"], probe["string"]) == probe["jsonschema_rs"]


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
def test_jsonschema_rs_judges_only_patterns_it_reads_alike(probe: dict[str, Any]) -> None:
    if oracle.rs_exact(probe["pattern"]):
        assert probe["jsonschema_rs"] in (probe["reference"], "error", "cannot take")


def _rs_exact_patterns() -> list[tuple[str, list[str]]]:
    return [(p, strings) for p, strings in MEMBERSHIP if oracle.rs_exact(p)]


@pytest.mark.parametrize(("pattern", "strings"), _rs_exact_patterns())
def test_jsonschema_rs_agrees_with_regress_where_the_oracle_lets_it_judge(
        pattern: str, strings: list[str]) -> None:
    # The engine's membership table covers every construct of its regular subset.
    try:
        validator = jsonschema_rs.validator_for({"pattern": pattern})
    except Exception:
        return  # refused: it never judges
    for s in [*strings, *compile_pattern(pattern).examples(6)]:
        try:
            theirs = validator.is_valid(s)
        except ValueError:
            continue
        assert theirs == (regress.Regex(pattern).find(s) is not None), (pattern, s)


# Node 20 has no modifier groups: `^(?i:X)$` is checked as `^X$` with the `i` flag.
_MODIFIER = re.compile(r"^\^\(\?i:(.*)\)\$$")
_NODE = r"""
const probes = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(probes.map(([p, f, s]) => [f, f + 'u'].map(flags => {
  try { return new RegExp(p, flags).test(s); } catch (e) { return null; } }))));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node (an ECMA-262 engine) is absent")
def test_the_ecma_columns_are_what_an_ecma_262_engine_answers() -> None:
    asked = []
    for p in PROBES:
        m = _MODIFIER.match(p["pattern"])
        asked.append([f"^{m.group(1)}$", "i", p["string"]] if m else [p["pattern"], "", p["string"]])
    proc = subprocess.run(["node", "-e", _NODE], input=json.dumps(asked), capture_output=True,
                          text=True, timeout=60, check=True)
    for probe, (plain, unicode) in zip(PROBES, json.loads(proc.stdout)):
        assert (plain, unicode) == (probe["ecma"], probe["ecma_u"]), probe


def _shown(text: str) -> str:
    out = []
    for ch in text:
        if ch == "|":
            out.append("\\|")
        elif ch.isprintable() and unicodedata.normalize("NFKC", ch) == ch:
            out.append(ch)  # not a look-alike such as the Kelvin sign or long s
        else:
            out.append(json.dumps(ch)[1:-1])
    return "".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def probe_table() -> str:
    """The probe table as docs/conformance.md shows it."""
    rows = ["| construct | pattern | string | ECMA-262 | with `u` | regress | reference "
            "| jsonschema-rs |",
            "|---|---|---|---|---|---|---|---|"]
    for p in PROBES:
        rows.append(f"| {_shown(p['construct'])} | `{_shown(p['pattern'])}` | "
                    f"`{_shown(p['string'])}` | {_cell(p['ecma'])} | {_cell(p['ecma_u'])} | "
                    f"{_cell(p['regress'])} | {_cell(p['reference'])} | "
                    f"{_cell(p['jsonschema_rs'])} |")
    return "\n".join(rows) + "\n"


def test_the_docs_show_the_probe_table() -> None:
    table = probe_table()
    assert table in (REPO / "docs" / "conformance.md").read_text(), (
        "docs/conformance.md should hold this table:\n" + table)
