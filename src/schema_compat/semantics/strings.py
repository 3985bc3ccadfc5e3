"""Strings: ``pattern``, ``minLength``/``maxLength`` and ``format`` on the right side.

Patterns and lengths are compared as regular languages (``regex/``): the left side's strings
outside the right side's, when there are any, are the witnesses. A pattern beyond the regex
engine falls back to a syntactic comparison and a short search over the patterns' own letters;
a format, to strings of the left side that the reference validator finds invalid. The language
helpers are pure and cached, and serve property names (objects.py), emptiness
(combinators.py) and witness building (examples.py) as well.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache

from .. import oracle
from ..regex import InvalidPattern, Language, UnsupportedPattern, compile_pattern
from ..schema import Node
from .base import CheckerBase
from .terms import NO, PROVED, Merged, Outcome, Term, unknown


class StringsMixin(CheckerBase):
    """The strings of a flat term against a subschema's string keywords."""

    def _compare_strings(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        if bv.format is not None and bv.format not in merged.formats:
            r = self._compare_format(t, merged, b, bv.format)
            if not r.yes:
                return r
        if not bv.patterns and bv.min_length == 0 and bv.max_length is None:
            return PROVED
        if not bv.patterns and not merged.patterns:
            return self._compare_lengths(t, merged, b)
        try:
            gap = _string_gap((tuple(merged.patterns), merged.min_length, merged.max_length),
                              (tuple(bv.patterns), bv.min_length, bv.max_length))
            if gap is None:
                return PROVED
            for w in gap:
                self._tick()
                if t.contains(w) and not oracle.is_valid(b, w):
                    return Outcome(NO, w)
            # The gap's shortest strings may miss the old side's format: try its samples.
            for fmt in merged.formats:
                for w in FORMAT_SAMPLES.get(fmt, ()):
                    self._tick()
                    if t.contains(w) and not oracle.is_valid(b, w):
                        return Outcome(NO, w)
            return unknown("string counterexample not confirmed")
        except UnsupportedPattern as exc:
            # Syntactic fallback: the same patterns and looser lengths on the new side.
            if (set(bv.patterns) <= set(merged.patterns)
                    and bv.min_length <= merged.min_length
                    and (bv.max_length is None or (merged.max_length is not None
                                                    and merged.max_length <= bv.max_length))):
                return PROVED
            # No proof either way; a short string built from the patterns' own letters is
            # often a counterexample the oracle can confirm (``^(a)\1$`` against ``^(b)\1$``).
            for w in _sample_strings((*merged.patterns, *bv.patterns), merged.min_length,
                                     merged.max_length):
                self._tick()
                if t.contains(w) and not oracle.is_valid(b, w):
                    return Outcome(NO, w)
            return unknown(f"pattern not analysable: {exc}")
        except InvalidPattern as exc:
            return unknown(f"invalid pattern: {exc}")

    def _compare_format(self, t: Term, merged: Merged, b: Node, fmt: str) -> Outcome:
        """The right side asserts a format the left does not: a string of the left that
        does not meet it (by the reference validator; see formats.py) is a witness. The
        same format name counts as the same check in every draft that asserts it."""
        for w in itertools.chain(self._string_candidates(merged),
                                 self._string_candidates(merged, avoid_formats=True),
                                 _format_breakers(merged)):
            self._tick()
            if t.contains(w) and not oracle.is_valid(b, w):
                return Outcome(NO, w)
        return unknown(f"could not find an old string that is not a valid {fmt!r}")

    def _compare_lengths(self, t: Term, merged: Merged, b: Node) -> Outcome:
        """Strings constrained by length alone: interval inclusion, no automaton needed."""
        bv = b.view
        lo, hi = merged.min_length, merged.max_length
        if hi is not None and hi < lo:
            return PROVED
        candidates = []
        if bv.min_length > lo:
            candidates.append(lo)
        if bv.max_length is not None and (hi is None or hi > bv.max_length):
            candidates.append(bv.max_length + 1)
        if not candidates:
            return PROVED
        for n in candidates:
            for fill in ("a", "0", " "):
                w = fill * n
                if t.contains(w) and not oracle.is_valid(b, w):
                    return Outcome(NO, w)
        # Filled strings miss the left side's format: its own strings, of a length outside.
        for w in self._string_candidates(merged, count=8):
            if not (bv.min_length <= len(w) and (bv.max_length is None or len(w) <= bv.max_length)) \
                    and t.contains(w) and not oracle.is_valid(b, w):
                return Outcome(NO, w)
        return unknown("string length counterexample not confirmed")


@lru_cache(maxsize=2048)
def string_language(patterns: tuple[str, ...], lo: int, hi: int | None) -> Language:
    """Strings matching every pattern, of length lo..hi (code points). Pure, so cached.

    Patterns first, lengths last: `with_length` skips bounds the patterns already imply, so a
    `maxLength: 10000` beside a 32-character pattern costs nothing.
    """
    lang = Language.any_string()
    for p in patterns:
        lang = lang.intersection(compile_pattern(p))
    return lang.with_length(lo, hi)


@lru_cache(maxsize=4096)
def _string_gap(left: tuple[tuple[str, ...], int, int | None],
                right: tuple[tuple[str, ...], int, int | None]) -> tuple[str, ...] | None:
    """Up to four strings of the left language outside the right one; None when the right
    includes the left. Pure, so cached: anyOf branches of patterns ask again and again."""
    (lp, llo, lhi), (rp, rlo, rhi) = left, right
    if set(rp) <= set(lp) and rlo <= llo and (rhi is None or (lhi is not None and lhi <= rhi)):
        return None  # every right-hand constraint is one the left side already has
    gap = string_language(*left).difference(string_language(*right))
    return None if gap.is_empty() else tuple(gap.examples(4))


# Strings most formats refuse: a space (no date, address, host name, URI, pointer or template
# takes one unquoted), a first character no JSON pointer (``/``) or relative one (a digit)
# starts with, the empty string, an unclosed group (regex), a bare percent sign (URIs). Each
# is a guess the reference validator confirms or not, never a claim.
_BREAKING_PATTERNS = (" ", "^[^/]", "^[^0-9]", "^$", "^[^\\\\[]*\\($", "%")
_BREAKING_EDITS = (" ", "%", "(")


def _format_breakers(merged: Merged) -> Iterator[str]:
    """Strings of the left side a format is likely to refuse: its own strings (patterns,
    lengths) that also match a breaking pattern, then its formats' samples with a breaking
    character added."""
    key = (tuple(merged.patterns), merged.min_length, merged.max_length)
    for breaking in _BREAKING_PATTERNS:
        yield from _strings_also_matching(key, breaking)
    for fmt in sorted(merged.formats):
        for sample in FORMAT_SAMPLES.get(fmt, ()):
            for edit in _BREAKING_EDITS:
                yield sample + edit
                yield edit + sample


@lru_cache(maxsize=2048)
def _strings_also_matching(left: tuple[tuple[str, ...], int, int | None],
                           pattern: str) -> tuple[str, ...]:
    """Two strings of the left language that ``pattern`` also matches (none when a pattern
    is beyond the automata). Pure, so cached."""
    try:
        return tuple(string_language(*left).intersection(compile_pattern(pattern)).examples(2))
    except (UnsupportedPattern, InvalidPattern):
        return ()


@lru_cache(maxsize=2048)
def string_examples(patterns: tuple[str, ...], lo: int, hi: int | None,
                     count: int = 3) -> tuple[str, ...]:
    return tuple(string_language(patterns, lo, hi).examples(count))


def _sample_strings(patterns: tuple[str, ...], lo: int, hi: int | None) -> Iterator[str]:
    """Short strings over the letters the patterns mention (a bounded, deterministic search)."""
    letters = sorted({c for p in patterns for c in p if c.isalnum()})[:6] or ["a"]
    top = min(hi if hi is not None else 4, 4)
    for length in range(max(lo, 0), max(top, lo) + 1):
        if length > 6:
            return
        for combo in itertools.product(letters, repeat=length):
            yield "".join(combo)


# Values that satisfy the common formats, several of each and of different shapes (a scheme
# other than https, a bare host): a witness for a string with a format must meet it, and a
# counterexample to a new pattern must be one of them.
FORMAT_SAMPLES: dict[str, tuple[str, ...]] = {
    "date-time": ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00+01:00", "1999-12-31t23:59:59.5z"),
    "date": ("2024-01-01", "1999-12-31"),
    "time": ("00:00:00Z", "23:59:59+01:00", "12:00:00.5z"),
    "duration": ("P1D", "PT1H", "P1Y2M", "P1W"),
    "email": ("user@example.com", "a@b", "first.last@sub.example.org"),
    "idn-email": ("user@example.com", "a@b"),
    "hostname": ("example.com", "a", "sub.example.org", "localhost"),
    "idn-hostname": ("example.com", "a"),
    "ipv4": ("192.0.2.1", "0.0.0.0", "255.255.255.255"),
    "ipv6": ("2001:db8::1", "::1", "::"),
    "uri": ("https://example.com/", "http://example.com/", "urn:example:a", "a:b",
            "mailto:user@example.com", "ftp://example.com/x"),
    "uri-reference": ("https://example.com/", "a", "/a", "", "#a", "http://example.com/"),
    "iri": ("https://example.com/", "http://example.com/", "urn:example:a", "a:b"),
    "iri-reference": ("https://example.com/", "a", "/a", ""),
    "uuid": ("00000000-0000-4000-8000-000000000000", "123e4567-e89b-12d3-a456-426614174000"),
    "regex": ("^a$", "a", "", "[0-9]+"),
    "json-pointer": ("/a", "", "/a/0", "/a~1b"),
    "relative-json-pointer": ("0", "1/a", "0#"),
    "uri-template": ("https://example.com/{id}", "a", "/a{?q}", ""),
}
