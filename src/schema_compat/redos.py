"""Patterns that make backtracking regex engines take exponential time.

Our own engine never backtracks, but the services that validate messages often do (Python's
``re``, JavaScript, Java): a contract with ``^(a+)+$`` lets one crafted message hang them.
The test is a sufficient condition for exponential ambiguity, precise enough not to flag the
usual separated lists (``^([a-z]+,)*[a-z]+$``): under an unbounded repeat ``(B)*``, either one
non-empty string is both one iteration of B and two (``L(B)·L(B) ∩ L(B) ≠ ∅``), or two
alternatives of B overlap. Either way a string of n such pieces has 2ⁿ parses to try.
"""

from __future__ import annotations

from .regex import (
    _NFA,
    InvalidPattern,
    Language,
    UnsupportedPattern,
    _Alt,
    _Anchor,
    _determinize,
    _Node,
    _Parser,
    _Repeat,
    _Seq,
    _SyntaxError,
)

_BUDGET = 2000


def _language(node: _Node) -> Language:
    """Strings the sub-expression matches in full (no search, no anchors)."""
    nfa = _NFA()
    entry, exit_ = nfa.emit(node)
    return Language(_determinize(nfa, entry, exit_, _BUDGET))


def _has_anchor(node: _Node) -> bool:
    if isinstance(node, _Anchor):
        return True
    if isinstance(node, _Seq):
        return any(_has_anchor(n) for n in node.items)
    if isinstance(node, _Alt):
        return any(_has_anchor(n) for n in node.options)
    if isinstance(node, _Repeat):
        return _has_anchor(node.body)
    return False


def _children(node: _Node) -> tuple[_Node, ...]:
    if isinstance(node, _Seq):
        return node.items
    if isinstance(node, _Alt):
        return node.options
    if isinstance(node, _Repeat):
        return (node.body,)
    return ()


def _unwrap(node: _Node) -> _Node:
    while isinstance(node, _Seq) and len(node.items) == 1:
        node = node.items[0]
    return node


def _dangerous(repeat: _Repeat) -> bool:
    body = repeat.body
    if _has_anchor(body):
        return False
    nonempty = _language(body).with_length(1, None)
    if nonempty.is_empty():
        return False
    twice = _language(_Seq((body, body))).with_length(1, None)
    if not twice.intersection(nonempty, max_states=_BUDGET).is_empty():
        return True
    inner = _unwrap(body)
    if isinstance(inner, _Alt):
        langs = [_language(option) for option in inner.options]
        for i, a in enumerate(langs):
            for b in langs[i + 1:]:
                if not a.intersection(b, max_states=_BUDGET).with_length(1, None).is_empty():
                    return True
    return False


def catastrophic_backtracking(pattern: str) -> bool:
    """True when ``pattern`` can make a backtracking engine take exponential time."""
    try:
        tree = _Parser(pattern).parse()
    except (_SyntaxError, InvalidPattern, UnsupportedPattern):
        return False
    stack: list[_Node] = [tree]
    while stack:
        node = stack.pop()
        stack.extend(_children(node))
        if isinstance(node, _Repeat) and node.max is None:
            try:
                if _dangerous(node):
                    return True
            except (UnsupportedPattern, InvalidPattern, RecursionError):
                continue
    return False
