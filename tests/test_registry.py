"""Audit of the rule registry: ids, fixtures for both verdicts, generated docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from schema_compat.cli.rules import rules_markdown
from schema_compat.rules import RULES

TESTS = Path(__file__).parent
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)+$")


def test_ids_are_kebab_case() -> None:
    assert all(KEBAB.match(rule_id) for rule_id in RULES), sorted(RULES)


def test_every_rule_has_fixtures_for_both_verdicts() -> None:
    problems = []
    for rule in RULES.values():
        path = TESTS / "rules" / f"{rule.id}.json"
        if not path.exists():
            problems.append(f"{rule.id}: no fixture file")
            continue
        effects = [(f["backward"], f["forward"]) for case in json.loads(path.read_text())
                   for f in case["findings"] if f["rule"] == rule.id]
        if not effects:
            problems.append(f"{rule.id}: no case where it fires")
        can_break = rule.backward != "none" and not rule.annotation
        if can_break and not any("breaking" in e for e in effects):
            problems.append(f"{rule.id}: no breaking case")
        if not any(e == ("ok", "ok") for e in effects):
            problems.append(f"{rule.id}: no case where it changes nothing")
    assert not problems, "\n".join(problems)


def test_no_fixture_for_unknown_rule() -> None:
    names = {p.stem for p in (TESTS / "rules").glob("*.json")}
    assert names <= set(RULES), names - set(RULES)


def test_docs_rules_is_current() -> None:
    docs = TESTS.parent / "docs" / "rules.md"
    assert docs.read_text() == rules_markdown(), "regenerate: schema-compat rules -f markdown > docs/rules.md"
