"""JSON reading with the limits every hostile input needs."""

from __future__ import annotations

import json
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


def dumps(value: Any, *, indent: bool = False) -> str:
    """Serialize deterministically (sorted keys) for reports and generated files."""
    option = orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    try:
        return orjson.dumps(value, option=option).decode()
    except TypeError:
        # orjson refuses integers beyond 64 bits, which JSON allows and witnesses may hold, and
        # lone surrogates ("\ud800" in JSON text), which only an escape can carry to UTF-8.
        text = json.dumps(value, sort_keys=True, indent=2 if indent else None, ensure_ascii=False)
        return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
