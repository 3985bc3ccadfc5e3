"""Combinators: ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``."""

from __future__ import annotations

from ..changes import ABSENT, KeywordChange
from ._registry import rule, where


@rule("combinator-branch-added", family="composition", keywords=("anyOf", "oneOf", "allOf"),
      summary="A branch was added to `anyOf`/`oneOf` (widens; an overlapping `oneOf` branch "
              "can also narrow) or to `allOf` (narrows).", backward="depends", forward="depends")
def branch_added(change: KeywordChange) -> str | None:
    if change.added and change.member is not ABSENT:
        return f"{change.keyword} branch {change.member} added {where(change)}"
    return None


@rule("combinator-branch-removed", family="composition", keywords=("anyOf", "oneOf", "allOf"),
      summary="A branch was removed from `anyOf`/`oneOf`/`allOf`.", backward="depends",
      forward="depends")
def branch_removed(change: KeywordChange) -> str | None:
    if change.removed and change.member is not ABSENT:
        return f"{change.keyword} branch {change.member} removed {where(change)}"
    return None


@rule("combinator-added", family="composition", keywords=("anyOf", "oneOf", "allOf", "not"),
      summary="A combinator keyword was added.", backward="depends", forward="depends")
def combinator_added(change: KeywordChange) -> str | None:
    if change.added and change.member is ABSENT:
        return f"{change.keyword} added {where(change)}"
    return None


@rule("combinator-removed", family="composition", keywords=("anyOf", "oneOf", "allOf", "not"),
      summary="A combinator keyword was removed.", backward="depends", forward="depends")
def combinator_removed(change: KeywordChange) -> str | None:
    if change.removed and change.member is ABSENT:
        return f"{change.keyword} removed {where(change)}"
    return None


@rule("conditional-changed", family="composition", keywords=("if", "then", "else"),
      summary="An `if`/`then`/`else` part was added or removed.", backward="depends",
      forward="depends")
def conditional(change: KeywordChange) -> str | None:
    if change.member == "<conditional>":
        verb = "added" if change.added else "removed"
        return f"if/then/else {verb} {where(change)}"
    verb = "added" if change.added else "removed" if change.removed else "changed"
    return f"{change.keyword} {verb} {where(change)}"
