"""Annotations: keywords that describe but never assert. They change nothing valid (PATCH)."""

from __future__ import annotations

from ..changes import KeywordChange
from ._registry import rule, show, where

_ANNOTATIONS = {
    "title": "title",
    "description": "description",
    "markdownDescription": "description",
    "default": "default",
    "examples": "examples",
    "$comment": "comment",
    "deprecated": "deprecated",
    "readOnly": "read-only",
    "writeOnly": "write-only",
}


def _verb(change: KeywordChange) -> str:
    return "added" if change.added else "removed" if change.removed else "changed"


def _make(keyword_facet: str, keywords: tuple[str, ...]) -> None:
    @rule(f"annotation-{keyword_facet}-changed", family="annotation", keywords=keywords,
          summary=f"The `{keywords[0]}` annotation was added, removed or changed.",
          backward="none", forward="none", annotation=True)
    def _classify(change: KeywordChange) -> str | None:
        if change.keyword == "deprecated" and change.new is True:
            return f"marked deprecated {where(change)}"
        return f"{change.keyword} {_verb(change)} {where(change)}"


for _facet in dict.fromkeys(_ANNOTATIONS.values()):
    _make(_facet, tuple(k for k, f in _ANNOTATIONS.items() if f == _facet))


@rule("annotation-extension-changed", family="annotation", keywords=(),
      summary="A vendor extension keyword (`x-*`) changed.", backward="none", forward="none",
      annotation=True)
def extension_changed(change: KeywordChange) -> str | None:
    if not change.keyword.startswith("x-"):
        return None
    return f"{change.keyword} {_verb(change)} {where(change)}"


@rule("schema-id-changed", family="annotation",
      keywords=("$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor"),
      summary="The schema's `$id` (its name and version) changed.", backward="none",
      forward="none", annotation=True)
def id_changed(change: KeywordChange) -> str | None:
    if change.keyword == "id" and not isinstance(change.new if not change.removed else change.old, str):
        return None
    return f"{change.keyword} changed from {show(change.old)} to {show(change.new)}"
