"""The documentation's commands run as written (docs/integration-guide.md).

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
