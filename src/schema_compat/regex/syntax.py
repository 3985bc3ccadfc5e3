"""ECMA-262 pattern syntax: the parser and the syntax tree of the regular subset, character
sets, and the errors every part of the package raises (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeAlias

MAX_CODE_POINT = 0x10FFFF
DEFAULT_MAX_STATES = 5000
# An NFA may be larger than its DFA, but not unboundedly: this bounds memory before
# determinisation starts, so `(a{1000}){1000}` is refused without building anything.
NFA_STATES_PER_DFA_STATE = 20
# Determinisation of an unanchored pattern does work quadratic in the DFA size (each DFA state
# carries every partial match in flight); this caps the total so a refusal is quick.
WORK_PER_DFA_STATE = 100
MAX_NESTING = 100


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


ANY_CHAR: CharSet = ((0, MAX_CODE_POINT),)
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
class Chars:
    ranges: CharSet


@dataclass(frozen=True)
class Seq:
    items: tuple[PatternNode, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[PatternNode, ...]


@dataclass(frozen=True)
class Repeat:
    body: PatternNode
    min: int
    max: int | None


@dataclass(frozen=True)
class Anchor:
    kind: Literal["^", "$"]


@dataclass(frozen=True)
class Look:
    """A lookaround assertion: ``body`` must (or, ``negative``, must not) match from this
    position on (``ahead``) or up to it."""

    body: PatternNode
    ahead: bool
    negative: bool


PatternNode: TypeAlias = Chars | Seq | Alt | Repeat | Anchor | Look


# --------------------------------------------------------------------------- parser


class PatternSyntaxError(Exception):
    pass


BRACE_QUANTIFIER = re.compile(r"\{([0-9]+)(?:(,)([0-9]*))?\}")
# Not a quantifier in ECMA-262 (so literal text), but one in jsonschema-rs (Rust regex).
SPACED_QUANTIFIER = re.compile(r"\{[ \t]*[0-9]+[ \t]*(?:,[ \t]*[0-9]*[ \t]*)?\}", re.ASCII)


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


class Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0
        self.depth = 0
        self.ncaps, self.named = _count_groups(src)

    def error(self, message: str) -> NoReturn:
        raise PatternSyntaxError(f"{message} at offset {self.pos}")

    def peek(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.src[i] if i < len(self.src) else ""

    def parse(self) -> PatternNode:
        node = self.disjunction()
        if self.pos < len(self.src):
            self.error("unmatched ')'")
        return node

    def disjunction(self) -> PatternNode:
        options = [self.alternative()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.alternative())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def alternative(self) -> PatternNode:
        items: list[PatternNode] = []
        while self.pos < len(self.src) and self.peek() not in ("|", ")"):
            items.append(self.term())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def term(self) -> PatternNode:
        ch = self.peek()
        if ch in ("^", "$"):
            self.pos += 1
            if self.quantifier_ahead():
                self.error("nothing to repeat")
            return Anchor("^" if ch == "^" else "$")
        if ch == "\\" and self.peek(1) in ("b", "B"):
            raise UnsupportedPattern("word-boundary assertions (\\b, \\B) are not supported")
        return self.quantified(self.atom())

    def quantifier_ahead(self) -> bool:
        return self.peek() in ("*", "+", "?") or bool(BRACE_QUANTIFIER.match(self.src, self.pos))

    def quantified(self, atom: PatternNode) -> PatternNode:
        ch = self.peek()
        bounds: tuple[int, int | None]
        if ch == "*":
            bounds = (0, None)
        elif ch == "+":
            bounds = (1, None)
        elif ch == "?":
            bounds = (0, 1)
        else:
            m = BRACE_QUANTIFIER.match(self.src, self.pos)
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
        return Repeat(atom, bounds[0], bounds[1])

    def atom(self) -> PatternNode:
        ch = self.peek()
        if ch == ".":
            self.pos += 1
            return Chars(_DOT)
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.atom_escape()
        if ch == "(":
            return self.group()
        if self.quantifier_ahead():
            self.error("nothing to repeat")
        if ch == "{" and SPACED_QUANTIFIER.match(self.src, self.pos):
            raise UnsupportedPattern(
                "a brace with spaces such as {1, 2} is literal text in ECMA-262 "
                "but a quantifier in jsonschema-rs"
            )
        # Annex B: a lone `]`, `}` or a `{` that does not start a quantifier is a literal.
        self.pos += 1
        cp = ord(ch)
        return Chars(((cp, cp),))

    def group(self) -> PatternNode:
        self.pos += 1
        if self.peek() == "?":
            kind = self.peek(1)
            if kind == ":":
                self.pos += 2
            elif kind in ("=", "!") or (kind == "<" and self.peek(2) in ("=", "!")):
                return self.lookaround(ahead=kind != "<")
            elif kind == "<":
                close = self.src.find(">", self.pos)
                if close < 0:
                    self.error("unterminated group name")
                self.pos = close + 1
            else:
                raise UnsupportedPattern("inline modifier groups like (?i:...) are not supported")
        return self.group_body()

    def group_body(self) -> PatternNode:
        """The disjunction inside a group whose opening is read, and its closing ')'."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise PatternTooLarge(f"too large: groups nested more than {MAX_NESTING} deep")
        node = self.disjunction()
        if self.peek() != ")":
            self.error("missing ')'")
        self.pos += 1
        self.depth -= 1
        return node

    def lookaround(self, *, ahead: bool) -> PatternNode:
        negative = self.peek(1 if ahead else 2) == "!"
        self.pos += 2 if ahead else 3
        body = self.group_body()
        if self.quantifier_ahead():
            # Annex B lets a lookahead be repeated; what that means is rarely what was meant.
            raise UnsupportedPattern("a repeated lookaround assertion is not supported")
        return Look(body, ahead, negative)

    def atom_escape(self) -> PatternNode:
        self.pos += 1
        ch = self.peek()
        if ch == "":
            self.error("\\ at end of pattern")
        if ch in _CLASS_ESCAPES:
            self.pos += 1
            return Chars(_CLASS_ESCAPES[ch])
        if ch in "123456789":
            end = self.pos
            while self.src[end : end + 1].isdigit() and self.src[end].isascii():
                end += 1
            if int(self.src[self.pos : end]) <= self.ncaps:
                raise UnsupportedPattern("backreferences are not regular")
        if ch == "k" and self.named:
            raise UnsupportedPattern("backreferences are not regular")
        cp = self.char_escape(in_class=False)
        return Chars(((cp, cp),))

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

    def char_class(self) -> PatternNode:
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
        return Chars(_negate(cs) if negated else cs)

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
