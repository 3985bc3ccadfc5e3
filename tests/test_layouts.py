"""Both repository layouts through the real CLI: versioned files (``<name>/<semver>.json``)
and one file per schema, whose version is its ``$id``'s, an ``x-version``/``version``
string, or none at all (git history carries it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
BASE: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                        "type": "object", "properties": {"name": {"type": "string"}},
                        "required": ["name"]}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "contracts"
    (root / "schemas").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    monkeypatch.chdir(root)
    return root


def _write(root: Path, doc: dict[str, Any], commit: bool = False) -> None:
    (root / "schemas" / "workflow.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    if commit:
        subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
        subprocess.run([*GIT, "commit", "-qm", "release"], cwd=root, check=True)


def _with(doc: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {**doc, "properties": {**doc["properties"], **props}}


def _gate(cli) -> tuple[int, list[str], str]:
    res = cli("check", "--against", "HEAD", "--format", "json")
    text = cli("check", "--against", "HEAD").stdout
    assert "None" not in text, text
    return res.exit_code, [p["id"] for p in res.json()["decision"]["problems"]], text


def test_unversioned_file_is_gated_on_its_policy(repo: Path, cli) -> None:
    _write(repo, BASE, commit=True)
    _write(repo, _with(BASE, name={"type": ["string", "null"]}))  # widened: ok under BACKWARD
    code, ids, text = _gate(cli)
    assert (code, ids) == (0, [])
    assert "workflow  HEAD → (working tree)" in text
    _write(repo, {**BASE, "required": ["name", "owner"]})  # a new required property breaks
    code, ids, text = _gate(cli)
    assert (code, ids) == (1, ["gate-policy-violated"])
    assert text.startswith("✗ gate failed") and "[[waivers]]" in text


@pytest.mark.parametrize("where", ["x-version", "version", "$id"])
def test_file_version_from_the_document(repo: Path, cli, where: str) -> None:
    def versioned(doc: dict[str, Any], version: str) -> dict[str, Any]:
        if where == "$id":
            return {**doc, "$id": f"https://example.com/workflow/{version}/schema.json"}
        return {**doc, where: version}

    _write(repo, versioned(BASE, "1.0.0"), commit=True)
    _write(repo, versioned(_with(BASE, name={"type": ["string", "null"]}), "1.1.0"))
    code, ids, text = _gate(cli)
    assert (code, ids) == (0, []), text
    assert "workflow  1.0.0 → 1.1.0  BACKWARD  minor" in text
    # A break released as a minor: the next action names the major.
    _write(repo, versioned({**BASE, "required": ["name", "owner"]}, "1.1.0"))
    res = cli("check", "--against", "HEAD", "--format", "json")
    problems = {p["id"]: p for p in res.json()["decision"]["problems"]}
    assert res.exit_code == 1 and "gate-bump-too-small" in problems
    assert problems["gate-bump-too-small"]["action"].startswith("release it as 2.0.0")
    # The released version edited in place.
    _write(repo, versioned({**BASE, "required": ["name", "owner"]}, "1.0.0"))
    code, ids, _ = _gate(cli)
    assert (code, ids) == (1, ["schema-changed-in-place"])


def test_versioned_layout_is_unchanged(repo: Path, cli) -> None:
    (repo / "schemas" / "workflow").mkdir()
    (repo / "schemas" / "workflow" / "1.0.0.json").write_text(json.dumps(BASE))
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "1.0.0"], cwd=repo, check=True)
    (repo / "schemas" / "workflow" / "1.1.0.json").write_text(
        json.dumps(_with(BASE, name={"type": ["string", "null"]})))
    code, ids, text = _gate(cli)
    assert (code, ids) == (0, [])
    assert "workflow  1.0.0 → 1.1.0" in text
    (repo / "schemas" / "workflow" / "1.0.0.json").unlink()
    code, ids, _ = _gate(cli)
    assert (code, ids) == (1, ["schema-version-removed"])


def test_a_copied_file_whose_id_names_the_old_version(repo: Path, cli) -> None:
    (repo / "schemas" / "workflow").mkdir()
    first = {**BASE, "$id": "https://example.com/workflow/1.0.0.json"}
    (repo / "schemas" / "workflow" / "1.0.0.json").write_text(json.dumps(first))
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "1.0.0"], cwd=repo, check=True)
    (repo / "schemas" / "workflow" / "1.0.1.json").write_text(
        json.dumps({**first, "description": "copied, $id not updated"}))
    res = cli("check", "--against", "HEAD", "--format", "json")
    (problem,) = res.json()["decision"]["problems"]
    assert res.exit_code == 1 and problem["id"] == "gate-id-version-mismatch"
    assert problem["pointer"] == "/$id"
    assert problem["action"] == "set $id to 'https://example.com/workflow/1.0.1.json'"
