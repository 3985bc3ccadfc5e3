"""JSON values shown to a person: one line, runs of equal items folded, long strings cut.

A witness is a whole message, and the smallest one that shows a ``maxItems`` break still has
51 items: written out, it hides the one thing it shows. ``brief`` writes ``[51 items like
{"a":1}]`` instead. It is for reading only; the JSON, SARIF and JUnit reports carry the exact
instance.
"""

from __future__ import annotations

from typing import Any

from ._json import dumps

RUN = 3  # equal neighbours folded from this many on
STRING = 48  # longer strings are cut


def _string(value: str) -> str:
    if len(value) <= STRING:
        return dumps(value)
    return f"{dumps(value[:STRING // 2])[:-1]}…\"({len(value)} chars)"


def _brief(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        # Sorted, as every report writes objects: the same witness reads the same everywhere.
        return "{" + ",".join(f"{_string(k)}:{_brief(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        # Equal as JSON text: 1 and true (equal in Python) never fold together. Each item is
        # written once: comparing neighbours by writing them again doubled the work per level.
        texts = [_brief(v) for v in value]
        parts: list[str] = []
        i = 0
        while i < len(texts):
            j = i + 1
            while j < len(texts) and texts[j] == texts[i]:
                j += 1
            parts.append(f"{j - i} items like {texts[i]}" if j - i >= RUN else
                         ",".join(texts[i:j]))
            i = j
        return "[" + ",".join(parts) + "]"
    return dumps(value)


def brief(value: Any, limit: int = 400) -> str:
    """``value`` on one line for a person, at most ``limit`` characters."""
    text = _brief(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["brief"]
