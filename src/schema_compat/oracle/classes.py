"""The reference validator classes: python-jsonschema with ECMA-262 patterns, exact
``multipleOf``, formats read as the document's context says, and every subschema under the
draft of the resource it belongs to."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import FunctionType
from typing import Any

import jsonschema
import jsonschema.validators
import referencing.exceptions
import referencing.jsonschema
from jsonschema import ValidationError

from .. import formats
from ..schema import (
    DRAFT4,
    DRAFT6,
    DRAFT7,
    DRAFT2019,
    DRAFT2020,
    Node,
    base_uri,
    detect_draft,
    json_key,
    resolver_registry,
    to_fraction,
)
from .patterns import ecma_search

# --------------------------------------------------------------------------- keywords


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
_FLOAT_MULTIPLE_OF = jsonschema.Draft202012Validator.VALIDATORS["multipleOf"]


def _format_checker(draft: int) -> Any:
    def check(validator: Any, fmt: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        # The reference for formats is the messages' own validator (formats.py).
        if isinstance(fmt, str) and isinstance(instance, str) and formats.asserted(draft, fmt) \
                and not formats.satisfies(draft, fmt, instance):
            yield ValidationError(f"{instance!r} is not a {fmt!r}")
    return check


def _ignore_format(validator: Any, fmt: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    return iter(())


def _multiple_of(validator: Any, dB: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # Exact, on the decimals written: 5.01 is 501 × 0.01, though 5.01 / 0.01 in floats is not
    # an integer. The engine reads numbers the same way.
    if not validator.is_type(instance, "number"):
        return
    step, value = to_fraction(dB), to_fraction(instance)
    if step is None or value is None or step <= 0:
        yield from _FLOAT_MULTIPLE_OF(validator, dB, instance, schema)
    elif value % step:
        yield ValidationError(f"{instance!r} is not a multiple of {dB!r}")


class _EcmaRe:
    """Stands in for the ``re`` module inside python-jsonschema's helpers for
    ``unevaluatedProperties``, which test ``patternProperties`` with ``re.search``."""

    @staticmethod
    def search(pattern: str, string: str) -> bool:
        return ecma_search(pattern, string)


def _with_ecma_re(module_name: str, finder: str, keyword: str) -> Callable[..., Any]:
    """``keyword`` of ``module_name`` (a python-jsonschema keyword function) calling a copy of
    its ``finder`` helper that matches patterns as ECMA-262, not with Python's ``re``."""
    module = importlib.import_module(module_name)
    helpers = dict(vars(importlib.import_module(module.__dict__[finder].__module__)))
    helpers["re"] = _EcmaRe
    original = module.__dict__[finder]
    copy = FunctionType(original.__code__, helpers, original.__name__, original.__defaults__,
                        original.__closure__)
    helpers[finder] = copy  # its recursion calls the copy
    function = module.__dict__[keyword]
    scope = dict(vars(module))
    scope[finder] = copy
    return FunctionType(function.__code__, scope, function.__name__, function.__defaults__,
                        function.__closure__)


_FINDER = "find_evaluated_property_keys_by_schema"
_UNEVALUATED_PROPERTIES = {
    DRAFT2019: _with_ecma_re("jsonschema._legacy_keywords", _FINDER,
                             "unevaluatedProperties_draft2019"),
    DRAFT2020: _with_ecma_re("jsonschema._keywords", _FINDER, "unevaluatedProperties"),
}


# --------------------------------------------------------------------------- validator classes

BASE_VALIDATORS = {
    DRAFT4: jsonschema.Draft4Validator,
    DRAFT6: jsonschema.Draft6Validator,
    DRAFT7: jsonschema.Draft7Validator,
    DRAFT2019: jsonschema.Draft201909Validator,
    DRAFT2020: jsonschema.Draft202012Validator,
}
_SPEC_DRAFTS = {
    referencing.jsonschema.DRAFT4: DRAFT4,
    referencing.jsonschema.DRAFT6: DRAFT6,
    referencing.jsonschema.DRAFT7: DRAFT7,
    referencing.jsonschema.DRAFT201909: DRAFT2019,
    referencing.jsonschema.DRAFT202012: DRAFT2020,
}

REFERENCE = "reference"
FLOAT_MULTIPLE_OF = "float-multipleOf"  # python-jsonschema's own multipleOf, for comparison
# The reference, but applying ``dependencies`` after draft-07 as jsonschema-rs does: its
# answer where jsonschema-rs cannot take a value and the question is asked as it reads.
RS_DEPENDENCIES = "rs-dependencies"


def _declared_draft(schema: Any) -> int | None:
    """The draft an embedded resource (a subschema with its own ``$id``) names in
    ``$schema``: None for none, or one we do not know. ``$schema`` elsewhere is ignored, as
    jsonschema-rs does (the drafts allow it only at the root of a resource)."""
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        ident = schema.get("$id", schema.get("id"))
        if isinstance(ident, str) and not ident.startswith("#"):
            return detect_draft(schema, 0) or None
    return None


_CRAWLED: dict[int, tuple[Any, Any]] = {}


def _resource_draft(resolver: Any) -> int | None:
    """The draft of the resource ``resolver`` stands in (by its specification in the
    registry, which honours ``$schema`` of embedded and retrieved resources)."""
    registry, uri = resolver_registry(resolver), base_uri(resolver)
    try:
        resource = registry[uri]
    except referencing.exceptions.NoSuchResource:
        entry = _CRAWLED.get(id(registry))
        if entry is None or entry[0] is not registry:
            if len(_CRAWLED) > 256:
                _CRAWLED.clear()
            try:
                crawled = registry.crawl()
            except Exception:  # a malformed embedded resource: no answer from the registry
                crawled = registry
            entry = _CRAWLED[id(registry)] = (registry, crawled)
        try:
            resource = entry[1][uri]
        except referencing.exceptions.NoSuchResource:
            return None
    return _SPEC_DRAFTS.get(resource._specification)


def _evolve(self: Any, **changes: Any) -> Any:
    # python-jsonschema's evolve picks the stock class of a `$schema` it meets (Python's `re`
    # again) and keeps the referrer's draft across a `$ref` into a resource of another draft.
    # Here: this family's class of the subschema's own draft, by `$schema` or by resource.
    cls = type(self)
    schema = changes.setdefault("schema", self.schema)
    draft = _declared_draft(schema)
    if draft is None:
        resolver = changes.get("_resolver")
        if resolver is not None and resolver is not self._resolver:
            draft = _resource_draft(resolver)
    if draft is not None and draft != cls.ORACLE_DRAFT:
        cls = _CLASSES[cls.ORACLE_FAMILY, draft, cls.ORACLE_FORMATS]
    for field in cls.__attrs_attrs__:
        if field.init and field.alias not in changes:
            changes[field.alias] = getattr(self, field.name)
    return cls(**changes)


def _descend(self: Any, instance: Any, schema: Any, path: Any = None, schema_path: Any = None,
             resolver: Any = None) -> Iterator[ValidationError]:
    # python-jsonschema's descend, except that the keywords applied to the subschema are
    # chosen by its own draft (a draft-7 `$ref` hides its siblings even when reached from a
    # 2020-12 document), not by the draft of the validator descending.
    if schema is True:
        return
    if schema is False:
        yield ValidationError(f"False schema does not allow {instance!r}",
                              validator=None,  # type: ignore[arg-type]  # as jsonschema does
                              validator_value=None, instance=instance, schema=schema)
        return
    if resolver is None:
        resolver = self._resolver.in_subresource(self.ORACLE_SPEC.create_resource(schema))
    evolved = self.evolve(schema=schema, _resolver=resolver)
    for k, v in type(evolved)._APPLICABLE_VALIDATORS(schema):
        keyword = evolved.VALIDATORS.get(k)
        if keyword is None:
            continue
        for error in keyword(evolved, v, instance, schema) or ():
            error._set(validator=k, validator_value=v, instance=instance, schema=schema,
                       type_checker=evolved.TYPE_CHECKER)
            if k not in {"if", "$ref"}:
                error.schema_path.appendleft(k)
            if path is not None:
                error.path.appendleft(path)
            if schema_path is not None:
                error.schema_path.appendleft(schema_path)
            yield error


def _validator_class(draft: int, family: str, assert_formats: bool) -> Any:
    keywords: dict[str, Any] = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "enum": _enum,
        "format": _format_checker(draft) if assert_formats else _ignore_format,
    }
    if draft in _UNEVALUATED_PROPERTIES:
        keywords["unevaluatedProperties"] = _UNEVALUATED_PROPERTIES[draft]
    if family in (REFERENCE, RS_DEPENDENCIES):
        keywords["multipleOf"] = _multiple_of
    if family == RS_DEPENDENCIES and draft in (DRAFT2019, DRAFT2020):
        keywords["dependencies"] = jsonschema.Draft7Validator.VALIDATORS["dependencies"]
    cls = jsonschema.validators.extend(BASE_VALIDATORS[draft], keywords)  # type: ignore[no-untyped-call]
    cls.evolve = _evolve
    cls.descend = _descend
    cls.ORACLE_DRAFT = draft
    cls.ORACLE_FAMILY = family
    cls.ORACLE_FORMATS = assert_formats
    cls.ORACLE_SPEC = _SPECS_OF[draft]
    return cls


_SPECS_OF = {draft: spec for spec, draft in _SPEC_DRAFTS.items()}
_CLASSES = {(family, draft, asserting): _validator_class(draft, family, asserting)
            for family in (REFERENCE, FLOAT_MULTIPLE_OF, RS_DEPENDENCIES)
            for draft in BASE_VALIDATORS
            for asserting in (True, False)}


def draft_of(node: Node) -> int:
    """The draft ``node`` is judged under: its own ``$schema``, else its resource's, else the
    one the engine gave it."""
    declared = _declared_draft(node.raw)
    if declared is not None:
        return declared
    found = _resource_draft(node.resolver)
    return node.draft if found is None else found


def validator_for(node: Node, family: str = REFERENCE) -> Any:
    """A validator for ``node`` that resolves references as its document does, with formats
    read as the document's context says."""
    cls = _CLASSES[family, draft_of(node), node.ctx.assert_formats]
    return cls(node.raw, registry=node.ctx.registry, _resolver=node.resolver)
