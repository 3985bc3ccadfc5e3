"""The message validator library: routing, issues, inputs, workers, schema errors."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schema_compat import validate as v
from schema_compat.errors import LoadError, SchemaError, UsageError
from schema_compat.validate import (
    MessageInput,
    MessageValidator,
    ValidationIssue,
    discover_inputs,
    validate_message,
)

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SCHEMAS = FIXTURES / "schemas"
MESSAGES = FIXTURES / "messages"


@pytest.fixture(scope="module")
def validator() -> MessageValidator:
    return MessageValidator.from_directory(SCHEMAS)


def ping(**fields: object) -> dict:
    return {"type": "test.ping.v1", "id": "00ff", **fields}


def keys(issues: list[ValidationIssue]) -> list[tuple[str, str, str | None]]:
    return [(i.keyword, i.pointer, i.property_name) for i in issues]


def flat(report: v.ValidationReport) -> list[tuple]:
    return [(i.source, i.line, i.keyword, i.pointer, i.property_name) for i in report.issues]


# ----------------------------------------------------------------------------- routing


def test_routes_each_type_to_the_latest_version_of_its_major(validator):
    assert validator.routes == {
        "test.ping.v1": "ping@1.1.0",
        "test.ping.v2": "ping@2.0.0",
        "test.pong.v1": "pong@1.0.0",
    }
    assert validator.check(ping(note="hi")).schema == "ping@1.1.0"  # `note` is new in 1.1.0
    assert validator.check({"type": "test.ping.v2", "id": "0000", "n": 1}).valid


def test_valid_message_has_no_issues(validator):
    assert validator.validate(ping(n=3, at="2025-06-01T09:15:40+02:00")) == []
    assert validator.is_valid(ping())


def test_issue_carries_every_field(validator):
    (issue,) = validator.validate(ping(id="00ff\n"), source="m.jsonl", line=12)
    assert issue == ValidationIssue(
        source="m.jsonl",
        line=12,
        pointer="/id",
        keyword="pattern",
        schema_path="/properties/id/pattern",
        message='"00ff\\n" does not match "^[0-9a-f]{4}$"',
        schema="ping@1.1.0",
    )
    assert str(issue) == ('m.jsonl:12: /id: pattern: "00ff\\n" does not match "^[0-9a-f]{4}$" [ping@1.1.0]')


def test_trailing_newline_does_not_match_dollar(validator):
    # python-jsonschema's re.search accepts this; ECMA-262 (jsonschema-rs) does not.
    assert keys(validator.validate(ping(id="abcd\n"))) == [("pattern", "/id", None)]


def test_formats_are_asserted(validator):
    assert keys(validator.validate(ping(at="2025-02-30T10:00:00Z"))) == [("format", "/at", None)]
    assert keys(validator.validate(ping(at="2025-06-01 10:00:00Z"))) == [("format", "/at", None)]
    assert validator.validate(ping(at="2016-12-31T23:59:60Z")) == []  # leap second: RFC 3339


def test_required_and_additional_properties_name_the_property(validator):
    issues = validator.validate({"type": "test.ping.v1", "zz": 1, "aa": 2})
    assert keys(issues) == [
        ("additionalProperties", "", "aa"),
        ("additionalProperties", "", "zz"),
        ("required", "", "id"),
    ]
    assert "'aa' was unexpected" in issues[0].message
    assert str(issues[2]).startswith('<message>: /: required: "id" is a required property')


def test_nested_pointer_and_schema_path(validator):
    (issue,) = validator.validate(ping(tags=["a", ""]))
    assert (issue.pointer, issue.keyword, issue.schema_path) == (
        "/tags/1",
        "minLength",
        "/properties/tags/items/minLength",
    )


def test_ref_to_another_schema_file(validator):
    assert validator.validate({"type": "test.pong.v1", "hlc": "7ffd:0001:abcd"}) == []
    (issue,) = validator.validate({"type": "test.pong.v1", "hlc": "7ffd:0001:abcd\n"})
    assert (issue.keyword, issue.pointer, issue.schema_path) == (
        "pattern",
        "/hlc",
        "/properties/hlc/$ref/pattern",
    )


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ([1, 2], "message is an array, not an object"),
        ("text", "message is a string, not an object"),
        (None, "message is null, not an object"),
        ({"id": "00ff"}, 'message has no "type" property; known types: test.ping.v1,'),
        ({"type": 5}, '"type" is a number, not a string'),
        ({"type": ["test.ping.v1"]}, '"type" is an array, not a string'),
        ({"type": "test.ping.v9"}, 'unknown message type "test.ping.v9"; known types:'),
    ],
)
def test_routing_failures(validator, message, text):
    result = validator.check(message, source="s", line=3)
    assert result.schema is None
    (issue,) = result.issues
    assert (issue.keyword, issue.pointer, issue.schema, issue.line) == ("routing", "", None, 3)
    assert issue.message.startswith(text)
    assert str(issue).startswith("s:3: routing: ")


def test_explicit_schema_skips_routing():
    pinned = MessageValidator.from_directory(SCHEMAS, schema="ping@1.0.0")
    assert pinned.routes == {}
    assert [d.label for d in pinned.schemas] == ["ping@1.0.0"]
    # `note` only exists from 1.1.0 on, so 1.0.0 rejects it.
    assert keys(pinned.validate(ping(note="x"))) == [("additionalProperties", "", "note")]
    # No routing: a v2 message is checked against 1.0.0 and fails on its `const`.
    assert [i.keyword for i in pinned.validate({"type": "test.ping.v2", "id": "0000"})] == ["const"]
    latest = MessageValidator.from_directory(SCHEMAS, schema="ping")
    assert [d.label for d in latest.schemas] == ["ping@2.0.0"]
    common = MessageValidator.from_directory(SCHEMAS, schema="common")
    assert common.validate("any string") == []
    assert [i.keyword for i in common.validate(5)] == ["type"]


@pytest.mark.parametrize(
    ("schema", "error", "text"),
    [
        ("nope", LoadError, "no schema named 'nope'"),
        ("ping@9.9.9", LoadError, "ping has no version 9.9.9 (known: 1.0.0, 1.1.0, 2.0.0)"),
        ("@1.0.0", UsageError, "expected NAME or NAME@VERSION"),
    ],
)
def test_explicit_schema_errors(schema, error, text):
    with pytest.raises(error, match=re.escape(text)):
        MessageValidator.from_directory(SCHEMAS, schema=schema)


def test_validate_message_one_call():
    assert validate_message(ping(), SCHEMAS) == []
    assert [i.keyword for i in validate_message(ping(n=-1), SCHEMAS)] == ["minimum"]
    assert validate_message(ping(note="x"), str(SCHEMAS), schema="ping@1.1.0") == []


# ------------------------------------------------------------------------ schema errors


def write_schema(root: Path, rel: str, document: object) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


TYPED = {"properties": {"type": {"const": "t.v1"}}}


@pytest.mark.parametrize(
    ("document", "error", "text"),
    [
        ({**TYPED, "minimum": "zero"}, SchemaError, "a/1.0.0.json: invalid schema at /minimum: "),
        ({**TYPED, "pattern": "("}, SchemaError, "a/1.0.0.json: invalid schema at /pattern: "),
        (
            {**TYPED, "$ref": "https://example.com/s.json"},
            SchemaError,
            "is not a schema of this repository (not fetched)",
        ),
        ({**TYPED, "$ref": "#/$defs/missing"}, SchemaError, "a/1.0.0.json: invalid schema: "),
        ({**TYPED, "$ref": "/etc/passwd"}, SchemaError, "a/1.0.0.json: invalid schema: "),
        ([1, 2], LoadError, "not a JSON Schema"),
        ({"type": "object"}, UsageError, "no schema has a `type` constant"),
    ],
)
def test_unusable_schemas_are_errors(tmp_path, document, error, text):
    write_schema(tmp_path, "a/1.0.0.json", document)
    with pytest.raises(error, match=re.escape(text)):
        MessageValidator.from_directory(tmp_path)


def test_two_names_declaring_one_type_is_an_error(tmp_path):
    write_schema(tmp_path, "a/1.0.0.json", TYPED)
    write_schema(tmp_path, "b/1.0.0.json", TYPED)
    with pytest.raises(SchemaError, match=re.escape("'t.v1' is declared by both 'a' and 'b'")):
        MessageValidator.from_directory(tmp_path)


def test_missing_or_empty_schemas_directory(tmp_path):
    with pytest.raises(LoadError, match="does not exist"):
        MessageValidator.from_directory(tmp_path / "nope")
    with pytest.raises(LoadError, match="no schemas"):
        MessageValidator.from_directory(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.0.0.json").write_text("{not json")
    with pytest.raises(LoadError, match="not valid JSON"):
        MessageValidator.from_directory(tmp_path)


def test_schema_without_id_refers_to_sibling_file(tmp_path):
    write_schema(tmp_path, "defs/1.0.0.json", {"$defs": {"n": {"type": "integer"}}})
    write_schema(
        tmp_path,
        "m/1.0.0.json",
        {"properties": {"type": {"const": "m.v1"}, "n": {"$ref": "../defs/1.0.0.json#/$defs/n"}}},
    )
    checker = MessageValidator.from_directory(tmp_path)
    assert checker.validate({"type": "m.v1", "n": 1}) == []
    assert [i.keyword for i in checker.validate({"type": "m.v1", "n": "1"})] == ["type"]


# ------------------------------------------------------------------------------ inputs


def run_inputs(validator: MessageValidator, *inputs: MessageInput, workers: int = 1):
    return validator.validate_inputs(list(inputs), workers=workers)


def test_json_lines_numbering_blank_lines_and_bad_lines(validator):
    report = run_inputs(validator, MessageInput.file(MESSAGES / "batch.jsonl"))
    src = str(MESSAGES / "batch.jsonl")
    assert (report.messages, report.valid, report.invalid) == (7, 3, 4)  # line 2 is blank
    assert flat(report) == [
        (src, 3, "minimum", "/n", None),
        (src, 4, "json", "", None),
        (src, 5, "routing", "", None),
        (src, 6, "routing", "", None),
    ]
    assert report.issues[1].message.startswith("not valid JSON: unexpected end of data")


def test_line_endings_bom_and_missing_final_newline(validator, tmp_path):
    path = tmp_path / "m.jsonl"
    good, bad = json.dumps(ping()).encode(), json.dumps(ping(n=-1)).encode()
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\r\n  \r\n" + bad + b"\r\n" + good + b"\n" + bad)
    report = run_inputs(validator, MessageInput.file(path))
    assert report.messages == 4
    assert [(r.line, r.issues[0].keyword) for r in report.failures] == [
        (3, "minimum"),
        (5, "minimum"),
    ]


def test_lines_across_read_blocks(validator, tmp_path, monkeypatch):
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 7)  # every line spans several reads
    path = tmp_path / "m.jsonl"
    lines = [json.dumps(ping(n=-i if i % 3 == 0 else i)) for i in range(1, 40)]
    path.write_text("\n".join(lines) + "\n")
    report = run_inputs(validator, MessageInput.file(path))
    assert report.messages == 39
    assert [r.line for r in report.failures] == list(range(3, 40, 3))


def test_overlong_line_is_reported_and_skipped(validator, tmp_path, monkeypatch):
    monkeypatch.setattr(v.reading, "MAX_LINE_BYTES", 64)
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 16)
    path = tmp_path / "m.jsonl"
    long = json.dumps(ping(note="x" * 200))
    path.write_text("\n".join([json.dumps(ping()), long, json.dumps(ping(n=-1)), long]))
    report = run_inputs(validator, MessageInput.file(path))
    assert report.messages == 4
    assert [(r.line, r.issues[0].keyword) for r in report.failures] == [
        (2, "io"),
        (3, "minimum"),
        (4, "io"),
    ]
    assert report.failures[0].issues[0].message == "line is longer than 0 MiB; not checked"


def test_document_files(validator, tmp_path):
    array = tmp_path / "array.json"
    array.write_text(json.dumps([ping(), ping()]))
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "type": "test.ping.v1",\n  "id": }')
    empty = tmp_path / "empty.json"
    empty.write_text("")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(ping()).encode())
    report = run_inputs(
        validator,
        MessageInput.file(MESSAGES / "ok.json"),
        MessageInput.file(array),
        MessageInput.file(broken),
        MessageInput.file(empty),
        MessageInput.file(bom),
    )
    assert report.messages == 5
    texts = [(r.source, r.line, r.issues[0].keyword, r.issues[0].message) for r in report.failures]
    assert texts[0][:3] == (str(array), None, "routing")
    assert texts[0][3].endswith("(a .json file holds one message; put many in a .jsonl file)")
    assert texts[1][:3] == (str(broken), None, "json")
    assert "(line 3, column 9)" in texts[1][3]
    assert texts[2][:3] == (str(empty), None, "json")


def test_unreadable_inputs_are_io_issues(validator, tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    big.write_text(json.dumps(ping(note="x" * 100)))
    monkeypatch.setattr(v.reading, "MAX_DOCUMENT_BYTES", 50)
    corrupt = tmp_path / "c.jsonl.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage")
    report = run_inputs(
        validator,
        MessageInput.file(tmp_path / "missing.json"),
        MessageInput.file(tmp_path / "missing.jsonl"),
        MessageInput.file(tmp_path),
        MessageInput.file(big),
        MessageInput.file(corrupt),
        MessageInput.failed("sub", "cannot read directory: Permission denied"),
    )
    assert report.messages == report.invalid == 6
    assert [(r.issues[0].keyword, r.issues[0].message) for r in report.failures] == [
        ("io", "cannot read: no such file"),
        ("io", "cannot read: no such file"),
        ("io", "cannot read: is a directory (use --dir)"),
        ("io", "file is larger than 0 MiB; not checked (use .jsonl for many messages)"),
        ("io", report.failures[4].issues[0].message),
        ("io", "cannot read directory: Permission denied"),
    ]
    assert report.failures[4].issues[0].message.startswith("cannot read: ")


def test_gzip_inputs(validator, tmp_path):
    lines = tmp_path / "m.jsonl.gz"
    with gzip.open(lines, "wt") as out:
        out.write(json.dumps(ping()) + "\n" + json.dumps(ping(n=-1)) + "\n")
    doc = tmp_path / "m.json.gz"
    with gzip.open(doc, "wt") as out:
        out.write(json.dumps(ping(id="x")))
    report = run_inputs(validator, MessageInput.file(lines), MessageInput.file(doc))
    assert report.messages == 3
    assert [(r.source, r.line) for r in report.failures] == [(str(lines), 2), (str(doc), None)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # One message on one line: a document (no line number).
        (b'{"type": "test.ping.v1", "id": "x"}\n\n', [(None, "pattern")]),
        # Two lines: JSON Lines (line numbers).
        (b'{"type": "test.ping.v1", "id": "x"}\n\n[]', [(1, "pattern"), (3, "routing")]),
        # Pretty-printed: one document (no line number).
        (b'{\n  "type": "test.ping.v1",\n  "id": "x"\n}\n', [(None, "pattern")]),
        # JSON Lines with a blank first line and a bad line.
        (b'\n{"type": "test.ping.v1", "id": "0000"}\n{"id"\n[]\n', [(3, "json"), (4, "routing")]),
        # A broken first line does not hide the others.
        (b'{"type":\n{"type": "test.ping.v1", "id": "x"}\n', [(1, "json"), (2, "pattern")]),
        # One broken document on one line.
        (b'{"type": "test.ping.v1", "id": ', [(None, "json")]),
        (b"", []),
        (b"\n \n", []),
    ],
)
def test_streams_hold_one_document_or_json_lines(validator, data, expected):
    report = run_inputs(validator, MessageInput.from_stream(io.BytesIO(data)))
    assert [(r.line, r.issues[0].keyword) for r in report.failures] == expected
    assert all(r.source == "<stdin>" for r in report.failures)


def test_inline_text(validator):
    report = run_inputs(validator, MessageInput.inline(json.dumps(ping(n=-1)), "<message>"))
    assert [(r.source, r.issues[0].keyword) for r in report.failures] == [("<message>", "minimum")]


def test_discover_inputs_walks_sorted_and_skips_hidden_and_other_files():
    found = [Path(i.source).relative_to(MESSAGES).as_posix() for i in discover_inputs(MESSAGES)]
    assert found == ["bad-id.json", "batch.jsonl", "nested/more.ndjson", "ok.json"]


def test_discover_inputs_errors(tmp_path):
    with pytest.raises(UsageError, match="messages directory does not exist"):
        discover_inputs(tmp_path / "nope")
    with pytest.raises(UsageError, match="not a directory"):
        discover_inputs(MESSAGES / "ok.json")
    assert discover_inputs(tmp_path) == []


def test_report_is_deterministic(validator):
    inputs = discover_inputs(MESSAGES)
    first = [r.to_dict() for r in run_inputs(validator, *inputs).failures]
    second = [r.to_dict() for r in run_inputs(validator, *inputs).failures]
    assert first == second
    assert first[0]["errors"][0] == {
        "keyword": "pattern",
        "message": '"00ff\\n" does not match "^[0-9a-f]{4}$"',
        "pointer": "/id",
        "property": None,
        "schema": "ping@1.1.0",
        "schema_path": "/properties/id/pattern",
    }


# ----------------------------------------------------------------------------- workers


def corpus(path: Path, lines: int) -> int:
    """Write a JSON Lines file with bad, invalid and blank lines; return its message count."""
    rows = []
    for i in range(1, lines + 1):
        if i % 97 == 0:
            rows.append("{broken")
        elif i % 13 == 0:
            rows.append(json.dumps(ping(id=f"{i:04x}", n=-i)))
        elif i % 50 == 0:
            rows.append("")
        else:
            rows.append(json.dumps(ping(id=f"{i % 65536:04x}", n=i)))
    path.write_text("\n".join(rows) + "\n")
    return sum(1 for row in rows if row)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork (Linux only)")
def test_workers_give_the_same_results_in_the_same_order(validator, tmp_path, monkeypatch):
    monkeypatch.setattr(v.parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(v.parallel, "_TASK_MAX_BYTES", 10_000)
    big, small = tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    in_big, in_small = corpus(big, 3000), corpus(small, 40)
    inputs = [
        MessageInput.file(big),
        MessageInput.file(MESSAGES / "ok.json"),
        MessageInput.inline(json.dumps(ping(n=-1))),
        MessageInput.file(small),
        MessageInput.file(big),
    ]
    one = run_inputs(validator, *inputs, workers=1)
    pools: list[int] = []
    real = MessageValidator._iter_parallel

    def spy(self, items, count):
        pools.append(count)
        return real(self, items, count)

    monkeypatch.setattr(MessageValidator, "_iter_parallel", spy)
    two = run_inputs(validator, *inputs, workers=2)
    assert pools == [2]  # the worker pool really ran
    assert one.messages == two.messages == 2 * in_big + 1 + 1 + in_small
    assert flat(one) == flat(two)
    assert [r.line for r in two.failures if r.source == str(big)][:3] == [13, 26, 39]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.booleans(),
    st.integers(min_value=1, max_value=9),
)
def test_split_ranges_cover_the_file_at_line_starts(tmp_path_factory, lines, newline_at_end, n):
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    path = tmp_path_factory.mktemp("split") / "f.jsonl"
    path.write_bytes(data)
    tasks = v.parallel._split_ranges(path, len(data), n)
    assert tasks[0][1] == 0 and tasks[-1][2] is None
    ends = [end if end is not None else len(data) for _, _, end in tasks]
    assert [start for _, start, _ in tasks[1:]] == ends[:-1]  # contiguous
    for _, start, _ in tasks[1:]:
        assert 0 < start < len(data) and data[start - 1 : start] == b"\n"


def test_library_import_stays_light():
    code = (
        "import sys, schema_compat.validate; "
        "print(sorted(m for m in ('rich', 'jsonschema', 'typer', 'multiprocessing') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
