"""Schemas as the engine sees them: drafts, ``$ref`` resolution, and one canonical view.

Every draft is read into the same vocabulary (draft 2020-12's), so the engine never asks
which draft it is in: draft 4's boolean ``exclusiveMaximum``, array-form ``items``,
``dependencies`` and ``$ref`` that hides its siblings all become their 2020-12 meaning here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import orjson
import referencing
import referencing.exceptions
import referencing.jsonschema
from referencing import Registry, Resource

# Re-exported: the engine's modules name drafts through this module.
from .drafts import DRAFT4 as DRAFT4
from .drafts import DRAFT6 as DRAFT6
from .drafts import DRAFT7 as DRAFT7
from .drafts import DRAFT2019 as DRAFT2019
from .drafts import DRAFT2020 as DRAFT2020
from .drafts import DRAFT_NAMES as DRAFT_NAMES
from .drafts import METASCHEMA_URIS as METASCHEMA_URIS
from .drafts import detect_draft as detect_draft
from .errors import SchemaError

if TYPE_CHECKING:
    from .catalog import Catalog

# Disjoint kinds of JSON value. "number" in a schema is int | frac; "integer" is int.
KINDS: tuple[str, ...] = ("null", "boolean", "int", "frac", "string", "array", "object")
ALL_KINDS = frozenset(KINDS)
# Readings of keywords the validators read differently (SchemaContext.reading).
BOTH_READINGS = "both"
PYTHON_READING = "python-jsonschema"
RS_READING = "jsonschema-rs"
# How a refusal says that the answer depends on the reading (the engine looks for it).
READ_DIFFERENTLY = "which validators read differently"

_SPECS = {
    DRAFT4: referencing.jsonschema.DRAFT4,
    DRAFT6: referencing.jsonschema.DRAFT6,
    DRAFT7: referencing.jsonschema.DRAFT7,
    DRAFT2019: referencing.jsonschema.DRAFT201909,
    DRAFT2020: referencing.jsonschema.DRAFT202012,
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema's ``enum``/``const`` define it (``true`` is not ``1``)."""
    if a is b:
        return True
    # Python's == is coarser (it also equates true and 1) and runs in C: a cheap refusal.
    # Where it holds, equal serializations settle it (true and 1 are written differently);
    # only 1 against 1.0 still needs the walk.
    if a != b:
        return False
    if isinstance(a, (dict, list)):
        try:
            if orjson.dumps(a) == orjson.dumps(b):
                return True
        except TypeError:
            pass  # integers beyond 64 bits: the walk below copes
    return _json_equal(a, b)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def json_key(value: Any) -> Any:
    """A hashable stand-in for a JSON value: equal keys exactly when ``json_equal``."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)  # 1 and 1.0 are equal and hash alike, as JSON Schema wants
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list):
        return ("l", tuple(json_key(x) for x in value))
    if isinstance(value, dict):
        return ("d", frozenset((k, json_key(v)) for k, v in value.items()))
    return ("o", repr(value))


def kind_of(value: Any) -> str:
    """The kind (see KINDS) of a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "int" if math.isfinite(value) and value.is_integer() else "frac"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def to_fraction(value: Any) -> Fraction | None:
    """A JSON number as an exact fraction.

    A float is read as the decimal it was written as (0.1 is 1/10, so 5.01 is a multiple of
    0.01), below 2**53; from there on every float is an integer, and it is read as the one
    its binary value is, which is what validators compare integers with: ``1e300`` is not
    10**300 for them, and ``{"maximum": 1e300}`` admits 10**300 + 1. Below 2**53 both readings
    order numbers alike against every integer and every other float, so bounds compare the
    same either way.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if abs(value) >= _EXACT_FLOATS:
            return Fraction(int(value))
        return Fraction(repr(value))
    return Fraction(value)


# From 2**53 on, floats are integers spaced more than 1 apart.
_EXACT_FLOATS = 2.0 ** 53


def base_uri(resolver: referencing._core.Resolver[Any]) -> str:
    """The base URI a resolver resolves relative references against.

    referencing (0.37) keeps it in a private attribute and offers no accessor: this is the
    one place that reads it, and pyproject.toml pins referencing's minor version for it."""
    return str(resolver._base_uri)


def resolver_registry(resolver: referencing._core.Resolver[Any]) -> Registry[Any]:
    """The registry a resolver looks references up in (private in referencing 0.37; see
    ``base_uri``)."""
    registry: Registry[Any] = resolver._registry
    return registry


class RemoteRef(Exception):
    """A ``$ref`` to a remote resource, which is never fetched."""


@dataclass
class SchemaContext:
    """What every node of one loaded schema shares: registry, draft, source, limits."""

    registry: Registry[Any]
    draft: int
    source: str
    root_dir: Path | None
    document: Any = None
    # `format` narrows the valid strings (see formats.py), or is an annotation.
    assert_formats: bool = True
    remote_refs: set[str] = field(default_factory=set)
    # Referenced documents read from local copies (catalog.py), and the URIs resolved there.
    catalog: Catalog | None = None
    catalog_refs: set[str] = field(default_factory=set)
    # Patterns that backtracking validators may take exponential time on, by location.
    hazards: dict[str, str] = field(default_factory=dict)
    # Examples already built for terms of this document (the engine's witness cache).
    examples: dict[Any, Any] = field(default_factory=dict)
    # Views by subschema identity, so that every Node of one subschema reads it once.
    views: dict[Any, View] = field(default_factory=dict)
    root: Node | None = None
    # Whose reading to take where the validators read a keyword differently (`dependencies`
    # after draft-07, a 2019-09 `unevaluatedProperties` beside subschemas): "both" refuses
    # such a keyword (the engine answers unknown); "python-jsonschema" or "jsonschema-rs"
    # takes that validator's reading, to compare under each in turn (engine.py).
    reading: str = BOTH_READINGS


class Node:
    """A subschema with the resolver in force where it stands; identity is the raw object."""

    __slots__ = ("__dict__", "ctx", "draft", "pointer", "raw", "resolver")

    def __init__(self, raw: Any, resolver: referencing._core.Resolver[Any], ctx: SchemaContext,
                 draft: int, pointer: str) -> None:
        self.raw = raw
        self.resolver = resolver
        self.ctx = ctx
        self.draft = draft
        self.pointer = pointer

    def __repr__(self) -> str:
        return f"Node({self.ctx.source}#{self.pointer})"

    @cached_property
    def key(self) -> tuple[int, str, int]:
        """Identity of the subschema: the same raw object under the same base URI, read in
        the same draft (answers are remembered by it)."""
        return (id(self.raw), base_uri(self.resolver), self.draft)

    def child(self, raw: Any, *segments: str | int) -> Node:
        """The subschema ``raw`` found under this one at ``segments``."""
        # Written out: views of large objects make thousands of children at a time.
        pointer = self.pointer
        for s in segments:
            token = s if isinstance(s, str) else str(s)
            pointer += "/" + (escape_token(token) if "~" in token or "/" in token else token)
        resolver = self.resolver
        draft = self.draft
        if isinstance(raw, dict):
            ident = raw.get("id" if draft == DRAFT4 else "$id")
            if isinstance(ident, str) and not ident.startswith("#"):
                spec = _SPECS[draft]
                resolver = resolver.in_subresource(spec.create_resource(raw))
                draft = detect_draft(raw, draft)  # an embedded resource may name its own
        return Node(raw, resolver, self.ctx, draft, pointer)

    @cached_property
    def view(self) -> View:
        """The canonical reading of this subschema's keywords.

        Shared by every Node of the same subschema in the same document (the engine makes
        new Nodes for the same raw object when it compares a changed copy of a subschema).
        """
        cache = self.ctx.views
        key = (id(self.raw), self.draft, base_uri(self.resolver))
        view = cache.get(key)
        if view is None or view.node.raw is not self.raw:
            # Imported here: the readers need Node and View, defined in this module.
            from .view_keywords import build_view

            view = build_view(self)
            cache[key] = view
        return view

    def resolve(self, ref: str) -> Node:
        """The node a ``$ref`` names (remote references raise RemoteRef)."""
        try:
            try:
                resolved = self.resolver.lookup(ref)
            except (ValueError, LookupError, TypeError) as exc:
                # A pointer that steps into an array by a name (referencing parses the
                # token as an index and raises): it points nowhere, as an unresolvable one.
                raise referencing.exceptions.Unresolvable(ref=ref) from exc
        except referencing.exceptions.Unresolvable as exc:
            target = urljoin(base_uri(self.resolver), ref)
            entry = self.ctx.catalog.entry(target) if self.ctx.catalog is not None else None
            if entry is not None:
                # The document is there, the place in it is not (a stale copy?): a reference
                # pointing nowhere, as into a file beside the schema.
                raise SchemaError(
                    f"{self.ctx.source}: $ref {ref!r} at {self.pointer or '/'} points nowhere in "
                    f"{entry.source}, the catalog's copy of {urldefrag(target)[0]}") from exc
            if _is_remote(target):
                self.ctx.remote_refs.add(target)
                raise RemoteRef(target) from None
            raise SchemaError(
                f"{self.ctx.source}: $ref {ref!r} at {self.pointer or '/'} points nowhere"
            ) from exc
        if self.ctx.catalog is not None:
            self._note_catalog(ref, resolved.resolver)
        # The draft of the resource the target stands in (another file's `$schema`), then
        # the target's own.
        draft = resource_draft(resolved.resolver, self.draft)
        contents = resolved.contents
        if isinstance(contents, dict) and "$schema" in contents:
            draft = detect_draft(contents, draft)
        _, fragment = urldefrag(ref)
        pointer = fragment if fragment.startswith("/") else f"<{ref}>"
        return Node(contents, resolved.resolver, self.ctx, draft, pointer)

    def _note_catalog(self, ref: str, target: referencing._core.Resolver[Any]) -> None:
        """Remember a reference that a catalog document answered (for the report's notes)."""
        catalog = self.ctx.catalog
        assert catalog is not None
        uri = urldefrag(urljoin(base_uri(self.resolver), ref))[0]
        entry = catalog.entry(uri)
        if entry is None:
            return
        # The compared document (or a file beside it) may hold that URI itself: then it is
        # not the catalog that answered.
        try:
            found = resolver_registry(target)[uri]
        except referencing.exceptions.NoSuchResource:
            return
        if found.contents is entry.contents or uri in catalog.embedded:
            self.ctx.catalog_refs.add(uri)


_SPEC_DRAFTS = {spec: draft for draft, spec in _SPECS.items()}


def resource_for(contents: Any, draft: int) -> Resource[Any]:
    """A ``referencing`` resource of ``contents``, read in ``draft`` unless it names its own."""
    return _SPECS[detect_draft(contents, draft)].create_resource(contents)


def resource_draft(resolver: referencing._core.Resolver[Any], default: int) -> int:
    """The draft of the resource ``resolver`` stands in, as its registry knows it (by the
    ``$schema`` of the file or embedded resource); ``default`` when it does not know it."""
    try:
        resource = resolver_registry(resolver)[base_uri(resolver)]
    except referencing.exceptions.NoSuchResource:
        return default
    return _SPEC_DRAFTS.get(resource._specification, default)


def declares(value: Any, keys: frozenset[str]) -> bool:
    """Does any object inside ``value`` give one of ``keys`` a string (an ``$id``, an anchor:
    a name references could resolve to)?"""
    stack = [value]
    while stack:
        here = stack.pop()
        if isinstance(here, dict):
            for k, v in here.items():
                if isinstance(v, str) and k in keys:
                    return True
                stack.append(v)
        elif isinstance(here, list):
            stack.extend(here)
    return False


def escape_token(token: str) -> str:
    """One JSON pointer reference token, escaped (``~`` → ``~0``, ``/`` → ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def split_pointer(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer (RFC 6901); ValueError if malformed."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    # ~1 before ~0: "~01" is the token "~1", not "/".
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _is_remote(uri: str) -> bool:
    return uri.startswith(("http://", "https://")) and "schemas.backbeat.invalid" not in uri


@dataclass(eq=False)
class View:
    """The assertions of one subschema in draft 2020-12 terms, plain data only.

    Applicators keep their subschemas as Nodes, so ``$ref`` cycles are never expanded here.
    """

    node: Node
    boolean: bool | None = None  # True/False for boolean schemas
    kinds: frozenset[str] = ALL_KINDS
    # Integers only as written without a fraction or exponent (draft 4's "integer").
    int_literal: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: Fraction | None = None
    min_exclusive: bool = False
    maximum: Fraction | None = None
    max_exclusive: bool = False
    multiple_of: tuple[Fraction, ...] = ()
    min_length: int = 0
    max_length: int | None = None
    patterns: tuple[str, ...] = ()
    format: str | None = None
    prefix_items: tuple[Node, ...] = ()
    items: Node | None = None
    contains: Node | None = None
    min_contains: int = 1
    max_contains: int | None = None
    min_items: int = 0
    max_items: int | None = None
    unique_items: bool = False
    properties: dict[str, Node] = field(default_factory=dict)
    pattern_properties: dict[str, Node] = field(default_factory=dict)
    additional: Node | None = None
    required: frozenset[str] = frozenset()
    min_properties: int = 0
    max_properties: int | None = None
    property_names: Node | None = None
    dependent_required: dict[str, frozenset[str]] = field(default_factory=dict)
    dependent_schemas: dict[str, Node] = field(default_factory=dict)
    all_of: tuple[Node, ...] = ()
    any_of: tuple[Node, ...] | None = None
    one_of: tuple[Node, ...] | None = None
    not_: Node | None = None
    if_: Node | None = None
    then: Node | None = None
    else_: Node | None = None
    ref: Node | None = None
    remote_ref: str | None = None
    unevaluated_properties: Node | None = None
    unevaluated_items: Node | None = None
    # Why an ``unevaluated*`` keyword left above could not be rewritten (unevaluated.py).
    unevaluated_why: str = ""
    # The subschema has ``unevaluated*``, rewritten or not: what its in-place subschemas
    # evaluate counts, so a change in one of them does not act alone.
    reads_evaluation: bool = False
    unsupported: tuple[str, ...] = ()
    # Subschemas applying to a property, by name (semantics.property_nodes fills it: large
    # comparisons ask about the same names of the same subschemas many times).
    by_name: dict[str, tuple[Node, ...]] = field(default_factory=dict, repr=False)

    @property
    def is_true(self) -> bool:
        return self.boolean is True

    @property
    def is_false(self) -> bool:
        return self.boolean is False

    @property
    def has_applicators(self) -> bool:
        """True when the meaning depends on subschemas combined at this instance."""
        return bool(self.all_of or self.any_of is not None or self.one_of is not None
                    or self.not_ is not None or self.if_ is not None or self.ref is not None
                    or self.remote_ref is not None or self.unevaluated_properties is not None
                    or self.unevaluated_items is not None or self.unsupported)

    @property
    def opaque_to_polarity(self) -> bool:
        """True when a keyword here reads what its siblings evaluated (``unevaluated*``) or is
        not modelled: a walk that gives each subschema a polarity cannot see through it."""
        return bool(self.unsupported) or self.reads_evaluation

    def subschemas(self) -> Iterator[Node]:
        """Every direct subschema (for walks that must reach them all)."""
        yield from self.prefix_items
        for n in (self.items, self.contains, self.additional, self.property_names, self.not_,
                  self.if_, self.then, self.else_, self.ref, self.unevaluated_properties,
                  self.unevaluated_items):
            if n is not None:
                yield n
        yield from self.properties.values()
        yield from self.pattern_properties.values()
        yield from self.dependent_schemas.values()
        yield from self.all_of
        yield from self.any_of or ()
        yield from self.one_of or ()


def _retrieve_factory(root_dir: Path | None, source: str, default_draft: int) -> Any:
    from ._json import read_document
    from .drafts import with_default_draft

    def retrieve(uri: str) -> Resource[Any]:
        if uri.startswith("file://") and root_dir is not None:
            path = Path(uri[len("file://"):])
            try:
                path.resolve().relative_to(root_dir.resolve())
            except ValueError:
                raise referencing.exceptions.NoSuchResource(ref=uri) from None  # type: ignore[call-arg]
            # Another file (JSON or YAML) is read as the referring schema is: without
            # `$schema`, in the default draft.
            contents = with_default_draft(read_document(path), default_draft)
            return Resource.from_contents(
                contents, default_specification=_SPECS[detect_draft(contents, default_draft)])
        raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]

    return retrieve


def load_root(document: Any, source: str, *, path: Path | None = None,
              root_dir: Path | None = None, default_draft: int = DRAFT2020,
              siblings: dict[str, Any] | None = None, assert_formats: bool = True,
              catalog: Catalog | None = None, reading: str = "both") -> Node:
    """Wrap a schema document as the root Node, with a registry that resolves its ``$ref``s.

    ``siblings`` maps base URIs of other schema documents that may be referenced (files under
    the same schema root, registered by ``$id`` and by file URI); ``catalog`` holds local
    copies of documents referred to by URL (the document itself wins where both name a URI).
    """
    draft = detect_draft(document, default_draft)
    spec = _SPECS[draft]
    if path is not None:
        base = path.resolve().as_uri()
    else:
        base = f"urn:schema-compat:{abs(hash(source))}"
    if isinstance(document, dict):
        ident = document.get("id" if draft == DRAFT4 else "$id")
        if isinstance(ident, str) and not ident.startswith("#"):
            base = urljoin(base, ident)
    resource: Resource[Any] = spec.create_resource(document)
    # `retrieve` is an attrs alias that mypy's attrs support does not see.
    retrieve = _retrieve_factory(root_dir or (path.parent if path else None), source,
                                 default_draft)
    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    if catalog is not None:
        # Crawled once per run: only the way files beside this document are read differs.
        registry = registry.combine(catalog.registry())
    registry = registry.with_resource(base, resource)
    for uri, contents in (siblings or {}).items():
        sdraft = detect_draft(contents, default_draft)
        registry = registry.with_resource(
            uri, _SPECS[sdraft].create_resource(contents))
    ctx = SchemaContext(registry=registry, draft=draft, source=source, root_dir=root_dir,
                        document=document, assert_formats=assert_formats, catalog=catalog,
                        reading=reading)
    root = Node(document, registry.resolver(base), ctx, draft, "")
    ctx.root = root
    return root


def reachable(root: Node) -> list[Node]:
    """Every subschema validation can reach from the root, following ``$ref``s.

    Definitions nothing refers to are left out: validators never look at them, so a broken
    reference or pattern there does not make the schema unusable (real schemas have them).
    """
    seen: dict[Any, Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.key in seen:
            continue
        seen[node.key] = node
        stack.extend(reversed(list(node.view.subschemas())))  # view resolves $ref
    return list(seen.values())


def walk(root: Node) -> Iterator[Node]:
    """Every subschema written in ``root``'s document (definitions too), without following
    ``$ref``; parents before children."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        view = node.view
        children = [c for c in view.subschemas() if c is not view.ref]
        if isinstance(node.raw, dict):
            for kw in ("$defs", "definitions"):
                defs = node.raw.get(kw)
                if isinstance(defs, dict):
                    children.extend(node.child(v, kw, k) for k, v in defs.items()
                                    if isinstance(v, (dict, bool)))
        stack.extend(reversed(children))
