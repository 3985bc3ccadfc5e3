"""Regressions of the witness oracle, through the real CLI: each pair once ended in a
traceback (or in a witness the validators disagreed on); now it gets a verdict, with every
witness confirmed by the oracle, or ``unknown`` with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schema_compat import oracle
from schema_compat.schema import load_root

D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def _diff(cli: Any, tmp_path: Path, old: Any, new: Any, *args: str) -> dict[str, Any]:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    res = cli("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"),
              "--format", "json", *args)
    assert res.exit_code in (0, 1), res.stderr
    assert res.stderr == ""
    (result,) = res.json()["results"]
    assert res.exit_code == (0 if result["backward"] == "compatible" else 1)
    roots = {"old": load_root(old, "old"), "new": load_root(new, "new")}
    for witness in result["witnesses"]:
        source, target = ("old", "new") if witness["direction"] == "backward" else ("new", "old")
        instance = witness["instance"]
        assert oracle.is_valid(roots[source], instance), witness
        assert not oracle.is_valid(roots[target], instance), witness
    verdict: dict[str, Any] = result
    return verdict


@pytest.mark.parametrize("pattern", [r"[\uD800-\uDFFF]", r"^\uD83D", r"\D83D\uDE00"])
def test_a_pattern_naming_surrogates_gets_a_verdict(cli: Any, tmp_path: Path,
                                                    pattern: str) -> None:
    result = _diff(cli, tmp_path, {"type": "string"}, {"type": "string", "pattern": pattern},
                   "--mode", "full")
    assert (result["backward"], result["forward"]) == ("breaking", "compatible")


def test_witnesses_holding_lone_surrogates_are_confirmed_and_shown(cli: Any,
                                                                    tmp_path: Path) -> None:
    old = {"type": "string", "pattern": r"^[\uD800-\uDFFF]$"}
    new = {"type": "string", "pattern": r"^\uD83D"}
    result = _diff(cli, tmp_path, old, new, "--mode", "full")
    assert (result["backward"], result["forward"]) == ("breaking", "breaking")
    instances = [w["instance"] for w in result["witnesses"]]
    assert all(oracle.SURROGATE.search(i) for i in instances), instances
    for fmt in ("text", "markdown", "github", "sarif", "junit"):
        res = cli("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"),
                  "--format", fmt)
        assert (res.exit_code, res.stderr) == (1, ""), fmt
        assert "\\ud800" in res.stdout, fmt


@pytest.mark.parametrize("new_schema", [None, D2020, D2019])
def test_tuple_items_of_draft_2019_against_another_draft(cli: Any, tmp_path: Path,
                                                         new_schema: str | None) -> None:
    old = {"$schema": D2019, "items": [{"type": "object"}]}
    new = {"type": "array", **({"$schema": new_schema} if new_schema else {})}
    for a, b in ((old, new), (new, old)):
        result = _diff(cli, tmp_path, a, b, "--mode", "full")
        assert (result["backward"], result["forward"]) == ("breaking", "breaking")


def test_tuple_items_reached_through_a_ref_into_a_draft_7_file(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "pair.json").write_text(json.dumps(
        {"$schema": D7, "definitions": {"pair": {"items": [{"type": "object"}]}}}))
    old = {"$schema": D2020, "properties": {"a": {"$ref": "pair.json#/definitions/pair"}},
           "required": ["a"]}
    new = {"$schema": D2020, "properties": {"a": {"type": "array"}}, "required": ["a"]}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    res = cli("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format",
              "json", "--mode", "full")
    assert res.exit_code == 1 and res.stderr == ""
    (result,) = res.json()["results"]
    old_root = load_root(old, "old", path=tmp_path / "old.json", root_dir=tmp_path)
    new_root = load_root(new, "new", path=tmp_path / "new.json", root_dir=tmp_path)
    for witness in result["witnesses"]:
        source, target = (old_root, new_root) if witness["direction"] == "backward" \
            else (new_root, old_root)
        assert oracle.is_valid(source, witness["instance"])
        assert not oracle.is_valid(target, witness["instance"])
    # {"a": "x"}: draft-7 tuple items leave strings alone; {"a": [1]}: its first item is no
    # object. Read as 2020-12, the referred file's `items` was no constraint at all.
    assert (result["backward"], result["forward"]) == ("breaking", "breaking")


@pytest.mark.parametrize("pattern", [r"^(?<n>a)\k<n>$", r"^\p{L}"])
def test_ref_to_the_root_declaring_schema_keeps_ecma_patterns(cli: Any, tmp_path: Path,
                                                              pattern: str) -> None:
    old = {"$schema": D2020, "type": ["object", "string"], "pattern": pattern,
           "properties": {"x": {"$ref": "#"}}}
    new = {**old, "properties": {"x": {"$ref": "#", "maxLength": 3}}}
    result = _diff(cli, tmp_path, old, new, "--mode", "full")
    assert result["forward"] == "compatible"
    assert result["backward"] in ("breaking", "unknown")


def test_decimal_multiple_of_witness_is_one_the_reference_confirms(cli: Any,
                                                                   tmp_path: Path) -> None:
    old = {"$schema": D7, "minimum": 5, "multipleOf": 0.01}
    new = {"$schema": D2019, "minimum": 6, "multipleOf": 0.01}
    result = _diff(cli, tmp_path, old, new)
    assert (result["backward"], result["forward"]) == ("breaking", "compatible")
