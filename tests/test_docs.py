"""The documentation's commands run as written: docs/integration-guide.md, and every command
of the README's ``sh`` blocks (in a scratch contracts repository) except blocks marked
``<!-- illustrative: why -->``.

Every ``sh`` block runs from the repository root with the installed commands on PATH; a
``# exit N`` line states the expected exit code (default 0). Every ``python`` block runs too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

GUIDE = REPO / "docs" / "integration-guide.md"
BLOCK = re.compile(r"```(sh|python)\n(.*?)```", re.DOTALL)


def _blocks(path: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(path.read_text())]


@pytest.mark.parametrize(("lang", "code"), _blocks(GUIDE),
                         ids=lambda v: v.splitlines()[0][:60] if "\n" in v else v)
def test_guide_block_runs(lang: str, code: str, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "NO_COLOR": "1"}
    if lang == "python":
        proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return
    expected = 0
    match = re.search(r"^# exit (\d+)$", code, re.MULTILINE)
    if match:
        expected = int(match.group(1))
    # Write reports into a scratch directory, not into the checkout.
    script = code.replace("> validation-report.json", f"> {tmp_path / 'validation-report.json'}")
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == expected, proc.stdout + proc.stderr


def test_makefile_target_runs(tmp_path: Path) -> None:
    text = GUIDE.read_text()
    makefile = re.search(r"```makefile\n(.*?)```", text, re.DOTALL)
    assert makefile
    (tmp_path / "Makefile").write_text(makefile.group(1))
    messages = tmp_path / "messages"
    messages.mkdir()
    sample = REPO / "examples" / "statusclaim" / "2.0.0" / "valid"
    for f in sorted(sample.glob("*.json"))[:3]:
        (messages / f.name).write_text(f.read_text())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["make", "validate-backbeat", f"BACKBEAT_SCHEMAS={REPO / 'schemas'}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------------------------------- the README

README = REPO / "README.md"
README_BLOCK = re.compile(r"(<!-- illustrative: [^>]*-->\n)?```sh\n(.*?)```", re.DOTALL)


def _readme_commands() -> list[tuple[str, int]]:
    """Every command line of the README's ``sh`` blocks not marked illustrative, with the exit
    code its comment states (``exit N``; default 0)."""
    commands = []
    for m in README_BLOCK.finditer(README.read_text(encoding="utf-8")):
        if m.group(1):
            continue
        for line in m.group(2).splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            comment = line.partition("  #")[2]
            code = re.search(r"\bexit (\d)\b", comment)
            commands.append((line, int(code.group(1)) if code else 0))
    return commands


def test_readme_marks_what_it_does_not_run() -> None:
    blocks = README_BLOCK.findall(README.read_text(encoding="utf-8"))
    assert sum(1 for marker, _ in blocks if not marker) >= 4  # most of it runs
    for marker, code in blocks:
        if marker:  # illustrative commands are still valid shell
            subprocess.run(["bash", "-n", "-c", code], check=True)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contracts repository with what the README's commands name: the bundled contracts in
    git, tagged v1.0 and v2.0, a remote main, old-schemas/, YAML schemas, two schemas without
    $schema, messages to validate."""
    import shutil

    root = tmp_path_factory.mktemp("readme") / "contracts"
    root.mkdir()
    for name in ("schemas", "examples"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "schemas", root / "old-schemas")
    (root / "docs").mkdir()
    shutil.copy(REPO / "docs" / "compatibility-matrix.md", root / "docs")
    shutil.copy(REPO / "schema-compat.toml", root)
    (root / "api").mkdir()
    (root / "api" / "widget-1.yaml").write_text("type: object\nproperties:\n  id: {type: string}\n")
    (root / "api" / "widget-2.yaml").write_text(
        "type: object\nproperties:\n  id: {type: [string, integer]}\n")
    (root / "old.json").write_text('{"type": "integer"}')
    (root / "new.json").write_text('{"type": "number"}')
    (root / "messages").mkdir()
    valid = sorted((REPO / "examples" / "statusclaim" / "2.0.0" / "valid").glob("*.json"))
    for f in valid[:3]:
        shutil.copy(f, root / "messages")
    shutil.copy(valid[0], root / "message.json")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "contracts"],
                 ["tag", "v1.0"], ["tag", "v2.0"],
                 ["remote", "add", "origin", str(root)], ["fetch", "-q", "origin"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    return root


@pytest.mark.parametrize(("command", "expected"), _readme_commands(), ids=lambda v: str(v)[:70])
def test_readme_command_runs(command: str, expected: int, scratch: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "NO_COLOR": "1"}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=scratch, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == expected, proc.stdout[-3000:] + proc.stderr[-3000:]
