"""ECMA-262 patterns (JSON Schema ``pattern``) as finite automata over Unicode code points.

The diff engine asks questions that a matcher cannot answer: does every string matched by one
pattern also match another, and if not, which short string tells them apart? This module
parses the regular subset of ECMA-262 pattern syntax, compiles it with *search* semantics (the
way ``pattern`` is applied) to a minimal deterministic automaton, and offers the boolean
operations, emptiness, inclusion and example generation on top of it.

Semantics follow ``regress`` without flags (ECMA-262 with the Annex B syntax extensions), which
reads the subject as a sequence of code points: ``.`` and ``[^a]`` match one astral character.
Constructs that are not regular, or that validators read differently, raise
:class:`UnsupportedPattern`, so a caller can report "unknown" rather than a wrong answer.
See ``docs/regex.md``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NoReturn, TypeAlias

import regress

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "DEFAULT_MAX_STATES",
    "InvalidPattern",
    "Language",
    "PatternTooLarge",
    "UnsupportedPattern",
    "compile_pattern",
    "counterexample",
    "examples_matching",
    "pattern_includes",
]

MAX_CODE_POINT = 0x10FFFF
DEFAULT_MAX_STATES = 5000
# An NFA may be larger than its DFA, but not unboundedly: this bounds memory before
# determinisation starts, so `(a{1000}){1000}` is refused without building anything.
_NFA_STATES_PER_DFA_STATE = 20
# Determinisation of an unanchored pattern does work quadratic in the DFA size (each DFA state
# carries every partial match in flight); this caps the total so a refusal is quick.
_WORK_PER_DFA_STATE = 100
_MAX_NESTING = 100


class UnsupportedPattern(ValueError):
    """The pattern is valid ECMA-262 but outside what this module can decide exactly."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PatternTooLarge(UnsupportedPattern):
    """The automaton would exceed the state or work budget (pattern or operation result)."""


class InvalidPattern(ValueError):
    """The pattern is not valid ECMA-262 syntax (as judged by ``regress``)."""


# --------------------------------------------------------------------------- character sets

CharSet = tuple[tuple[int, int], ...]
"""Sorted, disjoint, non-adjacent inclusive code-point ranges."""


def _normalize(ranges: Iterable[tuple[int, int]]) -> CharSet:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _negate(cs: CharSet) -> CharSet:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in cs:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CODE_POINT:
        out.append((nxt, MAX_CODE_POINT))
    return tuple(out)


_ANY: CharSet = ((0, MAX_CODE_POINT),)
_DIGIT: CharSet = ((0x30, 0x39),)
_WORD: CharSet = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
# WhiteSpace and LineTerminator of ECMA-262: the Unicode Zs set has been stable since
# Unicode 6.3 removed U+180E, so a fixed table does not drift with the Unicode version.
_SPACE: CharSet = _normalize(
    [
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ]
)
_DOT: CharSet = _negate(((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)))
_CLASS_ESCAPES: dict[str, CharSet] = {
    "d": _DIGIT,
    "D": _negate(_DIGIT),
    "w": _WORD,
    "W": _negate(_WORD),
    "s": _SPACE,
    "S": _negate(_SPACE),
}
_CONTROL_ESCAPES = {"t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class _Chars:
    ranges: CharSet


@dataclass(frozen=True)
class _Seq:
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Alt:
    options: tuple[_Node, ...]


@dataclass(frozen=True)
class _Repeat:
    body: _Node
    min: int
    max: int | None


@dataclass(frozen=True)
class _Anchor:
    kind: Literal["^", "$"]


_Node: TypeAlias = _Chars | _Seq | _Alt | _Repeat | _Anchor


# --------------------------------------------------------------------------- parser


class _SyntaxError(Exception):
    pass


_BRACE_QUANTIFIER = re.compile(r"\{([0-9]+)(?:(,)([0-9]*))?\}")
# Not a quantifier in ECMA-262 (so literal text), but one in jsonschema-rs (Rust regex).
_SPACED_QUANTIFIER = re.compile(r"\{[ \t]*[0-9]+[ \t]*(?:,[ \t]*[0-9]*[ \t]*)?\}", re.ASCII)


def _count_groups(src: str) -> tuple[int, bool]:
    """Capturing groups and whether any is named: a decimal escape is a backreference only
    when it does not exceed the group count of the *whole* pattern, and ``\\k`` is special only
    when some group is named (ECMA-262 Annex B)."""
    count = 0
    named = False
    i = 0
    in_class = False
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            if not src.startswith("?", i + 1):
                count += 1
            elif src.startswith("?<", i + 1) and src[i + 3 : i + 4] not in ("=", "!"):
                count += 1
                named = True
        i += 1
    return count, named


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0
        self.depth = 0
        self.ncaps, self.named = _count_groups(src)

    def error(self, message: str) -> NoReturn:
        raise _SyntaxError(f"{message} at offset {self.pos}")

    def peek(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.src[i] if i < len(self.src) else ""

    def parse(self) -> _Node:
        node = self.disjunction()
        if self.pos < len(self.src):
            self.error("unmatched ')'")
        return node

    def disjunction(self) -> _Node:
        options = [self.alternative()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.alternative())
        return options[0] if len(options) == 1 else _Alt(tuple(options))

    def alternative(self) -> _Node:
        items: list[_Node] = []
        while self.pos < len(self.src) and self.peek() not in ("|", ")"):
            items.append(self.term())
        return items[0] if len(items) == 1 else _Seq(tuple(items))

    def term(self) -> _Node:
        ch = self.peek()
        if ch in ("^", "$"):
            self.pos += 1
            if self.quantifier_ahead():
                self.error("nothing to repeat")
            return _Anchor("^" if ch == "^" else "$")
        if ch == "\\" and self.peek(1) in ("b", "B"):
            raise UnsupportedPattern("word-boundary assertions (\\b, \\B) are not supported")
        return self.quantified(self.atom())

    def quantifier_ahead(self) -> bool:
        return self.peek() in ("*", "+", "?") or bool(_BRACE_QUANTIFIER.match(self.src, self.pos))

    def quantified(self, atom: _Node) -> _Node:
        ch = self.peek()
        bounds: tuple[int, int | None]
        if ch == "*":
            bounds = (0, None)
        elif ch == "+":
            bounds = (1, None)
        elif ch == "?":
            bounds = (0, 1)
        else:
            m = _BRACE_QUANTIFIER.match(self.src, self.pos)
            if m is None:
                return atom
            low = int(m.group(1))
            high = low if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
            if high is not None and high < low:
                self.error("numbers out of order in {} quantifier")
            bounds = (low, high)
            self.pos = m.end() - 1
        self.pos += 1
        # A lazy quantifier matches the same set of strings; only the chosen match differs.
        if self.peek() == "?":
            self.pos += 1
        if self.quantifier_ahead():
            self.error("nothing to repeat")
        return _Repeat(atom, bounds[0], bounds[1])

    def atom(self) -> _Node:
        ch = self.peek()
        if ch == ".":
            self.pos += 1
            return _Chars(_DOT)
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.atom_escape()
        if ch == "(":
            return self.group()
        if self.quantifier_ahead():
            self.error("nothing to repeat")
        if ch == "{" and _SPACED_QUANTIFIER.match(self.src, self.pos):
            raise UnsupportedPattern(
                "a brace with spaces such as {1, 2} is literal text in ECMA-262 "
                "but a quantifier in jsonschema-rs"
            )
        # Annex B: a lone `]`, `}` or a `{` that does not start a quantifier is a literal.
        self.pos += 1
        cp = ord(ch)
        return _Chars(((cp, cp),))

    def group(self) -> _Node:
        self.pos += 1
        if self.peek() == "?":
            kind = self.peek(1)
            if kind == ":":
                self.pos += 2
            elif kind in ("=", "!") or (kind == "<" and self.peek(2) in ("=", "!")):
                raise UnsupportedPattern("lookaround assertions are not supported")
            elif kind == "<":
                close = self.src.find(">", self.pos)
                if close < 0:
                    self.error("unterminated group name")
                self.pos = close + 1
            else:
                raise UnsupportedPattern("inline modifier groups like (?i:...) are not supported")
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise PatternTooLarge(f"too large: groups nested more than {_MAX_NESTING} deep")
        node = self.disjunction()
        if self.peek() != ")":
            self.error("missing ')'")
        self.pos += 1
        self.depth -= 1
        return node

    def atom_escape(self) -> _Node:
        self.pos += 1
        ch = self.peek()
        if ch == "":
            self.error("\\ at end of pattern")
        if ch in _CLASS_ESCAPES:
            self.pos += 1
            return _Chars(_CLASS_ESCAPES[ch])
        if ch in "123456789":
            end = self.pos
            while self.src[end : end + 1].isdigit() and self.src[end].isascii():
                end += 1
            if int(self.src[self.pos : end]) <= self.ncaps:
                raise UnsupportedPattern("backreferences are not regular")
        if ch == "k" and self.named:
            raise UnsupportedPattern("backreferences are not regular")
        cp = self.char_escape(in_class=False)
        return _Chars(((cp, cp),))

    def char_escape(self, *, in_class: bool) -> int:
        """The code point of the escape whose letter is at ``pos`` (the backslash consumed)."""
        ch = self.peek()
        if ch in ("8", "9"):
            self.pos += 1
            return ord(ch)
        if ch in _OCTAL:
            return self.legacy_octal()
        if ch in _CONTROL_ESCAPES:
            self.pos += 1
            return _CONTROL_ESCAPES[ch]
        if ch == "c":
            letter = self.peek(1)
            # Annex B lets a class also use digits and `_` after \c.
            if letter in _ASCII_LETTERS or (in_class and letter != "" and (letter in "0123456789_")):
                self.pos += 2
                return ord(letter) % 32
            # Annex B: `\c` without a control letter is a literal backslash, and the `c` is
            # read again as the next atom, so the position stays on it.
            return 0x5C
        if ch == "x":
            digits = self.src[self.pos + 1 : self.pos + 3]
            if len(digits) == 2 and all(d in _HEX for d in digits):
                self.pos += 3
                return int(digits, 16)
        if ch == "u":
            cp = self.unicode_escape()
            if cp is not None:
                return cp
        if ch == "-" and in_class:
            self.pos += 1
            return 0x2D
        if ch in _ASCII_LETTERS or ch in ("<", ">"):
            # Annex B reads these as the bare character, but other engines give most of them
            # a meaning (\z, \A and \< are anchors in jsonschema-rs, \p{L} a Unicode property,
            # [\a] a bell), so any answer here would be wrong for someone.
            if ch in ("p", "P"):
                raise UnsupportedPattern(
                    f"\\{ch} means the letter {ch} in ECMA-262 without the u flag but a "
                    "Unicode property in jsonschema-rs and the JSON Schema test suite"
                )
            raise UnsupportedPattern(f"\\{ch} has no ECMA-262 meaning; engines disagree on what it matches")
        self.pos += 1
        return ord(ch)

    def legacy_octal(self) -> int:
        first = self.src[self.pos]
        value = int(first)
        self.pos += 1
        width = 3 if first in "0123" else 2
        for _ in range(width - 1):
            if self.peek() not in _OCTAL:
                break
            value = value * 8 + int(self.src[self.pos])
            self.pos += 1
        return value

    def unicode_escape(self) -> int | None:
        start = self.pos
        digits = self.src[start + 1 : start + 5]
        if len(digits) == 4 and all(d in _HEX for d in digits):
            cp = int(digits, 16)
            self.pos = start + 5
            # regress, like the u flag, joins an escaped surrogate pair into one code point.
            low = self.src[self.pos + 2 : self.pos + 6]
            if (
                0xD800 <= cp <= 0xDBFF
                and self.src.startswith("\\u", self.pos)
                and len(low) == 4
                and all(d in _HEX for d in low)
                and 0xDC00 <= int(low, 16) <= 0xDFFF
            ):
                cp = 0x10000 + ((cp - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                self.pos += 6
            return cp
        if self.peek(1) == "{":
            close = self.src.find("}", start + 2)
            inner = self.src[start + 2 : close] if close > 0 else ""
            if inner and all(d in _HEX for d in inner):
                # Strictly, without the u flag `\u{41}` is 41 times "u"; regress and
                # jsonschema-rs both read a code point, so we do too.
                cp = int(inner, 16)
                if cp > MAX_CODE_POINT:
                    raise UnsupportedPattern(f"\\u{{{inner}}} is beyond U+10FFFF")
                self.pos = close + 1
                return cp
        return None

    def char_class(self) -> _Node:
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        while True:
            if self.pos >= len(self.src):
                self.error("unterminated character class")
            if self.peek() == "]":
                self.pos += 1
                break
            low = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_atom()
                if isinstance(low, int) and isinstance(high, int):
                    if low > high:
                        self.error("range out of order in character class")
                    ranges.append((low, high))
                    continue
                # Annex B: a class escape such as \d cannot bound a range; `-` is literal.
                ranges.append((0x2D, 0x2D))
                for part in (low, high):
                    ranges.extend([(part, part)] if isinstance(part, int) else part)
                continue
            ranges.extend([(low, low)] if isinstance(low, int) else low)
        cs = _normalize(ranges)
        return _Chars(_negate(cs) if negated else cs)

    def class_atom(self) -> int | CharSet:
        ch = self.peek()
        self.pos += 1
        if ch != "\\":
            return ord(ch)
        esc = self.peek()
        if esc == "":
            self.error("\\ at end of pattern")
        if esc in _CLASS_ESCAPES:
            self.pos += 1
            return _CLASS_ESCAPES[esc]
        if esc == "b":
            self.pos += 1
            return 0x08
        return self.char_escape(in_class=True)


# --------------------------------------------------------------------------- NFA


def _nfa_size(node: _Node, limit: int) -> int:
    """Thompson states needed for ``node``, saturating just above ``limit``."""
    if isinstance(node, _Chars | _Anchor):
        return 2
    if isinstance(node, _Seq | _Alt):
        parts = node.items if isinstance(node, _Seq) else node.options
        total = 2
        for part in parts:
            total += _nfa_size(part, limit)
            if total > limit:
                return limit + 1
        return total
    copies = node.max if node.max is not None else node.min + 1
    return min(limit + 1, 3 + _nfa_size(node.body, limit) * copies)


class _NFA:
    """Thompson NFA; each state has at most one character edge."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.caret: list[list[int]] = []
        self.dollar: list[list[int]] = []
        self.edge: list[tuple[int, int] | None] = []
        self.charsets: list[CharSet] = []
        self._charset_ids: dict[CharSet, int] = {}

    def state(self) -> int:
        self.eps.append([])
        self.caret.append([])
        self.dollar.append([])
        self.edge.append(None)
        return len(self.edge) - 1

    def char_edge(self, source: int, cs: CharSet, target: int) -> None:
        cid = self._charset_ids.setdefault(cs, len(self.charsets))
        if cid == len(self.charsets):
            self.charsets.append(cs)
        self.edge[source] = (cid, target)

    def emit(self, node: _Node) -> tuple[int, int]:
        if isinstance(node, _Chars):
            entry, exit_ = self.state(), self.state()
            self.char_edge(entry, node.ranges, exit_)
            return entry, exit_
        if isinstance(node, _Anchor):
            entry, exit_ = self.state(), self.state()
            (self.caret if node.kind == "^" else self.dollar)[entry].append(exit_)
            return entry, exit_
        if isinstance(node, _Seq):
            entry = cur = self.state()
            for item in node.items:
                first, last = self.emit(item)
                self.eps[cur].append(first)
                cur = last
            return entry, cur
        if isinstance(node, _Alt):
            entry, exit_ = self.state(), self.state()
            for option in node.options:
                first, last = self.emit(option)
                self.eps[entry].append(first)
                self.eps[last].append(exit_)
            return entry, exit_
        entry = cur = self.state()
        for _ in range(node.min):
            first, last = self.emit(node.body)
            self.eps[cur].append(first)
            cur = last
        exit_ = self.state()
        if node.max is None:
            loop = self.state()
            self.eps[cur].append(loop)
            first, last = self.emit(node.body)
            self.eps[loop].extend((first, exit_))
            self.eps[last].append(loop)
        else:
            # Each optional copy may skip straight to the exit, which keeps closures small.
            for _ in range(node.max - node.min):
                self.eps[cur].append(exit_)
                first, last = self.emit(node.body)
                self.eps[cur].append(first)
                cur = last
            self.eps[cur].append(exit_)
        return entry, exit_


# --------------------------------------------------------------------------- DFA


@dataclass(frozen=True)
class _DFA:
    """Complete DFA, start state 0. The alphabet is a partition of all code points into
    classes: ``bounds[i]`` starts an interval (up to the next bound) belonging to class
    ``labels[i]``. Kept minimal and canonically numbered, so equal languages compare equal."""

    bounds: tuple[int, ...]
    labels: tuple[int, ...]
    trans: tuple[tuple[int, ...], ...]
    accepting: tuple[bool, ...]

    def class_of(self, cp: int) -> int:
        return self.labels[bisect_right(self.bounds, cp) - 1]


def _alphabet(charsets: Sequence[CharSet]) -> tuple[list[int], list[int], list[list[int]]]:
    """Partition refinement of the code points by membership in ``charsets``: returns the
    interval bounds, the class of each interval and the classes making up each charset."""
    points = {0}
    for cs in charsets:
        for lo, hi in cs:
            points.add(lo)
            if hi < MAX_CODE_POINT:
                points.add(hi + 1)
    bounds = sorted(points)
    index = {p: i for i, p in enumerate(bounds)}
    member: list[list[int]] = [[] for _ in bounds]
    for cid, cs in enumerate(charsets):
        for lo, hi in cs:
            end = index[hi + 1] if hi < MAX_CODE_POINT else len(bounds)
            for i in range(index[lo], end):
                member[i].append(cid)
    signature_class: dict[tuple[int, ...], int] = {}
    labels = [signature_class.setdefault(tuple(m), len(signature_class)) for m in member]
    classes_of: list[list[int]] = [[] for _ in charsets]
    for signature, cls in signature_class.items():
        for cid in signature:
            classes_of[cid].append(cls)
    return bounds, labels, classes_of


def _too_large(what: str, max_states: int) -> PatternTooLarge:
    return PatternTooLarge(f"too large: {what} exceeds the budget of {max_states} states")


def _determinize(nfa: _NFA, start: int, final: int, max_states: int) -> _DFA:
    bounds, labels, classes_of = _alphabet(nfa.charsets)
    n_classes = max(labels) + 1
    n = len(nfa.edge)
    max_work = _WORK_PER_DFA_STATE * max_states

    # States from which the end of input can reach `final` through ε and `$` edges.
    reverse: list[list[int]] = [[] for _ in range(n)]
    for s in range(n):
        for t in nfa.eps[s]:
            reverse[t].append(s)
        for t in nfa.dollar[s]:
            reverse[t].append(s)
    accepts_at_end = [False] * n
    accepts_at_end[final] = True
    stack = [final]
    while stack:
        for s in reverse[stack.pop()]:
            if not accepts_at_end[s]:
                accepts_at_end[s] = True
                stack.append(s)

    work = 0

    def closure(seeds: Iterable[int], *, at_start: bool) -> tuple[frozenset[int], bool]:
        # Only states with a character edge matter for transitions; acceptance is folded
        # into a flag, so sets that differ only in ε-states share a DFA state.
        nonlocal work
        seen = set(seeds)
        todo = list(seen)
        while todo:
            s = todo.pop()
            nexts = nfa.eps[s] + nfa.caret[s] if at_start else nfa.eps[s]
            for t in nexts:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        work += len(seen)
        if work > max_work:
            raise _too_large("determinisation work", max_states)
        kernel = frozenset(s for s in seen if nfa.edge[s] is not None)
        return kernel, any(accepts_at_end[s] for s in seen)

    def start_accepts() -> bool:
        # At position 0 of the empty string both `^` and `$` hold.
        seen = {start}
        todo = [start]
        while todo:
            s = todo.pop()
            if s == final:
                return True
            for t in nfa.eps[s] + nfa.caret[s] + nfa.dollar[s]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return False

    start_kernel, _ = closure([start], at_start=True)
    # The start state is never shared: only there does `^` hold.
    sets: list[frozenset[int]] = [start_kernel]
    accepting: list[bool] = [start_accepts()]
    ids: dict[tuple[frozenset[int], bool], int] = {}
    closures: dict[frozenset[int], tuple[frozenset[int], bool]] = {}
    trans: list[list[int]] = []
    i = 0
    while i < len(sets):
        moves: list[set[int]] = [set() for _ in range(n_classes)]
        for s in sets[i]:
            edge = nfa.edge[s]
            assert edge is not None
            cid, target = edge
            for cls in classes_of[cid]:
                moves[cls].add(target)
        row: list[int] = []
        for targets in moves:
            seeds = frozenset(targets)
            closed = closures.get(seeds)
            if closed is None:
                closed = closures[seeds] = closure(seeds, at_start=False)
            sid = ids.get(closed)
            if sid is None:
                if len(sets) >= max_states:
                    raise _too_large("the automaton", max_states)
                sid = ids[closed] = len(sets)
                sets.append(closed[0])
                accepting.append(closed[1])
            row.append(sid)
        trans.append(row)
        i += 1
    return _finish(bounds, labels, trans, accepting)


def _minimize(trans: Sequence[Sequence[int]], accepting: Sequence[bool]) -> list[int]:
    """Hopcroft's algorithm: the block (equivalence class) of every state."""
    n = len(trans)
    n_classes = len(trans[0])
    groups = [[s for s in range(n) if accepting[s]], [s for s in range(n) if not accepting[s]]]
    blocks: list[set[int]] = [set(g) for g in groups if g]
    block_of = [0] * n
    for b, initial in enumerate(blocks):
        for s in initial:
            block_of[s] = b
    if len(blocks) < 2:
        return block_of
    predecessors: list[dict[int, list[int]]] = [{} for _ in range(n_classes)]
    for s, row in enumerate(trans):
        for c, t in enumerate(row):
            predecessors[c].setdefault(t, []).append(s)
    smaller = 0 if len(blocks[0]) <= len(blocks[1]) else 1
    work = [(smaller, c) for c in range(n_classes)]
    pending = set(work)
    while work:
        splitter = work.pop()
        pending.discard(splitter)
        b, c = splitter
        preds = predecessors[c]
        hit: dict[int, list[int]] = {}
        for t in blocks[b]:
            for s in preds.get(t, ()):
                hit.setdefault(block_of[s], []).append(s)
        for hb, members in hit.items():
            block = blocks[hb]
            if len(members) == len(block):
                continue
            part = set(members)
            rest = block - part
            if len(part) > len(rest):
                part, rest = rest, part
            blocks[hb] = rest
            nb = len(blocks)
            blocks.append(part)
            for s in part:
                block_of[s] = nb
            # The new block is the smaller half, so it is a valid splitter whether or not
            # the old one is still pending.
            for c2 in range(n_classes):
                if (nb, c2) not in pending:
                    pending.add((nb, c2))
                    work.append((nb, c2))
    return block_of


def _finish(
    bounds: Sequence[int],
    labels: Sequence[int],
    trans: Sequence[Sequence[int]],
    accepting: Sequence[bool],
) -> _DFA:
    """Minimise, merge letter classes that behave alike, and number canonically."""
    block_of = _minimize(trans, accepting)
    n_blocks = max(block_of) + 1
    q_trans: list[list[int]] = [[] for _ in range(n_blocks)]
    q_acc = [False] * n_blocks
    done = [False] * n_blocks
    for s, row in enumerate(trans):
        b = block_of[s]
        if not done[b]:
            done[b] = True
            q_trans[b] = [block_of[t] for t in row]
            q_acc[b] = accepting[s]
    # Class merging must ignore unreachable blocks, or equal languages could end up with
    # different alphabets.
    start = block_of[0]
    reachable = {start}
    queue = [start]
    for b in queue:
        for t in q_trans[b]:
            if t not in reachable:
                reachable.add(t)
                queue.append(t)
    kept = sorted(reachable)
    column_class: dict[tuple[int, ...], int] = {}
    old_to_new: dict[int, int] = {}
    representative: list[int] = []
    new_labels: list[int] = []
    for label in labels:
        if label not in old_to_new:
            column = tuple(q_trans[b][label] for b in kept)
            new = column_class.get(column)
            if new is None:
                new = column_class[column] = len(representative)
                representative.append(label)
            old_to_new[label] = new
        new_labels.append(old_to_new[label])
    order = {start: 0}
    queue = [start]
    for b in queue:
        for c in representative:
            t = q_trans[b][c]
            if t not in order:
                order[t] = len(queue)
                queue.append(t)
    out_bounds: list[int] = []
    out_labels: list[int] = []
    for point, label in zip(bounds, new_labels, strict=True):
        if not out_labels or out_labels[-1] != label:
            out_bounds.append(point)
            out_labels.append(label)
    return _DFA(
        tuple(out_bounds),
        tuple(out_labels),
        tuple(tuple(order[q_trans[b][c]] for c in representative) for b in queue),
        tuple(q_acc[b] for b in queue),
    )


def _product(a: _DFA, b: _DFA, keep: Callable[[bool, bool], bool], max_states: int) -> _DFA:
    points = sorted(set(a.bounds) | set(b.bounds))
    pair_class: dict[tuple[int, int], int] = {}
    labels = [pair_class.setdefault((a.class_of(p), b.class_of(p)), len(pair_class)) for p in points]
    pairs = list(pair_class)
    index = {(0, 0): 0}
    states = [(0, 0)]
    trans: list[list[int]] = []
    accepting: list[bool] = []
    for p, q in states:
        a_row, b_row = a.trans[p], b.trans[q]
        row: list[int] = []
        for ca, cb in pairs:
            key = (a_row[ca], b_row[cb])
            sid = index.get(key)
            if sid is None:
                if len(states) >= max_states:
                    raise _too_large("the combined automaton", max_states)
                sid = index[key] = len(states)
                states.append(key)
            row.append(sid)
        trans.append(row)
        accepting.append(keep(a.accepting[p], b.accepting[q]))
    return _finish(points, labels, trans, accepting)


# Characters tried first when a class must be shown as one character: readable ones, and
# lone surrogates last because they cannot be encoded in UTF-8 (or sent to regress).
_PREFERRED: tuple[tuple[int, int], ...] = (
    (0x61, 0x7A),
    (0x30, 0x39),
    (0x41, 0x5A),
    (0x2D, 0x2E),
    (0x5F, 0x5F),
    (0x21, 0x7E),
    (0x20, 0x20),
    (0x09, 0x0D),
    (0xA1, 0x2FF),
    (0x370, 0xD7FF),
    (0xE000, 0xFFFD),
    (0x10000, MAX_CODE_POINT),
    (0x300, 0x36F),
    (0x00, 0x1F),
    (0x7F, 0xA0),
    (0xFFFE, 0xFFFF),
    (0xD800, 0xDFFF),
)


def _class_samples(dfa: _DFA, per_class: int) -> list[list[tuple[int, int]]]:
    """Up to ``per_class`` (preference rank, code point) samples per class, best first."""
    n_classes = len(dfa.trans[0])
    found: list[list[tuple[int, int]]] = [[] for _ in range(n_classes)]
    ends = (*dfa.bounds[1:], MAX_CODE_POINT + 1)
    for lo, end, label in zip(dfa.bounds, ends, dfa.labels, strict=True):
        hi = end - 1
        for rank, (plo, phi) in enumerate(_PREFERRED):
            first, last = max(lo, plo), min(hi, phi)
            for cp in range(first, min(last, first + per_class - 1) + 1):
                found[label].append((rank, cp))
    out: list[list[tuple[int, int]]] = []
    for candidates in found:
        best: list[tuple[int, int]] = []
        seen: set[int] = set()
        for rank, cp in sorted(candidates):
            if cp not in seen:
                seen.add(cp)
                best.append((rank, cp))
            if len(best) == per_class:
                break
        out.append(best)
    return out


# --------------------------------------------------------------------------- Language


@dataclass(frozen=True)
class Language:
    """A set of strings (sequences of code points) as a minimal DFA.

    Obtain one from :func:`compile_pattern` or the class constructors. Two languages compare
    equal exactly when they contain the same strings. Operations whose result would exceed
    ``max_states`` raise :class:`PatternTooLarge`.
    """

    _dfa: _DFA

    # ----------------------------------------------------------------- constructors

    @classmethod
    def any_string(cls) -> Language:
        """All strings."""
        return cls(_DFA((0,), (0,), ((0,),), (True,)))

    @classmethod
    def nothing(cls) -> Language:
        """The empty language."""
        return cls(_DFA((0,), (0,), ((0,),), (False,)))

    @classmethod
    def literal(cls, s: str) -> Language:
        """Exactly the one string ``s``."""
        chars = sorted({ord(ch) for ch in s})
        charsets = [((cp, cp),) for cp in chars]
        bounds, labels, classes_of = _alphabet(charsets)
        class_of_cp = {cp: classes_of[i][0] for i, cp in enumerate(chars)}
        n_classes = max(labels) + 1
        dead = len(s) + 1
        trans = []
        for i, ch in enumerate(s):
            row = [dead] * n_classes
            row[class_of_cp[ord(ch)]] = i + 1
            trans.append(row)
        trans.extend(([dead] * n_classes, [dead] * n_classes))
        accepting = [i == len(s) for i in range(len(s) + 2)]
        return cls(_finish(bounds, labels, trans, accepting))

    @classmethod
    def length_between(
        cls, min_len: int, max_len: int | None, *, max_states: int = DEFAULT_MAX_STATES
    ) -> Language:
        """All strings of ``min_len`` to ``max_len`` code points (``None``: unbounded)."""
        if min_len < 0 or (max_len is not None and max_len < 0):
            raise ValueError("lengths must not be negative")
        if max_len is not None and max_len < min_len:
            return cls.nothing()
        last = min_len if max_len is None else max_len + 1
        if last + 1 > max_states:
            raise _too_large(f"a length bound of {last}", max_states)
        trans = [(i + 1,) for i in range(last)]
        trans.append((last,))
        accepting = [i >= min_len and (max_len is None or i <= max_len) for i in range(last + 1)]
        return cls(_finish((0,), (0,), trans, accepting))

    # ----------------------------------------------------------------- operations

    def intersection(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in both languages."""
        return Language(_product(self._dfa, other._dfa, lambda x, y: x and y, max_states))

    def union(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in either language."""
        return Language(_product(self._dfa, other._dfa, lambda x, y: x or y, max_states))

    def difference(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in this language and not in ``other``."""
        return Language(_product(self._dfa, other._dfa, lambda x, y: x and not y, max_states))

    def complement(self) -> Language:
        """Strings not in this language."""
        d = self._dfa
        return Language(_finish(d.bounds, d.labels, d.trans, [not a for a in d.accepting]))

    def with_length(
        self, min_len: int, max_len: int | None, *, max_states: int = DEFAULT_MAX_STATES
    ) -> Language:
        """The strings of this language with ``min_len``..``max_len`` code points, as
        ``minLength``/``maxLength`` count them."""
        if min_len < 0 or (max_len is not None and max_len < 0):
            raise ValueError("lengths must not be negative")
        if self.is_empty():
            return self
        # Bounds the language already satisfies need no counting states, which matters for
        # the common `maxLength: 1000000` next to an anchored pattern.
        low = 0 if min_len <= self._min_length() else min_len
        longest = self._max_length()
        high = None if max_len is None or (longest is not None and longest <= max_len) else max_len
        if low == 0 and high is None:
            return self
        return self.intersection(
            Language.length_between(low, high, max_states=max_states), max_states=max_states
        )

    # ----------------------------------------------------------------- queries

    def is_empty(self) -> bool:
        """True when no string belongs to the language."""
        # Every state of a canonical DFA is reachable.
        return not any(self._dfa.accepting)

    def is_universal(self) -> bool:
        """True when every string belongs to the language."""
        return all(self._dfa.accepting)

    def includes(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> bool:
        """True when every string of ``other`` belongs to this language (self ⊇ other)."""
        return other.difference(self, max_states=max_states).is_empty()

    def matches(self, s: str) -> bool:
        """Membership of ``s`` (for a compiled pattern: whether the pattern finds a match)."""
        d = self._dfa
        state = 0
        for ch in s:
            state = d.trans[state][d.class_of(ord(ch))]
        return d.accepting[state]

    @property
    def state_count(self) -> int:
        """States of the minimal complete DFA (a size measure for diagnostics)."""
        return len(self._dfa.trans)

    def shortest_example(self, min_len: int = 0, max_len: int | None = None) -> str | None:
        """The shortest member with ``min_len``..``max_len`` code points, preferring readable
        characters; ``None`` if there is none.

        Unlike ``with_length(...).shortest_example()`` this needs no state per unit of length,
        so ``maxLength: 1000000`` or a large ``minLength`` stay cheap.
        """
        if min_len < 0 or (max_len is not None and max_len < min_len):
            return None
        exact, cycle_start = self._exact_length_sets()
        period = len(exact) - cycle_start

        def reaching_in(steps: int) -> frozenset[int]:
            if steps < len(exact):
                return exact[steps]
            return exact[cycle_start + (steps - cycle_start) % period]

        # Whether a length is possible is periodic from `cycle_start` on, so one period past
        # max(min_len, cycle_start) covers every case.
        upper = max(min_len, cycle_start) + period
        if max_len is not None:
            upper = min(upper, max_len + 1)
        length = next((k for k in range(min_len, upper) if 0 in reaching_in(k)), None)
        if length is None:
            return None
        d = self._dfa
        order = self._class_order(1)
        state = 0
        chars: list[str] = []
        for done in range(length):
            wanted = reaching_in(length - done - 1)
            for cls, cps in order:
                target = d.trans[state][cls]
                if target in wanted:
                    chars.append(chr(cps[0]))
                    state = target
                    break
        return "".join(chars)

    def examples(self, n: int = 5) -> list[str]:
        """Up to ``n`` distinct members, short ones first; deterministic."""
        d = self._dfa
        distance = self._distance_to_accept()
        if n <= 0 or distance[0] is None:
            return []
        order = self._class_order(max(2, min(n, 8)))
        found: list[str] = []
        frontier: list[tuple[str, int]] = [("", 0)]
        width = max(8, 4 * n)
        # Keeping the prefixes closest to acceptance guarantees a new member at least
        # every `states` levels, so this bound is never what stops an infinite language.
        for _ in range(n * (len(d.trans) + 1)):
            for prefix, state in frontier:
                if d.accepting[state]:
                    found.append(prefix)
                    if len(found) == n:
                        return found
            children: list[tuple[int, str, int]] = []
            for prefix, state in frontier:
                for cls, cps in order:
                    t = d.trans[state][cls]
                    dist = distance[t]
                    if dist is not None:
                        children.extend((dist, prefix + chr(cp), t) for cp in cps)
            if not children:
                break
            children.sort(key=lambda child: child[0])
            frontier = [(prefix, state) for _, prefix, state in children[:width]]
        return found

    # ----------------------------------------------------------------- helpers

    def _class_order(self, per_class: int) -> list[tuple[int, list[int]]]:
        samples = _class_samples(self._dfa, per_class)
        ranked = sorted((best[0], cls) for cls, best in enumerate(samples) if best)
        return [(cls, [cp for _, cp in samples[cls]]) for _, cls in ranked]

    def _distance_to_accept(self) -> list[int | None]:
        d = self._dfa
        reverse: list[list[int]] = [[] for _ in d.trans]
        for s, row in enumerate(d.trans):
            for t in set(row):
                reverse[t].append(s)
        distance: list[int | None] = [0 if a else None for a in d.accepting]
        queue = [s for s, a in enumerate(d.accepting) if a]
        for t in queue:
            for s in reverse[t]:
                if distance[s] is None:
                    dt = distance[t]
                    assert dt is not None
                    distance[s] = dt + 1
                    queue.append(s)
        return distance

    def _exact_length_sets(self) -> tuple[list[frozenset[int]], int]:
        """The sets of states from which acceptance is exactly r steps away, for r = 0, 1, ...
        until the sequence repeats; returns them and the index where the cycle starts."""
        d = self._dfa
        reverse: list[set[int]] = [set() for _ in d.trans]
        for s, row in enumerate(d.trans):
            for t in row:
                reverse[t].add(s)
        current = frozenset(s for s, a in enumerate(d.accepting) if a)
        sequence = [current]
        index = {current: 0}
        # The sequence of subsets is eventually periodic; its period is the lcm of cycle
        # lengths, small for real patterns but not bounded by the state count.
        limit = 10 * max(DEFAULT_MAX_STATES, len(d.trans))
        while True:
            current = frozenset(s for t in current for s in reverse[t])
            seen = index.get(current)
            if seen is not None:
                return sequence, seen
            if len(sequence) >= limit:
                raise _too_large("the length analysis", limit)
            index[current] = len(sequence)
            sequence.append(current)

    def _min_length(self) -> int:
        example = self.shortest_example()
        return 0 if example is None else len(example)

    def _max_length(self) -> int | None:
        """Length of the longest member, ``None`` if unbounded (or the language is empty)."""
        d = self._dfa
        live = [dist is not None for dist in self._distance_to_accept()]
        if not live[0]:
            return None
        # Kahn's algorithm over live states: a cycle among them means unbounded length.
        succ = [[t for t in row if live[t]] if live[s] else [] for s, row in enumerate(d.trans)]
        indegree = [0] * len(d.trans)
        for s in range(len(d.trans)):
            for t in succ[s]:
                indegree[t] += 1
        longest: list[int | None] = [None] * len(d.trans)
        longest[0] = 0
        ready = [s for s in range(len(d.trans)) if live[s] and indegree[s] == 0]
        visited = 0
        best = 0
        while ready:
            s = ready.pop()
            visited += 1
            here = longest[s]
            if here is not None and d.accepting[s]:
                best = max(best, here)
            for t in succ[s]:
                if here is not None:
                    there = longest[t]
                    longest[t] = here + 1 if there is None else max(there, here + 1)
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        if visited < sum(live):
            return None
        return best

    def __repr__(self) -> str:
        example = self.shortest_example()
        return f"<Language states={self.state_count} shortest={example!r}>"


# --------------------------------------------------------------------------- entry points


@lru_cache(maxsize=4096)
def _compile_cached(pattern: str, max_states: int) -> Language | tuple[type[ValueError], str]:
    # Failures are cached too (a refused large pattern can take a while to refuse), as the
    # class and message: re-raising one stored exception object would grow its traceback.
    try:
        return _compile(pattern, max_states)
    except (UnsupportedPattern, InvalidPattern) as exc:
        return type(exc), str(exc)


def _compile(pattern: str, max_states: int) -> Language:
    try:
        regress.Regex(pattern)
    except regress.RegressError as exc:
        raise InvalidPattern(f"invalid ECMA-262 pattern {pattern!r}: {exc}") from None
    except UnicodeEncodeError:
        raise UnsupportedPattern("the pattern contains a lone surrogate") from None
    try:
        node = _Parser(pattern).parse()
    except _SyntaxError as exc:
        # regress is the judge of validity; a pattern it accepts that we cannot parse is
        # our shortcoming, not the author's mistake.
        raise UnsupportedPattern(f"not understood: {exc}") from None
    nfa_limit = _NFA_STATES_PER_DFA_STATE * max_states
    if _nfa_size(node, nfa_limit) > nfa_limit:
        raise _too_large("the expanded pattern", max_states)
    nfa = _NFA()
    # Search semantics: any prefix before the match, any suffix after it.
    start = nfa.state()
    nfa.char_edge(start, _ANY, start)
    entry, exit_ = nfa.emit(node)
    nfa.eps[start].append(entry)
    final = nfa.state()
    nfa.char_edge(final, _ANY, final)
    nfa.eps[exit_].append(final)
    return Language(_determinize(nfa, start, final, max_states))


def compile_pattern(pattern: str, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
    """The set of strings in which the ECMA-262 ``pattern`` finds a match (JSON Schema
    ``pattern`` semantics). Memoized.

    Raises :class:`InvalidPattern` for syntax errors, :class:`UnsupportedPattern` for
    constructs outside the supported subset and :class:`PatternTooLarge` past the budget.
    """
    result = _compile_cached(pattern, max_states)
    if isinstance(result, Language):
        return result
    error_type, message = result
    raise error_type(message)


def pattern_includes(a: str, b: str, *, max_states: int = DEFAULT_MAX_STATES) -> bool | None:
    """Whether every string matched by pattern ``a`` is matched by pattern ``b``.

    ``None`` when either pattern is unsupported or the question exceeds the budget;
    :class:`InvalidPattern` propagates.
    """
    try:
        return compile_pattern(b, max_states=max_states).includes(
            compile_pattern(a, max_states=max_states), max_states=max_states
        )
    except UnsupportedPattern:
        return None


def counterexample(a: str, b: str, *, max_states: int = DEFAULT_MAX_STATES) -> str | None:
    """A shortest string matched by pattern ``a`` and not by pattern ``b``.

    ``None`` when there is none *or* it cannot be decided; use :func:`pattern_includes` to
    tell the two apart.
    """
    try:
        language_a = compile_pattern(a, max_states=max_states)
        language_b = compile_pattern(b, max_states=max_states)
        return language_a.difference(language_b, max_states=max_states).shortest_example()
    except UnsupportedPattern:
        return None


def examples_matching(
    patterns: Iterable[str],
    n: int = 5,
    *,
    min_len: int = 0,
    max_len: int | None = None,
    max_states: int = DEFAULT_MAX_STATES,
) -> list[str] | None:
    """Up to ``n`` strings matched by every pattern and within the length bounds.

    An empty list means no string satisfies them all; ``None`` means undecided
    (unsupported pattern or over budget).
    """
    try:
        language = Language.any_string()
        for pattern in patterns:
            language = language.intersection(
                compile_pattern(pattern, max_states=max_states), max_states=max_states
            )
        return language.with_length(min_len, max_len, max_states=max_states).examples(n)
    except UnsupportedPattern:
        return None
