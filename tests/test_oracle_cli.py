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
    assert all(oracle._SURROGATE.search(i) for i in instances), instances
    for fmt in ("text", "markdown", "github", "sarif", "junit"):
        res = cli("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"),
                  "--format", fmt)
        assert (res.exit_code, res.stderr) == (1, ""), fmt
        assert "\\ud800" in res.stdout, fmt
