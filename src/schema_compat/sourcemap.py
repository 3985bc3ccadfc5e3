"""JSON pointer → (line, column) in the original text of a JSON (or YAML) document.

Reports point reviewers at the line of a changed keyword, so positions must come from the
text as written: a parser that builds Python objects has already thrown them away. This module
tokenizes the text once (a regular expression per token, an explicit stack instead of
recursion, so a 10,000-deep document is as safe as a flat one) and records where every value
and every object key starts.

Positions are 1-based ``(line, column)``. Columns count Unicode code points (SARIF's
``unicodeCodePoints``); a byte-order mark takes no column; ``\\n``, ``\\r\\n`` and a lone
``\\r`` each end a line. For an object member the position of its *key* is what a reviewer
wants (``"maximum": 24`` is found by ``/properties/tempo_bpm/maximum``); for an array element
or the root it is the value's.

A document is a trie of nodes rather than a dict of pointer strings: a dict would hold every
pointer in full, which is quadratic in the nesting depth (a 10,000-deep document has pointers
of 20,000 characters at the bottom). Lookups walk the pointer's tokens instead.

YAML files (``.yaml``, ``.yml``) get the same map from their reader (``_yaml.yaml_source_map``),
so a report points at the line of a keyword whichever syntax the schema is written in.
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ._json import MAX_DOCUMENT_BYTES, is_yaml_name
from .findings import ComparisonResult, Finding
from .schema import escape_token, split_pointer

Position = tuple[int, int]

_BOM = "\ufeff"
# One token after optional JSON whitespace: a string (the unrolled form is much faster than an
# alternation per character), punctuation, or a number or literal. A comma before it (group 1)
# and a colon after it (group 3) are taken in the same match: that halves the number of trips
# through the Python loop, which is where the time goes.
_TOKEN = re.compile(
    r'[ \t\n\r]*(,[ \t\n\r]*)?('
    r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
    r'|[{}\[\]:,]'
    r'|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null'
    r')([ \t\n\r]*:)?'
)
_TRAILING = re.compile(r"[ \t\n\r]*\Z")
_NEWLINE = re.compile(r"\r\n?|\n")

# Parser states: what the next token may be.
_VALUE, _VALUE_OR_CLOSE, _KEY, _KEY_OR_CLOSE, _AFTER, _END = range(6)
_OBJECT, _ARRAY = 0, 1


class SourceMapError(ValueError):
    """The text is not a JSON document; the message gives line and column."""


class SourceMap(Mapping[str, Position]):
    """Where every key and value of one JSON text starts, looked up by JSON pointer.

    As a mapping, a pointer gives the position of its key for an object member, else of its
    value. ``key()`` and ``value()`` ask for one or the other; ``locate()`` falls back to the
    nearest ancestor that exists.
    """

    def __init__(self, line_starts: list[int], parents: list[int], tokens: list[str],
                 key_at: list[int], value_at: list[int],
                 children: dict[tuple[int, str], int]) -> None:
        self._line_starts = line_starts
        self._parents = parents
        self._tokens = tokens
        self._key_at = key_at
        self._value_at = value_at
        self._children = children
        self._len: int | None = None

    # -- lookups ------------------------------------------------------------------------------

    def _deepest(self, pointer: str) -> tuple[int, bool] | None:
        """The node of ``pointer`` or of its nearest existing ancestor, and whether it was
        reached exactly (None: not a JSON pointer)."""
        try:
            tokens = split_pointer(pointer)
        except ValueError:
            return None
        node = 0
        for token in tokens:
            child = self._children.get((node, token))
            if child is None:
                return node, False
            node = child
        return node, True

    def _node(self, pointer: str) -> int | None:
        found = self._deepest(pointer)
        return found[0] if found is not None and found[1] else None

    def _position(self, offset: int) -> Position:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _best(self, node: int) -> Position:
        offset = self._key_at[node]
        return self._position(offset if offset >= 0 else self._value_at[node])

    def key(self, pointer: str) -> Position | None:
        """Where the key of the object member at ``pointer`` starts (None: not a member)."""
        node = self._node(pointer)
        if node is None or self._key_at[node] < 0:
            return None
        return self._position(self._key_at[node])

    def value(self, pointer: str) -> Position | None:
        """Where the value at ``pointer`` starts (None: no such value)."""
        node = self._node(pointer)
        return None if node is None else self._position(self._value_at[node])

    def locate(self, pointer: str) -> Position | None:
        """The position of ``pointer``, or of its nearest existing ancestor.

        None only when ``pointer`` is not a JSON pointer at all.
        """
        found = self._deepest(pointer)
        return None if found is None else self._best(found[0])

    # -- Mapping ------------------------------------------------------------------------------

    def __getitem__(self, pointer: str) -> Position:
        node = self._node(pointer)
        if node is None:
            raise KeyError(pointer)
        return self._best(node)

    def _live(self) -> Iterator[tuple[int, list[str]]]:
        """Every reachable node in document order, with the escaped tokens leading to it.

        Nodes are created in document (pre-)order, so a parent always precedes its children.
        A key repeated in one object makes the earlier subtree unreachable (the last one wins,
        as in every common parser); such nodes are skipped.
        """
        parents, tokens, children = self._parents, self._tokens, self._children
        live = bytearray(len(parents))
        live[0] = 1
        path_nodes: list[int] = [0]
        path: list[str] = []
        yield 0, path
        for node in range(1, len(parents)):
            parent = parents[node]
            if not live[parent] or children.get((parent, tokens[node])) != node:
                continue
            live[node] = 1
            while path_nodes[-1] != parent:
                path_nodes.pop()
                path.pop()
            path_nodes.append(node)
            path.append(escape_token(tokens[node]))
            yield node, path

    def __iter__(self) -> Iterator[str]:
        # Only the current path is kept, so iterating costs memory linear in the depth.
        for _node, path in self._live():
            yield "/" + "/".join(path) if path else ""

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self._live())
        return self._len

    def __repr__(self) -> str:
        return f"<SourceMap of {len(self._parents)} values>"


def source_map(text: str) -> SourceMap:
    """Scan ``text`` (one JSON document) in one pass; SourceMapError when it is not JSON."""
    line_starts = _line_starts(text)
    start = line_starts[0]

    def fail(at: int, what: str) -> SourceMapError:
        return _error(text, line_starts, at, what)

    parents: list[int] = [-1]
    tokens: list[str] = [""]
    key_at: list[int] = [-1]
    value_at: list[int] = [-1]
    children: dict[tuple[int, str], int] = {}
    # This loop runs once per token of files of megabytes: locals, not attribute lookups.
    add_parent, add_token = parents.append, tokens.append
    add_key_at, add_value_at = key_at.append, value_at.append
    # Open containers: [node, _OBJECT or _ARRAY, elements so far].
    stack: list[list[int]] = []
    want_key, want_value = (_KEY, _KEY_OR_CLOSE), (_VALUE, _VALUE_OR_CLOSE)
    state = _VALUE
    current = 0  # the node whose value comes next, for the root and object members
    pos = start
    for m in _TOKEN.finditer(text, start):
        if m.start() != pos:  # finditer skipped something that is not a token
            raise fail(pos, "unexpected character")
        pos = m.end()
        at, end = m.span(2)
        c = text[at]
        if m.start(1) >= 0:
            if state != _AFTER:
                raise fail(m.start(1), "unexpected ','")
            state = _KEY if stack[-1][1] == _OBJECT else _VALUE
        if state in want_key:
            if c == "}" and state == _KEY_OR_CLOSE and end == pos:
                stack.pop()
                state = _AFTER if stack else _END
                continue
            if c != '"':
                raise fail(at, "expected an object key")
            if end == pos:
                raise fail(end, "expected ':'")
            # Most keys have no escapes; only those pay for a real decoder.
            key = text[at + 1:end - 1]
            if "\\" in key:
                key = json.loads(text[at:end])
            parent = stack[-1][0]
            node = len(parents)
            add_parent(parent)
            add_token(key)
            add_key_at(at)
            add_value_at(-1)
            children[(parent, key)] = node  # a repeated key: the last one wins
            current = node
            state = _VALUE
            continue
        if end != pos:
            raise fail(text.index(":", end), "unexpected ':'")
        if state in want_value:
            if c == "]" and state == _VALUE_OR_CLOSE:
                stack.pop()
                state = _AFTER if stack else _END
                continue
            if stack and stack[-1][1] == _ARRAY:
                frame = stack[-1]
                index = str(frame[2])
                frame[2] += 1
                node = len(parents)
                add_parent(frame[0])
                add_token(index)
                add_key_at(-1)
                add_value_at(at)
                children[(frame[0], index)] = node
            else:
                node = current
                value_at[node] = at
            if c == "{":
                stack.append([node, _OBJECT, 0])
                state = _KEY_OR_CLOSE
            elif c == "[":
                stack.append([node, _ARRAY, 0])
                state = _VALUE_OR_CLOSE
            elif c in "]},:":
                raise fail(at, f"unexpected {c!r}")
            else:
                state = _AFTER if stack else _END
        elif state == _AFTER:
            closer = "}" if stack[-1][1] == _OBJECT else "]"
            if c != closer:
                raise fail(at, f"expected ',' or {closer!r}")
            stack.pop()
            state = _AFTER if stack else _END
        else:  # _END
            raise fail(at, "extra data after the document")
    _check_end(text, line_starts, pos, state)
    return SourceMap(line_starts, parents, tokens, key_at, value_at, children)


def _line_starts(text: str) -> list[int]:
    """The offset of each line's first character; the first line starts after a BOM."""
    start = 1 if text.startswith(_BOM) else 0
    line_starts = [start]
    line_starts.extend(m.end() for m in _NEWLINE.finditer(text, start))
    return line_starts


def _error(text: str, line_starts: list[int], at: int, what: str) -> SourceMapError:
    """The error for ``what`` found at offset ``at``, placed at its line and column."""
    at += len(text[at:]) - len(text[at:].lstrip(" \t\n\r"))
    if at >= len(text):
        what = "unexpected end of input"
    line = bisect_right(line_starts, at)
    return SourceMapError(f"{what} at line {line}, column {at - line_starts[line - 1] + 1}")


def _check_end(text: str, line_starts: list[int], pos: int, state: int) -> None:
    """Whether the scan stopped at the end of one whole document (SourceMapError if not)."""
    if not _TRAILING.match(text, pos):
        raise _error(text, line_starts, pos, "unexpected character")
    if state != _END:
        raise _error(text, line_starts, pos, "unexpected end of input")


def locate(text: str, pointer: str) -> Position | None:
    """Position of ``pointer`` in ``text`` (nearest existing ancestor); None if not JSON.

    Scans the whole text: for several lookups, call ``source_map()`` once.
    """
    try:
        return source_map(text).locate(pointer)
    except SourceMapError:
        return None


# ---------------------------------------------------------------------------------------------
# Files on disk, cached per path and modification time.


@functools.lru_cache(maxsize=16)
def _file_map(path: str, mtime_ns: int, size: int) -> SourceMap | None:
    # mtime and size are part of the key so an edited file is scanned again.
    del mtime_ns, size
    try:
        text = Path(path).read_bytes().decode("utf-8")
        if is_yaml_name(Path(path).name):
            from ._yaml import yaml_source_map

            return yaml_source_map(text)
        return source_map(text)
    except (OSError, UnicodeDecodeError, SourceMapError):
        return None


def file_source_map(path: Path) -> SourceMap | None:
    """The source map of a JSON or YAML file (by its name); None when it is unreadable, too
    large or not a document."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if stat.st_size > MAX_DOCUMENT_BYTES or not path.is_file():
        return None
    return _file_map(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def locate_file(path: Path, pointer: str) -> Position | None:
    """Position of ``pointer`` (or its nearest existing ancestor) in the file ``path``."""
    smap = file_source_map(path)
    return None if smap is None else smap.locate(pointer)


# ---------------------------------------------------------------------------------------------
# Sources as reports name them.


@dataclass(frozen=True)
class SourceLocation:
    """A place to show a reviewer: a file name, and a line and column when they are known.

    ``file`` is relative to the working directory when the file is under it (what CI tools
    resolve against the checkout), else as given. For ``git:REF:PATH`` it is ``PATH``: the file
    is not on disk, so there is no line.
    """

    file: str
    line: int | None = None
    column: int | None = None
    on_disk: bool = False


def display_path(source: str, cwd: Path | None = None) -> tuple[str, bool]:
    """How to name ``source`` in a report, and whether it is a file on disk."""
    if source.startswith("git:"):
        _ref, _sep, inner = source[4:].partition(":")
        return Path(inner).as_posix() if inner else source, False
    path = Path(source)
    if not path.is_file():
        return source, False
    base = (cwd or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix(), True
    except ValueError:
        return path.as_posix(), True


def source_location(source: str, pointer: str | None, cwd: Path | None = None) -> SourceLocation:
    """Where ``pointer`` is in the schema read from ``source`` (no line if not on disk)."""
    name, on_disk = display_path(source, cwd)
    if not on_disk or pointer is None:
        return SourceLocation(name, on_disk=on_disk)
    found = locate_file(Path(source), pointer)
    if found is None:
        return SourceLocation(name, on_disk=True)
    return SourceLocation(name, found[0], found[1], on_disk=True)


def parent_pointer(pointer: str) -> str:
    """The pointer one level up (the root's parent is the root)."""
    return pointer[: pointer.rfind("/")] if pointer else ""


def finding_locations(result: ComparisonResult, finding: Finding,
                      cwd: Path | None = None) -> tuple[SourceLocation, SourceLocation | None]:
    """Where to show ``finding``: the changed keyword in the new schema (the old one for a
    removal), and the same place on the other side when there is one.

    A removal whose old schema is not on disk (``check --against REF`` reads it from git) is
    shown in the new file at the enclosing subschema instead: that file is the one in the pull
    request, where an annotation without a line would be lost.
    """
    old, new = result.old, result.new
    if finding.new_path is not None and new is not None:
        primary = source_location(new.source, finding.new_path, cwd)
        related = (source_location(old.source, finding.old_path, cwd)
                   if old is not None and finding.old_path is not None else None)
        return primary, related
    if finding.old_path is not None and old is not None:
        at_old = source_location(old.source, finding.old_path, cwd)
        if not at_old.on_disk and new is not None:
            at_new = source_location(new.source, parent_pointer(finding.old_path), cwd)
            if at_new.on_disk:
                return at_new, at_old
        return at_old, None
    return result_location(result, cwd), None


def result_location(result: ComparisonResult, cwd: Path | None = None) -> SourceLocation:
    """Where to show a verdict about a whole schema: the new file's root (old if removed)."""
    side = result.new or result.old
    if side is None:
        return SourceLocation(result.schema)
    return source_location(side.source, "", cwd)
