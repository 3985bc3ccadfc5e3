"""jsonschema-rs for whole documents and subschemas, asked only where it is known to agree
with the reference (two orders of magnitude faster than python-jsonschema)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

import jsonschema_rs

from ..schema import (
    DRAFT4,
    DRAFT6,
    DRAFT7,
    DRAFT2019,
    DRAFT2020,
    Node,
    base_uri,
    declares,
    detect_draft,
    reachable,
    split_pointer,
)
from .classes import draft_of
from .patterns import rs_exact

LATER: Any = object()  # not yet decided: ask python-jsonschema this time
QUESTIONS_BEFORE_REGISTRY = 200

class _Traits:
    """What decides whether jsonschema-rs may judge for a document."""

    def __init__(self, patterns: list[str], multiple_of: bool, embedded_schema: bool,
                 content: bool = False, unevaluated_properties: bool = False,
                 names_2019: bool = False) -> None:
        self.inexact_patterns = sorted({p for p in patterns if not rs_exact(p)})
        self.multiple_of = multiple_of
        self.embedded_schema = embedded_schema
        # contentMediaType/contentEncoding: annotations for the reference, which jsonschema-rs
        # asserts in drafts 6 and 7 ("" is not application/json there).
        self.content = content
        # python-jsonschema and jsonschema-rs read a 2019-09 unevaluatedProperties beside
        # subschemas differently (unevaluated.py): whether the keyword appears, and whether
        # a `$schema` names draft 2019-09 (conservative: anywhere, data included).
        self.unevaluated_properties = unevaluated_properties
        self.names_2019 = names_2019

    @property
    def rs_exact(self) -> bool:
        return not self.inexact_patterns and not self.embedded_schema and not self.content


def traits(node: Node) -> _Traits:
    """What the node's document holds that decides whether jsonschema-rs may judge for it,
    with every catalog document its references may lead to."""
    cache = node.ctx.examples
    found: _Traits | None = cache.get(("rs-traits",))
    if found is None:
        found = _document_traits(node.ctx.document)
        catalog = node.ctx.catalog
        for entry in _catalog_entries(node):
            assert catalog is not None
            more: _Traits | None = catalog._cache.get(("rs-traits", entry.uri))
            if more is None:
                more = catalog._cache[("rs-traits", entry.uri)] = _document_traits(entry.contents)
            found = _Traits([*found.inexact_patterns, *more.inexact_patterns],
                            found.multiple_of or more.multiple_of,
                            found.embedded_schema or more.embedded_schema,
                            found.content or more.content,
                            found.unevaluated_properties or more.unevaluated_properties,
                            found.names_2019 or more.names_2019)
        cache[("rs-traits",)] = found
    return found


def _document_traits(document: Any) -> _Traits:
    patterns: list[str] = []
    multiple_of = embedded_schema = content = unevaluated = names_2019 = False
    stack: list[Any] = [document]
    root = True
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            # Conservative: any "pattern" string counts, also one that is data (an enum
            # member), which at worst keeps jsonschema-rs from answering.
            if isinstance(value.get("pattern"), str):
                patterns.append(value["pattern"])
            if isinstance(value.get("patternProperties"), dict):
                patterns.extend(k for k in value["patternProperties"] if isinstance(k, str))
            multiple_of = multiple_of or "multipleOf" in value
            embedded_schema = embedded_schema or (not root and "$schema" in value)
            content = content or "contentMediaType" in value or "contentEncoding" in value
            unevaluated = unevaluated or "unevaluatedProperties" in value
            names_2019 = names_2019 or "2019-09" in str(value.get("$schema", ""))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        root = False
    return _Traits(patterns, multiple_of, embedded_schema, content, unevaluated, names_2019)


def _catalog_entries(node: Node) -> tuple[Any, ...]:
    """The catalog documents the node's document may lead to (none without a catalog)."""
    catalog = node.ctx.catalog
    if catalog is None or node.ctx.root is None:
        return ()
    cache = node.ctx.examples
    found: tuple[Any, ...] | None = cache.get(("catalog-entries",))
    if found is None:
        root = node.ctx.root
        found = cache[("catalog-entries",)] = catalog.reachable(
            node.ctx.document, base_uri(root.resolver), root.draft)
    return found


def _catalog_registry(node: Node) -> Any:
    """jsonschema-rs's registry of the catalog documents the node's document may reach
    (None: it reaches none, or there is no catalog)."""
    entries = _catalog_entries(node)
    if not entries:
        return None
    assert node.ctx.catalog is not None
    return node.ctx.catalog.rs_registry(entries, refuse_retrieval)


_RS_CLASSES = {DRAFT4: jsonschema_rs.Draft4Validator, DRAFT6: jsonschema_rs.Draft6Validator,
               DRAFT7: jsonschema_rs.Draft7Validator, DRAFT2019: jsonschema_rs.Draft201909Validator,
               DRAFT2020: jsonschema_rs.Draft202012Validator}


def refuse_retrieval(uri: str) -> Any:
    # Never fetch: a document with a remote or missing reference is judged the slow way,
    # where an unresolvable reference makes the answer unknown.
    raise ValueError(f"not fetched: {uri}")


def document_validator(node: Node, *, exact_only: bool = True) -> Any:
    """jsonschema-rs for a whole self-contained document (witnesses are checked against whole
    messages again and again; it is two orders of magnitude faster than python-jsonschema).
    None for subschemas, documents it cannot take, and (``exact_only``) documents with a
    pattern it does not read as ECMA-262 does."""
    if node.pointer != "" or node.raw is not node.ctx.document:
        return None
    if exact_only and not traits(node).rs_exact:
        return None
    cache = node.ctx.examples
    key = ("rs-validator", node.draft)
    if key not in cache:
        try:
            cache[key] = _RS_CLASSES[draft_of(node)](
                node.raw, validate_formats=node.ctx.assert_formats, retriever=refuse_retrieval,
                registry=_catalog_registry(node))
        except Exception as exc:
            cache[key] = None
            cache[("rs-refusal", node.draft)] = str(exc).splitlines()[0] if str(exc) else \
                type(exc).__name__
    return cache[key]


_RS_DRAFTS = {DRAFT4: jsonschema_rs.Draft4, DRAFT6: jsonschema_rs.Draft6,
              DRAFT7: jsonschema_rs.Draft7, DRAFT2019: jsonschema_rs.Draft201909,
              DRAFT2020: jsonschema_rs.Draft202012}
_META = {DRAFT4: "http://json-schema.org/draft-04/schema#",
         DRAFT6: "http://json-schema.org/draft-06/schema#",
         DRAFT7: "http://json-schema.org/draft-07/schema#",
         DRAFT2019: "https://json-schema.org/draft/2019-09/schema",
         DRAFT2020: "https://json-schema.org/draft/2020-12/schema"}
_FRAGMENT_SAFE = "/~!$&'()*+,;=:@"


def subschema_validator(node: Node, *, exact_only: bool = True) -> Any:
    """jsonschema-rs for a subschema that stands, unchanged, at its pointer in a self-contained
    document: a ``$ref`` to it through a registry holding the document (cheap to build, and
    compiled only as far as that subschema reaches). None for anything else: changed copies,
    synthetic subschemas, documents with embedded resources (``$id`` below the root), and
    (``exact_only``) documents with a pattern jsonschema-rs does not read as ECMA-262 does."""
    document = node.ctx.document
    if document is None or node.raw is document or not isinstance(node.raw, dict):
        return None
    if exact_only and not traits(node).rs_exact:
        return None
    cache = node.ctx.examples
    key = ("rs-sub", id(node.raw), node.pointer, node.draft)
    hit = cache.get(key)
    if hit is not None:
        return hit[1] if hit[0] is node.raw else None
    if ("rs-registry", node.draft) not in cache:
        # The registry costs a few walks of the document: worth it for the thousands of
        # questions a hard comparison asks, not for the few dozen of an easy one.
        asked = cache.get("rs-asked", 0) + 1
        cache["rs-asked"] = asked
        if asked < QUESTIONS_BEFORE_REGISTRY:
            return LATER
    validator = None
    registry = _document_registry(node)
    if registry is not None and _at_pointer(document, node.pointer) is node.raw \
            and id(node.raw) in _local_only(node):
        uri, reg = registry
        try:
            validator = jsonschema_rs.validator_for(
                {"$schema": _META[node.draft],
                 "$ref": f"{uri}#{quote(node.pointer, safe=_FRAGMENT_SAFE)}"},
                registry=reg, validate_formats=node.ctx.assert_formats, retriever=refuse_retrieval)
        except Exception:
            validator = None
    cache[key] = (node.raw, validator)
    return validator


def _document_registry(node: Node) -> tuple[str, Any] | None:
    cache = node.ctx.examples
    key = ("rs-registry", node.draft)
    if key not in cache:
        document = node.ctx.document
        cache[key] = None
        if isinstance(document, dict) and detect_draft(document) == node.draft \
                and not _embedded_ids(document):
            ident = document.get("id" if node.draft == DRAFT4 else "$id")
            uri = ident.split("#")[0] if isinstance(ident, str) and ident.split("#")[0] \
                else "urn:schema-compat:document"
            stand_ins = _remote_stand_ins(document, uri)
            if stand_ins is not None:
                try:
                    cache[key] = (uri, jsonschema_rs.Registry(
                        [(uri, document), *stand_ins.items()], draft=_RS_DRAFTS[node.draft],
                        retriever=refuse_retrieval))
                except Exception:
                    cache[key] = None
    result: tuple[str, Any] | None = cache[key]
    return result


def _remote_stand_ins(document: dict[str, Any], uri: str) -> dict[str, Any] | None:
    """Empty documents standing in for the remote ones the document refers to (never
    fetched), with every pointer it uses present, so a registry can be built; subschemas that
    reach one are never judged through it (see _local_only). None for a reference by anchor."""
    stand_ins: dict[str, Any] = {}
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):  # "#..." stays in the document
                target, fragment = urldefrag(urljoin(uri, ref))
                if target.startswith(("http://", "https://")) and target != uri:
                    here = stand_ins.setdefault(target, {})
                    if fragment and not fragment.startswith("/"):
                        return None
                    for part in fragment.split("/")[1:]:
                        part = unquote(part).replace("~1", "/").replace("~0", "~")
                        here = here.setdefault(part, {})
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return stand_ins


def _local_only(node: Node) -> frozenset[int]:
    """Subschemas of the node's document (by id) whose validation reaches no remote
    ``$ref`` and no other file: only those are judged by jsonschema-rs, whose registry holds
    this document and stand-ins for the remote ones."""
    cache = node.ctx.examples
    key = ("rs-local-only", node.draft)
    found: frozenset[int] | None = cache.get(key)
    if found is None:
        root = node.ctx.root
        found = frozenset()
        if root is not None:
            parents: dict[int, list[int]] = {}
            seen: set[int] = set()
            remote: list[int] = []
            for here in reachable(root):
                seen.add(id(here.raw))
                view = here.view
                if view.remote_ref is not None or view.unsupported or (
                        view.ref is not None
                        and base_uri(view.ref.resolver) != base_uri(root.resolver)):
                    # Remote, not modelled, or another file: not in the registry as it is.
                    remote.append(id(here.raw))
                for child in view.subschemas():
                    parents.setdefault(id(child.raw), []).append(id(here.raw))
            tainted: set[int] = set()
            while remote:
                ident = remote.pop()
                if ident not in tainted:
                    tainted.add(ident)
                    remote.extend(parents.get(ident, ()))
            found = frozenset(seen - tainted)
        cache[key] = found
    return found


def _embedded_ids(document: dict[str, Any]) -> bool:
    """Does any subschema below the root declare its own ``$id``/``id``?"""
    return declares([v for k, v in document.items() if k not in ("$id", "id")],
                    frozenset({"$id", "id"}))


def _at_pointer(document: Any, pointer: str) -> Any:
    try:
        parts = split_pointer(pointer)
    except ValueError:
        return None  # a node reached by anchor ("<...>"), not by a pointer
    value = document
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
