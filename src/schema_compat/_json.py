"""JSON reading with the limits every hostile input needs."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import orjson

from .errors import LoadError

# A schema or message larger than this is refused before it is read: a contracts repository
# has no business holding one, and reading it would make memory use unbounded.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"


def parse_json(data: bytes | str, source: str) -> Any:
    """Parse one JSON document; errors name ``source`` and the position.

    orjson refuses nesting deeper than 1024 levels, which bounds the recursion of every later
    stage too.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise LoadError(f"{source}: not valid JSON: {_describe(exc)}") from None


def _describe(exc: orjson.JSONDecodeError) -> str:
    msg = exc.msg
    if "recursion" in msg.lower() or "depth limit" in msg.lower():
        return "nested more than 1024 levels deep"
    return f"{msg} (line {exc.lineno}, column {exc.colno})"


def read_json_file(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Read and parse a JSON file, refusing files over ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(
                f"{path}: file is {size / 1_048_576:.1f} MiB, over the limit of "
                f"{max_bytes / 1_048_576:.0f} MiB"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a directory, expected a JSON file") from None
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_json(data, str(path))


# ---------------------------------------------------------- values built in Python (the API)


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_value_problem(value: Any) -> str | None:
    """Why ``value`` (built in Python, not parsed) is not a JSON value, or None when it is.

    JSON has no NaN or infinity, only string keys, and only objects, arrays, strings, numbers,
    booleans and null; the validators would read anything else in their own ways (jsonschema-rs
    reads NaN as null).
    """
    stack: list[Any] = [value]
    while stack:
        here = stack.pop()
        if isinstance(here, dict):
            for key in here:
                if not isinstance(key, str):
                    return _where(value, here, f"a key that is not a string ({key!r})")
            stack.extend(here.values())
        elif isinstance(here, list):
            stack.extend(here)
        elif isinstance(here, float):
            if not math.isfinite(here):
                return _where(value, here, f"{float(here)!r}, which JSON cannot represent")
        elif not (isinstance(here, (str, int)) or here is None):
            return _where(value, here, f"a {type(here).__name__}, which is not a JSON value")
    return None


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
