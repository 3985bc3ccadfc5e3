"""JSON reading with the limits every hostile input needs.

How a document is read (docs/conformance.md, "How numbers are read", and
docs/hostile-input.md say why):

- orjson parses it first: it refuses what is not JSON (``NaN`` and ``Infinity``, numbers beyond
  the range of a double, invalid UTF-8, lone surrogates) and nesting deeper than 1024 levels,
  which bounds the recursion of every later stage too;
- integers are exact at any size; other numbers are IEEE-754 doubles, the values every
  validator sees. orjson reads an integer beyond 64 bits as a double, so the standard library
  parses again every schema (:func:`parse_json`) and every message holding an integer token
  of 19 digits or more (:func:`exact_loads`), keeping integers exact;
- in a schema, an object with the same key twice is refused (parsers disagree on which one
  counts: orjson and Python keep the last, others the first), naming the key, where the
  object is and the line;
- a UTF-8 byte order mark at the very start is skipped (RFC 8259 §8.1 allows it); one anywhere
  else is not JSON.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from .errors import LoadError

# A schema or message larger than this is refused before it is read: a contracts repository
# has no business holding one, and reading it would make memory use unbounded.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"


# ----------------------------------------------------------------------------- reading


class _Duplicated(dict[str, Any]):
    """An object read with a repeated key (kept to find where it is once parsing ends)."""

    __slots__ = ("duplicate",)
    duplicate: str


def parse_json(data: bytes | str, source: str) -> Any:
    """Parse one JSON document (a schema, an example, a configuration's sibling): errors name
    ``source`` and the position; integers are exact; an object with a repeated key is refused.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise LoadError(f"{source}: not valid JSON: {_describe(exc)}") from None
    # orjson has refused what is not JSON; only the standard library shows each key as written
    # (and keeps integers exact), so every document is parsed a second time by it: 2 ms for the
    # largest SchemaStore schema (457 KB), a few percent of comparing it at most.
    text = data.decode("utf-8")
    try:
        return _stdlib_loads(text, unique_keys=True)
    except RecursionError:
        raise LoadError(f"{source}: not valid JSON: nested more than 1024 levels deep") from None
    except _DuplicateKey as dup:
        raise LoadError(dup.message(text, source)) from None


class _DuplicateKey(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__("duplicate key")
        self.value = value

    def message(self, text: str, source: str) -> str:
        """``source: duplicate key "k" in the object at "/pointer" (line N); …``."""
        from .sourcemap import SourceMapError, locate

        stack: list[tuple[Any, str]] = [(self.value, "")]
        while stack:
            here, pointer = stack.pop()
            if isinstance(here, _Duplicated):
                key = here.duplicate
                try:
                    position = locate(text, f"{pointer}/{_token(key)}")
                except SourceMapError:
                    position = None
                line = f" (line {position[0]})" if position is not None else ""
                return (f"{source}: duplicate key {json.dumps(key)} in the object at "
                        f"{json.dumps(pointer or '/')}{line}; a key may appear once per object")
            if isinstance(here, dict):
                stack.extend((v, f"{pointer}/{_token(k)}") for k, v in reversed(here.items()))
            elif isinstance(here, list):
                stack.extend((v, f"{pointer}/{i}") for i, v in reversed(list(enumerate(here))))
        return f"{source}: duplicate key in an object"  # pragma: no cover - found above


def _stdlib_loads(text: str, *, unique_keys: bool) -> Any:
    """The standard library's reading of a text orjson has accepted (so it is valid JSON)."""
    found = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        found = True
        marked = _Duplicated(obj)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                marked.duplicate = key
                break
            seen.add(key)
        return marked

    with _recursion_for_depth(1024):
        value = json.loads(text, object_pairs_hook=pairs_hook if unique_keys else None)
    if found:
        raise _DuplicateKey(value)
    return value


@contextmanager
def _recursion_for_depth(depth: int) -> Iterator[None]:
    """Room for the standard library's recursive parser on a document orjson accepted."""
    needed = depth * 2 + 200
    limit = sys.getrecursionlimit()
    if limit >= needed:
        yield
        return
    sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _describe(exc: orjson.JSONDecodeError) -> str:
    msg = exc.msg
    if "recursion" in msg.lower() or "depth limit" in msg.lower():
        return "nested more than 1024 levels deep"
    return f"{msg} (line {exc.lineno}, column {exc.colno})"


def read_bytes(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES, what: str = "a JSON file") -> bytes:
    """The bytes of a file, refusing files over ``max_bytes`` (``what``: the kind of file the
    caller expects, for the message when ``path`` is a directory)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(
                f"{path}: file is {size / 1_048_576:.1f} MiB, over the limit of "
                f"{max_bytes / 1_048_576:.0f} MiB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a directory, expected {what}") from None
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read: {exc.strerror}") from None


def read_json_file(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Read and parse a JSON file, refusing files over ``max_bytes``."""
    return parse_json(read_bytes(path, max_bytes=max_bytes), str(path))


#: File name endings of schemas read as YAML (``_yaml.py``); any other schema file is JSON.
YAML_SUFFIXES = (".yaml", ".yml")
#: File name endings of schema files, as directories and git trees are searched for them.
SCHEMA_SUFFIXES = (".json", *YAML_SUFFIXES)


def is_yaml_name(name: str) -> bool:
    """Whether a schema file of this name is read as YAML."""
    return name.endswith(YAML_SUFFIXES)


def parse_document(data: bytes, source: str, *, name: str) -> Any:
    """A schema document in JSON, or in YAML when ``name`` (the file's) ends in ``.yaml`` or
    ``.yml`` (``_yaml.py``: read into the same JSON value, or refused alike)."""
    if is_yaml_name(name):
        from ._yaml import parse_yaml  # PyYAML is imported only when a YAML file is read

        return parse_yaml(data, source)
    return parse_json(data, source)


def read_document(path: Path) -> Any:
    """Read a schema file: JSON, or YAML by its name (see :func:`parse_document`)."""
    return parse_document(read_bytes(path, what="a JSON or YAML file"), str(path), name=path.name)


# ------------------------------------------------------------ integers orjson reads inexactly

# orjson reads integers from -2**63 to 2**64 - 1 exactly and any other one as a double; every
# integer outside that range has at least 19 digits. Translating digits to "0" and everything
# else to " " finds such runs at the speed of two byte scans (a regular expression is ten times
# slower).
DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
LONG_DIGITS = b"0" * 19


# What may come just before an integer token in JSON (before its "-", if any): the start of the
# text, whitespace, or the ":", "," or "[" that introduces a value. Digits after anything else
# (a letter or a quote inside a string, the "." or "e" of a fraction or exponent) are no
# integer orjson could read inexactly.
_BEFORE_NUMBER = frozenset(b" \t\r\n:,[")


def long_integer_offsets(data: bytes) -> list[int]:
    """Offsets in ``data`` of runs of 19 digits or more that may be integer tokens (exact for
    valid JSON: every integer orjson reads as a double is among them; a run at offset 0 is
    included, its context being unknown). One translation and a few searches of ``data``."""
    mapped = data.translate(DIGITS)
    found: list[int] = []
    at = mapped.find(LONG_DIGITS)
    while at >= 0:
        start = at - 1 if at > 0 and data[at - 1] == 0x2D else at  # a minus sign
        if start == 0 or data[start - 1] in _BEFORE_NUMBER:
            found.append(at)
        end = mapped.find(b" ", at)
        if end < 0:
            break
        at = mapped.find(LONG_DIGITS, end)
    return found


def exact_loads(data: bytes) -> Any:
    """``orjson.loads`` with integers kept exact at any size (raises what orjson raises).

    For messages: repeated keys are not looked for (that would cost a second parse of every
    message); the last value counts, as in orjson.
    """
    return exact_again(data, orjson.loads(data))


def exact_again(data: bytes, value: Any) -> Any:
    """``value``, which orjson read from ``data``, or when ``data`` may hold an integer orjson
    read inexactly, the standard library's exact reading of it."""
    if not long_integer_offsets(data):
        return value
    try:
        return _stdlib_loads(data.decode("utf-8"), unique_keys=False)
    except RecursionError:  # pragma: no cover - orjson allows 1024 levels, room for them is made
        return value


# Integers whose reading decides nothing: of 2**53 or more in absolute value, a number in a
# schema (a bound, a constant, an enum value) may tell an integer from its nearest double.
_SAFE_INTEGER = 2**53


def integers_matter(documents: list[Any]) -> bool:
    """Whether validating under ``documents`` could tell an integer beyond 64 bits from the
    double orjson reads it as (when False, only what is reported about it depends on it).

    Numbers are looked at by ``type``, ``enum``, ``const``, ``multipleOf``, the bounds and
    ``uniqueItems`` (equality), nothing else. An integer N beyond 64 bits and its double are on
    the same side of every bound and unequal to every constant below 2**53 in absolute value,
    and both are integers for ``type`` after draft-04 (jsonschema-rs's draft-04 ``integer``
    refuses a double). So the answer is True when a document has ``multipleOf``,
    ``divisibleBy`` or ``uniqueItems`` anywhere, a number of 2**53 or more anywhere, or is
    (or embeds) draft-04; False otherwise. Conservative: any such key or number counts,
    wherever it stands.
    """
    stack: list[Any] = list(documents)
    while stack:
        here = stack.pop()
        if isinstance(here, dict):
            if "multipleOf" in here or "divisibleBy" in here or "uniqueItems" in here:
                return True
            schema = here.get("$schema")
            if isinstance(schema, str) and "draft-04" in schema:
                return True
            stack.extend(here.values())
        elif isinstance(here, list):
            stack.extend(here)
        elif isinstance(here, (int, float)) and not isinstance(here, bool):
            if not -_SAFE_INTEGER < here < _SAFE_INTEGER:
                return True
    return False


# ---------------------------------------------------------- values built in Python (the API)


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_value_problem(value: Any) -> str | None:
    """Why ``value`` (built in Python, not parsed) is not a JSON value, or None when it is.

    JSON has no NaN or infinity, only string keys, and only objects, arrays, strings, numbers,
    booleans and null; the validators would read anything else in their own ways (jsonschema-rs
    reads NaN as null). Subclasses of those types are read as them. About 1.4 ms for the
    2,000-property bench schema.
    """
    stack: list[Any] = [value]
    pop, extend, isfinite = stack.pop, stack.extend, math.isfinite
    while stack:
        here = pop()
        kind = type(here)
        if kind is str or kind is int or kind is bool or here is None:
            continue
        if kind is dict or (kind is not list and isinstance(here, dict)):
            if not _STRING_KEYS.issuperset(map(type, here)):
                bad = [k for k in here if not isinstance(k, str)]
                if bad:
                    return _where(value, here, f"a key that is not a string ({bad[0]!r})")
            extend(here.values())
        elif kind is list or isinstance(here, list):
            extend(here)
        elif kind is float:
            if not isfinite(here):
                return _where(value, here, f"{here!r}, which JSON cannot represent")
        elif isinstance(here, float):
            if not isfinite(here):
                return _where(value, here, f"{float(here)!r}, which JSON cannot represent")
        elif not isinstance(here, (str, int)):
            return _where(value, here, f"a {type(here).__name__}, which is not a JSON value")
    return None


_STRING_KEYS = frozenset({str})


def non_finite_number(value: Any) -> str | None:
    """Where ``value`` (a message built in Python) holds NaN or an infinity, or None.

    Only numbers are looked at, so that a service validating each message pays little
    (about half a microsecond for a BACKBEAT message); other types are refused by the
    validator itself.
    """
    stack = [value]
    pop, extend, isfinite = stack.pop, stack.extend, math.isfinite
    while stack:
        here = pop()
        kind = type(here)
        if kind is dict:
            extend(here.values())
        elif kind is list:
            extend(here)
        elif kind is float and not isfinite(here):
            return _where(value, here, f"{here!r}, which JSON cannot represent")
    return None


def _where(root: Any, target: Any, what: str) -> str:
    """``what`` with the JSON pointer of ``target`` (found by identity) inside ``root``."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        here, pointer = stack.pop()
        if here is target:
            return f"{what} at {json.dumps(pointer or '/')}"
        if isinstance(here, dict):
            stack.extend((v, f"{pointer}/{_token(str(k))}") for k, v in here.items())
        elif isinstance(here, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(here))
    return what  # pragma: no cover - target is inside root


# --------------------------------------------------------------------------- writing


# Characters JSON may carry raw that a terminal or a viewer would act on: DEL and the C1
# controls (0x9b starts an escape sequence on some terminals), the line and paragraph
# separators, the bidirectional controls. Outside strings JSON has only ASCII, so each can be
# replaced by its \u escape anywhere in the text: the value is the same.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_raw_controls(text: str) -> str:
    if _RAW_CONTROLS.search(text) is None:
        return text
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(value: Any, *, indent: bool = False) -> str:
    """Serialize deterministically (sorted keys) for reports and generated files."""
    option = orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    try:
        return _escape_raw_controls(orjson.dumps(value, option=option).decode())
    except TypeError:
        # orjson refuses integers beyond 64 bits, which JSON allows and witnesses may hold, and
        # lone surrogates (from file names that are not UTF-8), which only an escape can carry.
        text = json.dumps(value, sort_keys=True, indent=2 if indent else None, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(value, sort_keys=True, indent=2 if indent else None)
        return _escape_raw_controls(text)
