"""Objects: properties, required, additional and pattern properties, names, dependencies."""

from __future__ import annotations

from ..changes import ABSENT, KeywordChange
from ._registry import rule, show, where


@rule("property-added", family="object", keywords=("properties",),
      summary="A property was declared (its values are now checked against its schema).",
      backward="depends", forward="depends")
def property_added(change: KeywordChange) -> str | None:
    if change.member is not ABSENT and change.added:
        return f"property {change.member!r} added {where(change)}"
    if change.member is ABSENT and change.added:
        return f"properties added {where(change)}"
    return None


@rule("property-removed", family="object", keywords=("properties",),
      summary="A property's declaration was removed (it falls to additionalProperties).",
      backward="depends", forward="depends")
def property_removed(change: KeywordChange) -> str | None:
    if change.member is not ABSENT and change.removed:
        return f"property {change.member!r} removed {where(change)}"
    if change.member is ABSENT and change.removed:
        return f"properties removed {where(change)}"
    return None


@rule("property-required-added", family="object", keywords=("required",),
      summary="A property became required.", backward="breaking", forward="ok")
def required_added(change: KeywordChange) -> str | None:
    if change.member is not ABSENT and change.added:
        return f"property {change.member!r} is now required {where(change)}"
    if change.member is ABSENT and change.added:
        return f"properties {show(change.new)} are now required {where(change)}"
    return None


@rule("property-required-removed", family="object", keywords=("required",),
      summary="A property is no longer required.", backward="ok", forward="breaking")
def required_removed(change: KeywordChange) -> str | None:
    if change.member is not ABSENT and change.removed:
        return f"property {change.member!r} is no longer required {where(change)}"
    if change.member is ABSENT and change.removed:
        return f"properties {show(change.old)} are no longer required {where(change)}"
    return None


@rule("object-additional-properties-changed", family="object",
      keywords=("additionalProperties", "unevaluatedProperties"),
      summary="`additionalProperties`/`unevaluatedProperties` was added or removed (the "
              "object was closed or opened).", backward="depends", forward="depends")
def additional_changed(change: KeywordChange) -> str | None:
    if change.added:
        closed = " (object closed)" if change.new is False else ""
        return f"{change.keyword} {show(change.new)} added {where(change)}{closed}"
    if change.removed:
        opened = " (object opened)" if change.old is False else ""
        return f"{change.keyword} {show(change.old)} removed {where(change)}{opened}"
    return None


@rule("object-pattern-property-changed", family="object", keywords=("patternProperties",),
      summary="A `patternProperties` entry was added or removed.", backward="depends",
      forward="depends")
def pattern_property(change: KeywordChange) -> str | None:
    verb = "added" if change.added else "removed"
    name = f" {change.member!r}" if change.member is not ABSENT else ""
    return f"patternProperties{name} {verb} {where(change)}"


@rule("object-property-names-changed", family="object", keywords=("propertyNames",),
      summary="A `propertyNames` constraint was added or removed.", backward="depends",
      forward="depends")
def property_names(change: KeywordChange) -> str | None:
    verb = "added" if change.added else "removed"
    return f"propertyNames {verb} {where(change)}"


@rule("object-dependency-changed", family="object",
      keywords=("dependentRequired", "dependentSchemas", "dependencies"),
      summary="A property dependency was added, removed or changed.", backward="depends",
      forward="depends")
def dependency(change: KeywordChange) -> str | None:
    name = f" on {change.member!r}" if change.member is not ABSENT else ""
    verb = "added" if change.added else "removed" if change.removed else "changed"
    return f"{change.keyword}{name} {verb} {where(change)}"
