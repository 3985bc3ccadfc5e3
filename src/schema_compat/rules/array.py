"""Arrays: item schemas, tuples, uniqueness, ``contains``. (Length bounds are in scalar.py's
bound table: ``array-min-items-*``, ``array-max-items-*``, ``array-*-contains-*``.)"""

from __future__ import annotations

from ..changes import KeywordChange
from ._registry import rule, show, where


@rule("array-items-added", family="array", keywords=("items", "additionalItems", "unevaluatedItems"),
      summary="An item schema was added where items were unconstrained.",
      backward="breaking", forward="ok")
def items_added(change: KeywordChange) -> str | None:
    if change.added and change.member is not None and not isinstance(change.member, int):
        return f"{change.keyword} {show(change.new)} added {where(change)}"
    return None


@rule("array-items-removed", family="array",
      keywords=("items", "additionalItems", "unevaluatedItems"),
      summary="An item schema was removed: items are unconstrained.",
      backward="ok", forward="breaking")
def items_removed(change: KeywordChange) -> str | None:
    if change.removed and not isinstance(change.member, int):
        return f"{change.keyword} {show(change.old)} removed {where(change)}"
    return None


@rule("array-items-changed", family="array", keywords=("items",),
      summary="`items` changed between its list (tuple) and single-schema forms.",
      backward="depends", forward="depends")
def items_changed(change: KeywordChange) -> str | None:
    return f"items changed from {show(change.old)} to {show(change.new)} {where(change)}"


@rule("array-tuple-item-added", family="array", keywords=("prefixItems", "items"),
      summary="A tuple position gained a schema (`prefixItems` / array-form `items`).",
      backward="depends", forward="depends")
def tuple_added(change: KeywordChange) -> str | None:
    if change.added and isinstance(change.member, int):
        return f"tuple item {change.member} added {where(change)}: {show(change.new)}"
    if change.added and change.keyword == "prefixItems":
        return f"prefixItems added {where(change)}"
    return None


@rule("array-tuple-item-removed", family="array", keywords=("prefixItems", "items"),
      summary="A tuple position lost its schema.", backward="depends", forward="depends")
def tuple_removed(change: KeywordChange) -> str | None:
    if change.removed and (isinstance(change.member, int) or change.keyword == "prefixItems"):
        return f"tuple item {change.member} removed {where(change)}"
    return None


@rule("array-unique-items-added", family="array", keywords=("uniqueItems",),
      summary="Items must now be unique.", backward="breaking", forward="ok")
def unique_added(change: KeywordChange) -> str | None:
    if change.new is True:
        return f"items must be unique {where(change)}"
    return None


@rule("array-unique-items-removed", family="array", keywords=("uniqueItems",),
      summary="Items no longer need to be unique.", backward="ok", forward="breaking")
def unique_removed(change: KeywordChange) -> str | None:
    if change.old is True:
        return f"items no longer need to be unique {where(change)}"
    return None


@rule("array-contains-changed", family="array", keywords=("contains",),
      summary="A `contains` constraint was added or removed.", backward="depends",
      forward="depends")
def contains_changed(change: KeywordChange) -> str | None:
    verb = "added" if change.added else "removed" if change.removed else "changed"
    return f"contains {verb} {where(change)}"
