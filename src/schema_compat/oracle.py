"""The judge of every witness: does an instance validate under a (sub)schema?

python-jsonschema with ECMA-262 regular expressions (``regress``) for ``pattern`` and
``patternProperties``: Python's ``re`` would accept "abcd\\n" for ``^[0-9a-f]{4}$``.
Formats are asserted as the messages' validator (jsonschema-rs) reads them, or ignored, as the
schema's context says (formats.py); the engine reasons the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

import jsonschema
import jsonschema.validators
import jsonschema_rs
import referencing.exceptions
import regress
from jsonschema import ValidationError

from . import formats
from .schema import (
    DRAFT4,
    DRAFT6,
    DRAFT7,
    DRAFT2019,
    DRAFT2020,
    Node,
    declares,
    detect_draft,
    json_key,
    reachable,
    split_pointer,
)

_BASE = {
    DRAFT4: jsonschema.Draft4Validator,
    DRAFT6: jsonschema.Draft6Validator,
    DRAFT7: jsonschema.Draft7Validator,
    DRAFT2019: jsonschema.Draft201909Validator,
    DRAFT2020: jsonschema.Draft202012Validator,
}


@lru_cache(maxsize=4096)
def ecma_regex(pattern: str) -> regress.Regex:
    """Compile an ECMA-262 pattern (cached: schemas repeat their patterns)."""
    return regress.Regex(pattern)


def ecma_search(pattern: str, text: str) -> bool:
    """ECMA-262 search semantics, as JSON Schema's ``pattern`` means."""
    return ecma_regex(pattern).find(text) is not None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not ecma_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if ecma_search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, aP: Any, instance: Any,
                           schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    props = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in props
              and not any(ecma_search(p, k) for p in patterns)]
    if isinstance(aP, dict):
        for extra in extras:
            yield from validator.descend(instance[extra], aP, path=extra)
    elif not aP and extras:
        yield ValidationError(f"additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")


_ENUM_KEYS: dict[int, tuple[list[Any], frozenset[Any]]] = {}


def _enum(validator: Any, enums: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # jsonschema compares with every member in turn: a 900-value enum, checked thousands of
    # times, was a tenth of a comparison. Hashed keys with the same equality instead.
    if not isinstance(enums, list):
        yield from _BASE_ENUM(validator, enums, instance, schema)
        return
    entry = _ENUM_KEYS.get(id(enums))
    if entry is None or entry[0] is not enums:
        if len(_ENUM_KEYS) > 4096:
            _ENUM_KEYS.clear()
        entry = _ENUM_KEYS[id(enums)] = (enums, frozenset(json_key(e) for e in enums))
    if json_key(instance) not in entry[1]:
        yield ValidationError(f"{instance!r} is not one of {enums!r}")


_BASE_ENUM = jsonschema.Draft202012Validator.VALIDATORS["enum"]


def _format_checker(draft: int) -> Any:
    def check(validator: Any, fmt: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        # The reference for formats is the messages' own validator (formats.py).
        if isinstance(fmt, str) and isinstance(instance, str) and formats.asserted(draft, fmt) \
                and not formats.satisfies(draft, fmt, instance):
            yield ValidationError(f"{instance!r} is not a {fmt!r}")
    return check


def _ignore_format(validator: Any, fmt: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    return iter(())


def _validator_class(draft: int, assert_formats: bool) -> Any:
    base = _BASE[draft]
    return jsonschema.validators.extend(base, {  # type: ignore[no-untyped-call]
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "enum": _enum,
        "format": _format_checker(draft) if assert_formats else _ignore_format,
    })


_CLASSES = {(draft, asserting): _validator_class(draft, asserting)
            for draft in _BASE for asserting in (True, False)}


def validator_for(node: Node) -> Any:
    """A validator for ``node`` that resolves references as its document does, with formats
    read as the document's context says."""
    cls = _CLASSES[node.draft, node.ctx.assert_formats]
    return cls(node.raw, registry=node.ctx.registry, _resolver=node.resolver)


class Undecidable(Exception):
    """The oracle cannot judge: the schema leans on a reference it cannot resolve."""


_UNSET: Any = object()
_LATER: Any = object()  # not yet decided: ask python-jsonschema this time
_QUESTIONS_BEFORE_REGISTRY = 200


def is_valid(node: Node, instance: Any) -> bool:
    """Whether ``instance`` is valid under ``node``.

    Raises Undecidable when validation reaches a ``$ref`` that cannot be resolved (a remote
    one, never fetched): the caller's answer is then ``unknown``.
    """
    # Remembered on the node (nodes are long-lived: views keep them), saving the lookups.
    fast = node.__dict__.get("_fast_validator", _UNSET)
    if fast is _UNSET:
        fast = _document_validator(node) or _subschema_validator(node)
        if fast is not _LATER:
            node.__dict__["_fast_validator"] = fast
    if fast is not None and fast is not _LATER:
        try:
            return bool(fast.is_valid(instance))
        except (ValueError, OverflowError):  # e.g. integers beyond 64 bits
            pass
    try:
        return bool(validator_for(node).is_valid(instance))
    except referencing.exceptions.Unresolvable as exc:
        raise Undecidable(f"validation needs {exc}") from None


_RS_CLASSES = {DRAFT4: jsonschema_rs.Draft4Validator, DRAFT6: jsonschema_rs.Draft6Validator,
               DRAFT7: jsonschema_rs.Draft7Validator, DRAFT2019: jsonschema_rs.Draft201909Validator,
               DRAFT2020: jsonschema_rs.Draft202012Validator}


def _refuse(uri: str) -> Any:
    # Never fetch: a document with a remote or missing reference is judged the slow way,
    # where an unresolvable reference makes the answer unknown.
    raise ValueError(f"not fetched: {uri}")


def _document_validator(node: Node) -> Any:
    """jsonschema-rs for a whole self-contained document (witnesses are checked against whole
    messages again and again; it is two orders of magnitude faster than python-jsonschema and
    agrees with it on ECMA-262 patterns). None for subschemas and documents it cannot take."""
    if node.pointer != "" or node.raw is not node.ctx.document:
        return None
    cache = node.ctx.examples
    key = ("rs-validator", node.draft)
    if key not in cache:
        try:
            cache[key] = _RS_CLASSES[node.draft](
                node.raw, validate_formats=node.ctx.assert_formats, retriever=_refuse)
        except Exception:
            cache[key] = None
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


def _subschema_validator(node: Node) -> Any:
    """jsonschema-rs for a subschema that stands, unchanged, at its pointer in a self-contained
    document: a ``$ref`` to it through a registry holding the document (cheap to build, and
    compiled only as far as that subschema reaches). None for anything else: changed copies,
    synthetic subschemas, documents with embedded resources (``$id`` below the root)."""
    document = node.ctx.document
    if document is None or node.raw is document or not isinstance(node.raw, dict):
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
        if asked < _QUESTIONS_BEFORE_REGISTRY:
            return _LATER
    validator = None
    registry = _document_registry(node)
    if registry is not None and _at_pointer(document, node.pointer) is node.raw \
            and id(node.raw) in _local_only(node):
        uri, reg = registry
        try:
            validator = jsonschema_rs.validator_for(
                {"$schema": _META[node.draft],
                 "$ref": f"{uri}#{quote(node.pointer, safe=_FRAGMENT_SAFE)}"},
                registry=reg, validate_formats=node.ctx.assert_formats, retriever=_refuse)
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
                        retriever=_refuse))
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
                        and view.ref.resolver._base_uri != root.resolver._base_uri):
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


def first_error(node: Node, instance: Any) -> ValidationError | None:
    """The most relevant error, or None when ``instance`` is valid."""
    error: ValidationError | None = jsonschema.exceptions.best_match(
        validator_for(node).iter_errors(instance))
    return error


def all_errors(node: Node, instance: Any) -> list[ValidationError]:
    """Every error, nested ones (under anyOf/oneOf) included, deepest first."""
    out: list[ValidationError] = []
    stack = list(validator_for(node).iter_errors(instance))
    while stack:
        err = stack.pop()
        out.append(err)
        stack.extend(err.context or ())
    out.sort(key=lambda e: -len(e.absolute_schema_path))
    return out


def _matches(schema_path: str, near: str | None) -> bool:
    return bool(near) and (schema_path == near or schema_path.startswith(f"{near}/")
                           or f"{near}/".startswith(f"{schema_path}/"))


def explain(node: Node, instance: Any, near: str | None = None) -> tuple[str, str]:
    """Why ``node`` rejects ``instance``: (JSON pointer in the instance, message).

    ``near`` (a schema pointer) picks the complaint of that keyword over the first one: a
    witness is shown for one finding, and a major bump's new ``type`` constant would
    otherwise be the reason given for every one of them.
    """
    fast = _document_validator(node)
    if fast is not None:
        try:
            errors = list(fast.iter_errors(instance))
        except (ValueError, OverflowError):
            errors = None
        if errors is not None:
            if not errors:
                return "", ""
            chosen = next((e for e in errors if _matches(_join(e.schema_path), near)), errors[0])
            return _join(chosen.instance_path), str(chosen.message)
    try:
        error = first_error(node, instance)
    except referencing.exceptions.Unresolvable:
        return "", ""
    if near:
        for candidate in all_errors(node, instance):
            if _matches(_join(candidate.absolute_schema_path), near):
                error = candidate
                break
    if error is None:
        return "", ""
    return _join(error.absolute_path), error.message


def _join(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
