"""Schemas written in YAML, through the real command line: a contracts repository of YAML
files, a diff with a witness, annotations on the line of the changed keyword, the traps of
YAML 1.1 (tests/fixtures/yaml-values.json), and the hostile-input rules (docs/yaml.md)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import one_line_error, write

CASES = json.loads((Path(__file__).parent / "fixtures" / "yaml-values.json").read_text())

WIDGET_1_0_0 = """\
$schema: https://json-schema.org/draft/2020-12/schema
$id: https://example.com/schemas/widget/1.0.0
title: Widget
type: object
properties:
  type:
    const: acme.widget.v1
  size:
    type: integer
    minimum: 0
    maximum: 100
  colour:
    enum: ["yes", "no", red]
required: [type, size]
"""




def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contracts repository in YAML (schemas/<name>/<semver>.yaml), committed on main."""
    repo = tmp_path / "contracts"
    write(repo / "schemas" / "widget" / "1.0.0.yaml", WIDGET_1_0_0)
    write(repo / "examples" / "widget" / "1.0.0" / "valid" / "small.json",
          '{"type": "acme.widget.v1", "size": 1}')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "widget 1.0.0")
    monkeypatch.chdir(repo)
    return repo


def release(repo: Path, version: str, text: str, suffix: str = ".yaml") -> Path:
    return write(repo / "schemas" / "widget" / f"{version}{suffix}",
                 text.replace("/widget/1.0.0", f"/widget/{version}"))


# ---------------------------------------------------------------- a YAML contracts repository


def test_check_matrix_bump_and_validate_read_a_yaml_repository(contracts: Path, cli) -> None:
    # 1.1.0 (.yml) narrows `maximum`: a break that a minor release may not make.
    release(contracts, "1.1.0", WIDGET_1_0_0.replace("maximum: 100", "maximum: 10"), ".yml")
    res = cli("check", "--against", "main", "--format", "json")
    assert res.exit_code == 1, res.stderr
    report = res.json()
    (result,) = report["results"]
    assert (result["old"]["version"], result["new"]["version"]) == ("1.0.0", "1.1.0")
    assert result["backward"] == "breaking"
    assert result["new"]["source"].endswith("schemas/widget/1.1.0.yml")
    ids = {p["id"] for p in report["gate"]["problems"]}
    assert "gate-bump-too-small" in ids

    res = cli("bump", "widget@1.0.0", "widget@1.1.0", "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["required_bump"] == "major"

    res = cli("matrix", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "widget" in res.stdout and "1.1.0" in res.stdout

    # Routed by type to the latest version, 1.1.0; "yes" is the string the schema quotes.
    res = cli("validate", "--schemas", "schemas", "--message",
              '{"type": "acme.widget.v1", "size": 5, "colour": "yes"}', "--exit-code")
    assert res.exit_code == 0, res.stdout + res.stderr
    res = cli("validate", "--schemas", "schemas", "--message",
              '{"type": "acme.widget.v1", "size": 50}', "--exit-code")
    assert res.exit_code == 1 and "maximum" in res.stdout


def test_a_compatible_yaml_release_passes_the_gate(contracts: Path, cli) -> None:
    release(contracts, "1.1.0", WIDGET_1_0_0.replace("maximum: 100", "maximum: 1000"))
    res = cli("check", "--against", "main")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "gate passed" in res.stdout


def test_a_released_yaml_version_rewritten_as_json_is_the_same_version(contracts: Path, cli) -> None:
    # The same schema in the other syntax is the same JSON value: no change in place.
    (contracts / "schemas" / "widget" / "1.0.0.yaml").unlink()
    release(contracts, "1.0.0", json.dumps(_read(WIDGET_1_0_0), indent=2), ".json")
    res = cli("check", "--against", "main", "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr


def _read(text: str) -> Any:
    from schema_compat._yaml import parse_yaml

    return parse_yaml(text, "<test>")


def test_matrix_reads_a_yaml_file_from_git_history(contracts: Path, cli) -> None:
    write(contracts / "api" / "widget.yaml", WIDGET_1_0_0)
    git(contracts, "add", "-A")
    git(contracts, "commit", "-q", "-m", "one file")
    git(contracts, "tag", "v1.0.0")
    write(contracts / "api" / "widget.yaml",
          WIDGET_1_0_0.replace("maximum: 100", "maximum: 10").replace("/1.0.0", "/1.1.0"))
    git(contracts, "commit", "-qam", "narrower")
    git(contracts, "tag", "v1.1.0")
    res = cli("matrix", "--git-history", "api/widget.yaml", "--tags", "v*", "--format", "json")
    assert res.exit_code == 0, res.stderr
    report = res.json()
    text = json.dumps(report)
    assert "git:v1.1.0:api/widget.yaml" in text
    assert '"widget"' in text
    res = cli("diff", "git:v1.0.0:api/widget.yaml", "api/widget.yaml", "--format", "json")
    assert res.exit_code == 1
    assert res.json()["results"][0]["backward"] == "breaking"


def test_yaml_examples_are_not_skipped_in_silence(contracts: Path, cli) -> None:
    write(contracts / "examples" / "widget" / "1.0.0" / "valid" / "big.yaml",
          "type: acme.widget.v1\nsize: 1000\n")
    res = cli("check", "--format", "json")
    problems = res.json()["gate"]["problems"]
    assert res.exit_code == 1
    (found,) = [p for p in problems if p["id"] == "gate-example-unreadable"]
    assert "examples are messages and are read as JSON" in found["message"]


# --------------------------------------------------------------------- diff, witness, lines


def test_diff_of_two_yaml_files_has_a_confirmed_witness(tmp_path: Path, cli) -> None:
    old = write(tmp_path / "old.yaml", WIDGET_1_0_0)
    new = write(tmp_path / "new.yml", WIDGET_1_0_0.replace('enum: ["yes", "no", red]',
                                                         'enum: ["yes", red]'))
    res = cli("diff", str(old), str(new), "--format", "json")
    assert res.exit_code == 1, res.stderr
    (result,) = res.json()["results"]
    assert result["backward"] == "breaking"
    (finding,) = [f for f in result["findings"] if f["backward"] == "breaking"]
    assert finding["rule"] == "enum-value-removed"
    witness = finding["witness"]["instance"]
    assert witness["colour"] == "no"  # the quoted "no" is the string, never false
    assert jsonschema.Draft202012Validator(_read(old.read_text())).is_valid(witness)
    assert not jsonschema.Draft202012Validator(_read(new.read_text())).is_valid(witness)


def test_annotations_point_at_the_line_in_the_yaml_file(tmp_path: Path, cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "old.yaml", WIDGET_1_0_0)
    new_text = WIDGET_1_0_0.replace("maximum: 100", "maximum: 10")
    write(tmp_path / "new.yaml", new_text)
    line = new_text.splitlines().index("    maximum: 10") + 1
    res = cli("diff", "old.yaml", "new.yaml", "--format", "github")
    assert res.exit_code == 1, res.stderr
    assert f"::error file=new.yaml,line={line},col=5,title=number-maximum-decreased::" in res.stdout
    res = cli("diff", "old.yaml", "new.yaml", "--format", "sarif")
    (run,) = json.loads(res.stdout)["runs"]
    regions = [loc["physicalLocation"]["region"] for r in run["results"]
               for loc in r["locations"] if r["ruleId"] == "number-maximum-decreased"]
    assert regions and regions[0]["startLine"] == line


def test_lines_inside_an_alias_are_those_of_the_anchored_text(tmp_path: Path, cli,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = """\
type: object
properties:
  a: &limits
    type: integer
    maximum: {max}
  b: *limits
"""
    write(tmp_path / "old.yaml", text.format(max=100))
    write(tmp_path / "new.yaml", text.format(max=10))
    res = cli("diff", "old.yaml", "new.yaml", "--format", "github")
    assert res.exit_code == 1, res.stderr
    # Both changed properties are annotated where `maximum` is written: line 5.
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("::error file=new.yaml")]
    assert lines and all(",line=5," in ln for ln in lines), res.stdout


def test_a_ref_to_a_yaml_file_is_followed(tmp_path: Path, cli) -> None:
    write(tmp_path / "old" / "defs.yaml", "size:\n  type: integer\n  maximum: 100\n")
    write(tmp_path / "new" / "defs.yaml", "size:\n  type: integer\n  maximum: 10\n")
    for side in ("old", "new"):
        write(tmp_path / side / "widget.yaml",
              "type: object\nproperties:\n  size:\n    $ref: defs.yaml#/size\n")
    res = cli("diff", str(tmp_path / "old" / "widget.yaml"), str(tmp_path / "new" / "widget.yaml"),
              "--format", "json")
    assert res.exit_code == 1, res.stderr
    assert res.json()["results"][0]["backward"] == "breaking"


# ----------------------------------------------------------------------- values and traps


@pytest.mark.parametrize("case", CASES, ids=[c["yaml"] for c in CASES])
def test_yaml_values_read_as_json_reads_them_or_refused(case: dict[str, Any], tmp_path: Path,
                                                        cli) -> None:
    """Each YAML value of the table is read as the JSON value given (a diff against the schema
    written in JSON finds nothing), or refused with one line naming the place and the line."""
    text = f"type: object\nproperties:\n  v:\n    const: {case['yaml']}\n"
    yaml_file = write(tmp_path / "s.yaml", text)
    if "refused" in case:
        res = cli("diff", str(yaml_file), str(yaml_file))
        one_line_error(res, f"{yaml_file}: at ", "(line 4)", *case["refused"])
        return
    json_file = write(tmp_path / "s.json", json.dumps(
        {"type": "object", "properties": {"v": {"const": case["json"]}}}))
    res = cli("diff", str(json_file), str(yaml_file), "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    (result,) = res.json()["results"]
    assert result["status"] == "unchanged", (case, result["findings"])


def test_a_duplicate_key_is_refused_with_its_line(tmp_path: Path, cli) -> None:
    bad = write(tmp_path / "bad.yaml",
                "type: object\nproperties:\n  a:\n    type: string\n    type: integer\n")
    res = cli("diff", str(bad), str(bad))
    one_line_error(res, str(bad), 'duplicate key "type" in the object at "/properties/a" (line 5)',
                   "a key may appear once per object")


@pytest.mark.parametrize(("text", "needles"), [
    ("a: 1\n---\nb: 2\n", ["more than one YAML document", "line 2"]),
    ("", ["no YAML document"]),
    ("type: [string\n", ["not valid YAML", "(line 2"]),
    ("<<: {type: string}\n", ["a merge key (<<)"]),
    ("a: &x [*x]\n", ["inside the node it names"]),
    ("a: *nowhere\n", ["to no anchor defined before it"]),
    ("a: &x 1\nb: &x 2\n", ["anchor &x is defined twice"]),
    ("a: \"\\x01\"\n\x01", ["not valid YAML", "unacceptable character #x0001"]),
    ("- type: string\n", ["not a JSON Schema (expected an object or a boolean)"]),
])
def test_yaml_that_is_no_schema_is_refused_in_one_line(text: str, needles: list[str],
                                                       tmp_path: Path, cli) -> None:
    bad = write(tmp_path / "bad.yaml", text)
    one_line_error(cli("diff", str(bad), str(bad)), str(bad), *needles)


def test_not_utf8_is_refused(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"title: caf\xe9\n")
    one_line_error(cli("diff", str(bad), str(bad)), "not valid YAML: not UTF-8 (byte 0xe9 on line 1)")


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path, cli) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    bomb = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")  # 10^10 values, expanded
    started = time.monotonic()
    res = cli("diff", str(bomb), str(bomb))
    one_line_error(res, "aliases expand the document beyond 1,000,000 values")
    assert time.monotonic() - started < 10


def test_nesting_is_bounded(tmp_path: Path, cli) -> None:
    deep = write(tmp_path / "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    one_line_error(cli("diff", str(deep), str(deep)), str(deep), "nest")


def test_aliases_are_copies_and_stay_json(tmp_path: Path, cli) -> None:
    text = "$defs:\n  int: &n {type: integer}\ntype: object\nproperties:\n  a: *n\n  b: *n\n"
    yaml_file = write(tmp_path / "s.yaml", text)
    json_file = write(tmp_path / "s.json", json.dumps(
        {"$defs": {"int": {"type": "integer"}}, "type": "object",
         "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}))
    res = cli("diff", str(json_file), str(yaml_file), "--format", "json")
    assert res.exit_code == 0 and res.json()["results"][0]["status"] == "unchanged"


# ------------------------------------------------------------------------- hostile input


def test_a_yaml_link_out_of_the_repository_is_refused(contracts: Path, tmp_path: Path,
                                                      cli) -> None:
    outside = write(tmp_path / "outside" / "secret.yaml", WIDGET_1_0_0)
    link = contracts / "schemas" / "widget" / "1.1.0.yaml"
    link.symlink_to(outside)
    res = cli("check")
    one_line_error(res, "1.1.0.yaml", "a symbolic link that leads outside")


def test_unknown_schema_uri_in_yaml_is_refused_by_every_command(contracts: Path, cli) -> None:
    release(contracts, "1.1.0", WIDGET_1_0_0.replace(
        "https://json-schema.org/draft/2020-12/schema", "http://127.0.0.1:9/schema"))
    needles = ("1.1.0.yaml", "unknown $schema URI")
    for args in (["diff", "widget@1.0.0", "widget@1.1.0"], ["check"], ["matrix"],
                 ["bump", "widget@1.0.0", "widget@1.1.0"],
                 ["replay", "widget@1.0.0", "widget@1.1.0", "--examples", "examples"],
                 ["validate", "--schemas", "schemas", "--message", "{}"]):
        one_line_error(cli(*args), *needles)
