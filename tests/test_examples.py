"""The recorded example messages agree with their schemas, checked through the real CLI.

``examples/<name>/<version>/valid/*.json`` must be valid under ``<name>@<version>``; each
``invalid/<keyword>--<where>[--<slug>].json`` must fail with exactly one error, at that keyword
and instance location (``where``: segments joined by ``.``, ``root`` for the whole message; for
``required``/``additionalProperties`` the location of the property concerned).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from schema_compat.cli import app, run

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"


def _example_files() -> list[Path]:
    if not EXAMPLES.is_dir():
        return []
    return sorted(EXAMPLES.glob("*/*/valid/*.json")) + sorted(EXAMPLES.glob("*/*/invalid/*.json"))


FILES = _example_files()
PARAMS = [pytest.param(path, id=str(path.relative_to(EXAMPLES))) for path in FILES] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no examples/ tree"), id="no-examples")
]


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _location(error: dict) -> str:
    parts = [_unescape(s) for s in error["pointer"].split("/")[1:]] if error["pointer"] else []
    if error["property"] is not None:
        parts.append(error["property"])
    return ".".join(parts) or "root"


@pytest.fixture(scope="session")
def verdicts() -> dict[Path, dict | None]:
    """One CLI run per example directory (schemas compiled once per run), keyed by file.

    A session fixture cannot use capsys, so the report is captured with redirect_stdout.
    """
    results: dict[Path, dict | None] = {}
    for directory in sorted({path.parent for path in FILES}):
        name, version = directory.parent.parent.name, directory.parent.name
        files = sorted(directory.glob("*.json"))
        argv = ["validate", "--schemas", str(SCHEMAS), "--schema", f"{name}@{version}", "--json"]
        for path in files:
            argv += ["--file", str(path)]
        results.update(_run_json(argv, files))
    return results


def _run_json(argv: list[str], files: list[Path]) -> dict[Path, dict | None]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(app, argv)
    assert code == 0, out.getvalue()
    report = json.loads(out.getvalue())
    assert report["summary"]["messages"] == len(files)
    by_source = {Path(entry["source"]): entry for entry in report["invalid"]}
    return {path: by_source.get(path) for path in files}


@pytest.mark.parametrize("path", PARAMS)
def test_example(path: Path, verdicts: dict[Path, dict | None]) -> None:
    result = verdicts[path]
    if path.parent.name == "valid":
        assert result is None, f"valid example rejected: {result}"
        return
    assert result is not None, "invalid example accepted"
    keyword, where = path.stem.split("--")[:2]
    errors = result["errors"]
    assert [(e["keyword"], _location(e)) for e in errors] == [(keyword, where)], errors
