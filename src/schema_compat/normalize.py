"""Load-time checks: a schema document made ready for the engine, or refused in one line.

``prepare(doc)`` is the normalize stage for one document: its metaschema (without fetching
anything), the ECMA-262 patterns and ``$ref``s validation can reach, ``$ref`` loops with no
instance step in between, and the patterns that can hang backtracking validators.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonschema
import jsonschema_rs

from . import oracle
from .errors import SchemaError
from .formats import ASSERT, DEFAULT_FORMAT_MODE
from .loading import SchemaDocument
from .redos import catastrophic_backtracking
from .schema import (
    DRAFT_NAMES,
    Node,
    detect_draft,
    load_root,
    reachable,
)

if TYPE_CHECKING:
    from .catalog import Catalog

_VALIDATORS = {
    4: jsonschema.Draft4Validator, 6: jsonschema.Draft6Validator, 7: jsonschema.Draft7Validator,
    2019: jsonschema.Draft201909Validator, 2020: jsonschema.Draft202012Validator,
}


def prepare(doc: SchemaDocument, *, siblings: dict[str, Any] | None = None,
            formats: str = DEFAULT_FORMAT_MODE, catalog: Catalog | None = None,
            reading: str = "both") -> Node:
    """Load a schema document and refuse it, with one clear line, when it is not usable
    (``catalog``: local copies of the documents it refers to by URL;
    ``reading``: see ``SchemaContext``)."""
    draft = detect_draft(doc.document)
    check_metaschema(doc, draft)
    root = load_root(doc.document, doc.source, path=doc.path,
                     root_dir=doc.path.parent if doc.path else None, siblings=siblings,
                     default_draft=doc.default_draft, assert_formats=formats == ASSERT,
                     catalog=catalog, reading=reading)
    _check_subschemas(root)
    return root


def check_metaschema(doc: SchemaDocument, draft: int) -> None:
    # jsonschema-rs answers in milliseconds where python-jsonschema takes seconds on a large
    # 2020-12 schema ($dynamicRef in the metaschema); python-jsonschema then explains a
    # rejection, and has the last word, so the two must agree before a schema is refused.
    # Without a registry of its own, jsonschema-rs fetches a metaschema it does not know over
    # the network: the registry given here refuses every retrieval (the five drafts'
    # metaschemas are built in, and loading refuses any other `$schema`).
    offline = jsonschema_rs.Registry([], retriever=oracle.refuse_retrieval)
    try:
        if jsonschema_rs.meta.is_valid(doc.document, registry=offline):
            return
    except (jsonschema_rs.ReferencingError, ValueError):
        pass  # a metaschema it cannot have: judged below by the draft the schema names
    cls = _VALIDATORS[draft]
    # No format checker: its "regex" check uses Python's re, which rejects valid ECMA-262
    # patterns such as named groups; patterns are checked below with an ECMA engine. The
    # registry holds the drafts' metaschemas and retrieves nothing (python-jsonschema's
    # default one would fetch an unknown reference over the network).
    from jsonschema_specifications import REGISTRY as metaschemas

    validator = cls(cls.META_SCHEMA, registry=metaschemas)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc.document))
    except RecursionError:
        raise SchemaError(f"{doc.source}: schema nested too deeply") from None
    if error is not None:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        raise SchemaError(
            f"{doc.source}: not a valid {DRAFT_NAMES[draft]} schema at {where}: "
            f"{shorten(error.message)}")


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_subschemas(root: Node) -> None:
    """Reachable patterns compile as ECMA-262; reachable ``$ref``s resolve; no ``$ref`` loop
    without an instance step in between (it would never finish validating)."""
    same_instance: dict[Any, list[Node]] = {}
    nodes: dict[Any, Node] = {}
    reached = reachable(root)
    root.ctx.examples[_REACHED] = (
        frozenset(id(n.raw) for n in reached),
        any(n.view.ref is not None and isinstance(n.view.ref.raw, bool) for n in reached))
    for node in reached:
        view = node.view
        nodes[node.key] = node
        for pattern in (*view.patterns, *view.pattern_properties):
            try:
                oracle.ecma_regex(pattern)
            except Exception as exc:
                raise SchemaError(
                    f"{root.ctx.source}: pattern {pattern!r} at {node.pointer or '/'} is not a "
                    f"valid ECMA-262 regular expression ({shorten(str(exc), 80)})") from None
            if catastrophic_backtracking(pattern):
                root.ctx.hazards[pattern] = node.pointer or "/"
        targets = [*view.all_of, *(view.any_of or ()), *(view.one_of or ()),
                   *(n for n in (view.ref, view.not_, view.if_, view.then, view.else_)
                     if n is not None)]
        same_instance[node.key] = targets
    _refuse_ref_cycles(root, same_instance, nodes)


def _refuse_ref_cycles(root: Node, edges: dict[Any, list[Node]], nodes: dict[Any, Node]) -> None:
    state: dict[Any, int] = {}

    def visit(node: Node, depth: int) -> None:
        key = node.key
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise SchemaError(
                f"{root.ctx.source}: $ref cycle with no base case at {node.pointer or '/'} "
                "(a schema that refers to itself without descending into the instance)")
        if depth > 500:
            raise SchemaError(f"{root.ctx.source}: $ref chain too long at {node.pointer}")
        state[key] = 1
        targets = edges.get(key)
        if targets is None:
            v = node.view
            targets = [*v.all_of, *(v.any_of or ()), *(v.one_of or ()),
                       *(n for n in (v.ref, v.not_, v.if_, v.then, v.else_) if n is not None)]
        for t in targets:
            visit(t, depth + 1)
        state[key] = 2

    for node in list(nodes.values()):
        visit(node, 0)


def hazard_notes(root: Node, previous: Node | None = None) -> list[str]:
    """Patterns that can make backtracking validators hang (new ones only, given ``previous``)."""
    known = previous.ctx.hazards if previous is not None else {}
    return [f"pattern {pattern!r} at {where} can backtrack catastrophically in consumers' "
            "regex engines (Python re, JavaScript): one crafted message can hang them"
            for pattern, where in sorted(root.ctx.hazards.items()) if pattern not in known]


# The ids of every subschema validation reaches in a prepared document, and whether a $ref
# resolves to a boolean (booleans have no identity of their own to find them by).
_REACHED = ("reached",)


def reached(root: Node) -> tuple[frozenset[int], bool] | None:
    """The ids of every subschema validation reaches in a prepared document, and whether a
    ``$ref`` resolves to a boolean (booleans have no identity of their own to find them
    by); None for a root that was not prepared."""
    found: tuple[frozenset[int], bool] | None = root.ctx.examples.get(_REACHED)
    return found
