"""Every ``--format`` through the real CLI: json, markdown, github, sarif, junit.

The bundled BACKBEAT contracts give real breaks (beatframe 1.1.0 → 2.0.0 narrows ``tempo_bpm``
and bumps the ``type`` constant); small fixtures cover removals, names that need escaping, git
sources and each gating mode. Lines are checked against the schema text searched by hand.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from schema_compat.config import fingerprint
from schema_compat.report import REPORTERS
from schema_compat.report.github import escape_data, escape_property
from schema_compat.rules import RULES

REPO = Path(__file__).resolve().parents[1]
OLD, NEW = "schemas/beatframe/1.1.0.json", "schemas/beatframe/2.0.0.json"


def shared_dir() -> Path:
    """``../shared`` next to the repository; SCHEMA_COMPAT_SHARED overrides."""
    env = os.environ.get("SCHEMA_COMPAT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


SARIF_SCHEMA = shared_dir() / "external-schemas" / "sarif-2.1.0.json"


def line_of(path: str | Path, *needles: str) -> int:
    """The line of the last needle, each searched after the one before it."""
    text = Path(path).read_text(encoding="utf-8")
    offset = 0
    for needle in needles:
        offset = text.index(needle, offset)
    return text.count("\n", 0, offset) + 1


def column_of(path: str | Path, *needles: str) -> int:
    text = Path(path).read_text(encoding="utf-8")
    offset = 0
    for needle in needles:
        offset = text.index(needle, offset)
    return offset - (text.rfind("\n", 0, offset) + 1) + 1


# Where each break of beatframe 1.1.0 → 2.0.0 is in the new file, found by hand.
BEATFRAME_BREAKS = {
    "number-maximum-decreased": ('"tempo_bpm": {', '"maximum"'),
    "number-minimum-increased": ('"tempo_bpm": {', '"minimum"'),
    "const-changed": ('"type": {', '"const"'),
}

_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def unescape(text: str) -> str:
    return (text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n")
            .replace("%0D", "\r").replace("%25", "%"))


def annotations(stdout: str) -> list[dict[str, str]]:
    """Parse workflow commands back, as the runner does."""
    found = []
    for line in stdout.splitlines():
        m = _COMMAND.match(line)
        if m is None:
            continue
        props = dict(p.split("=", 1) for p in m.group(2).split(",")) if m.group(2) else {}
        found.append({"kind": m.group(1), "message": unescape(m.group(3)),
                      **{k: unescape(v) for k, v in props.items()}})
    return found


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def write(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_every_format_is_registered() -> None:
    assert {"text", "json", "markdown", "github", "sarif", "junit"} <= set(REPORTERS)
    # Each listed module registers the format it is listed for (loaded on first use).
    assert all(callable(REPORTERS[name]) for name in REPORTERS)


# --------------------------------------------------------------------------- json, markdown


def test_json_keeps_the_report_contract(cli, in_repo) -> None:
    res = cli("diff", OLD, NEW, "--format", "json")
    assert res.exit_code == 1, res.stderr
    report = res.json()
    assert report["tool"] == "schema-compat" and isinstance(report["version"], str)
    (result,) = report["results"]
    assert result["schema"] == "beatframe"
    assert result["old"]["source"] == OLD and result["old"]["version"] == "1.1.0"
    assert result["new"]["source"] == NEW and result["new"]["version"] == "2.0.0"
    assert result["backward"] in ("compatible", "breaking", "unknown")
    assert result["forward"] in ("compatible", "breaking", "unknown")
    assert result["level"] in ("FULL", "BACKWARD", "FORWARD", "NONE", "UNKNOWN")
    assert result["required_bump"] in ("major", "minor", "patch", "none")
    assert set(result["replay"]) >= {"examples", "changed"}
    rules = {f["rule"]: f for f in result["findings"]}
    assert set(BEATFRAME_BREAKS) <= set(rules)
    for finding in result["findings"]:
        assert set(finding) >= {"rule", "old_path", "new_path", "backward", "forward", "message"}
    witness = rules["number-maximum-decreased"]["witness"]
    assert witness["direction"] == "backward" and "instance" in witness
    assert rules["number-maximum-decreased"]["new_path"] == "/properties/tempo_bpm/maximum"


def test_markdown_has_the_summary_table(cli, in_repo) -> None:
    res = cli("diff", OLD, NEW, "--format", "markdown")
    assert res.exit_code == 1
    assert "| schema | old → new | backward | forward | level | required bump |" in res.stdout
    assert "| beatframe | 1.1.0 → 2.0.0 |" in res.stdout
    assert "`number-maximum-decreased`" in res.stdout


# --------------------------------------------------------------------------- github


def test_github_annotations_point_at_the_changed_keyword(cli, in_repo) -> None:
    res = cli("diff", OLD, NEW, "--format", "github")
    assert res.exit_code == 1
    found = {a["title"]: a for a in annotations(res.stdout)}
    for rule, needles in BEATFRAME_BREAKS.items():
        a = found[rule]
        assert a["kind"] == "error"
        assert a["file"] == NEW
        assert int(a["line"]) == line_of(NEW, *needles)
        assert int(a["col"]) == column_of(NEW, *needles)
        assert "witness: {" in a["message"]
    # Annotation-only changes are not annotated; the summary is the last line.
    assert not any(t.startswith("annotation-") for t in found)
    last = res.stdout.splitlines()[-1]
    assert last.startswith("schema-compat (backward): 1 comparison, FAILED: beatframe; 3 errors")


def test_github_modes_decide_error_or_notice(cli, tmp_path) -> None:
    old = write(tmp_path / "old.json", {"enum": ["a", "b"]})
    new = write(tmp_path / "new.json", {"enum": ["a", "b", "c"]})
    backward = cli("diff", str(old), str(new), "--format", "github", "--mode", "backward")
    forward = cli("diff", str(old), str(new), "--format", "github", "--mode", "forward")
    assert (backward.exit_code, forward.exit_code) == (0, 1)
    (b,) = annotations(backward.stdout)
    (f,) = annotations(forward.stdout)
    assert (b["kind"], f["kind"]) == ("notice", "error")
    assert b["title"] == f["title"] == "enum-value-added"
    assert "forward breaking, not gated" in b["message"]
    assert int(f["line"]) == line_of(new, '"enum"')
    assert "passed" in backward.stdout.splitlines()[-1]


def test_github_removal_points_at_the_old_file(cli, tmp_path) -> None:
    old = write(tmp_path / "old.json", {"type": "object", "additionalProperties": False,
                                        "properties": {"a": {}, "gone": {"type": "integer"}}})
    new = write(tmp_path / "new.json", {"type": "object", "additionalProperties": False,
                                        "properties": {"a": {}}})
    res = cli("diff", str(old), str(new), "--format", "github")
    (a,) = [a for a in annotations(res.stdout) if a["title"] == "property-removed"]
    assert a["kind"] == "error"
    assert Path(a["file"]).name == "old.json"
    assert int(a["line"]) == line_of(old, '"gone"')


def test_github_unknown_is_a_warning(cli, in_repo) -> None:
    # With no time at all, no change can be measured: each one's effect is unknown.
    res = cli("diff", OLD, NEW, "--format", "github", "--timeout", "1e-9")
    assert res.exit_code == 1
    found = annotations(res.stdout)
    warnings = [a for a in found if a["kind"] == "warning"]
    assert {a["title"] for a in warnings} >= set(BEATFRAME_BREAKS)
    for a in warnings:
        assert a["file"] == NEW and int(a["line"]) == line_of(NEW, *BEATFRAME_BREAKS[a["title"]])
        assert "effect unknown" in a["message"]


def test_github_escapes_properties_and_data(cli, tmp_path) -> None:
    name = "x,y:z%\n"
    old = write(tmp_path / "we,ird:100%.json",
                {"type": "object", "properties": {name: {"maxLength": 9}}})
    new = write(tmp_path / "new.json", {"type": "object", "properties": {name: {"maxLength": 3}}})
    res = cli("diff", str(old), str(new), "--format", "github")
    raw = [line for line in res.stdout.splitlines() if line.startswith("::error")]
    assert len(raw) == 1
    # The newline of the name is shown as an escape (\n), not as a line break of the message.
    assert "\n" not in raw[0] and "x,y:z%25\\n" in raw[0]
    props = raw[0].split("::")[1]
    assert "x,y" not in props  # a raw comma would end the property
    (a,) = annotations(res.stdout)
    assert a["title"] == "string-max-length-decreased"
    assert int(a["line"]) == line_of(new, '"maxLength"')
    assert escape_property("a,b:c%d\r\ne") == "a%2Cb%3Ac%25d%0D%0Ae"
    assert escape_data("a,b:c%d\ne") == "a,b:c%25d%0Ae"
    # The old file's odd name survives the round trip.
    removal = cli("diff", str(old), str(write(tmp_path / "empty.json", {"type": "object"})),
                  "--format", "github", "--mode", "full")
    assert any(Path(x["file"]).name == "we,ird:100%.json" for x in annotations(removal.stdout))


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_github_git_sources_name_the_file_without_a_line(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}.items():
        monkeypatch.setenv(key, value)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], check=True, capture_output=True)

    git("init", "-q")
    old = {"type": "object", "additionalProperties": False,
           "properties": {"kept": {"type": "integer", "maximum": 10},
                          "gone": {"type": "string"}}}
    write(tmp_path / "s.json", old)
    git("add", "s.json")
    git("commit", "-q", "-m", "old")
    new = {"type": "object", "additionalProperties": False,
           "properties": {"kept": {"type": "integer", "maximum": 5}}}
    write(tmp_path / "s.json", new)

    # Old side from git, new side on disk: lines in the new file; a removal is shown in the
    # new file at the enclosing subschema (the old file exists only in git).
    res = cli("diff", "git:HEAD:s.json", "s.json", "--format", "github")
    found = {a["title"]: a for a in annotations(res.stdout)}
    assert found["number-maximum-decreased"]["file"] == "s.json"
    assert int(found["number-maximum-decreased"]["line"]) == line_of("s.json", '"maximum"')
    assert found["property-removed"]["file"] == "s.json"
    assert int(found["property-removed"]["line"]) == line_of("s.json", '"properties"')

    # New side from git: the file is named, with no line.
    res = cli("diff", "s.json", "git:HEAD:s.json", "--format", "github", "--mode", "forward")
    found = {a["title"]: a for a in annotations(res.stdout)}
    a = found["number-maximum-increased"]
    assert a["kind"] == "error" and a["file"] == "s.json" and "line" not in a


def test_github_schema_removed_from_a_directory(cli, tmp_path) -> None:
    write(tmp_path / "old" / "a" / "1.0.0.json", {"type": "object"})
    write(tmp_path / "old" / "b" / "1.0.0.json", {"type": "string"})
    write(tmp_path / "new" / "a" / "1.0.0.json", {"type": "object"})
    res = cli("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "github")
    assert res.exit_code == 1
    (a,) = annotations(res.stdout)
    assert a["kind"] == "error" and a["title"] == "schema-removed"
    assert a["file"].endswith("b/1.0.0.json") and a["line"] == "1"
    assert "2 comparisons, FAILED: b" in res.stdout.splitlines()[-1]


# --------------------------------------------------------------------------- sarif


def sarif(cli, *args: str) -> dict[str, Any]:
    res = cli("diff", *args, "--format", "sarif")
    assert res.exit_code in (0, 1), res.stderr
    log: dict[str, Any] = res.json()
    return log


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason=f"no SARIF schema at {SARIF_SCHEMA}")
@pytest.mark.parametrize("extra", [(), ("--mode", "full"), ("--timeout", "1e-9")])
def test_sarif_is_valid_sarif_2_1_0(cli, in_repo, extra) -> None:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = sarif(cli, OLD, NEW, *extra)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_sarif_results_rules_and_locations(cli, in_repo) -> None:
    log = sarif(cli, OLD, NEW)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "schema-compat"
    ids = [r["id"] for r in driver["rules"]]
    # Every rule, sorted (stable indexes), then the verdict rules of the CI formats.
    assert ids == [*sorted(RULES), "gate-problem", "schema-incompatible", "schema-removed"]
    results = {r["ruleId"]: r for r in run["results"]}
    for rule, needles in BEATFRAME_BREAKS.items():
        r = results[rule]
        assert r["level"] == "error"
        assert driver["rules"][r["ruleIndex"]]["id"] == rule
        (loc,) = r["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == NEW
        region = loc["physicalLocation"]["region"]
        assert region["startLine"] == line_of(NEW, *needles)
        assert region["startColumn"] == column_of(NEW, *needles)
        related = r["relatedLocations"][0]["physicalLocation"]
        assert related["artifactLocation"]["uri"] == OLD
        path = r["properties"]["new_path"]
        assert r["partialFingerprints"]["schemaCompatFinding/v1"] == fingerprint(
            "beatframe", rule, r["properties"]["old_path"], path)
        assert r["properties"]["backward"] == "breaking"
        assert r["properties"]["witness"]["direction"] == "backward"
    rule = next(d for d in driver["rules"] if d["id"] == "number-maximum-decreased")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["help"]["markdown"] and rule["fullDescription"]["text"]


def test_sarif_levels_follow_the_gated_directions(cli, tmp_path) -> None:
    old = write(tmp_path / "old.json", {"enum": ["a", "b"]})
    new = write(tmp_path / "new.json", {"enum": ["a", "b", "c"]})
    (b,) = sarif(cli, str(old), str(new), "--mode", "backward")["runs"][0]["results"]
    (f,) = sarif(cli, str(old), str(new), "--mode", "forward")["runs"][0]["results"]
    assert (b["level"], f["level"]) == ("note", "error")
    assert b["properties"]["forward"] == f["properties"]["forward"] == "breaking"


# --------------------------------------------------------------------------- junit


def junit(cli, *args: str) -> ET.Element:
    res = cli("diff", *args, "--format", "junit")
    assert res.exit_code in (0, 1), res.stderr
    assert res.stdout.startswith("<?xml")
    return ET.fromstring(res.stdout)


def test_junit_counts_failures(cli, in_repo) -> None:
    root = junit(cli, OLD, NEW)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "beatframe 1.1.0 → 2.0.0"
    assert {c.get("classname") for c in suite.iter("testcase")} == {"schema-compat.beatframe"}
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert {c.get("name").split(" at ")[0] for c in failures} == {
        f"backward: {rule}" for rule in BEATFRAME_BREAKS}
    assert int(suite.get("failures")) == len(failures) == 3
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
    assert int(root.get("failures")) == 3 and int(root.get("errors")) == 0
    # The forward break (the `type` constant) is shown but not gated under --mode backward.
    assert any(c.get("name").startswith("forward: const-changed") and c.find("skipped") is not None
               for c in cases)
    failure = next(c for c in failures if "number-maximum-decreased" in c.get("name"))
    assert failure.get("file") == NEW
    assert int(failure.get("line")) == line_of(NEW, *BEATFRAME_BREAKS["number-maximum-decreased"])
    element = failure.find("failure")
    assert element.get("message").startswith("number-maximum-decreased: maximum lowered")
    assert element.get("type") == "breaking"
    body = element.text or ""
    witness = json.loads(body[body.index("{"): body.rindex("}") + 1])
    assert witness["tempo_bpm"] > 24


def test_junit_full_mode_and_unknown(cli, in_repo) -> None:
    full = junit(cli, OLD, NEW, "--mode", "full")
    assert int(full.get("skipped")) == 0 and int(full.get("failures")) == 4
    unknown = junit(cli, OLD, NEW, "--timeout", "1e-9")
    assert int(unknown.get("errors")) >= 3
    errors = [c for c in unknown.iter("testcase") if c.find("error") is not None]
    assert all(c.find("error").get("type") == "unknown" for c in errors)


def test_junit_passing_schemas_have_passing_tests(cli, in_repo) -> None:
    root = junit(cli, "schemas", "schemas")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "barreport 2.0.0 → 2.0.0", "beatframe 2.0.0 → 2.0.0", "statusclaim 2.0.0 → 2.0.0"]
    for suite in suites:
        names = [c.get("name") for c in suite.findall("testcase")]
        assert names == ["backward", "forward"]
    assert int(root.get("tests")) == 6
    assert root.get("failures") == root.get("errors") == root.get("skipped") == "0"


def test_junit_survives_characters_xml_cannot_hold(cli, tmp_path) -> None:
    old = write(tmp_path / "old.json", {"properties": {"a\u0001b": {"maximum": 9}},
                                        "type": "object"})
    new = write(tmp_path / "new.json", {"properties": {"a\u0001b": {"maximum": 3}},
                                        "type": "object"})
    root = junit(cli, str(old), str(new))
    assert int(root.get("failures")) == 1


# --------------------------------------------------------------------------- all formats


@pytest.mark.parametrize("fmt", ["json", "markdown", "github", "sarif", "junit", "text"])
def test_output_is_deterministic(cli, in_repo, fmt) -> None:
    first = cli("diff", OLD, NEW, "--format", fmt, "--mode", "full")
    second = cli("diff", OLD, NEW, "--format", fmt, "--mode", "full")
    assert first.exit_code == second.exit_code == 1
    assert first.stdout == second.stdout and first.stdout


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_ci_formats_agree_with_the_exit_code(cli, in_repo, fmt) -> None:
    same = cli("diff", NEW, NEW, "--format", fmt)
    assert same.exit_code == 0
    if fmt == "github":
        assert annotations(same.stdout) == []
    elif fmt == "sarif":
        assert same.json()["runs"][0]["results"] == []
    else:
        root = ET.fromstring(same.stdout)
        assert root.get("failures") == root.get("errors") == "0"


# --------------------------------------------------------------------------- under the release gate


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The BACKBEAT contracts committed on ``main`` of a throwaway repository, on a branch."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    for key, value in {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}.items():
        monkeypatch.setenv(key, value)
    repo = tmp_path / "contracts"
    repo.mkdir()
    for tree in ("schemas", "examples"):
        shutil.copytree(REPO / tree, repo / tree)
    shutil.copy(REPO / "schema-compat.toml", repo / "schema-compat.toml")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "contracts"),
                 ("checkout", "-q", "-b", "change")):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    monkeypatch.chdir(repo)
    return repo


def release_beatframe(repo: Path, version: str, *, maximum: int, type_major: int) -> str:
    """A new beatframe version with a lower tempo maximum; returns its path."""
    schema = json.loads((repo / "schemas" / "beatframe" / "2.0.0.json").read_text())
    schema["$id"] = schema["$id"].replace("2.0.0", version)
    schema["properties"]["tempo_bpm"]["maximum"] = maximum
    schema["properties"]["type"]["const"] = f"backbeat.beatframe.v{type_major}"
    path = f"schemas/beatframe/{version}.json"
    write(repo / path, schema)
    return path


def test_gate_failure_annotates_the_keyword_and_the_problem(contracts, cli) -> None:
    # A break released as a minor version: the gate refuses it.
    path = release_beatframe(contracts, "2.1.0", maximum=12, type_major=2)
    res = cli("check", "--against", "main", "--format", "github")
    assert res.exit_code == 1
    found = annotations(res.stdout)
    (err,) = [a for a in found if a["title"] == "number-maximum-decreased"]
    assert err["kind"] == "error" and err["file"] == path
    assert int(err["line"]) == line_of(path, '"tempo_bpm": {', '"maximum"')
    problems = [a for a in found if a["title"] == "gate-problem"]
    assert problems and all(a["kind"] == "error" and a["file"] == path for a in problems)
    assert any("declared minor bump" in a["message"] for a in problems)
    assert "gate FAILED" in res.stdout.splitlines()[-1]

    root = ET.fromstring(cli("check", "--against", "main", "--format", "junit").stdout)
    gate_suite = next(s for s in root.iter("testsuite") if s.get("name") == "release gate")
    assert int(gate_suite.get("failures")) == len(problems)
    assert int(root.get("failures")) == len(problems) + 1


def test_gate_pass_turns_allowed_breaks_into_notices(contracts, cli) -> None:
    # The same break released as a major version, type constant and all: the gate passes.
    path = release_beatframe(contracts, "3.0.0", maximum=12, type_major=3)
    res = cli("check", "--against", "main", "--format", "github")
    assert res.exit_code == 0, res.stdout
    found = annotations(res.stdout)
    assert found and all(a["kind"] == "notice" for a in found)
    note = next(a for a in found if a["title"] == "number-maximum-decreased")
    assert note["file"] == path and "release gate allows it" in note["message"]

    junit_root = ET.fromstring(cli("check", "--against", "main", "--format", "junit").stdout)
    assert junit_root.get("failures") == junit_root.get("errors") == "0"
    assert int(junit_root.get("skipped")) >= 2

    log = json.loads(cli("check", "--against", "main", "--format", "sarif").stdout)
    results = log["runs"][0]["results"]
    assert results and all(r["level"] == "note" for r in results)
    assert all(r["properties"]["allowedByGate"] for r in results)
    assert log["runs"][0]["properties"]["gate"]["passed"] is True
    if SARIF_SCHEMA.is_file():
        import jsonschema

        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        assert not list(jsonschema.Draft7Validator(schema).iter_errors(log))
