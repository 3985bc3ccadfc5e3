"""The CI this repository ships can fail: no step throws an exit code away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO

FILES = sorted([*(REPO / ".github" / "workflows").glob("*.yml"), REPO / "action.yml",
                REPO / ".pre-commit-hooks.yaml"])


def _runs(path: Path) -> list[str]:
    """Each `run:` of a workflow, with its continuation lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    runs = []
    for i, line in enumerate(lines):
        m = re.match(r"(\s*)(?:- )?run: ?(.*)$", line)
        if not m:
            continue
        body, indent = [m.group(2)], len(m.group(1))
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt.strip())
        runs.append("\n".join(body))
    return runs


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_step_ignores_its_exit_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "|| true" not in text and "continue-on-error" not in text
    for run in _runs(path):
        if "backbeat-validate" in run:
            assert "--exit-code" in run, run


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_piped_steps_keep_the_exit_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*- ", text):
        if re.search(r"run: .*schema-compat[^\n]*\|", block):
            assert "shell: bash" in block, block  # bash -eo pipefail, not sh


def test_inputs_are_not_spliced_into_scripts() -> None:
    for path in FILES:
        for run in _runs(path):
            assert "${{ inputs." not in run and "${{ github.base_ref" not in run, (path, run)


def test_ci_runs_the_conformance_suites() -> None:
    ci = (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert ".ci/conformance_suites.py" in ci and "SCHEMA_COMPAT_SHARED" in ci
