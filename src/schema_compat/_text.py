"""User-controlled text made safe to print: every character that could end a line, move the
cursor, recolour a terminal or reorder what a reader sees is shown as an escape instead.

File names, schema names, property names and messages all come from the change under review.
Printed raw, a newline followed by ``::error::`` becomes a GitHub workflow command in the CI log,
``\\x1b[2J`` clears the terminal, and U+202E reverses the text after it. :func:`visible` is the
one-line form every format starts from; the reporters then add their own escaping (Markdown,
HTML, XML, workflow commands, rich markup).
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included), DEL and C1 controls (0x9b is a CSI on some
# terminals), the line and paragraph separators, the bidirectional controls, and lone
# surrogates (file names that are not UTF-8, which no encoder would print).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                        "\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` on one line, with control, bidirectional and separator characters escaped
    (``\\n``, ``\\x1b``, ``\\u202e``); anything else is unchanged."""
    if _INVISIBLE.search(text) is None:
        return text
    return _INVISIBLE.sub(_escape, text)
