"""The counterfactual: the old document with one change made alone, as measure.py measures it.

The change is made on a copy of the old document's JSON (a keyword set, removed or edited
in place; a whole subschema replaced), and the definitions it refers to that the old
document lacks are brought from the new one, so that the result reads as the change meant.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from . import keywords
from .changes import ABSENT, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS, KeywordChange
from .loading import SchemaDocument
from .normalize import check_metaschema
from .schema import Node, detect_draft, json_equal, load_root, split_pointer


class CannotApply(Exception):
    """The change has no place in the old document to be made in."""


def apply_change(old: SchemaDocument, old_root: Node, change: KeywordChange,
           new: SchemaDocument) -> Node:
    """The old document with this one change made, loaded like the old one.

    Definitions the change refers to and the old document lacks are brought over from the new
    document: a property added as ``{"$ref": "#/$defs/WindowId"}`` means the property with
    that definition, not a dangling reference.
    """
    document = copy.deepcopy(old.document)
    path = split_pointer(change.old_schema_path)
    target = resolve_path(document, path)
    if change.keyword == "<schema>":
        document = _replace(document, path, copy.deepcopy(change.new))
    else:
        mutate(target, change)
    _bring_definitions(document, change.new, new.document)
    doc = SchemaDocument(old.name, old.version, old.source, document, old.path,
                         default_draft=old.default_draft)
    # A change made alone can make a document no draft accepts (a 2019-09 tuple `items`
    # with its $schema taken away reads as 2020-12): refused here, as any schema is, its
    # effect is unknown. A dangling $ref (to a definition another change added) surfaces
    # the same way while measuring.
    check_metaschema(doc, detect_draft(document))
    return load_root(doc.document, doc.source, path=doc.path,
                     root_dir=doc.path.parent if doc.path else None,
                     default_draft=doc.default_draft, assert_formats=old_root.ctx.assert_formats,
                     catalog=old_root.ctx.catalog)


_DEPENDENCIES = keywords.names(shape=keywords.DEPENDENCIES)


_SCHEMA_OR_LIST = keywords.names(shape=keywords.SCHEMA_OR_LIST)


def _set_list(target: dict[str, Any], kw: str, values: list[Any]) -> None:
    """Set ``type``, ``required`` or ``enum``; emptied, each is written as a schema every
    draft accepts with the same meaning (an empty list is invalid in some drafts, and an
    invalid schema is one no validator can be trusted on)."""
    if values:
        target[kw] = values
        return
    del target[kw]
    if kw != "required":  # no type, no value: nothing is valid
        target["allOf"] = [*target.get("allOf", []), {"not": {}}]


def mutate(target: Any, change: KeywordChange) -> None:
    """Make ``change`` in the subschema ``target`` (in place)."""
    kw = change.keyword
    if not isinstance(target, dict):
        raise CannotApply(f"no subschema at {change.old_schema_path}")
    if change.member == "<conditional>":
        for part in ("if", "then", "else"):
            target.pop(part, None)
        if change.new is not ABSENT:
            target.update(copy.deepcopy(change.new))
    elif change.member is not ABSENT and kw in ("type", "required"):
        current = target.get(kw, [])
        values = [current] if isinstance(current, str) else list(current)
        if change.added:
            values.append(change.new)
        else:
            values = [v for v in values if v != change.old]
        _set_list(target, kw, values)
    elif change.member is not ABSENT and kw == "enum":
        values = list(target.get(kw, []))
        if change.member == "added":
            values.extend(change.new)
        else:
            values = [v for v in values if not any(json_equal(v, x) for x in change.old)]
        _set_list(target, kw, values)
    elif change.member is not ABSENT and (kw in SCHEMA_MAP_KEYWORDS or kw in _DEPENDENCIES):
        mapping = dict(target.get(kw, {}))
        if change.new is ABSENT:
            mapping.pop(change.member, None)
        else:
            mapping[change.member] = copy.deepcopy(change.new)
        target[kw] = mapping
    elif change.member is not ABSENT and (kw in SCHEMA_LIST_KEYWORDS or kw in _SCHEMA_OR_LIST):
        items = list(target.get(kw, []))
        if change.new is ABSENT:
            if isinstance(change.member, int) and change.member < len(items):
                del items[change.member]
        else:
            items.append(copy.deepcopy(change.new))
        target[kw] = items
    elif change.new is ABSENT:
        target.pop(kw, None)
    else:
        target[kw] = copy.deepcopy(change.new)


def schema_refs(value: Any) -> Iterable[str]:
    """Every ``$ref`` string anywhere in ``value``."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            yield ref
        for v in value.values():
            yield from schema_refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from schema_refs(v)


def _local_refs(value: Any) -> Iterable[str]:
    return (ref for ref in schema_refs(value) if ref.startswith("#/"))


def _bring_definitions(document: Any, value: Any, source: Any) -> None:
    if not isinstance(document, dict) or not isinstance(source, dict):
        return
    pending = list(_local_refs(value))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        parts = split_pointer(ref[1:])
        if len(parts) != 2 or parts[0] not in ("$defs", "definitions"):
            continue
        kw, name = parts
        target = source.get(kw, {})
        if isinstance(target, dict) and name in target and name not in document.get(kw, {}):
            document.setdefault(kw, {})[name] = copy.deepcopy(target[name])
            pending.extend(_local_refs(target[name]))


def resolve_path(document: Any, path: list[str]) -> Any:
    node = document
    for seg in path:
        if isinstance(node, dict):
            if seg not in node:
                raise CannotApply(f"missing {seg!r}")
            node = node[seg]
        elif isinstance(node, list):
            node = node[int(seg)]
        else:
            raise CannotApply(f"cannot descend into {seg!r}")
    return node


def _replace(document: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    parent = resolve_path(document, path[:-1])
    last = path[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value
    return document
