"""The release gate, scenario by scenario, in a throwaway git repository.

The BACKBEAT contracts are committed on ``main``; each scenario makes one kind of change on a
branch and runs ``schema-compat check --against main`` through the real CLI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var, value in (("GIT_AUTHOR_NAME", "t"), ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
                       ("GIT_COMMITTER_NAME", "t"), ("GIT_COMMITTER_EMAIL", "t@example.invalid")):
        monkeypatch.setenv(var, value)
    repo = tmp_path / "contracts"
    repo.mkdir()
    shutil.copytree(REPO / "schemas", repo / "schemas")
    shutil.copytree(REPO / "examples", repo / "examples")
    shutil.copy(REPO / "schema-compat.toml", repo / "schema-compat.toml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "contracts")
    git(repo, "checkout", "-q", "-b", "change")
    monkeypatch.chdir(repo)
    return repo


def load(repo: Path, name: str, version: str) -> dict[str, Any]:
    return json.loads((repo / "schemas" / name / f"{version}.json").read_text())


def release(repo: Path, name: str, version: str, schema: dict[str, Any],
            examples_from: str | None = None) -> None:
    schema["$id"] = f"https://schemas.backbeat.invalid/{name}/{version}.json"
    (repo / "schemas" / name / f"{version}.json").write_text(json.dumps(schema, indent=2))
    if examples_from:
        shutil.copytree(repo / "examples" / name / examples_from / "valid",
                        repo / "examples" / name / version / "valid")


def gate_problems(cli) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """Run the gate against main; its exit code and problems by registered id."""
    res = cli("check", "--against", "main", "--format", "json")
    by_id: dict[str, list[dict[str, Any]]] = {}
    for problem in res.json()["gate"]["problems"]:
        by_id.setdefault(problem["id"], []).append(problem)
    return res.exit_code, by_id


def test_unchanged_passes(contracts: Path, cli) -> None:
    res = cli("check", "--against", "main")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "gate passed" in res.stdout


def test_patch_release_passes(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["description"] += " Clarified."
    release(contracts, "beatframe", "2.0.1", schema, examples_from="2.0.0")
    res = cli("check", "--against", "main", "--format", "json")
    assert res.exit_code == 0, res.stdout
    data = res.json()
    assert data["gate"]["passed"] is True
    (result,) = [r for r in data["results"] if r["new"]["version"] == "2.0.1"]
    assert (result["level"], result["required_bump"]) == ("FULL", "patch")


def test_minor_release_passes(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["properties"]["region"] = {"type": "string", "description": "Where the cluster runs."}
    release(contracts, "beatframe", "2.1.0", schema, examples_from="2.0.0")
    res = cli("check", "--against", "main")
    assert res.exit_code == 0, res.stdout
    assert "2.0.0 → 2.1.0  BACKWARD" in res.stdout


def test_breaking_change_with_minor_bump_fails(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["properties"]["tempo_bpm"]["maximum"] = 12
    release(contracts, "beatframe", "2.1.0", schema)
    code, problems = gate_problems(cli)
    assert code == 1
    assert set(problems) == {"gate-bump-too-small", "gate-policy-violated"}
    (small,) = problems["gate-bump-too-small"]
    assert (small["schema"], small["version"]) == ("beatframe", "2.1.0")
    assert small["file"].endswith("schemas/beatframe/2.1.0.json")
    # The next action names the version to release and the type constant it needs.
    assert small["action"].startswith("release it as 3.0.0 with type 'backbeat.beatframe.v3'")


def test_major_release_with_new_type_passes(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["properties"]["tempo_bpm"]["maximum"] = 12
    schema["properties"]["type"]["const"] = "backbeat.beatframe.v3"
    release(contracts, "beatframe", "3.0.0", schema)
    res = cli("check", "--against", "main")
    assert res.exit_code == 0, res.stdout


def test_major_release_keeping_old_type_fails(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["properties"]["tempo_bpm"]["maximum"] = 12
    release(contracts, "beatframe", "3.0.0", schema)
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"gate-type-major-mismatch"}
    (problem,) = problems["gate-type-major-mismatch"]
    assert problem["pointer"] == "/properties/type/const"
    assert problem["action"] == "set the type to 'backbeat.beatframe.v3'"


def test_released_version_edited_in_place_fails(contracts: Path, cli) -> None:
    path = contracts / "schemas" / "statusclaim" / "2.0.0.json"
    schema = json.loads(path.read_text())
    schema["properties"]["notes"]["maxLength"] = 100
    path.write_text(json.dumps(schema))
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"schema-changed-in-place"}
    assert problems["schema-changed-in-place"][0]["version"] == "2.0.0"


def test_removed_version_fails(contracts: Path, cli) -> None:
    (contracts / "schemas" / "barreport" / "1.0.1.json").unlink()
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"schema-version-removed"}
    assert [(p["schema"], p["version"]) for p in problems["schema-version-removed"]] == [
        ("barreport", "1.0.1")]


def _narrow_statusclaim(repo: Path) -> None:
    schema = load(repo, "statusclaim", "2.0.0")
    schema["properties"]["notes"]["maxLength"] = 100
    release(repo, "statusclaim", "2.1.0", schema)


def _waiver(repo: Path, expires: str) -> None:
    with (repo / "schema-compat.toml").open("a") as fh:
        fh.write(f'\n[[waivers]]\nrule = "string-max-length-decreased"\nschema = "statusclaim"\n'
                 f'reason = "no agent sends notes over 100 characters"\nexpires = {expires}\n')


def test_valid_waiver_accepts_the_break(contracts: Path, cli) -> None:
    _narrow_statusclaim(contracts)
    _waiver(contracts, "2999-01-01")
    res = cli("check", "--against", "main")
    assert res.exit_code == 0, res.stdout
    assert "waived: statusclaim: string-max-length-decreased" in res.stdout


def test_expired_waiver_fails(contracts: Path, cli) -> None:
    _narrow_statusclaim(contracts)
    _waiver(contracts, "2020-01-01")
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"gate-waiver-expired", "gate-bump-too-small",
                                           "gate-policy-violated"}
    assert problems["gate-waiver-expired"][0]["schema"] == "statusclaim"


def test_policy_from_config_decides(contracts: Path, cli) -> None:
    # Under FULL, an optional property on a closed object breaks forward: a major is needed.
    toml = contracts / "schema-compat.toml"
    toml.write_text(toml.read_text().replace('barreport = "BACKWARD"', 'barreport = "FULL"'))
    schema = load(contracts, "barreport", "2.0.0")
    schema["properties"]["region"] = {"type": "string", "description": "Region."}
    release(contracts, "barreport", "2.1.0", schema)
    code, problems = gate_problems(cli)
    assert code == 1
    assert "gate-policy-violated" in problems and "gate-bump-too-small" in problems


def test_invalid_example_fails(contracts: Path, cli) -> None:
    schema = load(contracts, "beatframe", "2.0.0")
    schema["description"] += " Clarified."
    release(contracts, "beatframe", "2.0.1", schema, examples_from="2.0.0")
    bad = contracts / "examples" / "beatframe" / "2.0.1" / "valid" / "too-fast.json"
    message = json.loads(next((contracts / "examples" / "beatframe" / "2.0.1" / "valid").glob("*.json")).read_text())
    message["tempo_bpm"] = 500
    bad.write_text(json.dumps(message))
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"gate-example-invalid"}
    (problem,) = problems["gate-example-invalid"]
    assert problem["file"] == str(bad) and problem["pointer"] == "/tempo_bpm"


def test_base_is_read_without_touching_the_work_tree(contracts: Path, cli) -> None:
    _narrow_statusclaim(contracts)
    before = git(contracts, "status", "--porcelain")
    cli("check", "--against", "main")
    assert git(contracts, "status", "--porcelain") == before


def test_bad_base_is_an_input_error(contracts: Path, cli) -> None:
    res = cli("check", "--against", "no-such-ref")
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1


def test_release_introducing_catastrophic_pattern_fails(contracts: Path, cli) -> None:
    schema = load(contracts, "barreport", "2.0.0")
    schema["properties"]["cluster_id"] = {"type": "string", "pattern": "^([a-z]+-?)+$",
                                          "description": "Cluster."}
    release(contracts, "barreport", "3.0.0", schema)
    schema["properties"]["type"]["const"] = "backbeat.barreport.v3"
    release(contracts, "barreport", "3.0.0", schema)
    code, problems = gate_problems(cli)
    assert code == 1 and set(problems) == {"gate-pattern-hazard"}
