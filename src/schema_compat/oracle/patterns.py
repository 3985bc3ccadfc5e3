"""ECMA-262 search for ``pattern``: through ``regress``, or the engine's own automaton for
strings holding a lone surrogate, and which patterns jsonschema-rs reads as ECMA-262 does."""

from __future__ import annotations

import re
from functools import lru_cache

import regress

from ..regex.language import (
    compile_pattern,
)
from ..regex.syntax import (
    BRACE_QUANTIFIER,
    MAX_NESTING,
    SPACED_QUANTIFIER,
    Chars,
    CharSet,
    InvalidPattern,
    Parser,
    PatternNode,
    PatternSyntaxError,
    PatternTooLarge,
    Seq,
    UnsupportedPattern,
)


class Undecidable(Exception):
    """The oracle cannot judge: the schema leans on a reference it cannot resolve, is not a
    valid schema of its draft, or asks what no exact engine here can answer."""


# --------------------------------------------------------------------------- patterns

SURROGATE = re.compile("[\ud800-\udfff]")


def json_string(text: str) -> str:
    """``text`` as JSON would deliver it: a high surrogate followed by a low one is one code
    point (``json.dumps`` writes them as two escapes, which every reader joins)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _escape_surrogates(pattern: str) -> str:
    """The pattern with each lone surrogate (raw, or after a backslash) as ``\\u{XXXX}``,
    which names the same code point everywhere in a pattern and which ``regress``, taking
    only UTF-8, can read."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            ch = pattern[i + 1]
            out.append(f"\\u{{{ord(ch):04X}}}" if SURROGATE.match(ch) else "\\" + ch)
            i += 2
            continue
        out.append(f"\\u{{{ord(ch):04X}}}" if SURROGATE.match(ch) else ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def ecma_regex(pattern: str) -> regress.Regex:
    """Compile an ECMA-262 pattern (cached: schemas repeat their patterns). Raises
    ``regress.RegressError`` when it is not valid ECMA-262."""
    try:
        return regress.Regex(pattern)
    except UnicodeEncodeError:
        return regress.Regex(_escape_surrogates(json_string(pattern)))


class _FeatureParser(Parser):
    """The engine's ECMA-262 parser (``regex.py``), reading also what the engine refuses to
    reason about, and noting which of those constructs the pattern uses."""

    def __init__(self, src: str) -> None:
        super().__init__(src)
        self.features: set[str] = set()
        self.folding = 0  # case-insensitive groups open here

    def _code_point(self, cp: int) -> int:
        if self.folding and cp > 0x7F:
            self.features.add("case-insensitive-non-ascii")
        return cp

    def term(self) -> PatternNode:
        if self.peek() == "\\" and self.peek(1) in ("b", "B"):
            self.features.add("word-boundary")
            self.pos += 2
            return Seq(())
        return super().term()

    def group(self) -> PatternNode:
        if self.peek(1) != "?":
            return super().group()
        rest = self.src[self.pos + 2:]
        look = re.match(r"(?:=|!|<=|<!)", rest)
        flags = re.match(r"([ims]*)(?:-([ims]*))?:", rest)
        if look is None and (flags is None or flags.group(0) == ":"):
            return super().group()  # (?: and named groups
        if look is not None:
            self.features.add("lookaround")
            self.pos += 2 + look.end()
        folding = flags is not None and look is None and "i" in flags.group(1)
        if look is None:
            assert flags is not None
            self.features.add("modifier")
            if folding:
                self.features.add("case-insensitive")
            self.pos += 2 + flags.end()
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise PatternTooLarge(f"too large: groups nested more than {MAX_NESTING} deep")
        self.folding += folding
        node = self.disjunction()
        self.folding -= folding
        if self.peek() != ")":
            self.error("missing ')'")
        self.pos += 1
        self.depth -= 1
        return Seq(()) if look is not None else node

    def atom(self) -> PatternNode:
        if self.peek():
            self._code_point(ord(self.peek()))  # a literal (every special character is ASCII)
        if self.peek() == "{" and SPACED_QUANTIFIER.match(self.src, self.pos) \
                and not BRACE_QUANTIFIER.match(self.src, self.pos):
            self.features.add("spaced-brace")
            self.pos += 1
            return Chars(((0x7B, 0x7B),))
        return super().atom()

    def atom_escape(self) -> PatternNode:
        ch = self.peek(1)
        if ch != "" and ch in "123456789":
            end = self.pos + 1
            while self.src[end:end + 1].isdigit() and self.src[end].isascii():
                end += 1
            if int(self.src[self.pos + 1:end]) <= self.ncaps:
                self.features.add("backreference")
                self.pos = end
                return Seq(())
        if ch == "k" and self.named:
            self.features.add("backreference")
            close = self.src.find(">", self.pos)
            if close < 0:
                self.error("unterminated group name")
            self.pos = close + 1
            return Seq(())
        return super().atom_escape()

    def class_atom(self) -> int | CharSet:
        if self.peek():
            self._code_point(ord(self.peek()))
        return super().class_atom()

    def char_escape(self, *, in_class: bool) -> int:
        start = self.pos
        try:
            return self._code_point(super().char_escape(in_class=in_class))
        except PatternTooLarge:
            raise
        except UnsupportedPattern:
            letter = self.src[start]
            if letter == "u" and self.peek(1) == "{":  # \u{...} beyond U+10FFFF
                raise
            self.features.add("property-escape" if letter in ("p", "P") else "letter-escape")
            self.pos = start + 1
            return ord(letter)


@lru_cache(maxsize=4096)
def pattern_features(pattern: str) -> frozenset[str] | None:
    """The constructs of ``pattern`` that engines read differently (``word-boundary``,
    ``lookaround``, ``backreference``, ``modifier``, ``case-insensitive``,
    ``case-insensitive-non-ascii`` (a character beyond ASCII in such a group),
    ``property-escape``, ``letter-escape``, ``spaced-brace``), found by parsing it; None when
    it cannot be parsed (over the nesting limit, or not ECMA-262)."""
    try:
        ecma_regex(pattern)
        parser = _FeatureParser(_escape_surrogates(json_string(pattern)))
        parser.parse()
    except (regress.RegressError, UnsupportedPattern, PatternSyntaxError, RecursionError):
        return None
    return frozenset(parser.features)


# What jsonschema-rs reads as ECMA-262 does (the probe table in tests/test_oracle_probes.py):
# the engine's regular subset, and lookarounds around it.
_RS_EXACT_FEATURES = frozenset({"lookaround"})


def rs_exact(pattern: str) -> bool:
    """Whether jsonschema-rs matches ``pattern`` as ECMA-262 does, or refuses it."""
    features = pattern_features(pattern)
    return features is not None and features <= _RS_EXACT_FEATURES


def ecma_search(pattern: str, text: str) -> bool:
    """ECMA-262 search semantics, as JSON Schema's ``pattern`` means, over code points.

    Raises Undecidable where no exact engine is at hand: a lone surrogate in ``text`` under a
    pattern outside the engine's regular subset, and a case-insensitive group where a
    character beyond ASCII takes part, in the group or in ``text`` (``regress`` folds ``ſ``
    to ``s`` and ``ı`` to ``i``; ECMA-262 without the ``u`` flag does not).
    """
    ascii_text = text.isascii()
    if not ascii_text and SURROGATE.search(text) is not None:
        text = json_string(text)
        if SURROGATE.search(text) is not None:
            return _search_code_points(pattern, text)
    features = pattern_features(pattern)
    if features is None:
        if not ascii_text:
            raise Undecidable(f"pattern {pattern!r} is too deep to tell whether it folds case")
    elif "case-insensitive" in features and (
            not ascii_text or "case-insensitive-non-ascii" in features):
        raise Undecidable(f"pattern {pattern!r} folds case, which regress does unlike "
                          "ECMA-262 for some letters beyond ASCII")
    return ecma_regex(pattern).find(text) is not None


def _search_code_points(pattern: str, text: str) -> bool:
    """A search on a string holding a lone surrogate, which regress (UTF-8 only) cannot take:
    by the engine's automaton, exact over code points, where it reads the pattern."""
    try:
        language = compile_pattern(_escape_surrogates(json_string(pattern)))
    except (UnsupportedPattern, InvalidPattern) as exc:
        raise Undecidable(f"pattern {pattern!r} on a string with a lone surrogate: "
                          f"{exc}") from None
    return language.matches(text)
