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


# Suites added later, run where present (see tests/conformance/upstream.json).
LATER_SUITES = {
    "Confluent's draft 2020-12 cases":
        Path("peer-suites/confluent/diff-schema-examples-2020-12.json"),
}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One visible line when a conformance suite did not run, and how to provide it."""
    missing = [name for name, marker in {**CONFORMANCE_SUITES, **LATER_SUITES}.items()
               if not (shared_dir() / marker).is_file()]
    if missing:
        terminalreporter.write_line(
            f"conformance suites skipped ({' and '.join(missing)} not under {shared_dir()}): "
            "run `python .ci/conformance_suites.py DIR` and set SCHEMA_COMPAT_SHARED=DIR",
            yellow=True)


def write(path: Path, value: Any) -> Path:
    """Write a JSON value (or text, as it is) to ``path``, creating its directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return path


def one_line_error(res: CliResult, *needles: str) -> str:
    """The command was refused: exit 2, one line on stderr holding every needle, no traceback."""
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]
