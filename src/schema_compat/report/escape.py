"""Escaping for the formats reports land in. Every string that comes from the schemas, their
file names or the messages goes through one of these before it is written.

- :func:`visible` (plain text, logs): one line, control and bidirectional characters escaped.
- :func:`md` (Markdown text, table cells included), :func:`md_code` (a code span) and
  :func:`md_block` (a fenced block).
- :func:`rich_text` (rich console markup).
- :func:`html_text` (HTML text and attribute values).

GitHub workflow commands, XML and JSON have their own escaping in their reporters
(``github.escape_data``/``escape_property``, ElementTree, orjson), applied to text that has
been through :func:`visible` first.
"""

from __future__ import annotations

import html
import re

from .._text import visible

__all__ = ["html_text", "md", "md_block", "md_code", "rich_text", "visible"]

# Characters Markdown (CommonMark, GitHub's extensions: tables, strikethrough, math) may read
# as syntax anywhere in a line: backslash escapes are valid before any ASCII punctuation.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#~$&!])")
_BACKTICKS = re.compile(r"`+")


def md(text: str) -> str:
    """``text`` as literal Markdown inline text: no emphasis, link, image, HTML, code, math or
    table cell boundary can come from it, and it stays on one line."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def md_code(text: str, *, in_table: bool = True) -> str:
    """``text`` as a Markdown code span on one line; ``in_table``: its pipes are escaped, as
    GitHub's tables require even in code (elsewhere the backslash would show)."""
    text = visible(text)
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(text: str, info: str = "") -> list[str]:
    """``text`` (several lines) as a fenced code block: the fence is longer than any run of
    backticks in it, so no line of ``text`` can close it."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *text.splitlines(), fence]


def rich_text(text: str) -> str:
    """``text`` for rich's console markup: brackets are not tags, controls are escapes."""
    from rich.markup import escape  # only the text reporter pays for importing rich

    return escape(visible(text))


def html_text(text: str) -> str:
    """``text`` for HTML text or a quoted attribute value."""
    return html.escape(visible(text), quote=True)
