"""Walking JSON Schema documents: drafts, subschema locations, keyword families.

Independent of the engine's own reading (``schema_compat.schema``), on purpose: the fuzzer
must not share the engine's mistakes about where subschemas are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

DRAFT_URIS = {
    4: "http://json-schema.org/draft-04/schema#",
    6: "http://json-schema.org/draft-06/schema#",
    7: "http://json-schema.org/draft-07/schema#",
    2019: "https://json-schema.org/draft/2019-09/schema",
    2020: "https://json-schema.org/draft/2020-12/schema",
}
DRAFTS = tuple(DRAFT_URIS)


def draft_of(document: Any) -> int:
    """The draft a document declares (2020-12 when it declares none or an unknown one)."""
    if isinstance(document, dict) and isinstance(document.get("$schema"), str):
        uri = document["$schema"]
        for marker, draft in (("draft-04", 4), ("draft-06", 6), ("draft-07", 7),
                              ("2019-09", 2019), ("2020-12", 2020)):
            if marker in uri:
                return draft
    return 2020


# Keywords whose value is one subschema, a list of them, or a map of names to them.
SINGLE = ("additionalProperties", "additionalItems", "contains", "propertyNames", "not", "if",
          "then", "else", "unevaluatedProperties", "unevaluatedItems", "contentSchema")
LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")

Path = tuple[str | int, ...]


def subschemas(schema: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every subschema (objects and booleans) with its path, the root first."""
    yield path, schema
    if not isinstance(schema, dict):
        return
    for kw, value in schema.items():
        if kw in SINGLE or (kw == "items" and not isinstance(value, list)):
            if isinstance(value, (dict, bool)):
                yield from subschemas(value, (*path, kw))
        elif kw in LISTS or kw == "items":
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    if isinstance(sub, (dict, bool)):
                        yield from subschemas(sub, (*path, kw, i))
        elif kw in MAPS or kw == "dependencies":
            if isinstance(value, dict):
                for name, sub in value.items():
                    if isinstance(sub, (dict, bool)):
                        yield from subschemas(sub, (*path, kw, name))


def get(document: Any, path: Path) -> Any:
    node = document
    for seg in path:
        node = node[seg]
    return node


def replace(document: Any, path: Path, value: Any) -> Any:
    """``document`` with the value at ``path`` replaced (in place below the root)."""
    if not path:
        return value
    get(document, path[:-1])[path[-1]] = value
    return document


def keywords(document: Any) -> set[str]:
    """Every keyword used in any subschema."""
    found: set[str] = set()
    for _, sub in subschemas(document):
        if isinstance(sub, dict):
            found.update(k for k in sub if isinstance(k, str))
    return found


def has_boolean_subschema(document: Any) -> bool:
    return any(isinstance(sub, bool) for _, sub in subschemas(document))


def has_embedded_id(document: Any) -> bool:
    return any(path and isinstance(sub, dict) and isinstance(sub.get("$id", sub.get("id")), str)
               for path, sub in subschemas(document))


FAMILIES: dict[str, frozenset[str]] = {
    "numbers": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                          "multipleOf"}),
    "strings/patterns": frozenset({"pattern", "minLength", "maxLength"}),
    "formats": frozenset({"format"}),
    "arrays": frozenset({"items", "prefixItems", "additionalItems", "contains", "minContains",
                         "maxContains", "uniqueItems", "minItems", "maxItems"}),
    "objects": frozenset({"properties", "required", "additionalProperties",
                          "patternProperties", "minProperties", "maxProperties"}),
    "propertyNames": frozenset({"propertyNames"}),
    "dependencies": frozenset({"dependencies", "dependentRequired", "dependentSchemas"}),
    "combinators": frozenset({"allOf", "anyOf", "oneOf", "not"}),
    "conditionals": frozenset({"if", "then", "else"}),
    "refs/recursion": frozenset({"$ref", "$recursiveRef", "$dynamicRef", "$anchor",
                                 "$recursiveAnchor", "$dynamicAnchor"}),
    "unevaluated*": frozenset({"unevaluatedProperties", "unevaluatedItems"}),
    "booleans/const/enum": frozenset({"const", "enum"}),
    "annotations": frozenset({"title", "description", "default", "examples", "$comment",
                              "deprecated", "readOnly", "writeOnly", "contentMediaType",
                              "contentEncoding"}),
}
FAMILY_ORDER = (*FAMILIES, "embedded $id", "mixed drafts")


def families(old: Any, new: Any) -> list[str]:
    """The keyword families a pair belongs to (every family whose keywords it contains)."""
    used = keywords(old) | keywords(new)
    out = [name for name, kws in FAMILIES.items() if used & kws]
    if "booleans/const/enum" not in out and (has_boolean_subschema(old)
                                             or has_boolean_subschema(new)):
        out.append("booleans/const/enum")
    if has_embedded_id(old) or has_embedded_id(new):
        out.append("embedded $id")
    if draft_of(old) != draft_of(new):
        out.append("mixed drafts")
    return [f for f in FAMILY_ORDER if f in out]


def instance_path(path: Path) -> tuple[str | int, ...] | None:
    """Where in an instance the subschema at ``path`` applies (one such place), or None when
    that depends on more than the path (definitions, property names, pattern properties)."""
    out: list[str | int] = []
    i = 0
    while i < len(path):
        seg = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        if (seg == "properties" and isinstance(nxt, str)) or (seg in ("prefixItems", "items") and isinstance(nxt, int)):
            out.append(nxt)
            i += 2
        elif seg in ("items", "contains", "additionalItems", "unevaluatedItems"):
            out.append(0)
            i += 1
        elif seg in ("additionalProperties", "unevaluatedProperties"):
            out.append("zz_extra")
            i += 1
        elif (seg in ("allOf", "anyOf", "oneOf") and isinstance(nxt, int)) or (seg in ("dependentSchemas", "dependencies") and isinstance(nxt, str)):
            i += 2
        elif seg in ("not", "if", "then", "else"):
            i += 1
        else:
            return None  # $defs, patternProperties, propertyNames, ...
    return tuple(out)
