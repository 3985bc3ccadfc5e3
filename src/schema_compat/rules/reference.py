"""References and documents: ``$ref`` targets, definitions, dialects, boolean subschemas."""

from __future__ import annotations

from ..changes import ABSENT, KeywordChange
from ._registry import rule, show, where


@rule("ref-target-changed", family="reference",
      keywords=("$ref", "$dynamicRef", "$recursiveRef"),
      summary="A `$ref` now points elsewhere, or was added or removed.", backward="depends",
      forward="depends")
def ref_changed(change: KeywordChange) -> str | None:
    if change.added:
        return f"{change.keyword} {show(change.new)} added {where(change)}"
    if change.removed:
        return f"{change.keyword} {show(change.old)} removed {where(change)}"
    return f"{change.keyword} changed from {show(change.old)} to {show(change.new)} {where(change)}"


@rule("definition-added", family="reference", keywords=("$defs", "definitions"),
      summary="A definition was added (no effect until referenced).", backward="none",
      forward="none")
def definition_added(change: KeywordChange) -> str | None:
    if change.added:
        name = change.member if change.member is not ABSENT else change.keyword
        return f"definition {name!r} added"
    return None


@rule("definition-removed", family="reference", keywords=("$defs", "definitions"),
      summary="A definition was removed (only unreferenced ones can go).", backward="none",
      forward="none")
def definition_removed(change: KeywordChange) -> str | None:
    if change.removed:
        name = change.member if change.member is not ABSENT else change.keyword
        return f"definition {name!r} removed"
    return None


@rule("schema-dialect-changed", family="reference", keywords=("$schema", "$vocabulary"),
      summary="The declared draft (`$schema`) changed; keywords are read by the new draft.",
      backward="depends", forward="depends")
def dialect_changed(change: KeywordChange) -> str | None:
    return f"{change.keyword} changed from {show(change.old)} to {show(change.new)}"


@rule("schema-boolean-changed", family="reference", keywords=("<schema>",),
      summary="A subschema was replaced by `true`/`false` or the reverse.", backward="depends",
      forward="depends")
def boolean_changed(change: KeywordChange) -> str | None:
    return f"subschema {where(change)} changed from {show(change.old)} to {show(change.new)}"


@rule("keyword-changed", family="reference", keywords=(),
      summary="Any other keyword changed (unknown keywords are ignored by validators).",
      backward="none", forward="none")
def other_keyword(change: KeywordChange) -> str | None:
    verb = "added" if change.added else "removed" if change.removed else "changed"
    return f"{change.keyword} {verb} {where(change)}"
