"""Patterns that make backtracking regex engines take exponential time.

Our own engine never backtracks, but the services that validate messages often do (Python's
``re``, JavaScript, Java): a contract with ``^(a+)+$`` lets one crafted message hang them.
The test is a sufficient condition for exponential ambiguity, precise enough not to flag the
usual separated lists (``^([a-z]+,)*[a-z]+$``): under an unbounded repeat ``(B)*``, either one
non-empty string is both one iteration of B and two (``L(B)·L(B) ∩ L(B) ≠ ∅``), or two
alternatives of B overlap. Either way a string of n such pieces has 2ⁿ parses to try.
"""

from __future__ import annotations

from .regex.automata import (
    NFA,
    determinize,
)
from .regex.language import (
    Language,
)
from .regex.syntax import (
    Alt,
    Anchor,
    InvalidPattern,
    Parser,
    PatternNode,
    PatternSyntaxError,
    Repeat,
    Seq,
    UnsupportedPattern,
)

_BUDGET = 2000


def _language(node: PatternNode) -> Language:
    """Strings the sub-expression matches in full (no search, no anchors)."""
    nfa = NFA()
    entry, exit_ = nfa.emit(node)
    return Language(determinize(nfa, entry, exit_, _BUDGET))


def _has_anchor(node: PatternNode) -> bool:
    if isinstance(node, Anchor):
        return True
    if isinstance(node, Seq):
        return any(_has_anchor(n) for n in node.items)
    if isinstance(node, Alt):
        return any(_has_anchor(n) for n in node.options)
    if isinstance(node, Repeat):
        return _has_anchor(node.body)
    return False


def _children(node: PatternNode) -> tuple[PatternNode, ...]:
    if isinstance(node, Seq):
        return node.items
    if isinstance(node, Alt):
        return node.options
    if isinstance(node, Repeat):
        return (node.body,)
    return ()


def _unwrap(node: PatternNode) -> PatternNode:
    while isinstance(node, Seq) and len(node.items) == 1:
        node = node.items[0]
    return node


def _dangerous(repeat: Repeat) -> bool:
    body = repeat.body
    if _has_anchor(body):
        return False
    nonempty = _language(body).with_length(1, None)
    if nonempty.is_empty():
        return False
    twice = _language(Seq((body, body))).with_length(1, None)
    if not twice.intersection(nonempty, max_states=_BUDGET).is_empty():
        return True
    inner = _unwrap(body)
    if isinstance(inner, Alt):
        langs = [_language(option) for option in inner.options]
        for i, a in enumerate(langs):
            for b in langs[i + 1:]:
                if not a.intersection(b, max_states=_BUDGET).with_length(1, None).is_empty():
                    return True
    return False


def catastrophic_backtracking(pattern: str) -> bool:
    """True when ``pattern`` can make a backtracking engine take exponential time."""
    try:
        tree = Parser(pattern).parse()
    except (PatternSyntaxError, InvalidPattern, UnsupportedPattern):
        return False
    stack: list[PatternNode] = [tree]
    while stack:
        node = stack.pop()
        stack.extend(_children(node))
        if isinstance(node, Repeat) and node.max is None:
            try:
                if _dangerous(node):
                    return True
            except (UnsupportedPattern, InvalidPattern, RecursionError):
                continue
    return False
