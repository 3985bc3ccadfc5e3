"""Data-driven rule tests: ``tests/rules/<rule-id>.json``, in the JSON-Schema-Test-Suite style.

Each case gives the old and new schema, every finding expected (rule, paths, effect per
direction), the verdict per direction and the required bump; ``"formats": "annotation"``
reads ``format`` as an annotation (the default asserts it, as message validation does). The
case runs through the real CLI, and every witness the tool offers is checked by two
independent validators: the oracle (the reference) and jsonschema-rs. They must agree,
except where the oracle names a known difference (a pattern jsonschema-rs does not read as
ECMA-262 does, a string it cannot take): the witness is then judged by the reference, and
the difference recorded in the test's report (``known-difference`` property).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from schema_compat import oracle
from schema_compat.schema import detect_draft, load_root

RULES_DIR = Path(__file__).parent / "rules"
CASES = [
    pytest.param(rule_file.stem, case, id=f"{rule_file.stem}:{case['description']}")
    for rule_file in sorted(RULES_DIR.glob("*.json"))
    for case in json.loads(rule_file.read_text())
]

_RS = {4: jsonschema_rs.Draft4Validator, 6: jsonschema_rs.Draft6Validator,
       7: jsonschema_rs.Draft7Validator, 2019: jsonschema_rs.Draft201909Validator,
       2020: jsonschema_rs.Draft202012Validator}


def _valid(schema: Any, instance: Any, known: list[str], formats: str = "assert") -> bool:
    """The reference's answer. jsonschema-rs must give the same, or the oracle must name the
    known difference (appended to ``known``); an unexplained disagreement fails the test."""
    asserting = formats == "assert"
    root = load_root(schema, "<test>", assert_formats=asserting)
    ours = oracle.is_valid(root, instance)
    try:
        theirs: bool | None = _RS[detect_draft(schema)](
            schema, validate_formats=asserting).is_valid(instance)
    except ValueError:  # it refuses the schema's pattern, or the instance's lone surrogate
        theirs = None
    if theirs != ours:
        reason = oracle.disagreement(root, instance)
        assert reason is not None, f"validators disagree on {instance!r}"
        known.append(f"{instance!r}: {reason}")
    return ours


def check_witness(before: Any, after: Any, witness: dict[str, Any],
                  known: list[str] | None = None, formats: str = "assert") -> None:
    instance = witness["instance"]
    known = [] if known is None else known
    if witness["direction"] == "backward":
        assert _valid(before, instance, known, formats) \
            and not _valid(after, instance, known, formats), witness
    else:
        assert _valid(after, instance, known, formats) \
            and not _valid(before, instance, known, formats), witness


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_rule_case(rule: str, case: dict[str, Any], cli, tmp_path: Path,
                   record_property: Any) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps(case["before"]))
    after.write_text(json.dumps(case["after"]))
    extra = ("--formats", case["formats"]) if "formats" in case else ()
    res = cli("diff", str(before), str(after), "--format", "json", "--mode", "full", *extra)
    assert res.exit_code in (0, 1), res.stderr
    (result,) = res.json()["results"]
    got = sorted((f["rule"], f["old_path"], f["new_path"], f["backward"], f["forward"])
                 for f in result["findings"])
    want = sorted((f["rule"], f["old_path"], f["new_path"], f["backward"], f["forward"])
                  for f in case["findings"])
    assert got == want
    assert (result["backward"], result["forward"]) == (case["backward"], case["forward"])
    assert result["required_bump"] == case["bump"]
    full = result["backward"] == result["forward"] == "compatible"
    assert res.exit_code == (0 if full else 1)
    for direction in ("backward", "forward"):
        if result[direction] == "breaking":
            assert any(w["direction"] == direction for w in result["witnesses"])
    known: list[str] = []
    formats = case.get("formats", "assert")
    for witness in result["witnesses"]:
        check_witness(case["before"], case["after"], witness, known, formats)
    for finding in result["findings"]:
        for witness in finding.get("witnesses", []):
            check_witness(case["before"], case["after"], witness, known, formats)
        if "breaking" in (finding["backward"], finding["forward"]):
            assert finding.get("witnesses"), finding
    if known:
        record_property("known-difference", "; ".join(dict.fromkeys(known)))
    assert bool(known) == bool(case.get("known_difference")), known
