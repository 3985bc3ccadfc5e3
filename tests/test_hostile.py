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

from conftest import one_line_error, write

# ------------------------------------------------------------------------------- helpers




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


def test_a_slow_witness_search_keeps_the_deadline(tmp_path: Path) -> None:
    """A schema whose every value nests without end (``a`` is required, and is the root
    again behind two negations, one of them a single-branch ``oneOf`` the engine does not
    see through): each candidate witness is deeper than the last, and each validation
    slower (0.8 s at 24 levels). The clock is read after each one: the command ends at its
    --timeout, where it went on for minutes (found by the fuzzer, with ``not``/``not``,
    which the engine now reads as the root itself)."""
    import subprocess
    import sys

    old = write(tmp_path / "old.json", {"properties": {"a": {"not": {"oneOf": [{"not": {"$ref": "#"}}]}}},
                                        "required": ["a"]})
    new = write(tmp_path / "new.json", {"properties": {"a": {"$ref": "#"}}})
    # Before the fix the search went on for minutes: the subprocess limit is the hang guard.
    proc = subprocess.run([sys.executable, "-m", "schema_compat", "diff", str(old), str(new),
                           "--timeout", "1", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    (result,) = json.loads(proc.stdout)["results"]
    # The deadline is what ended the search, and the report says so.
    assert any("time limit" in (f.get("reason") or "") for f in result["findings"]), result


# Every object requires two properties that hold the schema again: its examples double in
# size at each level (found by the fuzzer, seed 2031).
DOUBLING = {"$ref": "#/definitions/r0", "definitions": {"r0": {
    "additionalProperties": {"$ref": "#/definitions/r0"}, "required": ["id", "name"]}}}


def test_examples_that_double_at_each_level_keep_the_deadline(tmp_path: Path) -> None:
    """Measuring a change builds a message to carry its witness: an example of the schema.
    That search ran without the comparison's deadline, and built (and validated) examples
    of millions of values: the command went on for minutes. It now keeps the deadline, and
    no example larger than a reader could use is built."""
    import subprocess
    import sys

    old = write(tmp_path / "old.json", {"definitions": {"r0": {"maxProperties": 2}}})
    new = write(tmp_path / "new.json", DOUBLING)
    # Before the fix the command went on for minutes: the subprocess limit is the hang guard.
    proc = subprocess.run([sys.executable, "-m", "schema_compat", "diff", str(old), str(new),
                           "--timeout", "5", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    (result,) = json.loads(proc.stdout)["results"]
    # No value is valid under the new schema: it breaks backward, and forward holds.
    assert (result["backward"], result["forward"]) == ("breaking", "compatible")


def test_a_removed_schema_keeps_the_deadline(tmp_path: Path) -> None:
    """A schema removed from a directory is shown breaking by an example of it, built with
    no deadline at all before: the same schema held the command for minutes."""
    import subprocess
    import sys

    write(tmp_path / "old" / "thing.json", DOUBLING)
    write(tmp_path / "old" / "other.json", {"type": "object"})
    write(tmp_path / "new" / "other.json", {"type": "object"})
    proc = subprocess.run([sys.executable, "-m", "schema_compat", "diff", str(tmp_path / "old"),
                           str(tmp_path / "new"), "--timeout", "5", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    removed = [r for r in json.loads(proc.stdout)["results"] if r["schema"] == "thing"]
    assert [r["backward"] for r in removed] == ["breaking"], proc.stdout


# ---------------------------------------------------------- 3. symbolic links out of the tree

SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contracts repository (the working directory) beside a directory it must not read."""
    outside = tmp_path / "outside"
    write(outside / "secret.json", {"type": "object", "properties": {
        "type": {"const": "t.foo.v1"}, "x": {"const": SECRET}}, "required": ["x"]})
    write(outside / "foo" / "1.1.0.json", {"properties": {"type": {"const": SECRET}}})
    write(outside / "message.json", {"type": "t.foo.v1", "x": SECRET})
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # the top of the repository, as far as the tool goes
    foo = {"type": "object", "properties": {"type": {"const": "t.foo.v1"}, "x": {"type": "string"}}}
    write(root / "schemas" / "foo" / "1.0.0.json", foo)
    write(root / "examples" / "foo" / "1.0.0" / "valid" / "ok.json", {"type": "t.foo.v1", "x": "a"})
    monkeypatch.chdir(root)
    return root


def link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def refused_unread(res: Any, *needles: str) -> None:
    one_line_error(res, *needles)
    assert SECRET not in res.stdout + res.stderr


SCHEMA_COMMANDS = [
    ["diff", "foo@1.0.0", "foo@1.1.0"],
    ["diff", "schemas", "schemas"],
    ["check"],
    ["matrix"],
    ["bump", "foo@1.0.0", "foo@1.1.0"],
    ["validate", "--schemas", "schemas", "--message", '{"type": "t.foo.v1"}'],
    ["replay", "foo@1.0.0", "foo@1.1.0", "--examples", "examples"],
]


@pytest.mark.parametrize("argv", SCHEMA_COMMANDS, ids=" ".join)
def test_schema_file_linked_outside_is_refused(argv: list[str], repo: Path, cli) -> None:
    bad = link(repo / "schemas" / "foo" / "1.1.0.json", repo.parent / "outside" / "secret.json")
    refused_unread(cli(*argv), str(bad.relative_to(repo)), "symbolic link", "not read")


@pytest.mark.parametrize("argv", SCHEMA_COMMANDS[1:4] + SCHEMA_COMMANDS[5:6], ids=" ".join)
def test_schema_directory_linked_outside_is_refused(argv: list[str], repo: Path, cli) -> None:
    link(repo / "schemas" / "bar", repo.parent / "outside" / "foo")
    refused_unread(cli(*argv), "schemas/bar", "symbolic link", "not read")


def test_schemas_root_linked_outside_is_refused(repo: Path, cli) -> None:
    import shutil

    shutil.rmtree(repo / "schemas")
    link(repo / "schemas", repo.parent / "outside")
    for argv in (["check"], ["matrix"], ["diff", "schemas", "schemas"],
                 ["validate", "--schemas", "schemas", "--message", "{}"]):
        refused_unread(cli(*argv), "schemas", "leads outside the repository")


def test_named_file_linked_outside_is_refused(repo: Path, cli) -> None:
    bad = link(repo / "schemas" / "foo" / "1.1.0.json", repo.parent / "outside" / "secret.json")
    refused_unread(cli("diff", "schemas/foo/1.0.0.json", str(bad.relative_to(repo))),
                   "leads outside the repository")
    # A file named outside the repository is the user's own choice: it is read.
    res = cli("diff", "schemas/foo/1.0.0.json", str(repo.parent / "outside" / "secret.json"))
    assert res.exit_code == 1, res.stderr


def test_links_inside_the_tree_are_followed(repo: Path, cli) -> None:
    shared = write(repo / "examples" / ".shared" / "m.json", {"type": "t.foo.v1", "x": "b"})
    link(repo / "examples" / "foo" / "1.0.0" / "valid" / "b.json", shared)
    res = cli("validate", "--schemas", "schemas", "--dir", "examples", "--exit-code")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "2 messages, 2 valid" in res.stdout


def test_examples_linked_outside(repo: Path, cli) -> None:
    """check and replay refuse (the examples are the repository's); validate reports the link
    as an unreadable input and checks the other messages."""
    write(repo / "schemas" / "foo" / "1.1.0.json",
          {"type": "object", "properties": {"type": {"const": "t.foo.v1"}}})
    bad = link(repo / "examples" / "foo" / "1.0.0" / "valid" / "leak.json",
               repo.parent / "outside" / "message.json")
    rel = str(bad.relative_to(repo))
    refused_unread(cli("check"), rel, "symbolic link", "not read")
    refused_unread(cli("replay", "foo@1.0.0", "foo@1.1.0", "--examples", "examples"), rel,
                   "symbolic link", "not read")
    res = cli("validate", "--schemas", "schemas", "--dir", "examples", "--exit-code")
    assert res.exit_code == 1
    assert SECRET not in res.stdout + res.stderr
    assert f"{rel}: io: a symbolic link that leads outside examples; not read" in res.stdout
    assert "2 messages, 1 valid, 1 invalid" in res.stdout


def test_validate_inputs_named_inside_but_linked_outside(repo: Path, cli) -> None:
    link(repo / "messages", repo.parent / "outside")
    link(repo / "one.json", repo.parent / "outside" / "message.json")
    res = cli("validate", "--schemas", "schemas", "--dir", "messages", "--file", "one.json",
              "--file", "examples/foo/1.0.0/valid/ok.json", "--exit-code")
    assert res.exit_code == 1
    assert SECRET not in res.stdout + res.stderr
    for name in ("messages", "one.json"):
        assert f"{name}: io: a symbolic link that leads outside the repository; not read" in res.stdout
    assert "3 messages, 1 valid, 2 invalid" in res.stdout
    # Named outside the repository, they are the user's choice: read.
    res = cli("validate", "--schemas", "schemas", "--file", str(repo.parent / "outside" / "message.json"))
    assert "1 message, 1 valid" in res.stdout, res.stdout


def test_examples_directory_linked_outside(repo: Path, cli) -> None:
    write(repo / "schemas" / "foo" / "1.1.0.json",
          {"type": "object", "properties": {"type": {"const": "t.foo.v1"}}})
    write(repo.parent / "outside" / "ex" / "valid" / "m.json", {"type": "t.foo.v1", "x": SECRET})
    link(repo / "examples" / "foo" / "1.1.0", repo.parent / "outside" / "ex")
    refused_unread(cli("check"), "symbolic link", "not read")
    refused_unread(cli("replay", "foo@1.0.0", "foo@1.1.0", "--examples", "examples"),
                   "symbolic link", "not read")


@pytest.mark.parametrize("ref", ["../../outside/secret.json", "../foo/../../../outside/secret.json",
                                 "defs.json"])
def test_ref_out_of_the_schema_directory_is_not_read(ref: str, repo: Path, cli) -> None:
    link(repo / "schemas" / "foo" / "defs.json", repo.parent / "outside" / "secret.json")
    schema = {"type": "object", "properties": {"type": {"const": "t.foo.v1"}, "y": {"$ref": ref}}}
    old = write(repo / "elsewhere" / "old.json", schema)
    new = write(repo / "elsewhere" / "new.json", {**schema, "required": ["y"]})
    (repo / "elsewhere" / "defs.json").symlink_to(repo.parent / "outside" / "secret.json")
    res = cli("diff", str(old.relative_to(repo)), str(new.relative_to(repo)), "--format", "json")
    assert SECRET not in res.stdout + res.stderr
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    # In the repository walk, the linked file itself is refused before any $ref is followed.
    refused_unread(cli("validate", "--schemas", "schemas", "--message", "{}"), "defs.json",
                   "symbolic link")


@pytest.mark.parametrize("value", ["../outside", "/etc", "schemas/../../outside"])
@pytest.mark.parametrize("key", ["schemas", "examples"])
def test_configuration_cannot_point_outside_the_repository(key: str, value: str, repo: Path,
                                                           cli) -> None:
    (repo / "schema-compat.toml").write_text(f"{key} = {json.dumps(value)}\n")
    refused_unread(cli("check"), "schema-compat.toml", f"{key} = {json.dumps(value)}",
                   "leads outside the repository")


def _git(root: Path, *args: str) -> None:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture
def git_repo(repo: Path) -> Path:
    (repo / ".git").rmdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "contracts")
    return repo


def test_git_inputs_stay_in_the_repository(git_repo: Path, cli) -> None:
    one_line_error(cli("diff", "git:main:../outside/secret.json", "schemas/foo/1.0.0.json"),
                   "lies outside the git repository")
    written = git_repo.parent / "written-by-git"
    for spec in (f"--output={written}", "-p"):
        one_line_error(cli("check", "--against", spec), spec)
        one_line_error(cli("diff", f"git:{spec}:schemas/foo/1.0.0.json", "schemas/foo/1.0.0.json"),
                       "not a git reference")
    assert not written.exists()  # an option smuggled in as a reference would have written it


def test_symbolic_link_committed_in_git_is_not_followed(git_repo: Path, cli) -> None:
    link(git_repo / "schemas" / "foo" / "1.1.0.json", git_repo.parent / "outside" / "secret.json")
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-q", "-m", "a link")
    refused_unread(cli("diff", "main", "main"), "git:main:schemas/foo/1.1.0.json",
                   "symbolic link", "not read")
    refused_unread(cli("diff", "git:main:schemas/foo/1.1.0.json", "schemas/foo/1.0.0.json"))


# ------------------------------------------------------------------------- 4. output injection

# Names (of files and directories: no "/" or NUL) and values (property names, enum values: any
# character) that each output format could mistake for its own syntax.
NAME = "n\n::error::pwned|<img src=x onerror=alert(1)>[bold]B[red]\x1b[31mR`c`*e*$m$\u202eZ"
VALUE = "v\r\n::error file=x::pwned|<script>alert(1)</script>[bold]\x00\x1b[2J\x9b`|`"
FORMATS = ["text", "json", "markdown", "github", "sarif", "junit"]


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contracts repository whose schema name, property names, enum values and examples
    carry the hostile strings; 1.1.0 drops an enum value (a witness holds it) and makes a
    property required, and declares only a minor bump (a gate problem names the schema)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    props = {VALUE: {"enum": [VALUE, "ok"]}, "type": {"const": "t.x.v1"}}
    write(root / "schemas" / NAME / "1.0.0.json", {"type": "object", "properties": props})
    write(root / "schemas" / NAME / "1.1.0.json",
          {"type": "object", "properties": {**props, VALUE: {"enum": ["ok"]}}, "required": [VALUE]})
    write(root / "examples" / NAME / "1.0.0" / "valid" / f"{NAME}.json",
          {"type": "t.x.v1", VALUE: VALUE})
    monkeypatch.chdir(root)
    return root


def assert_no_injection(text: str, fmt: str) -> None:
    """Nothing in ``text`` is a line of its own that the hostile strings started, a control
    character, or markup the format would interpret."""
    assert "\x1b" not in text and "\x00" not in text and "\x9b" not in text and "\r" not in text
    assert "\u202e" not in text
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("::"):
            # Only our own annotations: one command per line, its properties escaped (no ":"
            # before the "::" that ends them); the message after it is data.
            import re

            assert fmt == "github", line
            assert re.match(r"::(error|warning|notice) (file|line|col|title)=[^:]*::", stripped), line
        assert not stripped.startswith("pwned")
    if fmt == "junit":  # XML: ElementTree escapes markup
        assert "<script>" not in text and "<img" not in text
    if fmt == "markdown":  # raw HTML only inside code, where Markdown shows it as it is
        import re

        prose = re.sub(r"(`{3,})\w*\n.*?\n\1(?!`)", "", text, flags=re.DOTALL)  # fenced blocks
        prose = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", prose.replace("\\`", ""))
        assert not re.search(r"(?<!\\)<(script|img)", prose), prose


def test_every_diff_format_escapes(hostile: Path, cli) -> None:
    for fmt in FORMATS:
        res = cli("diff", f"{NAME}@1.0.0", f"{NAME}@1.1.0", "--format", fmt)
        assert res.exit_code == 1, (fmt, res.stderr)
        assert_no_injection(res.stdout + res.stderr, fmt)
        _format_specific(fmt, res.stdout)


def test_check_escapes_gate_problems(hostile: Path, cli) -> None:
    for fmt in FORMATS:
        res = cli("check", "--format", fmt)
        assert res.exit_code == 1, (fmt, res.stderr)
        assert_no_injection(res.stdout + res.stderr, fmt)
        _format_specific(fmt, res.stdout)


def test_replay_escapes_example_names(hostile: Path, cli) -> None:
    for fmt in FORMATS:
        res = cli("replay", f"{NAME}@1.0.0", f"{NAME}@1.1.0", "--examples", "examples",
                  "--format", fmt)
        assert res.exit_code == 1, (fmt, res.stderr)
        assert_no_injection(res.stdout + res.stderr, fmt)


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return {value} if isinstance(value, str) else set()


def _format_specific(fmt: str, out: str) -> None:
    if fmt in ("json", "sarif"):
        data = json.loads(out)  # JSON escapes everything itself; the values come back whole
        assert NAME in _strings(data)
    elif fmt == "junit":
        import xml.etree.ElementTree as ET

        ET.fromstring(out)  # well-formed XML 1.0: no character it cannot carry
    elif fmt == "text":
        assert "[bold]B[red]" in out  # shown, not read as rich markup
        assert "\\x1b[31mR" in out and "\\n::error::pwned" in out
    elif fmt == "markdown":
        for line in out.splitlines():
            if line.startswith("|"):
                cells = line.count("|") - line.count("\\|")
                assert cells in (6, 7), line  # no cell boundary from a name or a message
        assert "\\<img" in out and "\\[bold\\]" in out
    elif fmt == "github":
        assert "%0A::error::pwned" not in out and "\\n::error::pwned" in out


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_matrix_escapes(fmt: str, hostile: Path, cli) -> None:
    res = cli("matrix", "--format", fmt)
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert_no_injection(out + res.stderr, "matrix")
    if fmt == "html":
        assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
        assert "\\n::error::pwned" in out
    elif fmt == "json":
        assert NAME in json.loads(out)["schemas"][0]["name"]
    else:
        heading = next(line for line in out.splitlines() if line.startswith("## n"))
        assert heading.startswith("## n\\\\n::error::pwned\\|\\<img src=x onerror=alert(1)\\>\\[bold\\]"), heading


def test_error_lines_escape_file_names(tmp_path: Path, cli) -> None:
    bad = write(tmp_path / f"{NAME}.json", "{")
    res = cli("diff", str(bad), str(bad))
    line = one_line_error(res, "not valid JSON", "\\n::error::pwned")
    assert_no_injection(res.stderr, "text")
    assert line.count("::error::") == 1  # shown inside the line, never at the start of one


def test_validate_text_escapes_names(hostile: Path, cli) -> None:
    res = cli("validate", "--schemas", "schemas", "--dir", "examples",
              "--schema", f"{NAME}@1.1.0")
    assert res.exit_code == 0
    assert_no_injection(res.stdout + res.stderr, "text")
    assert "\\n::error::pwned" in res.stdout
    res = cli("validate", "--schemas", "schemas", "--dir", "examples",
              "--schema", f"{NAME}@1.1.0", "--json")
    assert_no_injection(res.stdout + res.stderr, "json")
    assert f"{NAME}@1.1.0" in _strings(json.loads(res.stdout))


def test_file_names_that_are_not_utf8(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python reads them with lone surrogates, which no encoder writes: each format still
    reports them (as escapes) instead of failing half-way."""
    import os

    monkeypatch.chdir(tmp_path)
    directory = Path(os.fsdecode(b"schemas/\xff"))  # the name is the byte 0xff
    old = write(directory / "1.0.0.json", {"type": "string"})
    new = write(directory / "1.1.0.json", {"type": "string", "maxLength": 2})
    for fmt in FORMATS:
        for argv in (["diff", str(old), str(new)], ["check"]):
            res = cli(*argv, "--format", fmt)
            assert res.exit_code == 1, (argv, fmt, res.stderr)
            assert "\\udcff" in res.stdout or "%FF" in res.stdout or "\\\\udcff" in res.stdout
    for fmt in ("markdown", "html", "json"):
        res = cli("matrix", "--format", fmt)
        assert res.exit_code == 0, (fmt, res.stderr)


# ------------------------------------------------------------------------------ 5. bad input


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("schema-compat.toml", b'schemas = "schemas"\n# caf\xe9\n', "not valid TOML: not UTF-8 (byte 0xe9 on line 2)"),
    ("pyproject.toml", b'[tool.schema-compat]\nschemas = "schemas"\n\xff\n', "not valid TOML: not UTF-8 (byte 0xff on line 3)"),
    ("schema-compat.toml", b"schemas = \n", "not valid TOML: Invalid value"),
    ("schema-compat.toml", b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "not valid TOML"),
    ("schema-compat.toml", b"policies = 5\n", "policies must be a table"),
    ("schema-compat.toml", b"schemas = 5\n", "schemas: expected a string"),
    ("schema-compat.toml", b"waivers = 5\n", "waivers must be an array of tables"),
    ("schema-compat.toml", b'[[waivers]]\nrule = 5\nreason = "r"\n', "waivers[0].rule: expected a string"),
    ("pyproject.toml", b"[tool]\nschema-compat = 5\n", "tool.schema-compat must be a table"),
])
def test_bad_configuration_is_one_line(name: str, content: bytes, expected: str, repo: Path,
                                       cli) -> None:
    (repo / name).write_bytes(content)
    for argv in (["check"], ["matrix"]):
        one_line_error(cli(*argv), name, expected)


def test_configuration_with_a_byte_order_mark_is_read(repo: Path, cli) -> None:
    (repo / "schema-compat.toml").write_bytes(b'\xef\xbb\xbfdefault-policy = "FULL"\n')
    res = cli("check")
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ('{"maximum": NaN}', "not valid JSON"),
    ('{"maximum": Infinity}', "not valid JSON"),
    ('{"maximum": -Infinity}', "not valid JSON"),
    ('{"maximum": 1e400}', "number is infinity when parsed as double"),
    ('{"type": "string",\n "type": "number"}', 'duplicate key "type" in the object at "/" (line 2)'),
    ('{"properties": {"a~b/c": {"minimum": 1,\n\n  "minimum": 2}}}',
     'duplicate key "minimum" in the object at "/properties/a~0b~1c" (line 3)'),
    ('{"enum": [{"x": 1, "x": 1}]}', 'duplicate key "x" in the object at "/enum/0" (line 1)'),
])
def test_schema_literals_and_duplicate_keys_are_refused(text: str, expected: str, tmp_path: Path,
                                                        cli) -> None:
    bad = write(tmp_path / "bad.json", text)
    ok = write(tmp_path / "ok.json", {})
    one_line_error(cli("diff", str(ok), str(bad)), str(bad), expected)


def test_duplicate_keys_are_refused_by_every_command(repo: Path, cli) -> None:
    write(repo / "schemas" / "foo" / "1.1.0.json",
          '{"type": "object", "properties": {"type": {"const": "t.foo.v1"}},\n "type": "array"}')
    for argv in SCHEMA_COMMANDS:
        one_line_error(cli(*argv), "1.1.0.json", 'duplicate key "type" in the object at "/" (line 2)')


def test_byte_order_mark_is_skipped(tmp_path: Path, cli) -> None:
    old = tmp_path / "old.json"
    old.write_bytes(b'\xef\xbb\xbf{"type": "string"}')
    new = write(tmp_path / "new.json", {"type": "string"})
    res = cli("diff", str(old), str(new))
    assert res.exit_code == 0, res.stderr
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"type": "string"}\xef\xbb\xbf')  # anywhere else it is not JSON
    one_line_error(cli("diff", str(bad), str(new)), str(bad), "not valid JSON")


def test_library_refuses_values_json_cannot_hold() -> None:
    from schema_compat.engine import compare
    from schema_compat.errors import LoadError
    from schema_compat.loading import SchemaDocument
    from schema_compat.validate import MessageValidator

    for value, where in ((float("nan"), "nan"), (float("inf"), "inf"), (-float("inf"), "-inf")):
        with pytest.raises(LoadError, match=rf'doc.json: not JSON: {where}, which JSON cannot represent at "/properties/a/maximum"'):
            SchemaDocument("doc", None, "doc.json", {"properties": {"a": {"maximum": value}}})
    with pytest.raises(LoadError, match="a key that is not a string"):
        SchemaDocument("doc", None, "doc.json", {"properties": {1: {}}})
    with pytest.raises(LoadError, match="a tuple, which is not a JSON value"):
        SchemaDocument("doc", None, "doc.json", {"enum": (1, 2)})
    ok = SchemaDocument("doc", None, "doc.json", {"type": "number"})
    assert compare(ok, ok).backward.status == "compatible"

    validator = MessageValidator.from_directory("schemas")
    message = json.loads((Path("examples/beatframe/1.0.0/valid/deadline-at-utc-z.json")).read_text())
    assert validator.is_valid(message)
    message["tempo_bpm"] = float("nan")
    assert not validator.is_valid(message)
    (issue,) = validator.validate(message)
    assert issue.keyword == "json" and '"/tempo_bpm"' in issue.message


# -------------------------------------------------------------------- 6. numbers read exactly

BIG, BIG_MINUS_1 = 18446744073709551617, 18446744073709551616


@pytest.mark.parametrize(("old", "new", "backward", "forward"), [
    ({"const": BIG}, {"const": BIG_MINUS_1}, "breaking", "breaking"),
    ({"const": BIG_MINUS_1}, {"const": BIG}, "breaking", "breaking"),
    ({"maximum": BIG}, {"maximum": BIG_MINUS_1}, "breaking", "compatible"),
    ({"minimum": -BIG}, {"minimum": -BIG_MINUS_1}, "breaking", "compatible"),
    ({"enum": [10**30 + 1]}, {"enum": [10**30]}, "breaking", "breaking"),
    ({"const": BIG}, {"const": BIG}, "compatible", "compatible"),
])
def test_integers_beyond_64_bits_are_exact(old: dict[str, Any], new: dict[str, Any],
                                           backward: str, forward: str, tmp_path: Path, cli) -> None:
    a, b = write(tmp_path / "a.json", old), write(tmp_path / "b.json", new)
    res = cli("diff", str(a), str(b), "--format", "json", "--mode", "full")
    (result,) = res.json()["results"]
    assert (result["backward"], result["forward"]) == (backward, forward), result
    for w in result.get("witnesses", []):
        assert isinstance(w["instance"], int)  # the witness itself is exact


def test_messages_are_read_exactly(repo: Path, cli) -> None:
    schema = {"type": "object", "properties": {"type": {"const": "t.foo.v1"}, "n": {"const": BIG}},
              "required": ["n"]}
    write(repo / "schemas" / "foo" / "1.0.0.json", schema)
    write(repo / "schemas" / "foo" / "1.1.0.json", {**schema, "properties": {
        **schema["properties"], "n": {"const": BIG_MINUS_1}}})
    lines = [json.dumps({"type": "t.foo.v1", "n": n}) for n in (BIG, BIG_MINUS_1, BIG, -BIG)]
    (repo / "m.jsonl").write_text("\n".join(lines) + "\n")
    (repo / "one.json").write_text(json.dumps({"type": "t.foo.v1", "n": BIG_MINUS_1}))
    res = cli("validate", "--schemas", "schemas", "--schema", "foo@1.0.0", "--file", "m.jsonl",
              "--file", "one.json", "--message", lines[1], "--json")
    invalid = {(i["source"], i["line"]) for i in res.json()["invalid"]}
    assert invalid == {("m.jsonl", 2), ("m.jsonl", 4), ("one.json", None), ("<message>", None)}
    res = cli("replay", "foo@1.0.0", "foo@1.1.0", "--examples", "m.jsonl", "--format", "json",
              "--mode", "full")
    replay = res.json()["results"][0]["replay"]
    assert (replay["backward"], replay["forward"]) == (2, 1), replay


def test_long_integers_are_found_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The block scan finds a long integer wherever the block boundaries fall: inside it, just
    before it, in a line that spans several blocks."""
    import io

    from schema_compat import validate as validate_module
    from schema_compat.loading import ContractsRepository, SchemaDocument

    doc = SchemaDocument("n", None, "n.json", {"type": "object", "properties": {
        "n": {"const": BIG}, "pad": {"type": "string"}}})
    validator = validate_module.MessageValidator(ContractsRepository(Path(), {"n": [doc]}),
                                                 schema="n")
    lines = [json.dumps({"pad": "x" * k, "n": n}).encode()
             for k in range(0, 40, 3) for n in (BIG, BIG_MINUS_1)]
    data = b"\n".join(lines) + b"\n"
    expected = [i + 1 for i in range(len(lines)) if i % 2]  # the BIG_MINUS_1 lines
    for block in (7, 16, 19, 23, 64, 1 << 20):
        monkeypatch.setattr(validate_module.reading, "BLOCK_BYTES", block)
        found = [line for chunk in validator._scan_lines(io.BytesIO(data), None)
                 for line, _, _ in chunk.failures]
        assert found == expected, block


def test_long_integer_offsets_only_where_a_number_can_start() -> None:
    from schema_compat._json import long_integer_offsets

    text = b'{"id": "a1234567890123456789012", "n": 12345678901234567890, "m": [-12345678901234567890]}'
    offsets = long_integer_offsets(text)
    assert [text[o:o + 20] for o in offsets] == [b"12345678901234567890", b"12345678901234567890"]
    assert long_integer_offsets(b"1234567890123456789012") == [0]
    assert long_integer_offsets(b'{"x": 1.12345678901234567890}') == []


@pytest.mark.parametrize(("schema", "matters"), [
    ({"type": "object", "properties": {"n": {"maximum": 9007199254740991}}}, False),
    ({"type": "integer", "enum": [1, 2.5, -(2**53) + 1]}, False),
    ({"properties": {"n": {"multipleOf": 2}}}, True),
    ({"items": {"uniqueItems": True}}, True),
    ({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}, True),
    ({"$defs": {"old": {"$schema": "http://json-schema.org/draft-04/schema"}}}, True),
    ({"maximum": 2**53}, True),
    ({"exclusiveMinimum": -1e300}, True),
    ({"const": {"a": [2**64]}}, True),
])
def test_which_schemas_could_tell_a_long_integer_from_its_double(schema: Any, matters: bool) -> None:
    from schema_compat._json import integers_matter

    assert integers_matter([schema]) is matters


def test_the_bundled_contracts_need_no_scan() -> None:
    from schema_compat.validate import MessageValidator

    assert MessageValidator.from_directory("schemas")._integers_matter is False


@pytest.mark.parametrize(("schema", "valid"), [
    ({"multipleOf": 2}, False),                # 2**64 + 1 is odd; its double is even
    ({"maximum": 18446744073709551616}, False),  # above by one; its double is equal
    ({"const": BIG}, True),
    ({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}, True),
])
def test_long_integers_in_messages_are_judged_exactly(schema: dict[str, Any], valid: bool,
                                                      tmp_path: Path, cli) -> None:
    write(tmp_path / "schemas" / "n" / "1.0.0.json", schema)
    (tmp_path / "m.jsonl").write_text(f"{BIG}\n")
    (tmp_path / "m.json").write_text(f"{BIG}\n")
    res = cli("validate", "--schemas", str(tmp_path / "schemas"), "--schema", "n",
              "--file", str(tmp_path / "m.jsonl"), "--file", str(tmp_path / "m.json"),
              "--message", str(BIG), "--json")
    assert res.json()["summary"]["valid"] == (3 if valid else 0), res.stdout


def test_invalid_messages_are_reported_with_their_exact_integers(tmp_path: Path, cli) -> None:
    """Schemas that cannot tell a long integer from its double are not scanned for one; what
    is reported about an invalid message still quotes it exactly."""
    write(tmp_path / "schemas" / "n" / "1.0.0.json",
          {"type": "object", "properties": {"n": {"maximum": 100}}})
    (tmp_path / "m.jsonl").write_text(json.dumps({"n": BIG}) + "\n" + json.dumps({"n": 5}) + "\n")
    res = cli("validate", "--schemas", str(tmp_path / "schemas"), "--schema", "n",
              "--file", str(tmp_path / "m.jsonl"))
    assert f"{BIG} is greater than the maximum of 100" in res.stdout, res.stdout
    assert "2 messages, 1 valid, 1 invalid" in res.stdout


def test_json_value_problem_names_the_place() -> None:
    from schema_compat._json import json_value_problem

    class Sub(dict):  # type: ignore[type-arg]
        pass

    assert json_value_problem({"a": [True, None, 1.5, "s", 10**40, Sub(b=[1])]}) is None
    assert json_value_problem({None: 1}) == 'a key that is not a string (None) at "/"'
    assert json_value_problem({"a": Sub({2.5: 1})}) == 'a key that is not a string (2.5) at "/a"'
    assert json_value_problem([1, {"x": {1, 2}}]) == 'a set, which is not a JSON value at "/1/x"'
    assert json_value_problem({"a/b": [0, float("-inf")]}) == '-inf, which JSON cannot represent at "/a~1b/1"'


@pytest.mark.parametrize("check", [False, True])
def test_matrix_document_linked_outside_is_neither_read_nor_written(check: bool, repo: Path,
                                                                    cli) -> None:
    target = repo.parent / "outside" / "docs"
    target.mkdir()
    link(repo / "docs", target)
    res = cli("matrix", "--out", "docs/compatibility-matrix.md", *(["--check"] if check else []))
    one_line_error(res, "docs/compatibility-matrix.md", "leads outside the repository")
    assert list(target.iterdir()) == []
    (target / "compatibility-matrix.md").write_text(SECRET)
    res = cli("matrix", "--out", "docs/compatibility-matrix.md", *(["--check"] if check else []))
    one_line_error(res, "leads outside the repository")
    assert (target / "compatibility-matrix.md").read_text() == SECRET
