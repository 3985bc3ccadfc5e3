"""`schema-compat validate` and `backbeat-validate` through the real command line."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schema_compat import validate as v
from schema_compat.cli import app, backbeat_app, run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SCHEMAS = str(FIXTURES / "schemas")
MESSAGES = FIXTURES / "messages"
BACKBEAT_SCHEMAS = ROOT / "schemas"

BEATFRAME = {
    "type": "backbeat.beatframe.v1",
    "cluster_id": "test",
    "beat_index": 100,
    "downbeat": False,
    "phase": "execute",
    "hlc": "7ffd:0001:abcd",
    "deadline_at": "2025-06-01T09:15:40Z",
    "tempo_bpm": 2.0,
    "window_id": "7e9b0e6c4c9a4e59b7f2d9a3c1b2e4d5",
}
needs_backbeat = pytest.mark.skipif(
    not (BACKBEAT_SCHEMAS / "beatframe").is_dir(), reason="no BACKBEAT schemas in schemas/"
)


def ping(**fields: object) -> str:
    return json.dumps({"type": "test.ping.v1", "id": "00ff", **fields})


def cli(capsys, *argv: str, application=app) -> tuple[int, str, str]:
    args = ["validate", *argv] if application is app else list(argv)
    code = run(application, args)
    out, err = capsys.readouterr()
    return code, out, err


def set_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --------------------------------------------------------------------------- text output


def test_directory_text_report(capsys):
    code, out, err = cli(capsys, "--schemas", SCHEMAS, "--dir", str(MESSAGES))
    m = str(MESSAGES)
    assert code == 0  # invalid messages, but no --exit-code: the seed's behaviour
    assert err == ""
    assert out.splitlines() == [
        f'{m}/bad-id.json: /id: pattern: "00ff\\n" does not match "^[0-9a-f]{{4}}$" [ping@1.1.0]',
        f"{m}/batch.jsonl:3: /n: minimum: -1 is less than the minimum of 0 [ping@1.1.0]",
        f"{m}/batch.jsonl:4: json: not valid JSON: unexpected end of data (column 32)",
        f'{m}/batch.jsonl:5: routing: message has no "type" property; known types: '
        "test.ping.v1, test.ping.v2, test.pong.v1",
        f'{m}/batch.jsonl:6: routing: unknown message type "test.nope.v1"; known types: '
        "test.ping.v1, test.ping.v2, test.pong.v1",
        f'{m}/nested/more.ndjson:1: /: required: "n" is a required property [ping@2.0.0]',
        f"{m}/nested/more.ndjson:2: /: additionalProperties: Additional properties are not "
        "allowed ('extra' was unexpected) [ping@1.1.0]",
        f"{m}/nested/more.ndjson:2: /: additionalProperties: Additional properties are not "
        "allowed ('other' was unexpected) [ping@1.1.0]",
        "11 messages, 4 valid, 7 invalid",
    ]


def test_exit_code_flag(capsys):
    assert cli(capsys, "--schemas", SCHEMAS, "--dir", str(MESSAGES), "--exit-code")[0] == 1
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--file", str(MESSAGES / "ok.json"), "--exit-code")
    assert (code, out) == (0, "1 message, 1 valid, 0 invalid\n")


def test_repeated_files_keep_their_order(capsys):
    _, out, _ = cli(
        capsys,
        "--schemas",
        SCHEMAS,
        "--file",
        str(MESSAGES / "ok.json"),
        "--file",
        str(MESSAGES / "nested" / "more.ndjson"),
        "--file",
        str(MESSAGES / "bad-id.json"),
    )
    sources = [line.split(":")[0] for line in out.splitlines()[:-1]]
    assert sources == [str(MESSAGES / "nested" / "more.ndjson")] * 3 + [str(MESSAGES / "bad-id.json")]
    assert out.splitlines()[-1] == "4 messages, 1 valid, 3 invalid"


def test_inline_messages(capsys):
    code, out, _ = cli(
        capsys, "--schemas", SCHEMAS, "--message", ping(), "--message", ping(n=-1), "--exit-code"
    )
    assert code == 1
    assert out.splitlines() == [
        "<message 2>: /n: minimum: -1 is less than the minimum of 0 [ping@1.1.0]",
        "2 messages, 1 valid, 1 invalid",
    ]
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--message", "{nope")
    assert out.splitlines()[0].startswith("<message>: json: not valid JSON: ")


def test_explicit_schema_flag(capsys):
    args = ["--schemas", SCHEMAS, "--message", ping(note="hi")]
    assert cli(capsys, *args, "--exit-code")[0] == 0  # routed to ping@1.1.0
    code, out, _ = cli(capsys, *args, "--schema", "ping@1.0.0", "--exit-code")
    assert code == 1
    assert "[ping@1.0.0]" in out and "'note' was unexpected" in out
    code, _, err = cli(capsys, *args, "--schema", "ping@7.0.0")
    assert code == 2
    assert err.strip().endswith("ping has no version 7.0.0 (known: 1.0.0, 1.1.0, 2.0.0)")


def test_stdin_json_lines_and_document(capsys, monkeypatch):
    set_stdin(monkeypatch, (ping() + "\n" + ping(id="00ff\n") + "\n").encode())
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--message", "-", "--exit-code")
    assert code == 1
    assert out.splitlines()[0].startswith('<stdin>:2: /id: pattern: "00ff\\n" does not match')
    set_stdin(monkeypatch, json.dumps(json.loads(ping(n=-1)), indent=2).encode())
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--message", "-")
    assert out.splitlines() == [
        "<stdin>: /n: minimum: -1 is less than the minimum of 0 [ping@1.1.0]",
        "1 message, 0 valid, 1 invalid",
    ]


def test_gzip_files(capsys, tmp_path):
    path = tmp_path / "m.ndjson.gz"
    with gzip.open(path, "wt") as out:
        out.write(ping() + "\n" + ping(n=-2) + "\n")
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--dir", str(tmp_path), "--exit-code")
    assert code == 1
    assert out.splitlines()[0] == (f"{path}:2: /n: minimum: -2 is less than the minimum of 0 [ping@1.1.0]")


def test_workers_flag(capsys, tmp_path, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("workers fork (Linux only)")
    monkeypatch.setattr(v.parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(v.parallel, "_TASK_MAX_BYTES", 2000)
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 1000)
    path = tmp_path / "m.jsonl"
    path.write_text("".join(ping(n=-i if i % 10 == 0 else i) + "\n" for i in range(1, 501)))
    outputs = []
    for workers in ("1", "2"):
        code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--file", str(path), "--workers", workers)
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert outputs[1].splitlines()[0].startswith(f"{path}:10: /n: minimum: -10 ")
    assert outputs[1].splitlines()[-1] == "500 messages, 450 valid, 50 invalid"
    code, _, err = cli(capsys, "--schemas", SCHEMAS, "--file", str(path), "--workers", "0")
    assert code == 2 and "--workers" in err


# ---------------------------------------------------------------------------- bad input


def test_bad_inputs_are_reported_and_the_rest_still_checked(capsys, tmp_path):
    (tmp_path / "notjson.json").write_text("this is not json")
    (tmp_path / "array.json").write_text("[]")
    (tmp_path / "untyped.json").write_text('{"id": "00ff"}')
    (tmp_path / "good.json").write_text(ping())
    code, out, err = cli(
        capsys,
        "--schemas",
        SCHEMAS,
        "--dir",
        str(tmp_path),
        "--file",
        str(tmp_path / "missing.json"),
        "--file",
        str(tmp_path),
        "--exit-code",
    )
    assert (code, err) == (1, "")
    t = str(tmp_path)
    assert out.splitlines() == [
        f"{t}/array.json: routing: message is an array, not an object; cannot route it by type "
        "(a .json file holds one message; put many in a .jsonl file)",
        f"{t}/notjson.json: json: not valid JSON: invalid literal, expected 'true' (line 1, column 1)",
        f'{t}/untyped.json: routing: message has no "type" property; known types: '
        "test.ping.v1, test.ping.v2, test.pong.v1",
        f"{t}/missing.json: io: cannot read: no such file",
        f"{t}: io: cannot read: is a directory (use --dir)",
        "6 messages, 1 valid, 5 invalid",
    ]


# ----------------------------------------------------------------- errors: exit code 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dir", str(MESSAGES)], "Missing option '--schemas'"),
        (["--schemas", SCHEMAS], "error: nothing to validate: give --dir, --file or --message"),
        (
            ["--schemas", "nowhere", "--dir", str(MESSAGES)],
            "nowhere: schemas directory does not exist",
        ),
        (["--schemas", SCHEMAS, "--dir", "nowhere"], "nowhere: messages directory does not exist"),
        (
            ["--schemas", SCHEMAS, "--dir", str(MESSAGES / "ok.json")],
            "ok.json: not a directory (use --file for a single file)",
        ),
        (["--schemas", SCHEMAS, "--message", "-", "--message", "-"], "given more than once"),
        (["--schemas", SCHEMAS, "--bogus"], "No such option: --bogus"),
    ],
)
def test_usage_and_input_errors_exit_2(capsys, argv, message):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"properties": {"type": {"const": "t.v1"}}, "type": 12}, "a/1.0.0.json: invalid schema"),
        (
            {"properties": {"type": {"const": "t.v1"}}, "pattern": "(("},
            "invalid schema at /pattern",
        ),
        (
            {"properties": {"type": {"const": "t.v1"}}, "$ref": "http://example.com/x.json"},
            "not a schema of this repository (not fetched)",
        ),
    ],
)
def test_unusable_schemas_exit_2_with_one_line(capsys, tmp_path, document, message):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.0.0.json").write_text(json.dumps(document))
    code, out, err = cli(capsys, "--schemas", str(tmp_path), "--message", "{}", application=backbeat_app)
    assert (code, out) == (2, "")
    assert err.startswith("backbeat-validate: error: ")
    assert message in err
    assert err.count("\n") == 1


# ------------------------------------------------------------------------------ --json


def test_json_report_shape(capsys):
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--dir", str(MESSAGES), "--json")
    assert code == 0
    report = json.loads(out)
    assert sorted(report) == ["command", "invalid", "keywords", "schemas", "summary", "tool", "unlisted",
                              "version"]
    assert report["tool"] == "schema-compat" and report["command"] == "validate"
    assert report["summary"] == {"invalid": 7, "messages": 11, "valid": 4}
    assert [s["type"] for s in report["schemas"]] == [
        "test.ping.v1",
        "test.ping.v2",
        "test.pong.v1",
    ]
    assert report["schemas"][0] == {
        "name": "ping",
        "source": str(FIXTURES / "schemas" / "ping" / "1.1.0.json"),
        "type": "test.ping.v1",
        "version": "1.1.0",
    }
    first = report["invalid"][0]
    assert first == {
        "errors": [
            {
                "keyword": "pattern",
                "message": '"00ff\\n" does not match "^[0-9a-f]{4}$"',
                "pointer": "/id",
                "property": None,
                "schema": "ping@1.1.0",
                "schema_path": "/properties/id/pattern",
            }
        ],
        "line": None,
        "schema": "ping@1.1.0",
        "source": str(MESSAGES / "bad-id.json"),
    }
    assert [(r["line"], [e["keyword"] for e in r["errors"]]) for r in report["invalid"][1:]] == [
        (3, ["minimum"]),
        (4, ["json"]),
        (5, ["routing"]),
        (6, ["routing"]),
        (1, ["required"]),
        (2, ["additionalProperties", "additionalProperties"]),
    ]
    assert report["invalid"][-1]["errors"][1]["property"] == "other"


def test_json_report_is_byte_identical_across_runs_and_valid_when_empty(capsys):
    args = ["--schemas", SCHEMAS, "--dir", str(MESSAGES), "--json"]
    assert cli(capsys, *args)[1] == cli(capsys, *args)[1]
    code, out, _ = cli(capsys, "--schemas", SCHEMAS, "--message", ping(), "--json", "--exit-code")
    assert code == 0
    report = json.loads(out)
    assert report["invalid"] == [] and report["summary"]["valid"] == 1


# ---------------------------------------------------------------- the seed's usages


@needs_backbeat
def test_seed_ci_usage_dir_exit_code(capsys, tmp_path, monkeypatch):
    """`backbeat-validate --schemas ../../schemas --dir ../../../your-messages --exit-code`."""
    messages = tmp_path / "your-messages-directory"
    messages.mkdir()
    (messages / "frame.json").write_text(json.dumps(BEATFRAME))
    monkeypatch.chdir(ROOT)
    args = ["--schemas", "schemas", "--dir", str(messages), "--exit-code"]
    code, out, _ = cli(capsys, *args, application=backbeat_app)
    assert (code, out) == (0, "1 message, 1 valid, 0 invalid\n")
    # The trailing-newline hlc that python-jsonschema would accept.
    (messages / "late.json").write_text(json.dumps({**BEATFRAME, "hlc": "7ffd:0001:abcd\n"}))
    code, out, _ = cli(capsys, *args, application=backbeat_app)
    assert code == 1
    assert out.splitlines()[0] == (
        f'{messages}/late.json: /hlc: pattern: "7ffd:0001:abcd\\n" does not match '
        '"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$" [beatframe@1.1.0]'
    )


@needs_backbeat
def test_seed_stdin_usage(capsys, monkeypatch):
    """`echo '{"type":"backbeat.beatframe.v1",...}' | backbeat-validate --schemas s --message -`."""
    monkeypatch.chdir(ROOT)
    set_stdin(monkeypatch, (json.dumps(BEATFRAME) + "\n").encode())
    code, out, _ = cli(capsys, "--schemas", "schemas", "--message", "-", application=backbeat_app)
    assert (code, out) == (0, "1 message, 1 valid, 0 invalid\n")
    set_stdin(monkeypatch, (json.dumps({**BEATFRAME, "tempo_bpm": 0}) + "\n").encode())
    code, out, _ = cli(capsys, "--schemas", "schemas", "--message", "-", application=backbeat_app)
    assert out.splitlines()[0] == (
        "<stdin>: /tempo_bpm: minimum: 0 is less than the minimum of 0.1 [beatframe@1.1.0]"
    )


@needs_backbeat
def test_seed_debug_usages_file_json_and_inline(capsys, tmp_path, monkeypatch):
    """`--file message.json --json` and `--message '{...}'` from the seed's debug tools."""
    monkeypatch.chdir(ROOT)
    path = tmp_path / "message.json"
    path.write_text(json.dumps({**BEATFRAME, "phase": "finish", "deadline_at": "2025-02-30T10:00:00Z"}))
    _, out, _ = cli(capsys, "--schemas", "./schemas", "--file", str(path), "--json", application=backbeat_app)
    report = json.loads(out)
    assert [(e["pointer"], e["keyword"]) for e in report["invalid"][0]["errors"]] == [
        ("/deadline_at", "format"),
        ("/phase", "enum"),
    ]
    _, out, _ = cli(
        capsys,
        "--schemas",
        "./schemas",
        "--message",
        json.dumps(BEATFRAME),
        application=backbeat_app,
    )
    assert out == "1 message, 1 valid, 0 invalid\n"


# ----------------------------------------------------------------- installed commands


def script(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed (pip install -e .)")
        return found
    return str(path)


@needs_backbeat
def test_installed_backbeat_validate_reads_stdin():
    out = subprocess.run(
        [script("backbeat-validate"), "--schemas", "schemas", "--message", "-", "--exit-code"],
        input=json.dumps({**BEATFRAME, "window_id": "x"}) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines()[0].startswith('<stdin>: /window_id: pattern: "x" does not')
    assert out.stderr == ""


@pytest.mark.parametrize("how", ["schema-compat", "python -m"])
def test_installed_schema_compat_validate(how):
    argv = [script("schema-compat")] if how == "schema-compat" else [sys.executable, "-m", "schema_compat"]
    out = subprocess.run(
        [*argv, "validate", "--schemas", SCHEMAS, "--dir", str(MESSAGES), "--json", "--exit-code"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["summary"] == {"invalid": 7, "messages": 11, "valid": 4}
    out = subprocess.run(
        [*argv, "validate", "--schemas", "nowhere", "--message", "{}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr == "schema-compat: error: nowhere: schemas directory does not exist\n"


def test_validate_command_does_not_import_heavy_modules():
    code = (
        "import sys; from schema_compat.cli import run, backbeat_app; "
        f"run(backbeat_app, ['--schemas', {SCHEMAS!r}, '--message', '{{}}']); "
        "print(sorted(m for m in ('rich', 'jsonschema') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
