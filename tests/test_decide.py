"""The decide stage: one release evaluation for ``check`` and ``matrix``, problem ids that are
registered, and one decision for the exit code."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from schema_compat.config import load_config
from schema_compat.decide import PROBLEM_KINDS, Problem
from schema_compat.gate import gate
from schema_compat.loading import load_repository
from schema_compat.matrix import build_matrix

RELEASE_PROBLEMS = {"gate-bump-too-small", "gate-version-not-greater", "gate-policy-violated"}
TODAY = dt.date(2026, 12, 1)


def _contracts(tmp_path: Path, *, waiver_expires: str | None = None) -> Path:
    """The bundled contracts, with one break released as a minor version of statusclaim."""
    repo = tmp_path / "contracts"
    shutil.copytree(REPO / "schemas", repo / "schemas")
    toml = (REPO / "schema-compat.toml").read_text()
    schema = json.loads((repo / "schemas/statusclaim/2.0.0.json").read_text())
    schema["$id"] = schema["$id"].replace("2.0.0", "2.1.0")
    schema["properties"]["notes"]["maxLength"] = 100
    (repo / "schemas/statusclaim/2.1.0.json").write_text(json.dumps(schema, indent=2))
    if waiver_expires is not None:
        toml += ('\n[[waivers]]\nrule = "string-max-length-decreased"\nschema = "statusclaim"\n'
                 f'reason = "no agent sends notes over 100 characters"\nexpires = {waiver_expires}\n')
    (repo / "schema-compat.toml").write_text(toml)
    return repo


def _by_release(problems: Any) -> set[tuple[str, str | None, str | None]]:
    return {(p.id, p.schema, p.version) for p in problems if p.id in RELEASE_PROBLEMS}


@pytest.mark.parametrize("waiver", [None, "2999-01-01", "2020-01-01"],
                         ids=["no waiver", "waiver", "expired waiver"])
def test_check_and_matrix_judge_every_release_alike(tmp_path: Path, waiver: str | None) -> None:
    repo = _contracts(tmp_path, waiver_expires=waiver)
    config = load_config(path=repo / "schema-compat.toml")
    checked = gate(config=config, against=None, schemas=repo / "schemas", today=TODAY)
    matrix = build_matrix(load_repository(repo / "schemas"), config, workers=1, today=TODAY)
    from_matrix = {(p.id, p.schema, p.version) for m in matrix.schemas for r in m.releases
                   for p in r.problems}
    assert _by_release(checked.problems) == from_matrix
    expected = set() if waiver == "2999-01-01" else {
        ("gate-bump-too-small", "statusclaim", "2.1.0"),
        ("gate-policy-violated", "statusclaim", "2.1.0")}
    assert from_matrix == expected
    assert checked.passed == (waiver == "2999-01-01")


def test_problem_ids_are_registered_and_kebab_case() -> None:
    assert all(k.id == k.id.lower() and " " not in k.id for k in PROBLEM_KINDS.values())
    with pytest.raises(ValueError, match="unregistered problem id"):
        Problem("gate-problem", "a problem without a registered id")


def test_rules_lists_the_problem_ids(cli) -> None:
    res = cli("rules")
    assert res.exit_code == 0
    for problem_id in PROBLEM_KINDS:
        assert problem_id in res.stdout


def test_the_json_report_carries_the_decision(cli, tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text('{"type": "string"}')
    new.write_text('{"type": "string", "maxLength": 3}')
    res = cli("diff", str(old), str(new), "--format", "json")
    data = res.json()
    assert data["report_version"] == 2
    assert data["decision"]["exit_code"] == res.exit_code == 1
    (problem,) = data["decision"]["problems"]
    assert problem["id"] == "schema-incompatible" and problem["witness"]["instance"] == "aaaa"
