"""Hostile input through the real CLI: no network, no reading outside the repository, every
user-controlled string escaped for its output format, deadlines kept, bad input refused with
one line and exit code 2. (docs/hostile-input.md says what is refused and why.)"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# ------------------------------------------------------------------------------- helpers


def write(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return path


def one_line_error(res: Any, *needles: str) -> str:
    """The command was refused: exit 2, one line on stderr holding every needle, no traceback."""
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ------------------------------------------------------------------------- 1. no network


class Listener:
    """A loopback TCP server that accepts and never answers: any fetch would hang on it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self._open.append(conn)  # held open, never answered

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._open:
            conn.close()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _pointing_at(url: str) -> dict[str, dict[str, Any]]:
    """Schemas that name the listener in every place a fetch could come from."""
    d7 = "http://json-schema.org/draft-07/schema#"
    d2020 = "https://json-schema.org/draft/2020-12/schema"
    return {
        "metaschema": {"$schema": f"{url}/schema", "type": "string"},
        "metaschema-hash": {"$schema": f"{url}/schema#", "type": "string"},
        "remote-ref": {"$schema": d2020, "type": "object",
                       "properties": {"a": {"$ref": f"{url}/defs.json#/$defs/a"}}},
        "remote-id": {"$schema": d2020, "$id": f"{url}/root.json", "type": "object",
                      "properties": {"a": {"$ref": "other.json"}, "b": {"type": "string"}}},
        "embedded": {"$schema": d2020, "$defs": {"e": {"$id": f"{url}/embedded",
                                                       "$schema": f"{url}/meta",
                                                       "type": "string"}},
                     "properties": {"e": {"$ref": f"{url}/embedded"}}},
        "draft7-ref": {"$schema": d7, "properties": {"a": {"$ref": f"{url}/x.json"}}},
    }


def _changed(schema: dict[str, Any]) -> dict[str, Any]:
    new = json.loads(json.dumps(schema))
    new["maxProperties"] = 3
    return new


NETWORK_CASES = sorted(_pointing_at("http://x"))


@pytest.mark.parametrize("case", NETWORK_CASES)
def test_diff_check_matrix_never_connect(case: str, listener: Listener, tmp_path: Path, cli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _pointing_at(listener.url)[case]
    schema["$id"] = schema.get("$id", f"https://example.invalid/{case}/1.0.0.json")
    old = write(tmp_path / "schemas" / case / "1.0.0.json", schema)
    new = write(tmp_path / "schemas" / case / "1.1.0.json", _changed(schema))
    monkeypatch.chdir(tmp_path)
    outcomes = [
        cli("diff", str(old), str(new), "--timeout", "5"),
        cli("diff", f"{case}@1.0.0", f"{case}@1.1.0", "--format", "json"),
        cli("check", "--timeout", "5"),
        cli("matrix", "schemas", "--timeout", "5"),
        cli("bump", str(old), str(new)),
    ]
    assert listener.connections == 0, case
    for res in outcomes:
        assert res.exit_code in (0, 1, 2), res.stderr
        assert "Traceback" not in res.stderr
        if case.startswith("metaschema"):
            one_line_error(res, "unknown $schema URI", "draft-04, -06, -07, 2019-09 and 2020-12")


@pytest.mark.parametrize("case", NETWORK_CASES)
def test_validate_and_replay_never_connect(case: str, listener: Listener, tmp_path: Path, cli,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _pointing_at(listener.url)[case]
    schema.setdefault("properties", {})["type"] = {"const": f"t.{case}.v1"}
    write(tmp_path / "schemas" / case / "1.0.0.json", schema)
    write(tmp_path / "schemas" / case / "1.1.0.json", _changed(schema))
    write(tmp_path / "examples" / case / "1.0.0" / "valid" / "m.json",
          {"type": f"t.{case}.v1", "a": 1, "e": "x"})
    monkeypatch.chdir(tmp_path)
    outcomes = [
        cli("validate", "--schemas", "schemas", "--message", json.dumps({"type": f"t.{case}.v1"})),
        cli("validate", "--schemas", "schemas", "--dir", "examples"),
        cli("replay", f"{case}@1.0.0", f"{case}@1.1.0", "--examples", "examples"),
    ]
    assert listener.connections == 0, case
    for res in outcomes:
        assert "Traceback" not in res.stderr
        if case.startswith("metaschema"):
            one_line_error(res, "unknown $schema URI")


SPELLINGS = [f"{scheme}://json-schema.org/{path}{hash_}"
             for scheme in ("http", "https")
             for path in ("draft-04/schema", "draft-06/schema", "draft-07/schema",
                          "draft/2019-09/schema", "draft/2020-12/schema")
             for hash_ in ("", "#")]


@pytest.mark.parametrize("uri", SPELLINGS)
def test_every_spelling_of_the_five_drafts_is_read(uri: str, tmp_path: Path, cli) -> None:
    old = write(tmp_path / "old.json", {"$schema": uri, "type": "string"})
    new = write(tmp_path / "new.json", {"$schema": uri, "type": "string", "maxLength": 3})
    res = cli("diff", str(old), str(new), "--format", "json")
    assert res.exit_code == 1, res.stderr
    (result,) = res.json()["results"]
    assert result["backward"] == "breaking"
    draft = uri.split("json-schema.org/")[1].removeprefix("draft/").removeprefix("draft-")
    assert result["old"]["draft"].removeprefix("draft-") == draft.split("/")[0]


@pytest.mark.parametrize("uri", [
    "http://json-schema.org/schema#",            # "the latest draft": a meaning that moves
    "http://json-schema.org/draft-03/schema#",   # a draft schema-compat does not read
    "https://json-schema.org/draft/2020-12/schema/",
    "https://example.com/draft-07/schema",       # the draft's name in a foreign URI
    "urn:example:meta",
])
def test_unknown_schema_uri_is_refused(uri: str, tmp_path: Path, cli) -> None:
    bad = write(tmp_path / "bad.json", {"$schema": uri, "type": "string"})
    ok = write(tmp_path / "ok.json", {"type": "string"})
    res = cli("diff", str(ok), str(bad))
    one_line_error(res, str(bad), "unknown $schema URI", json.dumps(uri))


def test_schema_keyword_must_be_a_string(tmp_path: Path, cli) -> None:
    bad = write(tmp_path / "bad.json", {"$schema": 7, "type": "string"})
    res = cli("diff", str(bad), str(bad))
    one_line_error(res, str(bad), "$schema must be a string")


# ------------------------------------------------------------------------------ 2. --timeout


TIMEOUT_COMMANDS = {
    "diff": ["diff", "schemas/beatframe/1.0.0.json", "schemas/beatframe/1.0.1.json"],
    "check": ["check"],
    "matrix": ["matrix"],
}


@pytest.mark.parametrize("value", ["nan", "NaN", "0", "-1", "inf", "-inf", "1e400", "0.0"])
@pytest.mark.parametrize("command", sorted(TIMEOUT_COMMANDS))
def test_timeout_must_be_finite_and_positive(command: str, value: str, cli) -> None:
    res = cli(*TIMEOUT_COMMANDS[command], f"--timeout={value}")
    one_line_error(res, "--timeout must be a finite number of seconds greater than 0")
    assert res.stdout == ""


def test_timeout_is_checked_in_the_library_too() -> None:
    from schema_compat.api import diff
    from schema_compat.errors import UsageError

    with pytest.raises(UsageError, match="finite number of seconds"):
        diff("schemas/beatframe/1.0.0.json", "schemas/beatframe/1.0.1.json", timeout=float("nan"))


def test_the_command_keeps_its_deadline(listener: Listener, tmp_path: Path) -> None:
    """The whole command, interpreter start-up included, ends soon after --timeout even when
    the schemas name a server that never answers: nothing before, during or after the
    comparison waits on anything unbounded (a metaschema fetch held it for 30 s)."""
    import subprocess
    import sys
    import time

    schema = {"type": "object", "properties": {
        "a": {"$ref": f"{listener.url}/defs.json"},
        **{f"p{i}": {"type": "string", "pattern": f"^(a|b)*c{i}$"} for i in range(100)}}}
    old = write(tmp_path / "old.json", schema)
    new = write(tmp_path / "new.json", {**schema, "required": ["a", "p1"]})
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "schema_compat", "diff", str(old), str(new),
                           "--timeout", "1", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert listener.connections == 0
    assert elapsed < 1 + 10, elapsed  # start-up on a loaded CI machine, not a hung fetch
