"""The source map: JSON pointer → (line, column) in the text as written, for keys and values."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schema_compat.sourcemap import (
    SourceMapError,
    escape_token,
    file_source_map,
    locate,
    locate_file,
    source_map,
    split_pointer,
)


def at(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """(line, column) of ``needle`` (after ``after``), found by plain searching."""
    offset = text.index(needle, text.index(after) if after else 0)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


NESTED = """{
  "properties": {
    "tempo_bpm": {"type": "number", "maximum": 24},
    "list": [
      1,
      {"deep": [true, null, "x"]},
      []
    ]
  },
  "empty": {}
}
"""


def test_nested_objects_and_arrays() -> None:
    smap = source_map(NESTED)
    assert smap[""] == (1, 1)
    assert smap["/properties"] == at(NESTED, '"properties"')
    # A member's position is its key: that is the line a reviewer wants.
    assert smap["/properties/tempo_bpm/maximum"] == at(NESTED, '"maximum"')
    assert smap.key("/properties/tempo_bpm/maximum") == at(NESTED, '"maximum"')
    assert smap.value("/properties/tempo_bpm/maximum") == at(NESTED, "24")
    assert smap.value("/properties/tempo_bpm") == at(NESTED, '{"type"')
    # Array elements have no key: their value.
    assert smap["/properties/list/0"] == at(NESTED, "1,")
    assert smap["/properties/list/1"] == at(NESTED, '{"deep"')
    assert smap["/properties/list/1/deep/2"] == at(NESTED, '"x"')
    assert smap["/properties/list/2"] == at(NESTED, "[]")
    assert smap.key("/properties/list/0") is None
    assert smap["/empty"] == at(NESTED, '"empty"')
    assert list(smap) == [
        "", "/properties", "/properties/tempo_bpm", "/properties/tempo_bpm/type",
        "/properties/tempo_bpm/maximum", "/properties/list", "/properties/list/0",
        "/properties/list/1", "/properties/list/1/deep", "/properties/list/1/deep/0",
        "/properties/list/1/deep/1", "/properties/list/1/deep/2", "/properties/list/2", "/empty",
    ]
    assert len(smap) == 14
    assert "/properties/list/3" not in smap
    with pytest.raises(KeyError):
        smap["/nope"]


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    smap = source_map(NESTED)
    assert smap.locate("/properties/tempo_bpm/minimum") == at(NESTED, '"tempo_bpm"')
    assert smap.locate("/properties/list/9/x") == at(NESTED, '"list"')
    assert smap.locate("/missing/entirely") == (1, 1)
    assert smap.locate("no-leading-slash") is None
    assert locate(NESTED, "/properties/tempo_bpm/type") == at(NESTED, '"type"')
    assert locate("{not json", "") is None


def test_escaped_keys_and_pointer_escapes() -> None:
    text = '{"a/b": 1, "m~n": 2, "~1": 3, "q\\"uote": 4, "caf\\u00e9": 5, "sl\\/ash": 6, ' \
           '"\\ud83c\\udfb5": 7, "": 8}'
    smap = source_map(text)
    assert smap["/a~1b"] == at(text, '"a/b"')
    assert smap["/m~0n"] == at(text, '"m~n"')
    assert smap["/~01"] == at(text, '"~1"')  # "~01" is the key "~1", not "/"
    assert smap['/q"uote'] == at(text, '"q\\"uote"')
    assert smap["/café"] == at(text, '"caf\\u00e9"')
    assert smap["/sl~1ash"] == at(text, '"sl\\/ash"')
    assert smap["/\U0001f3b5"] == at(text, '"\\ud83c')
    assert smap["/"] == at(text, '"": 8')  # the empty key is a pointer of one empty token
    assert set(smap) == {"", "/a~1b", "/m~0n", "/~01", '/q"uote', "/café", "/sl~1ash",
                         "/\U0001f3b5", "/"}
    assert split_pointer("/a~1b/m~0n/~01") == ["a/b", "m~n", "~1"]
    assert escape_token("a/~b") == "a~1~0b"


def test_unicode_columns_count_code_points() -> None:
    text = '{"ключ": "значение", "🎵": {"x": 1}}'
    smap = source_map(text)
    assert smap["/🎵/x"] == (1, text.index('"x"') + 1)
    assert smap.value("/ключ") == (1, 10)


def test_byte_order_mark_takes_no_column() -> None:
    text = '\ufeff{"a": [1,\n  2]}'
    smap = source_map(text)
    assert smap[""] == (1, 1)
    assert smap["/a"] == (1, 2)
    assert smap["/a/1"] == (2, 3)


def test_crlf_and_lone_cr_line_endings() -> None:
    text = '{\r\n  "a": 1,\r\n  "b": {\r\n    "c": 2\r\n  },\r  "d": 3\r\n}\r\n'
    smap = source_map(text)
    assert smap["/a"] == (2, 3)
    assert smap["/b/c"] == (4, 5)
    assert smap["/d"] == (6, 3)  # a lone CR ends a line too, as in editors


def test_duplicate_keys_last_one_wins() -> None:
    text = '{"a": {"x": 1}, "a": {"y": 2}}'
    smap = source_map(text)
    assert smap["/a"] == at(text, '"a"', after='},')
    assert "/a/x" not in smap
    assert smap["/a/y"] == at(text, '"y"')
    assert list(smap) == ["", "/a", "/a/y"]


@pytest.mark.parametrize("opener", ["[", '{"k":'])
def test_ten_thousand_levels_deep(opener: str) -> None:
    depth = 10_000
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "0" + closer * depth
    smap = source_map(text)  # no RecursionError: the scanner keeps its own stack
    token = "/0" if opener == "[" else "/k"
    deepest = token * depth
    assert smap.value(deepest) == (1, len(opener) * depth + 1)
    assert smap.locate(deepest + "/more/levels") == smap[deepest]
    assert len(smap) == depth + 1


@pytest.mark.parametrize("bad", ["", "{", "[1,]", '{"a":1,}', '{"a" 1}', "[1 2]", '{"a":1} x',
                                 '["a": 1]', "01", "{,}", "tru", '"\x01"', "[1,,2]", "{1: 2}",
                                 "NaN", "'a'"])
def test_not_json_is_an_error_with_a_position(bad: str) -> None:
    with pytest.raises(SourceMapError, match=r"line \d+, column \d+"):
        source_map(bad)


def test_error_position_is_exact() -> None:
    with pytest.raises(SourceMapError, match="line 3, column 8"):
        source_map('{\n  "a": 1,\n  "b": @\n}')


def _pointers(value: Any, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _pointers(v, f"{prefix}/{escape_token(k)}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _pointers(v, f"{prefix}/{i}")
    return out


def _offset(text: str, pos: tuple[int, int]) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: pos[0] - 1]) + pos[1] - 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 0, 2, "\t"]),
       ascii_only=st.booleans())
def test_agrees_with_a_real_parser(value: Any, indent: int | str | None, ascii_only: bool) -> None:
    """Every pointer of the parsed value is mapped, to the first character of its key or
    value: a key's quote, a value's first character, and the value re-parses to the same."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    smap = source_map(text)
    assert list(smap) == _pointers(value)
    decoder = json.JSONDecoder()
    for pointer in smap:
        node = value
        for token in split_pointer(pointer):
            node = node[int(token)] if isinstance(node, list) else node[token]
        value_pos = smap.value(pointer)
        assert value_pos is not None
        parsed, _end = decoder.raw_decode(text, _offset(text, value_pos))
        assert parsed == node
        key_pos = smap.key(pointer)
        if key_pos is not None:
            key, _end = decoder.raw_decode(text, _offset(text, key_pos))
            assert key == split_pointer(pointer)[-1]


def test_a_file_of_megabytes_in_one_pass() -> None:
    doc = {"properties": {f"p{i}": {"type": "string", "maxLength": i, "description": "x" * 40}
                          for i in range(15_000)}}
    text = json.dumps(doc, indent=2)
    assert len(text) > 1_500_000
    smap = source_map(text)
    assert smap["/properties/p14999/maxLength"] == at(text, '"maxLength"', after='"p14999"')


def test_files_are_cached_per_path_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"a": 1}')
    first = file_source_map(path)
    assert first is not None and file_source_map(path) is first
    assert locate_file(path, "/a") == (1, 2)
    path.write_text('{\n  "a": 1}')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert locate_file(path, "/a") == (2, 3)
    assert locate_file(tmp_path / "missing.json", "/a") is None
    (tmp_path / "bad.json").write_bytes(b"\xff{")
    assert locate_file(tmp_path / "bad.json", "") is None
    (tmp_path / "bom.json").write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert locate_file(tmp_path / "bom.json", "/a") == (1, 2)
