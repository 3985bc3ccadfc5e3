"""YAML schemas, read as the JSON values they stand for.

Contracts kept beside OpenAPI or AsyncAPI documents are often YAML. A schema is a JSON value
whatever it is written in, so a YAML file is read into exactly what the JSON reader
(``_json.py``) would give for the same schema written as JSON, or refused with one line naming
the file, the place and the line. docs/yaml.md is the user's version of this list:

- **Safely.** Only the parser's events are read (libyaml's, when PyYAML has it): no Python
  object is ever built from a tag. The tags of JSON's types (``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!map``, ``!!seq``) and the non-specific ``!`` are allowed; any
  other tag (``!!binary``, ``!!timestamp``, ``!!set``, ``!!python/...``, local tags) is
  refused, and so are merge keys (``<<``), a YAML 1.1 feature YAML 1.2 readers take for a key.
- **YAML 1.2 values** (the core schema, which OpenAPI 3.1 and AsyncAPI name): ``null``, ``~``
  and nothing are null, ``true``/``false`` (also ``True``, ``TRUE``...) booleans, numbers as
  JSON reads them (integers exact at any size, other numbers IEEE-754 doubles, ``1.0`` a
  number equal to ``1``), plus ``0x10`` (16) and ``0o17`` (15); everything else is a string
  (``2024-01-01`` included: JSON has no dates).
- **What YAML 1.1 reads otherwise is refused, not guessed.** ``yes``, ``no``, ``on``, ``off``,
  ``y``, ``n`` are booleans to YAML 1.1 readers (PyYAML, many CI tools) and strings to YAML
  1.2 readers; ``010`` is 8 to one and 10 to the other; ``1_000``, ``0b101`` and ``1:30``
  are numbers to one and strings to the other. A schema holding one would mean one thing to
  a reviewer's tools and another to a consumer's: each is refused, saying how to write either
  meaning (quote it, or write the JSON value).
- **Not JSON:** ``.inf``, ``.nan``, numbers beyond the range of a double (``1e400``), keys that
  are not strings (``1:``, ``null:``, ``[a, b]:``) and lone surrogates are refused, as the
  JSON reader refuses them; so is a key given twice in one mapping, and a file with more than
  one document (``---``).
- **Bounded:** the file's size is bounded by the caller (16 MiB, as JSON); nesting deeper
  than 999 levels (libyaml's limit) is refused as it is read, aliases included; an alias to a
  node that is not finished (a recursive structure) is refused, and so is an anchor defined
  twice (readers disagree on which one an alias then means). Aliases may not make a document
  larger than 1,000,000 values: an alias "bomb" of a few hundred bytes is refused within a
  fraction of a second. Aliases are expanded into copies, so the value is a tree, as JSON's
  is.

Positions: :func:`yaml_source_map` gives the same :class:`~schema_compat.sourcemap.SourceMap`
as JSON files have (line and column of each key and value), so annotations point at the line
of a changed keyword in a YAML file too. Inside an alias's copy, positions are those of the
anchored node, where the text is written.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

import yaml
from yaml import events

from .errors import LoadError

if TYPE_CHECKING:
    from .sourcemap import SourceMap

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Deepest nesting of mappings and sequences: libyaml's own limit (1000 levels, the document
#: counted; JSON's is 1024), kept for the pure-Python parser too, so that a file reads the
#: same with either.
MAX_DEPTH = 999
#: Values a document may hold once its aliases are expanded.
MAX_VALUES = 1_000_000


# ------------------------------------------------------------------------ plain scalars

_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _CORE + "str", _CORE + "map", _CORE + "seq"
_NULL, _BOOL, _INT, _FLOAT = _CORE + "null", _CORE + "bool", _CORE + "int", _CORE + "float"
_SCALAR_TAGS = frozenset({_NULL, _BOOL, _INT, _FLOAT})

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}
# YAML 1.1's other booleans (its spec's list: PyYAML leaves out y and n, go-yaml does not).
_YAML11_BOOLEANS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
                    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False)}
_DECIMAL = re.compile(r"[-+]?[0-9]+\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_FLOAT_FORM = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
# YAML 1.1's integers and floats (PyYAML's resolver): what still matches after the YAML 1.2
# forms above is a number to YAML 1.1 and a string to YAML 1.2.
_YAML11_NUMBER = re.compile(r"""(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)\Z""", re.VERBOSE)
# A double's range holds no integer of more digits than this (1.8e308).
_MAX_DIGITS = 309


class _Refused(Exception):
    """A value the reader refuses: the message, without the place (added by the reader)."""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a sequence"
    return f"the number {value}"


def _yaml11(text: str) -> Any:
    """How a YAML 1.1 reader (PyYAML's) reads the plain scalar ``text`` (for messages only)."""
    loader = yaml.SafeLoader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        return loader.construct_object(yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError):  # pragma: no cover - every form refused is readable
        return text
    finally:
        loader.dispose()


def _ambiguous(text: str, yaml12: Any) -> _Refused:
    yaml11 = _YAML11_BOOLEANS[text] if text in _YAML11_BOOLEANS else _yaml11(text)
    if isinstance(yaml12, str):
        fix = f"quote it ({json.dumps(text)}) or write {json.dumps(yaml11)}"
    else:
        fix = f"write {json.dumps(yaml12)}" + (
            f" or {json.dumps(yaml11)}" if isinstance(yaml11, int) and yaml11 != yaml12 else "")
        fix += f", or quote it ({json.dumps(text)})"
    return _Refused(f"{text} is {_show(yaml11)} to YAML 1.1 readers and {_show(yaml12)} to "
                    f"YAML 1.2 readers; {fix}")


def _integer(text: str, base: int) -> int:
    digits = text.lstrip("+-")
    if base != 10:
        digits = digits[2:]
    if len(digits) * math.log10(base) > _MAX_DIGITS + 1:
        raise _Refused(f"number {_clip(text)} is beyond the range of a double, which JSON "
                       "readers refuse")
    value = int(digits, base)
    try:
        float(value)
    except OverflowError:
        raise _Refused(f"number {_clip(text)} is beyond the range of a double, which JSON "
                       "readers refuse") from None
    return -value if text.startswith("-") else value


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def plain_scalar(text: str) -> Any:
    """The JSON value of an untagged plain scalar (see the module docstring), or _Refused."""
    if text in _NULLS:
        return None
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    if text in _YAML11_BOOLEANS:
        raise _ambiguous(text, text)
    first = text[0]
    if not (first.isdigit() or first in "+-."):
        return text  # most strings: no number starts with a letter
    if _DECIMAL.match(text):
        if _LEADING_ZERO.match(text):
            raise _ambiguous(text, _integer(text, 10))
        return _integer(text, 10)
    if _HEX.match(text):
        return _integer(text, 16)
    if _OCTAL.match(text):
        return _integer(text, 8)
    if _FLOAT_FORM.match(text):
        value = float(text)
        if not math.isfinite(value):
            raise _Refused(f"number {_clip(text)} is beyond the range of a double, which JSON "
                           "readers refuse")
        return value
    if _NOT_FINITE.match(text):
        raise _Refused(f"{text} is not a JSON number (JSON has no infinity or NaN)")
    if _YAML11_NUMBER.match(text):
        raise _ambiguous(text, text)
    return text


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _tagged_scalar(tag: str, text: str) -> Any:
    """A scalar with an explicit tag: JSON's types only, and their values must be what the
    tag says (``!!int 12``, not ``!!int twelve``)."""
    if tag == _STR:
        return text
    if tag not in _SCALAR_TAGS:
        raise _Refused(f"the tag {_tag_name(tag)} is not one of JSON's types (!!str, !!int, "
                       "!!float, !!bool, !!null, !!map, !!seq)")
    value: Any = plain_scalar(text) if text else None
    ok = {_NULL: value is None, _BOOL: isinstance(value, bool),
          _INT: isinstance(value, int) and not isinstance(value, bool),
          _FLOAT: isinstance(value, (int, float)) and not isinstance(value, bool)}[tag]
    if not ok:
        raise _Refused(f"{_tag_name(tag)} {json.dumps(text)} is not a value of that type")
    return float(value) if tag == _FLOAT else value


# ------------------------------------------------------------------------------ reading


class _Frame:
    """An open mapping or sequence."""

    __slots__ = ("anchor", "height", "key", "key_at", "node", "start_values", "token", "value")

    def __init__(self, value: dict[str, Any] | list[Any], node: int, token: str,
                 anchor: str | None, start_values: int) -> None:
        self.value = value
        self.node = node
        self.token = token
        self.anchor = anchor
        self.start_values = start_values
        self.key: str | None = None  # a mapping's key whose value comes next
        self.key_at = -1
        self.height = 0  # of the deepest container inside


class _Anchored:
    __slots__ = ("height", "node", "value", "values")

    def __init__(self, value: Any, node: int, height: int, values: int) -> None:
        self.value, self.node, self.height, self.values = value, node, height, values


_NEWLINE = re.compile(r"\r\n?|\n")


class _Reader:
    """One pass over the parser's events, building the value (and the positions)."""

    def __init__(self, text: str, source: str, *, offset: int, positions: bool) -> None:
        self.text = text
        self.source = source
        self.offset = offset  # of the text in the file (a byte order mark was taken off)
        self.line_starts = [0]
        self.line_starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.positions = positions
        self.parents: list[int] = [-1]
        self.tokens: list[str] = [""]
        self.key_at: list[int] = [-1]
        self.value_at: list[int] = [-1]
        self.children: dict[tuple[int, str], int] = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        self.open_anchors: set[str] = set()
        self.values = 0
        self.root: Any = None
        self.documents = 0

    # -- messages

    def line(self, index: int) -> int:
        return bisect_right(self.line_starts, index)

    def pointer(self) -> str:
        """Where the next value goes (a mapping's own pointer while its next key is read)."""
        tokens = [frame.token for frame in self.stack[1:]]
        if self.stack:
            top = self.stack[-1]
            if isinstance(top.value, list):
                tokens.append(str(len(top.value)))
            elif top.key is not None:
                tokens.append(top.key)
        return "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens) \
            if tokens else "/"

    def column(self, index: int) -> int:
        return index - self.line_starts[self.line(index) - 1] + 1

    def refuse(self, what: str, index: int) -> LoadError:
        return LoadError(f"{self.source}: at {json.dumps(self.pointer())} "
                         f"(line {self.line(index)}): {what}")

    # -- positions

    def _node(self, parent: int, token: str, key_at: int, value_at: int) -> int:
        node = len(self.parents)
        self.parents.append(parent)
        self.tokens.append(token)
        self.key_at.append(key_at + self.offset if key_at >= 0 else -1)
        self.value_at.append(value_at + self.offset)
        self.children[(parent, token)] = node
        return node

    # -- building

    def place(self, value: Any, at: int) -> tuple[int, str]:
        """Put ``value`` where the next value goes; its node and its token in the parent."""
        self.values += 1
        if not self.stack:
            self.root = value
            self.value_at[0] = at + self.offset
            return 0, ""
        top = self.stack[-1]
        if isinstance(top.value, list):
            token = str(len(top.value))
            top.value.append(value)
            node = self._node(top.node, token, -1, at) if self.positions else -1
            return node, token
        key = top.key
        assert key is not None
        top.value[key] = value
        node = self._node(top.node, key, top.key_at, at) if self.positions else -1
        top.key = None
        return node, key

    def wants_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) \
            and self.stack[-1].key is None

    def key(self, key: Any, at: int, plain: bool) -> None:
        top = self.stack[-1]
        if not isinstance(key, str):
            fix = "" if isinstance(key, (dict, list)) else ": quote it"
            raise self.refuse(f"a key that is not a string ({_show(key)}); keys are strings in "
                              f"JSON{fix}", at)
        if plain and key == "<<":
            raise self.refuse("a merge key (<<), which YAML 1.2 readers take for a key named "
                              "\"<<\"; write the keys out, or use allOf or $ref", at)
        assert isinstance(top.value, dict)
        if key in top.value:
            # Worded as the JSON reader words it: the same refusal, whatever the file's syntax.
            raise LoadError(f"{self.source}: duplicate key {json.dumps(key)} in the object at "
                            f"{json.dumps(self.pointer())} (line {self.line(at)}); a key may "
                            "appear once per object")
        top.key, top.key_at = key, at

    def scalar(self, event: events.ScalarEvent) -> None:
        at = _at(event)
        text = event.value
        tag = event.tag
        try:
            if tag is None and event.implicit[0]:
                value = plain_scalar(text)
            elif tag is None or tag == "!":
                value = text
            else:
                value = _tagged_scalar(tag, text)
        except _Refused as exc:
            raise self.refuse(str(exc), at) from None
        if isinstance(value, str) and event.style == '"' and _SURROGATE.search(value):
            raise self.refuse("a lone surrogate (an escape such as \\ud800 alone), which is not "
                              "JSON text", at)
        self.anchor_scalar(event.anchor, value)
        if self.wants_key():
            self.key(value, at, plain=tag is None and bool(event.implicit[0]))
            self.values += 1
            return
        self.place(value, at)

    def anchor_scalar(self, anchor: str | None, value: Any) -> None:
        if anchor is not None:
            self.define(anchor, _Anchored(value, -1, 0, 1))

    def define(self, anchor: str, anchored: _Anchored) -> None:
        if anchor in self.anchors:
            raise LoadError(f"{self.source}: anchor &{_clip(anchor)} is defined twice; YAML "
                            "readers disagree on which one an alias names: rename one")
        self.anchors[anchor] = anchored

    def start(self, event: events.CollectionStartEvent, mapping: bool) -> None:
        at = _at(event)
        tag = event.tag
        if tag is not None and tag not in ("!", _MAP if mapping else _SEQ):
            raise self.refuse(f"the tag {_tag_name(tag)} is not one of JSON's types (!!str, "
                              "!!int, !!float, !!bool, !!null, !!map, !!seq)", at)
        if self.wants_key():
            raise self.refuse("a key that is a " + ("mapping" if mapping else "sequence")
                              + "; keys are strings in JSON", at)
        if len(self.stack) >= MAX_DEPTH:
            raise LoadError(f"{self.source}: not valid YAML for a schema: nested more than "
                            f"{MAX_DEPTH} levels deep (line {self.line(at)})")
        value: dict[str, Any] | list[Any] = {} if mapping else []
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        start_values = self.values
        node, token = self.place(value, at)
        self.stack.append(_Frame(value, node, token, event.anchor, start_values))

    def end(self) -> None:
        frame = self.stack.pop()
        height = frame.height + 1
        if self.stack:
            parent = self.stack[-1]
            parent.height = max(parent.height, height)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.define(frame.anchor, _Anchored(frame.value, frame.node, height,
                                                self.values - frame.start_values))

    def alias(self, event: events.AliasEvent) -> None:
        at = _at(event)
        name = event.anchor
        assert name is not None
        if name in self.open_anchors:
            raise self.refuse(f"an alias (*{_clip(name)}) inside the node it names: a recursive "
                              "structure, which JSON cannot hold", at)
        anchored = self.anchors.get(name)
        if anchored is None:
            raise self.refuse(f"an alias (*{_clip(name)}) to no anchor defined before it", at)
        if len(self.stack) + anchored.height > MAX_DEPTH:
            raise LoadError(f"{self.source}: not valid YAML for a schema: nested more than "
                            f"{MAX_DEPTH} levels deep once aliases are expanded "
                            f"(line {self.line(at)})")
        if self.values + anchored.values > MAX_VALUES:
            raise LoadError(f"{self.source}: aliases expand the document beyond "
                            f"{MAX_VALUES:,} values (line {self.line(at)}); write it without "
                            "them, or use $ref")
        if self.wants_key():
            self.key(anchored.value, at, plain=False)  # a string, or refused
            self.values += 1
            return
        self.values += anchored.values - 1  # place() counts the top one
        if self.stack:
            parent = self.stack[-1]
            parent.height = max(parent.height, anchored.height)
        copy = _copy(anchored.value)
        node, _token = self.place(copy, at)
        if self.positions and anchored.node >= 0:
            self._copy_positions(anchored.value, anchored.node, node)

    def _copy_positions(self, value: Any, source: int, target: int) -> None:
        """Give the nodes under ``target`` (an alias's copy) the positions of those under
        ``source`` (the anchored node): where their text is."""
        stack = [(value, source, target)]
        children = self.children
        while stack:
            here, src, dst = stack.pop()
            items = here.items() if isinstance(here, dict) else enumerate(here) \
                if isinstance(here, list) else ()
            for key, child in items:
                token = key if isinstance(key, str) else str(key)
                original = children[(src, token)]
                key_at = self.key_at[original]
                node = len(self.parents)
                self.parents.append(dst)
                self.tokens.append(token)
                self.key_at.append(key_at)
                self.value_at.append(self.value_at[original])
                children[(dst, token)] = node
                if isinstance(child, (dict, list)):
                    stack.append((child, original, node))

    def read(self) -> Any:
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, events.ScalarEvent):
                    self.scalar(event)
                elif isinstance(event, events.MappingStartEvent):
                    self.start(event, mapping=True)
                elif isinstance(event, events.SequenceStartEvent):
                    self.start(event, mapping=False)
                elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
                    self.end()
                elif isinstance(event, events.AliasEvent):
                    self.alias(event)
                elif isinstance(event, events.DocumentStartEvent):
                    self.documents += 1
                    if self.documents > 1:
                        raise LoadError(
                            f"{self.source}: more than one YAML document (a second one starts "
                            f"on line {self.line(_at(event))}); a schema file "
                            "holds one")
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "not YAML"
            where = "" if mark is None else \
                f" (line {self.line(mark.index)}, column {self.column(mark.index)})"
            raise LoadError(f"{self.source}: not valid YAML: {problem}{where}") from None
        except yaml.reader.ReaderError as exc:
            raise LoadError(f"{self.source}: not valid YAML: unacceptable character "
                            f"#x{exc.character:04x}: {exc.reason} (line {self.line(exc.position)})"
                            ) from None
        except yaml.YAMLError as exc:  # pragma: no cover - every parser error has a mark
            raise LoadError(f"{self.source}: not valid YAML: {' '.join(str(exc).split())}") from None
        except UnicodeEncodeError:
            raise LoadError(f"{self.source}: not valid YAML: a lone surrogate in the text") from None
        if not self.documents:
            raise LoadError(f"{self.source}: no YAML document (the file is empty or only "
                            "comments)")
        return self.root


_SURROGATE = re.compile("[\ud800-\udfff]")


def _at(event: events.Event) -> int:
    """Where an event starts in the text (every parser event has a mark)."""
    mark = event.start_mark
    return mark.index if mark is not None else 0


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value, without recursion."""
    if not isinstance(value, (dict, list)):
        return value
    root: dict[str, Any] | list[Any] = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, child in items:
            if isinstance(child, dict):
                made: Any = {}
                stack.append((child, made))
            elif isinstance(child, list):
                made = []
                stack.append((child, made))
            else:
                made = child
            if isinstance(target, dict):
                target[key] = made
            else:
                target.append(made)
    return root


def _text(data: bytes | str, source: str) -> tuple[str, int]:
    """The text to parse, and its offset in the file (1 after a byte order mark)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise LoadError(f"{source}: not valid YAML: not UTF-8 (byte 0x{data[exc.start]:02x} "
                            f"on line {line})") from None
    else:
        text = data
    if text.startswith("\ufeff"):
        return text[1:], 1
    return text, 0


def parse_yaml(data: bytes | str, source: str) -> Any:
    """Read one YAML document as a JSON value; LoadError (one line, naming ``source``, the
    place and the line) for anything a schema cannot be (see the module docstring)."""
    text, offset = _text(data, source)
    return _Reader(text, source, offset=offset, positions=False).read()


def yaml_source_map(text: str) -> SourceMap:
    """Where every key and value of a YAML document starts (SourceMapError when it cannot be
    read: the same map as :func:`~schema_compat.sourcemap.source_map` gives for JSON)."""
    from .sourcemap import SourceMap, SourceMapError

    body, offset = _text(text, "<yaml>")
    reader = _Reader(body, "<yaml>", offset=offset, positions=True)
    try:
        reader.read()
    except LoadError as exc:
        raise SourceMapError(str(exc)) from None
    line_starts = [offset]
    line_starts.extend(m.end() for m in _NEWLINE.finditer(text, offset))
    return SourceMap(line_starts, reader.parents, reader.tokens, reader.key_at, reader.value_at,
                     reader.children)
