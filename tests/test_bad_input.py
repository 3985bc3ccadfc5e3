"""Hostile or broken inputs: one line naming the file and the problem, exit 2, bounded work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import one_line_error, write
from schema_compat.redos import catastrophic_backtracking

OK = {"type": "string"}

BAD = {
    "not-json": ('{"type": ', "not valid JSON"),
    "not-a-schema": ({"type": 5}, "not a valid 2020-12 schema at /type"),
    "ref-nowhere": ({"$ref": "#/$defs/missing"}, "$ref '#/$defs/missing' at / points nowhere"),
    "ref-cycle": ({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                   "$ref": "#/$defs/a"}, "$ref cycle with no base case"),
    "bad-regex": ({"type": "string", "pattern": "(unclosed"},
                  "is not a valid ECMA-262 regular expression"),
    "draft-04-bad": ({"$schema": "http://json-schema.org/draft-04/schema#", "minLength": -1},
                     "not a valid draft-04 schema"),
    "deep-array": ("[" * 10_000 + "]" * 10_000, "nested more than 1024 levels deep"),
    "deep-schema": ('{"properties":' + '{"a":{"properties":' * 5000 + "{}" + "}}" * 5000 + "}",
                    "nested more than 1024 levels deep"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_schema_is_one_line_and_exit_2(name: str, tmp_path: Path, cli) -> None:
    content, expected = BAD[name]
    bad = tmp_path / f"{name}.json"
    bad.write_text(content if isinstance(content, str) else json.dumps(content))
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(OK))
    for args in ((str(ok), str(bad)), (str(bad), str(ok))):
        res = cli("diff", *args)
        assert res.exit_code == 2, res.stdout
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        assert str(bad) in lines[0] and expected in lines[0]
        assert "Traceback" not in res.stderr


def test_huge_file_is_refused_before_reading(tmp_path: Path, cli) -> None:
    big = tmp_path / "big.json"
    with big.open("w") as fh:
        fh.write('{"description": "')
        fh.seek(100 * 1024 * 1024)
        fh.write('"}')
    ok = tmp_path / "ok.json"
    ok.write_text("{}")
    res = cli("diff", str(ok), str(big))
    assert res.exit_code == 2
    assert "over the limit" in res.stderr and str(big) in res.stderr


def test_missing_file(tmp_path: Path, cli) -> None:
    res = cli("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert res.exit_code == 2
    assert "no such file" in res.stderr


def test_debug_shows_the_traceback(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(Exception, match="not valid JSON"):
        cli("--debug", "diff", str(bad), str(bad))


@pytest.mark.parametrize(("pattern", "dangerous"), [
    ("^(a+)+$", True), ("(a|aa)+", True), ("(a|a)*", True), ("^(\\w+\\s?)+$", True),
    ("^(.+\\/)+(.+)\\.(ya?ml)$", True),
    ("^([a-z]+,)*[a-z]+$", False), ("^(\\d{1,3}\\.){3}\\d{1,3}$", False), ("^[0-9a-f]{32}$", False),
    ("^([a-zA-Z0-9_-]+)(\\.[a-zA-Z0-9_-]+)*$", False), ("(.*a){3}", False),
])
def test_catastrophic_backtracking_detection(pattern: str, dangerous: bool) -> None:
    assert catastrophic_backtracking(pattern) is dangerous


def test_catastrophic_pattern_is_compared_and_flagged(tmp_path: Path, cli) -> None:
    """Our engine never backtracks, so the diff finishes; the hazard is reported."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"type": "string"}))
    new.write_text(json.dumps({"type": "string", "pattern": "^(a+)+$"}))
    res = cli("diff", str(old), str(new), "--format", "json")
    assert res.exit_code == 1
    (result,) = res.json()["results"]
    assert result["backward"] == "breaking"
    assert any("can backtrack catastrophically" in n for n in result["notes"])


@pytest.mark.parametrize(("old", "new"), [("^(a)\\1$", "^(b)\\1$"), ("^(?=a)\\w+$", "^(?=b)\\w+$")])
def test_unanalysable_patterns_still_get_confirmed_witnesses(old: str, new: str, tmp_path: Path,
                                                            cli) -> None:
    """Back-references and lookarounds are beyond the automata, but a short string built from
    the patterns' letters proves the break; the oracle confirms it."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"type": "string", "pattern": old}))
    b.write_text(json.dumps({"type": "string", "pattern": new}))
    res = cli("diff", str(a), str(b), "--format", "json")
    (result,) = res.json()["results"]
    assert result["backward"] == "breaking"
    witness = next(w for w in result["witnesses"] if w["direction"] == "backward")
    import regress
    assert regress.Regex(old).find(witness["instance"]) is not None
    assert regress.Regex(new).find(witness["instance"]) is None


def test_git_problems_say_what_is_wrong(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "a.json").write_text("{}")
    monkeypatch.chdir(outside)
    res = cli("diff", "git:v1.0:a.json", "a.json")
    assert res.exit_code == 2 and "not inside a git repository" in res.stderr
    res = cli("check", "--against", "HEAD", "--schemas", ".")
    assert res.exit_code == 2 and "is not in a git repository" in res.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.json").write_text("{}")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit",
                    "-q", "--allow-empty", "-m", "empty"], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    res = cli("diff", "git:v9:a.json", "a.json")
    assert res.exit_code == 2
    assert "v9 is not a commit, branch or tag" in res.stderr and "git fetch" in res.stderr
    assert res.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [("diff", "--nope"), ("diff",), ("nosuch",),
                                  ("diff", "a", "b", "--mode", "sideways")])
def test_usage_errors_are_one_line(args: tuple[str, ...], cli) -> None:
    res = cli(*args)
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("schema-compat: error: ")
    assert "--help" in res.stderr and res.stdout == ""


def test_a_ref_stepping_into_an_array_by_name_points_nowhere(cli, tmp_path: Path) -> None:
    """``items`` is an array here, so ``.../items/properties/...`` names no place: one
    clear line, as any reference that points nowhere (it raised ValueError from the
    resolver's index parsing; found by the fuzzer)."""
    old = write(tmp_path / "old.json", {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"u": {"properties": {"ignore": {"items": [{"properties": {
            "t": {"$ref": "#/definitions/u/properties/ignore/items/properties/t"}}}]}}}},
        "properties": {"updates": {"items": {"$ref": "#/definitions/u"}}}})
    new = write(tmp_path / "new.json", {})
    one_line_error(cli("diff", str(old), str(new)), "points nowhere")
