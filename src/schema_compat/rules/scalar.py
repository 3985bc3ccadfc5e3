"""Types, enumerations, numbers and strings."""

from __future__ import annotations

from ..changes import ABSENT, KeywordChange
from ._registry import rule, show, where


@rule("type-added", family="scalar", keywords=("type",),
      summary="A JSON type is newly allowed (or the `type` keyword was removed).",
      backward="ok", forward="breaking")
def type_added(change: KeywordChange) -> str | None:
    if change.member is ABSENT and change.removed:
        return f"type restriction {show(change.old)} removed {where(change)}"
    if change.member is not ABSENT and change.added:
        return f"type {show(change.new)} now allowed {where(change)}"
    return None


@rule("type-removed", family="scalar", keywords=("type",),
      summary="A JSON type is no longer allowed (or the `type` keyword was added).",
      backward="breaking", forward="ok")
def type_removed(change: KeywordChange) -> str | None:
    if change.member is ABSENT and change.added:
        return f"type restricted to {show(change.new)} {where(change)}"
    if change.member is not ABSENT and change.removed:
        return f"type {show(change.old)} no longer allowed {where(change)}"
    return None


@rule("enum-value-added", family="scalar", keywords=("enum",),
      summary="Values were added to an `enum` (or the `enum` was removed).",
      backward="ok", forward="breaking")
def enum_added(change: KeywordChange) -> str | None:
    if change.member == "added":
        return f"enum values added {where(change)}: {show(change.new)}"
    if change.member is ABSENT and change.removed:
        return f"enum {show(change.old)} removed {where(change)}"
    return None


@rule("enum-value-removed", family="scalar", keywords=("enum",),
      summary="Values were removed from an `enum` (or an `enum` was added).",
      backward="breaking", forward="ok")
def enum_removed(change: KeywordChange) -> str | None:
    if change.member == "removed":
        return f"enum values removed {where(change)}: {show(change.old)}"
    if change.member is ABSENT and change.added:
        return f"enum {show(change.new)} added {where(change)}"
    return None


@rule("const-changed", family="scalar", keywords=("const",),
      summary="A `const` was added, removed or changed.", backward="depends", forward="depends")
def const_changed(change: KeywordChange) -> str | None:
    if change.added:
        return f"const {show(change.new)} added {where(change)}"
    if change.removed:
        return f"const {show(change.old)} removed {where(change)}"
    return f"const changed from {show(change.old)} to {show(change.new)} {where(change)}"


_BOUNDS = {
    # keyword: (rule stem, noun, lower bound?)
    "minimum": ("number-minimum", "minimum", True),
    "exclusiveMinimum": ("number-exclusive-minimum", "exclusive minimum", True),
    "maximum": ("number-maximum", "maximum", False),
    "exclusiveMaximum": ("number-exclusive-maximum", "exclusive maximum", False),
    "minLength": ("string-min-length", "minimum length", True),
    "maxLength": ("string-max-length", "maximum length", False),
    "minItems": ("array-min-items", "minimum number of items", True),
    "maxItems": ("array-max-items", "maximum number of items", False),
    "minContains": ("array-min-contains", "minimum number of matching items", True),
    "maxContains": ("array-max-contains", "maximum number of matching items", False),
    "minProperties": ("object-min-properties", "minimum number of properties", True),
    "maxProperties": ("object-max-properties", "maximum number of properties", False),
}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _bound_rules(keyword: str, stem: str, noun: str, lower: bool) -> None:
    narrow, widen = ("breaking", "ok")

    def family_of(stem: str) -> str:
        return stem.split("-", 1)[0].replace("number", "scalar").replace("string", "scalar")

    @rule(f"{stem}-added", family=family_of(stem), keywords=(keyword,),
          summary=f"A {noun} was added.", backward=narrow, forward=widen)
    def added(change: KeywordChange) -> str | None:
        if change.added and _number(change.new) is not None:
            return f"{noun} {show(change.new)} added {where(change)}"
        return None

    @rule(f"{stem}-removed", family=family_of(stem), keywords=(keyword,),
          summary=f"A {noun} was removed.", backward=widen, forward=narrow)
    def removed(change: KeywordChange) -> str | None:
        if change.removed and _number(change.old) is not None:
            return f"{noun} {show(change.old)} removed {where(change)}"
        return None

    up_effect = (narrow, widen) if lower else (widen, narrow)

    @rule(f"{stem}-increased", family=family_of(stem), keywords=(keyword,),
          summary=f"A {noun} was raised.", backward=up_effect[0], forward=up_effect[1])
    def increased(change: KeywordChange) -> str | None:
        o, n = _number(change.old), _number(change.new)
        if o is not None and n is not None and n > o:
            return f"{noun} raised from {show(change.old)} to {show(change.new)} {where(change)}"
        return None

    @rule(f"{stem}-decreased", family=family_of(stem), keywords=(keyword,),
          summary=f"A {noun} was lowered.", backward=up_effect[1], forward=up_effect[0])
    def decreased(change: KeywordChange) -> str | None:
        o, n = _number(change.old), _number(change.new)
        if o is not None and n is not None and n < o:
            return f"{noun} lowered from {show(change.old)} to {show(change.new)} {where(change)}"
        return None


for _kw, (_stem, _noun, _lower) in _BOUNDS.items():
    _bound_rules(_kw, _stem, _noun, _lower)


@rule("number-exclusive-bound-changed", family="scalar",
      keywords=("exclusiveMinimum", "exclusiveMaximum"),
      summary="A draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` flag changed.",
      backward="depends", forward="depends")
def exclusive_flag(change: KeywordChange) -> str | None:
    if isinstance(change.old, bool) or isinstance(change.new, bool):
        return f"{change.keyword} changed from {show(change.old)} to {show(change.new)} {where(change)}"
    return None


@rule("number-multiple-of-changed", family="scalar", keywords=("multipleOf",),
      summary="A `multipleOf` was added, removed or changed.", backward="depends",
      forward="depends")
def multiple_of(change: KeywordChange) -> str | None:
    return f"multipleOf changed from {show(change.old)} to {show(change.new)} {where(change)}"


@rule("string-pattern-changed", family="scalar", keywords=("pattern",),
      summary="A `pattern` was added, removed or changed.", backward="depends", forward="depends")
def pattern_changed(change: KeywordChange) -> str | None:
    if change.added:
        return f"pattern {show(change.new)} added {where(change)}"
    if change.removed:
        return f"pattern {show(change.old)} removed {where(change)}"
    return f"pattern changed from {show(change.old)} to {show(change.new)} {where(change)}"


@rule("string-format-changed", family="scalar", keywords=("format",),
      summary="A `format` was added, removed or changed (it narrows the valid strings where "
              "formats are asserted, the default; see `formats` in the configuration).",
      backward="depends", forward="depends")
def format_changed(change: KeywordChange) -> str | None:
    if change.added:
        return f"format {show(change.new)} added {where(change)}"
    if change.removed:
        return f"format {show(change.old)} removed {where(change)}"
    return f"format changed from {show(change.old)} to {show(change.new)} {where(change)}"


@rule("string-content-changed", family="scalar",
      keywords=("contentMediaType", "contentEncoding", "contentSchema"),
      summary="A content annotation (`contentMediaType`, `contentEncoding`, `contentSchema`) "
              "changed.", backward="none", forward="none")
def content_changed(change: KeywordChange) -> str | None:
    return f"{change.keyword} changed from {show(change.old)} to {show(change.new)} {where(change)}"
