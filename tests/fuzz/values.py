"""Value pools shared by the schema grammar and the instance generator.

Everything here is a plain Python JSON value built in code (never parsed by orjson), so
integers beyond 64 bits stay exact and ``1`` / ``1.0`` / ``True`` stay three different
Python objects.
"""

from __future__ import annotations

from typing import Any

BIG = 2**64
# Constants that JSON Schema equality treats in surprising ways: 1 == 1.0 but 1 != true,
# 0 != false (also inside arrays and objects), and integers past 2^53 and 2^64.
TRICKY_CONSTS: list[Any] = [
    0, False, 1, True, 1.0, 0.0, -0.0, -1, 2, 2.0, 0.5, None, "", "a", "1", "true", "😀",
    [], {}, [0], [False], [1], [1.0], [True], [[1]], [0, False], {"a": 1}, {"a": 1.0},
    {"a": True}, {"a": [0]}, {"a": {"b": False}}, BIG, BIG + 1, BIG - 1, 2**53 + 1,
    -(2**63) - 1, 10**30, float(2**53), 1e308, 0.1, "a\n", "é",
]

INTS = [-5, -1, 0, 1, 2, 3, 4, 5, 7, 10, 100]
DECIMALS = [0.5, 1.5, 2.5, -0.5, 0.1, 0.01, 5.01, 0.25, 1.0, 3.0, -2.0]
BIG_NUMBERS = [2**53, 2**53 + 1, BIG, BIG + 1, -(2**63) - 1, 1e308, 10**30]
MULTIPLES = [1, 2, 3, 5, 0.5, 1.5, 0.01, 0.1, 0.25, 0.001, 2.0, BIG, 1e-9]

# ECMA-262 patterns: anchors, classes, \b, lookarounds, Unicode and astral characters,
# backreferences, escapes that differ between regex dialects.
PATTERNS = [
    "^a", "a$", "^a$", "^[a-z]+$", "^[a-z]*$", "^\\d{2,3}$", "\\d", "^\\d+$", "\\bfoo\\b",
    "\\Bb", "^(?=.*\\d)", "^(?!x)", "(?<=a)b", "(?<!a)b", "^\\p{L}+$", "\\p{Lu}", "^.$",
    "^[😀]$", "😀", "^.{2}$", "^\\w+$", "^\\S*$", "[^\\n]", "^a|b$", "^$", "^.{0,3}$", "é",
    "\\u00e9", "^\\x41", "a{2}", "^(a|b)*c$", "^[\\s\\S]{2}$", "^\\D+$", "^(?:ab)+$", "[\\]]",
    "^[^a-z]*$", "\\$", "^\\/", "^(?<n>a)\\k<n>$", "^(a)\\1$", "\\cJ", "^\\u{1F600}$",
    "[\\u0041-\\u005A]", "^[A-Z][a-z]*$", "^.+@.+$", "\\.", "^\\s*$", "^\\t", "^[\\d-]+$",
    "x*", "^\\d{4}-\\d{2}-\\d{2}$", "^[0-9a-f]{4}$", "\\n$", "^\\W", "ab|", "[😀-😂]", "^\\0",
    "^[^]", "[]", "^\\ud83d", "(?i)a",
]
# Rare: a lone surrogate inside a pattern (known to trip UTF-8 conversions), as raw text
# and as an escape.
RARE_PATTERNS = ["\ud800", "^\\ud800$", "[\udc00-\udfff]"]

FORMATS = [
    "date-time", "date", "time", "email", "idn-email", "hostname", "idn-hostname", "ipv4",
    "ipv6", "uri", "uri-reference", "iri", "uuid", "regex", "json-pointer",
    "relative-json-pointer", "duration", "uri-template", "unknown-format",
]

NAMES = ["a", "b", "id", "x", "é", "😀", "a b", "", "0", "$ref", "aa", "name"]
TYPES = ["string", "integer", "number", "boolean", "null", "array", "object"]

STRINGS: list[str] = [
    "", "a", "b", "ab", "abc", "A", "Ab", "1", "12", "123", "1234", "foo", "foo bar",
    "a foo b", "xfoo", "ba", "aab", "c", "abcd", "abcd\n", "a\n", "\n", " ", "\t", "é", "e\u0301",
    "😀", "a😀", "😀😀", "😁", "\ud800", "x\udc00", "2020-01-01T00:00:00Z", "2020-01-01",
    "2020-13-01", "12:00:00Z", "a@b.c", "a@b", "@", "127.0.0.1", "256.0.0.1", "::1",
    "550e8400-e29b-41d4-a716-446655440000", "http://x.y/z", "/a/b", "#", "P1D", "^(",
    "example.com", "-", "aa", "aaa", "0", "00", "01", "1.0", "true", "null", "$",
    "a" * 70, "é" * 40, "ab" * 300, "x" * 5000,
]

NUMBERS: list[Any] = [
    -0.0, 0, 1, 1.0, -1, 2, 3, 4, 5, 6, 10, 0.1, 0.5, 1.5, 2.5, 5.01, 0.01, 0.3, 100, -5,
    2**53, 2**53 + 1, BIG, BIG + 1, BIG - 1, -(2**63) - 1, 1e308, -1e308, 1e-9, 3.0, 7.5,
    10**30, 0.25, 0.75, 9.99,
]


def edge_values() -> list[Any]:
    """The hand-picked pool: scalars of every kind and small containers around them."""
    scalars: list[Any] = [None, True, False, *NUMBERS, *STRINGS]
    containers: list[Any] = [
        [], {}, [[]], [{}], {"a": {}}, [None], [1, 1], [1, 1.0], [0, False], [1, True],
        ["a", "a"], [1, "a", None], [[1], [1]], [{"a": 1}, {"a": 1.0}], {"a": 1},
        {"a": "a"}, {"a": None}, {"b": 1}, {"a": 1, "b": 2}, {"x": 1}, {"id": "a"},
        {"id": 1}, {"zz": 1}, {"é": 1}, {"😀": 1}, {"": 1}, {"a b": True}, {"aa": []},
        {"abcde": 1}, [[[]]], {"a": {"a": {"a": {}}}}, list(range(6)), ["a", "b", "c", "d"],
    ]
    return scalars + containers
