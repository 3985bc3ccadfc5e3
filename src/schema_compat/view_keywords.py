"""Each draft's keywords read into a ``View``: the one canonical reading the engine uses.

Every draft is read into draft 2020-12's vocabulary here (see schema.py): draft 4's boolean
``exclusiveMaximum``, array-form ``items``, ``dependencies`` and ``$ref`` that hides its
siblings all become their 2020-12 meaning.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import formats, keywords, unevaluated
from .errors import SchemaError
from .schema import (
    ALL_KINDS,
    DRAFT4,
    DRAFT6,
    DRAFT7,
    DRAFT2019,
    DRAFT2020,
    PYTHON_READING,
    RS_READING,
    Node,
    RemoteRef,
    View,
    json_equal,
    to_fraction,
)

_TYPE_TO_KINDS: dict[str, frozenset[str]] = {
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
    "integer": frozenset({"int"}),
    "number": frozenset({"int", "frac"}),
    "string": frozenset({"string"}),
    "array": frozenset({"array"}),
    "object": frozenset({"object"}),
}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        return int(value)
    return value


# The name under which a view marks `dependencies` after draft-07 as beyond the model.
LEGACY_DEPENDENCIES = "dependencies (after draft-07)"

def build_view(node: Node) -> View:
    """The canonical reading of one subschema (see ``Node.view``, which caches it)."""
    raw = node.raw
    view = View(node=node)
    if isinstance(raw, bool):
        view.boolean = raw
        return view
    if not isinstance(raw, dict):
        raise SchemaError(f"{node.ctx.source}: subschema at {node.pointer or '/'} is not an object")
    draft = node.draft

    if _ref_keywords(view, raw, node, draft):
        return view
    _type_keywords(view, raw, draft)
    _enum_keywords(view, raw, draft)

    # Most subschemas use a handful of keywords: whole groups are skipped when absent.
    present = raw.keys()
    if not present.isdisjoint(_NUMBER_KEYWORDS):
        _number_keywords(view, raw, draft)
    if not present.isdisjoint(_STRING_KEYWORDS):
        _string_keywords(view, raw, node)
    if not present.isdisjoint(_ARRAY_KEYWORDS):
        _array_keywords(view, raw, node, draft)
    if not present.isdisjoint(_OBJECT_KEYWORDS):
        _object_keywords(view, raw, node, draft)
    if not present.isdisjoint(_APPLICATOR_KEYWORDS):
        _applicator_keywords(view, raw, node, draft)
    if view.unevaluated_properties is not None or view.unevaluated_items is not None:
        view.reads_evaluation = True
        unevaluated.lower(view)
    return view


def _ref_keywords(view: View, raw: dict[str, Any], node: Node, draft: int) -> bool:
    """Read ``$ref`` (and note the dynamic references); True when its siblings are ignored."""
    if "$ref" in raw and isinstance(raw["$ref"], str):
        try:
            view.ref = node.resolve(raw["$ref"])
        except RemoteRef as exc:
            view.remote_ref = str(exc)
        if draft <= DRAFT7:
            # Before 2019-09, $ref replaces the whole subschema: its siblings are ignored.
            return True
    for kw in ("$dynamicRef", "$recursiveRef"):
        if kw in raw and draft >= DRAFT2019:
            target = _static_dynamic_ref(raw, node, draft, kw)
            if target is None:
                view.unsupported += (kw,)
            else:
                view.ref = target
    return False


def _static_dynamic_ref(raw: dict[str, Any], node: Node, draft: int, kw: str) -> Node | None:
    """The subschema a dynamic reference leads to where it cannot depend on the path that
    reached it, else None: in its own draft ($recursiveRef in 2019-09, $dynamicRef in
    2020-12), without a $ref beside it, in a document that is one resource (no $id below
    its root, no reference to another document). Every dynamic scope then holds that one
    resource, whose anchor is the one the reference names: it reads as $ref."""
    own = DRAFT2019 if kw == "$recursiveRef" else DRAFT2020
    value = raw.get(kw)
    if draft != own or "$ref" in raw or not isinstance(value, str):
        return None
    if kw == "$recursiveRef" and value != "#":
        return None
    if not _one_resource(node):
        return None
    try:
        return node.resolve(value)
    except (RemoteRef, SchemaError):
        return None


def _one_resource(node: Node) -> bool:
    """Whether the node's document is a single resource that refers only into itself."""
    ctx = node.ctx
    cached = ctx.examples.get("one-resource")
    if cached is None:
        cached = ctx.examples["one-resource"] = _single_resource(ctx.document, root=True)
    return bool(cached)


def _single_resource(value: Any, *, root: bool = False) -> bool:
    # Conservative: a key "$id" anywhere below the root (even a property's name) counts.
    if isinstance(value, dict):
        if not root and "$id" in value:
            return False
        for key in ("$ref", "$dynamicRef", "$recursiveRef"):
            ref = value.get(key)
            if isinstance(ref, str) and not ref.startswith("#"):
                return False
        return all(_single_resource(v) for v in value.values())
    if isinstance(value, list):
        return all(_single_resource(v) for v in value)
    return True


def _type_keywords(view: View, raw: dict[str, Any], draft: int) -> None:
    """Read ``type`` into the kinds of value allowed."""
    t = raw.get("type")
    if isinstance(t, str):
        view.kinds = _TYPE_TO_KINDS.get(t, frozenset())
    elif isinstance(t, list):
        kinds: frozenset[str] = frozenset()
        for name in t:
            if isinstance(name, str):
                kinds |= _TYPE_TO_KINDS.get(name, frozenset())
            elif isinstance(name, dict) and draft <= DRAFT4:
                kinds = ALL_KINDS  # draft 3 style schema in a type list: give up narrowing
        view.kinds = kinds
    if draft == DRAFT4 and "int" in view.kinds and "frac" not in view.kinds:
        # Draft 4's "integer" is an integer written without a fraction: 1.0 is not one
        # (draft 6 on, and every draft's enum and const, take 1.0 for 1).
        view.int_literal = True


def _enum_keywords(view: View, raw: dict[str, Any], draft: int) -> None:
    """Read ``enum`` and ``const`` into the values allowed, when they are listed."""
    if "enum" in raw and isinstance(raw["enum"], list):
        view.enum = tuple(raw["enum"])
    if "const" in raw and draft >= DRAFT6:
        const = (raw["const"],)
        view.enum = const if view.enum is None else tuple(
            v for v in view.enum if json_equal(v, raw["const"]))


def _number_keywords(view: View, raw: dict[str, Any], draft: int) -> None:
    lo, hi = to_fraction(raw.get("minimum")), to_fraction(raw.get("maximum"))
    view.minimum, view.maximum = lo, hi
    emin, emax = raw.get("exclusiveMinimum"), raw.get("exclusiveMaximum")
    if draft == DRAFT4:
        view.min_exclusive = lo is not None and emin is True
        view.max_exclusive = hi is not None and emax is True
    else:
        _tighten_min(view, to_fraction(emin), True)
        _tighten_max(view, to_fraction(emax), True)
    mult = to_fraction(raw.get("multipleOf"))
    if mult is not None and mult > 0:
        view.multiple_of = (mult,)


def _string_keywords(view: View, raw: dict[str, Any], node: Node) -> None:
    n = _int(raw.get("minLength"))
    view.min_length = max(n or 0, 0)
    view.max_length = _int(raw.get("maxLength"))
    if isinstance(raw.get("pattern"), str):
        view.patterns = (raw["pattern"],)
    fmt = raw.get("format")
    if isinstance(fmt, str) and node.ctx.assert_formats and formats.asserted(node.draft, fmt):
        view.format = fmt


def _array_keywords(view: View, raw: dict[str, Any], node: Node, draft: int) -> None:
    items = raw.get("items")
    if draft <= DRAFT2019 and isinstance(items, list):
        view.prefix_items = tuple(node.child(s, "items", i) for i, s in enumerate(items))
        if "additionalItems" in raw:
            view.items = node.child(raw["additionalItems"], "additionalItems")
    elif items is not None and isinstance(items, (dict, bool)):
        view.items = node.child(items, "items")
    if draft >= DRAFT2020 and isinstance(raw.get("prefixItems"), list):
        view.prefix_items = tuple(
            node.child(s, "prefixItems", i) for i, s in enumerate(raw["prefixItems"]))
    if draft >= DRAFT6 and "contains" in raw:
        view.contains = node.child(raw["contains"], "contains")
        if draft >= DRAFT2019:
            mc = _int(raw.get("minContains"))
            view.min_contains = 1 if mc is None else max(mc, 0)
            view.max_contains = _int(raw.get("maxContains"))
    if draft >= DRAFT2019 and "unevaluatedItems" in raw:
        view.unevaluated_items = node.child(raw["unevaluatedItems"], "unevaluatedItems")
    view.min_items = max(_int(raw.get("minItems")) or 0, 0)
    view.max_items = _int(raw.get("maxItems"))
    view.unique_items = raw.get("uniqueItems") is True


def _object_keywords(view: View, raw: dict[str, Any], node: Node, draft: int) -> None:
    props = raw.get("properties")
    if isinstance(props, dict):
        view.properties = {k: node.child(v, "properties", k) for k, v in props.items()}
    pprops = raw.get("patternProperties")
    if isinstance(pprops, dict):
        view.pattern_properties = {
            k: node.child(v, "patternProperties", k) for k, v in pprops.items()}
    if "additionalProperties" in raw:
        view.additional = node.child(raw["additionalProperties"], "additionalProperties")
    req = raw.get("required")
    if isinstance(req, list):
        view.required = frozenset(r for r in req if isinstance(r, str))
    view.min_properties = max(_int(raw.get("minProperties")) or 0, 0)
    view.max_properties = _int(raw.get("maxProperties"))
    if draft >= DRAFT6 and "propertyNames" in raw:
        view.property_names = node.child(raw["propertyNames"], "propertyNames")
    deps = raw.get("dependencies") if draft <= DRAFT7 else None
    if draft >= DRAFT2019 and "dependencies" in raw:
        # Gone from the vocabulary since 2019-09 (split into dependentRequired and
        # dependentSchemas), yet still in its metaschema for compatibility: python-jsonschema
        # ignores it there, jsonschema-rs (the messages' validator) applies it. No reading
        # is safe for both; the engine may compare under each (engine.py).
        reading = node.ctx.reading
        if reading == RS_READING:
            deps = raw.get("dependencies")
        elif reading != PYTHON_READING:
            view.unsupported += (LEGACY_DEPENDENCIES,)
    if isinstance(deps, dict):
        for k, v in deps.items():
            if isinstance(v, list):
                view.dependent_required[k] = frozenset(x for x in v if isinstance(x, str))
            else:
                view.dependent_schemas[k] = node.child(v, "dependencies", k)
    if draft >= DRAFT2019:
        dr = raw.get("dependentRequired")
        if isinstance(dr, dict):
            for k, v in dr.items():
                if isinstance(v, list):
                    view.dependent_required[k] = frozenset(x for x in v if isinstance(x, str))
        ds = raw.get("dependentSchemas")
        if isinstance(ds, dict):
            for k, v in ds.items():
                view.dependent_schemas[k] = node.child(v, "dependentSchemas", k)
        if "unevaluatedProperties" in raw:
            view.unevaluated_properties = node.child(
                raw["unevaluatedProperties"], "unevaluatedProperties")


def _applicator_keywords(view: View, raw: dict[str, Any], node: Node, draft: int) -> None:
    for kw in ("allOf", "anyOf", "oneOf"):
        branches = raw.get(kw)
        if isinstance(branches, list):
            nodes = tuple(node.child(s, kw, i) for i, s in enumerate(branches))
            if kw == "allOf":
                view.all_of = nodes
            elif kw == "anyOf":
                view.any_of = nodes
            else:
                view.one_of = nodes
    if "not" in raw:
        view.not_ = node.child(raw["not"], "not")
    if draft >= DRAFT7 and "if" in raw:
        view.if_ = node.child(raw["if"], "if")
        if "then" in raw:
            view.then = node.child(raw["then"], "then")
        if "else" in raw:
            view.else_ = node.child(raw["else"], "else")


# Which keywords read which kind of value, from the vocabulary: a view skips whole groups.
_NUMBER_KEYWORDS = keywords.names(kind="number")
_STRING_KEYWORDS = keywords.names(kind="string")
_ARRAY_KEYWORDS = keywords.names(kind="array")
_OBJECT_KEYWORDS = keywords.names(kind="object")
_APPLICATOR_KEYWORDS = keywords.names(family="composition")


def _tighten_min(view: View, value: Fraction | None, exclusive: bool) -> None:
    if value is None:
        return
    if view.minimum is None or value > view.minimum or (
            value == view.minimum and exclusive and not view.min_exclusive):
        view.minimum, view.min_exclusive = value, exclusive


def _tighten_max(view: View, value: Fraction | None, exclusive: bool) -> None:
    if value is None:
        return
    if view.maximum is None or value < view.maximum or (
            value == view.maximum and exclusive and not view.max_exclusive):
        view.maximum, view.max_exclusive = value, exclusive
