"""What a person in a hurry reads: the verdict first, a line per version, details for what
fails, the next action and the waiver to paste; and the command line's own options."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import REPO

SCHEMAS = REPO / "schemas"


@pytest.fixture
def contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled contracts, committed in a git repository of its own."""
    root = tmp_path / "contracts"
    root.mkdir()
    for name in ("schemas", "examples"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "schema-compat.toml", root)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "contracts"], cwd=root, check=True)
    monkeypatch.chdir(root)
    return root


def _release(root: Path, name: str, old: str, new: str, change: dict[str, object]) -> None:
    """Write ``new`` as a copy of ``old`` with ``change`` merged into one property."""
    doc = json.loads((root / "schemas" / name / f"{old}.json").read_text(encoding="utf-8"))
    doc["$id"] = doc["$id"].replace(old, new)
    prop, values = next(iter(change.items()))
    assert isinstance(values, dict)
    doc["properties"][prop].update(values)
    (root / "schemas" / name / f"{new}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")


def test_passing_gate_is_short_and_says_so_first(contracts: Path, cli) -> None:
    res = cli("check")
    assert res.exit_code == 0, res.stdout
    lines = res.stdout.splitlines()
    assert lines[0].startswith("✓ gate passed"), lines[0]
    assert len(lines) <= 15, res.stdout
    # One line per release; none red, though most minors break forward (BACKWARD protects
    # only backward), and no witness or replay detail for what passes.
    assert sum(" → " in line for line in lines) == 11
    assert "✗" not in res.stdout and "witness" not in res.stdout


def test_mislabelled_break_says_what_to_release_and_the_waiver_works(contracts: Path, cli) -> None:
    _release(contracts, "beatframe", "2.0.0", "2.1.0", {"tempo_bpm": {"maximum": 20}})
    res = cli("check", "--against", "HEAD")
    assert res.exit_code == 1
    first = res.stdout.splitlines()[0]
    assert first.startswith("✗ gate failed") and "beatframe 2.1.0" in first
    assert "next: release it as 3.0.0 with type 'backbeat.beatframe.v3'" in res.stdout
    assert "witness (backward)" in res.stdout and '"tempo_bpm":21' in res.stdout
    block = res.stdout[res.stdout.index("[[waivers]]"):]
    waiver = "\n".join(line.removeprefix("  ") for line in block.splitlines())
    assert 'rule = "number-maximum-decreased"' in waiver and "fingerprint = " in waiver
    # Pasted as printed, the waiver accepts the break: the gate passes (the break is listed as
    # waived) and the release still needs a minor, as it declares.
    config = contracts / "schema-compat.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + waiver + "\n", encoding="utf-8")
    res = cli("check", "--against", "HEAD")
    assert res.exit_code == 0, res.stdout
    assert res.stdout.startswith("✓ gate passed")
    assert "waived: beatframe: number-maximum-decreased" in res.stdout


def test_verbose_shows_every_comparison(contracts: Path, cli) -> None:
    concise, verbose = cli("check"), cli("check", "--verbose")
    assert verbose.exit_code == concise.exit_code == 0
    assert len(verbose.stdout.splitlines()) > 5 * len(concise.stdout.splitlines())
    assert "witness (forward)" in verbose.stdout and "(policy check)" in verbose.stdout


def test_markdown_of_a_passing_gate_has_no_red_mark(contracts: Path, cli) -> None:
    res = cli("check", "--format", "markdown")
    assert res.exit_code == 0
    assert "✅ **gate passed**" in res.stdout and "❌" not in res.stdout
    assert "breaking (not protected)" not in res.stdout  # passing rows are not expanded
    assert "|---|---|---|---|---|---|" in res.stdout


def test_markdown_writes_no_empty_table(tmp_path: Path, cli) -> None:
    old, new = tmp_path / "a.json", tmp_path / "b.json"
    old.write_text('{"type": "string"}')
    new.write_text('{"type": "string", "description": "d"}')
    res = cli("diff", str(old), str(new), "--format", "markdown")
    assert res.exit_code == 0
    assert "| rule |" not in res.stdout and "witness" not in res.stdout


def test_long_witness_is_folded_in_text_and_whole_in_json(tmp_path: Path, cli) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"type": "array", "maxItems": 100, "items": {"type": "object"}}))
    new.write_text(json.dumps({"type": "array", "maxItems": 50, "items": {"type": "object"}}))
    text = cli("diff", str(old), str(new))
    assert text.exit_code == 1
    assert text.stdout.startswith("✗ breaking (gate: backward)")
    assert "[51 items like {}]" in text.stdout and "{},{},{}" not in text.stdout
    assert text.stdout.count("witness (backward)") == 1
    report = cli("diff", str(old), str(new), "--format", "json").json()
    (witness,) = report["results"][0]["witnesses"]
    assert witness["instance"] == [{}] * 51
    schemas = [json.loads(p.read_text()) for p in (old, new)]
    valid = [Draft202012Validator(s).is_valid(witness["instance"]) for s in schemas]
    assert valid == [True, False]


def _program(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / name), *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=REPO)


@pytest.mark.parametrize("program", ["schema-compat", "backbeat-validate"])
def test_version(program: str) -> None:
    import schema_compat

    res = _program(program, "--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"{program} {schema_compat.__version__}\n"


def test_debug_is_taken_anywhere_on_the_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    plain = _program("schema-compat", "check", "--schemas", missing)
    assert plain.returncode == 2 and plain.stderr.count("\n") == 1, plain.stderr
    late = _program("schema-compat", "check", "--schemas", missing, "--debug")
    assert late.returncode != 0 and "Traceback" in late.stderr
    assert "LoadError" in late.stderr


def test_a_waived_break_still_needs_a_minor(contracts: Path, cli) -> None:
    _release(contracts, "beatframe", "2.0.0", "2.0.1", {"tempo_bpm": {"maximum": 20}})
    first = cli("check", "--against", "HEAD", "--format", "json").json()
    problem = next(p for p in first["decision"]["problems"] if p["id"] == "gate-bump-too-small")
    assert "release it as 3.0.0" in problem["action"]
    config = contracts / "schema-compat.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + problem["waivers"][0] + "\n",
                      encoding="utf-8")
    again = cli("check", "--against", "HEAD", "--format", "json").json()
    ids = [p["id"] for p in again["decision"]["problems"]]
    assert ids == ["gate-bump-too-small"]
    assert again["decision"]["problems"][0]["action"] == "release it as 2.1.0"
    assert again["gate"]["waived"]


@pytest.mark.parametrize("command", ["diff", "check", "bump", "matrix", "replay", "validate"])
def test_every_command_takes_the_same_options(command: str, cli) -> None:
    res = cli(command, "--help")
    assert res.exit_code == 0
    for option in ("--config", "--default-draft", "--ref-dir"):
        assert option in res.stdout, (command, option)
    # The seed's validator keeps its flags (--schemas required, --json); the others share these.
    expected = ("--schemas", "--json") if command == "validate" else ("--schemas", "--format")
    for option in expected:
        assert option in res.stdout, (command, option)


def test_diff_and_bump_read_the_policy_from_the_config(contracts: Path, cli) -> None:
    # beatframe is BACKWARD_TRANSITIVE in the bundled config: 1.0.1 → 1.1.0 breaks only forward.
    assert cli("diff", "beatframe@1.0.1", "beatframe@1.1.0", "-f", "json").json()[
        "results"][0]["required_bump"] == "minor"
    config = contracts / "schema-compat.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'beatframe = "BACKWARD_TRANSITIVE"', 'beatframe = "FULL"'), encoding="utf-8")
    diff = cli("diff", "beatframe@1.0.1", "beatframe@1.1.0", "-f", "json").json()["results"][0]
    bump = cli("bump", "beatframe@1.0.1", "beatframe@1.1.0", "--format", "json").json()
    assert (diff["policy"], diff["required_bump"]) == ("FULL", "major")
    assert (bump["policy"], bump["required_bump"]) == ("FULL", "major")
    # The command line wins over the config.
    assert cli("diff", "beatframe@1.0.1", "beatframe@1.1.0", "-f", "json", "--policy",
               "backward").json()["results"][0]["required_bump"] == "minor"


def test_schemas_default_to_the_configured_directory(contracts: Path, cli) -> None:
    (contracts / "schemas").rename(contracts / "contracts")
    config = contracts / "schema-compat.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'schemas = "schemas"', 'schemas = "contracts"'), encoding="utf-8")
    for args in (("diff", "statusclaim@1.0.0", "statusclaim@1.0.1"),
                 ("bump", "statusclaim@1.0.0", "statusclaim@1.0.1")):
        res = cli(*args)
        assert res.exit_code == 0, (args, res.stderr)


def test_a_witness_is_folded_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each item written once: writing neighbours again to compare them doubled the work at
    # every level of a nested witness (2**depth).
    from schema_compat import _brief

    calls = [0]
    real = _brief._brief

    def counted(value: object) -> str:
        calls[0] += 1
        return real(value)

    monkeypatch.setattr(_brief, "_brief", counted)
    value: object = 0
    for _ in range(22):
        value = [0, value]
    text = _brief.brief(value, limit=10_000)
    assert text.startswith("[0,[0,[0,") and text.endswith("]" * 22)
    assert calls[0] == 2 * 22 + 1  # one per value
    assert _brief.brief([1, True, True, True, 1.0, [], [], []]) == "[1,3 items like true,1.0,3 items like []]"
