"""``--default-draft`` and ``default-draft`` in schema-compat.toml, through the real command line.

The case that decides: a schema without ``$schema`` goes from ``{"enum": [1]}`` to
``{"type": "integer", "enum": [1]}``. Read as 2020-12 (the default), ``integer`` takes 1.0,
so the two accept the same messages; read as draft-04, ``integer`` refuses 1.0, which the old
version accepts (1.0 equals 1): backward breaking, with the witness 1.0. Confluent Schema
Registry users' schemas assume draft-07, whose ``integer`` is 2020-12's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import one_line_error, write

OLD = {"enum": [1]}
NEW = {"type": "integer", "enum": [1]}
SPELLINGS = {"4": "draft-04", "draft-04": "draft-04", "6": "draft-06", "7": "draft-07",
             "draft-07": "draft-07", "2019-09": "2019-09", "2020-12": "2020-12"}




@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contracts repository whose schemas name no draft (YAML and JSON alike)."""
    (tmp_path / ".git").mkdir()  # the repository's top, for the configuration search
    write(tmp_path / "schemas" / "count" / "1.0.0.json",
          {**OLD, "$id": "https://example.com/count/1.0.0"})
    write(tmp_path / "schemas" / "count" / "1.1.0.yaml",
          "$id: https://example.com/count/1.1.0\ntype: integer\nenum: [1]\n")
    write(tmp_path / "examples" / "count" / "1.0.0" / "valid" / "float.json", "1.0")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _diff(cli, *extra: str) -> dict[str, Any]:
    res = cli("diff", "count@1.0.0", "count@1.1.0", "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.stderr
    data = res.json()
    data["exit_code"] = res.exit_code
    return data


def test_the_default_stays_2020_12(repo: Path, cli) -> None:
    data = _diff(cli)
    (result,) = data["results"]
    assert data["exit_code"] == 0
    assert (result["backward"], result["forward"]) == ("compatible", "compatible")
    assert result["old"]["draft"] == result["new"]["draft"] == "2020-12"
    assert result["old"]["draft_from"] == "default"
    assert result["default_draft"] == "2020-12"
    assert result["notes"] == []


def test_draft_4_changes_the_verdict_and_is_stated(repo: Path, cli) -> None:
    data = _diff(cli, "--default-draft", "4")
    (result,) = data["results"]
    assert data["exit_code"] == 1
    assert (result["backward"], result["forward"]) == ("breaking", "compatible")
    assert result["witnesses"][0]["instance"] == 1.0
    assert isinstance(result["witnesses"][0]["instance"], float)
    assert result["old"]["draft"] == result["new"]["draft"] == "draft-04"
    assert result["new"]["draft_from"] == "default"
    assert result["default_draft"] == "draft-04"
    assert result["notes"] == ["old and new have no $schema: read as draft-04, the default draft"]
    text = cli("diff", "count@1.0.0", "count@1.1.0", "--default-draft", "draft-04")
    assert "note: old and new have no $schema: read as draft-04" in text.stdout


@pytest.mark.parametrize(("spelling", "name"), sorted(SPELLINGS.items()))
def test_every_spelling_names_its_draft(spelling: str, name: str, repo: Path, cli) -> None:
    (result,) = _diff(cli, "--default-draft", spelling)["results"]
    assert result["new"]["draft"] == name


def test_a_declared_draft_is_kept(repo: Path, cli) -> None:
    write(repo / "schemas" / "count" / "1.1.0.yaml",
          "$schema: https://json-schema.org/draft/2020-12/schema\ntype: integer\nenum: [1]\n")
    (result,) = _diff(cli, "--default-draft", "4")["results"]
    assert result["new"]["draft"] == "2020-12" and result["new"]["draft_from"] == "$schema"
    assert result["old"]["draft"] == "draft-04"
    assert result["notes"] == ["old has no $schema: read as draft-04, the default draft"]


def test_the_config_key_is_honoured_and_the_flag_wins(repo: Path, cli) -> None:
    write(repo / "schema-compat.toml", 'default-draft = "4"\n')
    data = _diff(cli)
    assert data["exit_code"] == 1 and data["results"][0]["default_draft"] == "draft-04"
    data = _diff(cli, "--default-draft", "2020-12")
    assert data["exit_code"] == 0 and data["results"][0]["default_draft"] == "2020-12"
    write(repo / "schema-compat.toml", "default-draft = 7\n")  # a TOML integer reads too
    assert _diff(cli)["results"][0]["default_draft"] == "draft-07"
    write(repo / "pyproject.toml", '[tool.schema-compat]\ndefault-draft = "4"\n')
    (repo / "schema-compat.toml").unlink()
    assert _diff(cli)["results"][0]["default_draft"] == "draft-04"


def test_check_bump_matrix_and_replay_read_the_default(repo: Path, cli) -> None:
    res = cli("check", "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    res = cli("check", "--format", "json", "--default-draft", "4")
    assert res.exit_code == 1
    ids = {p["id"] for p in res.json()["gate"]["problems"]}
    assert "gate-bump-too-small" in ids  # 1.1.0 breaks backward under draft-04
    write(repo / "schema-compat.toml", 'default-draft = "4"\n')
    assert cli("check").exit_code == 1
    assert cli("check", "--default-draft", "7").exit_code == 0

    bump = cli("bump", "count@1.0.0", "count@1.1.0", "--json")
    assert json.loads(bump.stdout)["required_bump"] == "major"
    bump = cli("bump", "count@1.0.0", "count@1.1.0", "--json", "--default-draft", "7")
    assert json.loads(bump.stdout)["required_bump"] == "patch"

    matrix = cli("matrix", "--format", "json", "--fail-on-policy")
    assert matrix.exit_code == 1, matrix.stderr
    (versions,) = [s["versions"] for s in matrix.json()["schemas"]]
    assert {(v["draft"], v["draft_from"]) for v in versions} == {("draft-04", "default")}
    markdown = cli("matrix").stdout
    assert "Read as draft-04, the default draft, as they name no `$schema`: 1.0.0, 1.1.0." \
        in markdown
    assert cli("matrix", "--format", "json", "--fail-on-policy",
               "--default-draft", "2020-12").exit_code == 0

    # The recorded example 1.0 is valid under 1.0.0 and, read as draft-04, not under 1.1.0.
    replay = cli("replay", "count@1.0.0", "count@1.1.0", "--examples", "examples",
                 "--format", "json")
    assert replay.exit_code == 1, replay.stderr
    assert replay.json()["results"][0]["replay"]["backward"] == 1
    replay = cli("replay", "count@1.0.0", "count@1.1.0", "--examples", "examples",
                 "--default-draft", "2020-12")
    assert replay.exit_code == 0, replay.stdout + replay.stderr


def test_validate_reads_the_default(repo: Path, cli) -> None:
    args = ("validate", "--schemas", "schemas", "--schema", "count@1.1.0", "--message", "1.0",
            "--exit-code")
    assert cli(*args).exit_code == 0
    res = cli(*args, "--default-draft", "4")
    assert res.exit_code == 1 and "integer" in res.stdout
    write(repo / "schema-compat.toml", 'default-draft = "4"\n')
    assert cli(*args).exit_code == 1
    assert cli(*args, "--default-draft", "7").exit_code == 0


def test_a_referenced_file_without_schema_is_read_in_the_default(tmp_path: Path, cli) -> None:
    write(tmp_path / "old" / "defs.json", {"n": {"enum": [1]}})
    write(tmp_path / "new" / "defs.json", {"n": {"type": "integer", "enum": [1]}})
    for side in ("old", "new"):
        write(tmp_path / side / "s.json", {"$ref": "defs.json#/n"})
    args = ("diff", str(tmp_path / "old" / "s.json"), str(tmp_path / "new" / "s.json"))
    assert cli(*args).exit_code == 0
    assert cli(*args, "--default-draft", "4").exit_code == 1


def test_a_boolean_schema_is_no_draft_4_schema(tmp_path: Path, cli) -> None:
    schema = write(tmp_path / "t.json", "true")
    assert cli("diff", str(schema), str(schema), "--default-draft", "7").exit_code == 0
    one_line_error(cli("diff", str(schema), str(schema), "--default-draft", "4"),
                   "true is not a draft-04 schema", "write {} for true")


BAD = ["8", "3", "2020", "draft-7", "latest", "", "07"]
COMMANDS = {
    "diff": ["diff", "count@1.0.0", "count@1.1.0"],
    "check": ["check"],
    "bump": ["bump", "count@1.0.0", "count@1.1.0"],
    "matrix": ["matrix"],
    "replay": ["replay", "count@1.0.0", "count@1.1.0", "--examples", "examples"],
    "validate": ["validate", "--schemas", "schemas", "--message", "1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_value_is_one_line_on_every_command(command: str, repo: Path, cli) -> None:
    for bad in BAD:
        one_line_error(cli(*COMMANDS[command], "--default-draft", bad),
                       "--default-draft must be one of 4, 6, 7, 2019-09 or 2020-12",
                       f"got {json.dumps(bad)}")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_config_value_is_one_line(command: str, repo: Path, cli) -> None:
    write(repo / "schema-compat.toml", 'default-draft = "draft-08"\n')
    one_line_error(cli(*COMMANDS[command]), "schema-compat.toml: default-draft must be one of",
                   'got "draft-08"')


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_schema_uri_is_one_line_on_every_command(command: str, repo: Path, cli) -> None:
    write(repo / "schemas" / "count" / "1.1.0.yaml",
          "$schema: http://json-schema.org/draft-03/schema#\ntype: integer\n")
    for extra in ([], ["--default-draft", "7"]):
        one_line_error(cli(*COMMANDS[command], *extra), "1.1.0.yaml",
                       'unknown $schema URI "http://json-schema.org/draft-03/schema#"')


def test_the_library_takes_a_default_draft(repo: Path) -> None:
    from schema_compat.api import diff
    from schema_compat.errors import UsageError

    (result,) = diff("count@1.0.0", "count@1.1.0")
    assert result.backward.status == "compatible"
    (result,) = diff("count@1.0.0", "count@1.1.0", default_draft=4)
    assert result.backward.status == "breaking" and result.default_draft == "draft-04"
    with pytest.raises(UsageError, match="default_draft must be one of"):
        diff("count@1.0.0", "count@1.1.0", default_draft="8")
