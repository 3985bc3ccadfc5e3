"""CI's staleness check: the committed matrix document is what the tool generates now."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO

DOC = Path("docs") / "compatibility-matrix.md"


def test_committed_matrix_is_current(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    res = cli("matrix", "--out", str(DOC), "--check")
    assert res.exit_code == 0, (
        f"{res.stderr.strip()}\nThe schemas or their policies changed: run "
        f"`schema-compat matrix --out {DOC}` and commit the result.")
