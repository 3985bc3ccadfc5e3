"""Shared test helpers: run the real CLI in-process and capture what a user would see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from schema_compat.cli import app, run

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call ``schema-compat`` with arguments; returns exit code and output."""

    def invoke(*args: str) -> CliResult:
        code = run(app, list(args))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return invoke
