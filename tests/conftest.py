"""Shared test helpers: run the real CLI in-process and capture what a user would see."""

from __future__ import annotations

import json
import os
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


def shared_dir() -> Path:
    """Where the upstream conformance suites are: SCHEMA_COMPAT_SHARED, else ../shared."""
    env = os.environ.get("SCHEMA_COMPAT_SHARED")
    return Path(env) if env else REPO.parent / "shared"


# Each suite, and the file whose presence says it is there.
CONFORMANCE_SUITES = {
    "Confluent's compatibility cases": Path("peer-suites/confluent/diff-schema-examples.json"),
    "the SchemaStore corpus": Path("corpus/schemastore/manifest.json"),
}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One visible line when a conformance suite did not run, and how to provide it."""
    missing = [name for name, marker in CONFORMANCE_SUITES.items()
               if not (shared_dir() / marker).is_file()]
    if missing:
        terminalreporter.write_line(
            f"conformance suites skipped ({' and '.join(missing)} not under {shared_dir()}): "
            "run `python .ci/conformance_suites.py DIR` and set SCHEMA_COMPAT_SHARED=DIR",
            yellow=True)
