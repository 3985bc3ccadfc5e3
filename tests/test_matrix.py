"""`schema-compat matrix`: every version against every other, checked against the engine itself.

The matrix has no logic of its own about compatibility: every cell must be what
``engine.compare`` (and so ``schema-compat diff``) says about that ordered pair.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from schema_compat import matrix as matrix_module
from schema_compat.config import load_config
from schema_compat.engine import Options, compare
from schema_compat.errors import LoadError
from schema_compat.loading import load_repository
from schema_compat.matrix import FAIL, NEW_MAJOR, PASS, MatrixReport, build_matrix, write_atomic

CHROMIUM = Path("/usr/bin/chromium")
LEVEL_TEXT = {"FULL": "↔ FULL", "BACKWARD": "→ BACKWARD", "FORWARD": "← FORWARD",
              "NONE": "✗ NONE", "UNKNOWN": "? UNKNOWN"}


@pytest.fixture(scope="module")
def bundled() -> MatrixReport:
    """The matrix of the bundled contracts with their configured policies."""
    return build_matrix(load_repository(REPO / "schemas"), load_config(REPO), workers=2)


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


# ---------------------------------------------------------------- agreement with the engine


def test_every_cell_is_what_compare_says(bundled: MatrixReport) -> None:
    repo = load_repository(REPO / "schemas")
    config = load_config(REPO)
    assert [m.name for m in bundled.schemas] == repo.names()
    for m in bundled.schemas:
        docs = {str(d.version): d for d in repo.versions(m.name)}
        assert list(m.labels) == list(docs)
        policy = config.policy(m.name)
        for old in m.labels:
            for new in m.labels:
                if old == new:
                    continue
                result = compare(docs[old], docs[new], Options(policy=policy))
                cell = m.cell(old, new)
                assert (cell.backward.status, cell.forward.status, cell.level) == (
                    result.backward.status, result.forward.status, result.level), (m.name, old, new)
                # A breaking direction carries a witness the real pair confirms.
                for verdict in (cell.backward, cell.forward):
                    if verdict.status == "breaking":
                        assert verdict.witnesses
        for k, release in enumerate(m.releases[1:], start=1):
            prev = m.labels[k - 1]
            result = compare(docs[prev], docs[release.label], Options(policy=policy))
            assert release.required_bump == result.required_bump, (m.name, release.label)


def test_witnesses_of_mirrored_cells_point_the_right_way(bundled: MatrixReport) -> None:
    from schema_compat.normalize import prepare
    from schema_compat.oracle import is_valid

    repo = load_repository(REPO / "schemas")
    m = next(s for s in bundled.schemas if s.name == "barreport")
    roots = {str(d.version): prepare(d) for d in repo.versions("barreport")}
    for cell in m.cells:
        for verdict, producer, consumer in ((cell.backward, cell.old, cell.new),
                                            (cell.forward, cell.new, cell.old)):
            for w in verdict.witnesses:
                # Produced under one side, rejected by the consumer's side.
                assert is_valid(roots[producer], w.instance)
                assert not is_valid(roots[consumer], w.instance)


@pytest.mark.parametrize(("name", "old", "new"), [
    ("barreport", "1.0.0", "1.2.0"),
    ("barreport", "2.0.0", "1.1.0"),
    ("statusclaim", "1.2.0", "1.0.1"),
    ("beatframe", "1.0.1", "1.1.0"),
])
def test_cells_match_the_diff_command(cli, in_repo: Path, name: str, old: str, new: str) -> None:
    res = cli("matrix", "--format", "json", "--schema", name)
    assert res.exit_code == 0, res.stderr
    cells = {(c["old"], c["new"]): c for c in res.json()["schemas"][0]["cells"]}
    diff = cli("diff", f"schemas/{name}/{old}.json", f"schemas/{name}/{new}.json",
               "--format", "json")
    assert diff.exit_code in (0, 1), diff.stderr
    (result,) = diff.json()["results"]
    cell = cells[(old, new)]
    assert (cell["backward"], cell["forward"], cell["level"]) == (
        result["backward"], result["forward"], result["level"])


def test_mirror_swaps_the_directions(bundled: MatrixReport) -> None:
    for m in bundled.schemas:
        for cell in m.cells:
            other = m.cell(cell.new, cell.old)
            assert (other.backward.status, other.forward.status) == (
                cell.forward.status, cell.backward.status)


def test_each_pair_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []
    real = matrix_module._run_pair

    def counting(task: Any) -> Any:
        seen.append((task.old, task.new))
        return real(task)

    monkeypatch.setattr(matrix_module, "_run_pair", counting)
    report = build_matrix(load_repository(REPO / "schemas"), load_config(REPO), workers=1,
                          names=["beatframe"])
    assert sorted(seen) == [(i, j) for i in range(4) for j in range(i + 1, 4)]
    assert len(report.schemas[0].cells) == 12  # both orders of the 6 pairs


def test_summary_lists_readers_and_producers(bundled: MatrixReport) -> None:
    m = next(s for s in bundled.schemas if s.name == "beatframe")
    by = {s.label: s for s in m.summaries}
    assert by["1.1.0"].reads_from == ("1.0.0", "1.0.1", "1.1.0")
    assert by["1.0.0"].read_by == ("1.0.0", "1.0.1", "1.1.0")
    assert by["2.0.0"].reads_from == ("2.0.0",) and by["2.0.0"].read_by == ("2.0.0",)
    for s in m.summaries:
        for producer in s.reads_from:
            if producer != s.label:
                assert m.cell(producer, s.label).backward.status == "compatible"


def test_progress_reports_every_pair() -> None:
    calls: list[tuple[int, int]] = []
    build_matrix(load_repository(REPO / "schemas"), load_config(REPO), workers=2,
                 progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 26) and calls[-1] == (26, 26)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_progress_bar_on_a_terminal(cli, in_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    res = cli("matrix", "--out", str(tmp_path / "m.md"), "--workers", "2")
    assert res.exit_code == 0, res.stderr
    assert "comparing versions" in res.stderr and "26/26" in res.stderr
    assert (tmp_path / "m.md").read_text() == (REPO / "docs" / "compatibility-matrix.md").read_text()


# ------------------------------------------------------------------------------ determinism


@pytest.mark.parametrize("fmt", ["markdown", "json", "html"])
def test_two_runs_give_identical_bytes(cli, in_repo: Path, tmp_path: Path, fmt: str) -> None:
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"matrix-{workers}.{fmt}"
        res = cli("matrix", "--format", fmt, "--out", str(out), "--workers", workers)
        assert res.exit_code == 0, res.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert str(REPO) not in outputs[0].decode()  # no absolute paths


def test_stdout_without_out(cli, in_repo: Path) -> None:
    res = cli("matrix")
    assert res.exit_code == 0
    assert res.stdout == (REPO / "docs" / "compatibility-matrix.md").read_text()


# -------------------------------------------------------------------------- --check, writing


def test_check_fresh_stale_missing(cli, in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "matrix.md"
    one = ("--schema", "beatframe")
    assert cli("matrix", *one, "--out", str(out)).exit_code == 0
    fresh = cli("matrix", *one, "--out", str(out), "--check")
    assert fresh.exit_code == 0 and "up to date" in fresh.stderr

    out.write_text(out.read_text().replace("FULL", "FUL", 1))
    stale = cli("matrix", *one, "--out", str(out), "--check")
    assert stale.exit_code == 1
    assert len(stale.stderr.strip().splitlines()) == 1 and "stale" in stale.stderr
    assert "FUL " in out.read_text()  # --check never writes

    out.unlink()
    missing = cli("matrix", *one, "--out", str(out), "--check")
    assert missing.exit_code == 1 and "missing" in missing.stderr
    assert not out.exists()


def test_check_infers_the_format_from_the_suffix(cli, in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "matrix.html"
    assert cli("matrix", "--schema", "beatframe", "--out", str(out)).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert cli("matrix", "--schema", "beatframe", "--out", str(out), "--check").exit_code == 0


def test_usage_errors_exit_2(cli, in_repo: Path, tmp_path: Path) -> None:
    res = cli("matrix", "--check")
    assert res.exit_code == 2 and "--check needs --out" in res.stderr
    res = cli("matrix", "--tags", "v*")
    assert res.exit_code == 2
    res = cli("matrix", str(tmp_path / "nowhere"))
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = cli("matrix", "--schema", "nosuch")
    assert res.exit_code == 2 and "nosuch" in res.stderr
    res = cli("matrix", "--out", str(tmp_path / "no" / "dir" / "m.md"))
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = cli("matrix", "--policy", "SIDEWAYS")
    assert res.exit_code == 2


def test_bad_schema_exits_2_naming_the_file(cli, tmp_path: Path) -> None:
    bad = tmp_path / "schemas" / "x"
    bad.mkdir(parents=True)
    (bad / "1.0.0.json").write_text('{"type": "object"}')
    (bad / "1.1.0.json").write_text('{"type": 12}')
    res = cli("matrix", str(tmp_path / "schemas"))
    assert res.exit_code == 2
    assert "1.1.0.json" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.md"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert (target.stat().st_mode & 0o777) == 0o640  # the file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(LoadError, match="No space left"):
        write_atomic(target, "half-written\n")
    assert target.read_text() == "new\n"  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]  # no temporary left


def test_new_file_gets_default_permissions(tmp_path: Path) -> None:
    target = tmp_path / "fresh.md"
    write_atomic(target, "x\n")
    umask = os.umask(0)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~umask)


# ---------------------------------------------------------------------------- policy gates


def _schema(major: int, maximum: int, extra: bool = False, pattern: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"const": f"test.gauge.v{major}"},
                             "n": {"type": "integer", "minimum": 0, "maximum": maximum}}
    if extra:
        props["note"] = {"type": "string"}
    if pattern is not None:
        props["code"] = {"type": "string", "pattern": pattern}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "required": ["type", "n"], "properties": props, "additionalProperties": False}


def _history(root: Path, versions: dict[str, dict[str, Any]]) -> Path:
    directory = root / "schemas" / "gauge"
    directory.mkdir(parents=True)
    for version, schema in versions.items():
        (directory / f"{version}.json").write_text(json.dumps(schema, indent=2))
    return root / "schemas"


# 1.1.0 narrows n (breaks backward); 1.2.0 widens it again, but not back to 1.0.0's range:
# fine against 1.1.0, breaking against 1.0.0. 2.x is a new line.
GAUGE = {"1.0.0": _schema(1, 10), "1.1.0": _schema(1, 5), "1.2.0": _schema(1, 8),
         "2.0.0": _schema(2, 100), "2.1.0": _schema(2, 100, extra=True)}


def _releases(cli, schemas: Path, policy: str, *extra: str) -> tuple[int, dict[str, Any]]:
    res = cli("matrix", str(schemas), "--format", "json", "--policy", policy, *extra)
    assert res.exit_code in (0, 1), res.stderr
    releases = {r["label"]: r for r in res.json()["schemas"][0]["releases"]}
    return res.exit_code, releases


def test_transitive_policy_fails_where_the_plain_one_passes(cli, tmp_path: Path) -> None:
    schemas = _history(tmp_path, GAUGE)
    _, plain = _releases(cli, schemas, "BACKWARD")
    _, transitive = _releases(cli, schemas, "BACKWARD_TRANSITIVE")
    verdicts = lambda rs: {k: r["verdict"] for k, r in rs.items()}  # noqa: E731
    assert verdicts(plain) == {"1.0.0": "first release", "1.1.0": FAIL, "1.2.0": PASS,
                               "2.0.0": NEW_MAJOR, "2.1.0": PASS}
    assert verdicts(transitive) == {"1.0.0": "first release", "1.1.0": FAIL, "1.2.0": FAIL,
                                    "2.0.0": NEW_MAJOR, "2.1.0": PASS}
    assert [c["against"] for c in plain["1.2.0"]["checks"]] == ["1.1.0"]
    assert [(c["against"], c["satisfied"]) for c in transitive["1.2.0"]["checks"]] == [
        ("1.0.0", False), ("1.1.0", True)]
    # The major line restarts at 2.0.0: 2.1.0 is not checked against 1.x.
    assert [c["against"] for c in transitive["2.1.0"]["checks"]] == ["2.0.0"]


def test_forward_and_none_policies(cli, tmp_path: Path) -> None:
    schemas = _history(tmp_path, GAUGE)
    _, forward = _releases(cli, schemas, "FORWARD")
    assert {k: r["verdict"] for k, r in forward.items()} == {
        "1.0.0": "first release", "1.1.0": PASS, "1.2.0": FAIL, "2.0.0": NEW_MAJOR, "2.1.0": FAIL}
    _, none = _releases(cli, schemas, "NONE")
    assert {r["verdict"] for k, r in none.items() if k not in ("1.0.0", "2.0.0")} == {PASS}


def test_declared_bump_below_required_is_flagged(cli, tmp_path: Path) -> None:
    schemas = _history(tmp_path, GAUGE)
    _, releases = _releases(cli, schemas, "BACKWARD")
    r = releases["1.1.0"]
    assert (r["declared_bump"], r["required_bump"], r["bump_too_small"]) == ("minor", "major", True)
    assert releases["2.0.0"]["required_bump"] == "major" and not releases["2.0.0"]["bump_too_small"]
    md = cli("matrix", str(schemas), "--policy", "BACKWARD").stdout
    assert "⚠️ minor (too small)" in md


def test_fail_on_policy_sets_the_exit_code(cli, tmp_path: Path) -> None:
    schemas = _history(tmp_path, GAUGE)
    assert cli("matrix", str(schemas), "--policy", "BACKWARD").exit_code == 0
    res = cli("matrix", str(schemas), "--policy", "BACKWARD", "--fail-on-policy")
    assert res.exit_code == 1
    assert "gauge 1.1.0: violates BACKWARD against 1.0.0" in res.stderr


def test_unknown_fails_closed(cli, tmp_path: Path) -> None:
    # Backreferences are not regular: the engine cannot decide, so the gate must not pass.
    schemas = _history(tmp_path, {"1.0.0": _schema(1, 10, pattern="^(a+)\\1$"),
                                  "1.1.0": _schema(1, 10, pattern="^(a+)\\1b?$")})
    code, releases = _releases(cli, schemas, "BACKWARD", "--fail-on-policy")
    assert code == 1
    check = releases["1.1.0"]["checks"][0]
    assert (check["backward"], check["satisfied"]) == ("unknown", False)
    md = cli("matrix", str(schemas), "--policy", "BACKWARD").stdout
    assert "? UNKNOWN" in md and "unproven: 1.0.0" in md and "### Unknown verdicts" in md


# ------------------------------------------------------------------------------ git history


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository keeping one file per schema, versioned by commits and tags."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for var, value in (("GIT_AUTHOR_NAME", "t"), ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
                       ("GIT_COMMITTER_NAME", "t"), ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
                       ("GIT_CONFIG_GLOBAL", os.devnull), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(var, value)
    repo = tmp_path / "single"
    (repo / "contracts").mkdir(parents=True)
    (repo / "schema-compat.toml").write_text('[policies]\nbeatframe = "BACKWARD_TRANSITIVE"\n')
    _git(repo, "init", "-q", "-b", "main")
    target = repo / "contracts" / "beatframe.json"
    for i, version in enumerate(["1.0.0", "1.0.1", "1.1.0", "2.0.0"]):
        shutil.copy(REPO / "schemas" / "beatframe" / f"{version}.json", target)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"beatframe {version}")
        if version != "1.0.1":
            _git(repo, "tag", f"v{version}")
        if i == 0:  # a commit that does not touch the schema, with a tag
            (repo / "README").write_text("x\n")
            _git(repo, "add", "-A")
            _git(repo, "commit", "-q", "-m", "readme")
            _git(repo, "tag", "v1.0.2")
    _git(repo, "tag", "release-candidate")
    monkeypatch.chdir(repo)
    return repo


def test_git_history_commits(cli, history: Path) -> None:
    target = history / "contracts" / "beatframe.json"
    target.write_text('{"work": "in progress"}')  # uncommitted: must be ignored, and kept
    status = _git(history, "status", "--porcelain")
    res = cli("matrix", "--git-history", "contracts/beatframe.json", "--format", "json")
    assert res.exit_code == 0, res.stderr
    (m,) = res.json()["schemas"]
    commits = _git(history, "log", "--reverse", "--format=%H", "--", "contracts/beatframe.json").split()
    assert [v["label"] for v in m["versions"]] == [c[:12] for c in commits]
    assert [v["version"] for v in m["versions"]] == ["1.0.0", "1.0.1", "1.1.0", "2.0.0"]
    assert m["policy"] == "BACKWARD_TRANSITIVE"  # the config of that repository
    # The work tree and the index are untouched.
    assert target.read_text() == '{"work": "in progress"}'
    assert _git(history, "status", "--porcelain") == status
    # The same verdicts as the versions read from files.
    repo = load_repository(REPO / "schemas")
    docs = repo.versions("beatframe")
    labels = [v["label"] for v in m["versions"]]
    cells = {(c["old"], c["new"]): c for c in m["cells"]}
    for i, old in enumerate(docs):
        for j, new in enumerate(docs):
            if i != j:
                result = compare(old, new)
                cell = cells[(labels[i], labels[j])]
                assert (cell["backward"], cell["forward"]) == (result.backward.status,
                                                               result.forward.status)


def test_git_history_tags(cli, history: Path) -> None:
    res = cli("matrix", "--git-history", "contracts/beatframe.json", "--tags", "v*")
    assert res.exit_code == 0, res.stderr
    # v1.0.2 has the same file as v1.0.0 (it did not change it); release-candidate does not match.
    assert "4 versions" not in res.stdout
    assert "3 versions: v1.0.0, v1.1.0, v2.0.0." in res.stdout
    assert "| **v1.1.0** | minor (from v1.0.0) | minor |" in res.stdout
    assert "tags matching `v*`" in res.stdout


def test_git_history_errors(cli, history: Path, tmp_path: Path) -> None:
    res = cli("matrix", "--git-history", "contracts/nothing.json")
    assert res.exit_code == 2 and "no commits" in res.stderr
    res = cli("matrix", "--git-history", "contracts/beatframe.json", "--tags", "x*")
    assert res.exit_code == 2 and "no tags" in res.stderr
    res = cli("matrix", "--git-history", "contracts/beatframe.json", "--schema", "beatframe")
    assert res.exit_code == 2


# ------------------------------------------------------------------------ HTML in a browser


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--window-size=1200,900"]
    return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_html_is_self_contained(bundled: MatrixReport) -> None:
    from schema_compat.report import matrix_html

    html = matrix_html.render(bundled)
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert not re.search(r"url\(|@import|https?://", html)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")
def test_html_renders_in_headless_chromium(cli, in_repo: Path, tmp_path: Path,
                                            bundled: MatrixReport) -> None:
    page = tmp_path / "matrix.html"
    assert cli("matrix", "--out", str(page)).exit_code == 0
    output = Path(os.environ.get("TEST_OUTPUT_DIR") or tmp_path)
    output.mkdir(parents=True, exist_ok=True)
    shot = output / "compatibility-matrix.png"
    shot.unlink(missing_ok=True)

    def console_lines(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines()
                if "CONSOLE" in line or "Uncaught" in line or "Failed to load" in line]

    # A control page proves the browser reports console errors on stderr with these flags.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><script>console.error("control")</script>')
    seen = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", control.as_uri(),
                     profile=tmp_path / "profile-control")
    assert any("control" in line for line in console_lines(seen.stderr)), seen.stderr[-2000:]

    dom = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri(),
                    profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_lines(dom.stderr) == []
    text = re.sub(r"<[^>]+>", "", dom.stdout)
    for m in bundled.schemas:
        assert m.name in text
        for cell in m.cells:
            assert f'title="row {cell.old} → column {cell.new}: {cell.level}' in dom.stdout
        labels = re.findall(r'<td class="lvl-[A-Z]+"[^>]*><span[^>]*>(.)</span>([A-Z]+)</td>',
                            dom.stdout)
        assert labels, "no cells in the rendered DOM"
    expected = sum(len(m.cells) for m in bundled.schemas)
    cells = re.findall(r'<td class="lvl-([A-Z]+)"[^>]*><span[^>]*>(.)</span>([A-Z]+)</td>',
                       dom.stdout)
    assert len(cells) == expected
    for level, symbol, label in cells:
        assert level == label and f"{symbol} {label}" == LEVEL_TEXT[level]

    run = _chromium(f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "profile-shot")
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
