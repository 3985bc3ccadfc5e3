"""The judge of every witness: does an instance validate under a (sub)schema?

The reference is python-jsonschema with these readings, each where a stock validator is not
exact (``docs/conformance.md``, "Which validator is the reference"):

- ``pattern``, ``patternProperties`` (also where ``additionalProperties`` and
  ``unevaluatedProperties`` consult them): ECMA-262 through ``regress``, as JSON Schema
  means; Python's ``re`` would accept "abcd\\n" for ``^[0-9a-f]{4}$``. Strings are
  sequences of code points; a lone surrogate (JSON text may carry "\\ud800") is one of them,
  judged by the engine's automaton, since ``regress`` takes only UTF-8.
- ``multipleOf``: exact, reading a float as the decimal it was written as (``5.01`` is a
  multiple of ``0.01``), as the engine does.
- Every subschema under the draft of the resource it belongs to: ``$schema`` of an embedded
  resource, or of another file a ``$ref`` leads to, switches the draft (never to a stock
  class, which would bring Python's ``re`` back).

jsonschema-rs answers for whole documents and subschemas two orders of magnitude faster; it
is asked only where it is known to agree with the reference: every pattern of the document
in the subset where its regex engine reads ECMA-262 alike (no ``\\b``, ``\\p{..}``, ``\\A``,
backreference ...) and no ``multipleOf`` question on a float or a large integer.
- ``format``: asserted as the messages' validator (jsonschema-rs) reads it, or ignored, as
  the schema's context says (``formats.py``); the engine reasons the same way.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from types import FunctionType
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

import jsonschema
import jsonschema.validators
import jsonschema_rs
import orjson
import referencing.exceptions
import referencing.jsonschema
import regress
from jsonschema import ValidationError

from . import formats
from .regex.language import (
    compile_pattern,
)
from .regex.syntax import (
    BRACE_QUANTIFIER,
    MAX_NESTING,
    SPACED_QUANTIFIER,
    Chars,
    CharSet,
    InvalidPattern,
    Parser,
    PatternNode,
    PatternSyntaxError,
    PatternTooLarge,
    Seq,
    UnsupportedPattern,
)
from .schema import (
    DRAFT4,
    DRAFT6,
    DRAFT7,
    DRAFT2019,
    DRAFT2020,
    Node,
    base_uri,
    declares,
    detect_draft,
    json_key,
    reachable,
    resolver_registry,
    split_pointer,
    to_fraction,
)


class Undecidable(Exception):
    """The oracle cannot judge: the schema leans on a reference it cannot resolve, is not a
    valid schema of its draft, or asks what no exact engine here can answer."""


# --------------------------------------------------------------------------- patterns

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_string(text: str) -> str:
    """``text`` as JSON would deliver it: a high surrogate followed by a low one is one code
    point (``json.dumps`` writes them as two escapes, which every reader joins)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _escape_surrogates(pattern: str) -> str:
    """The pattern with each lone surrogate (raw, or after a backslash) as ``\\u{XXXX}``,
    which names the same code point everywhere in a pattern and which ``regress``, taking
    only UTF-8, can read."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            ch = pattern[i + 1]
            out.append(f"\\u{{{ord(ch):04X}}}" if _SURROGATE.match(ch) else "\\" + ch)
            i += 2
            continue
        out.append(f"\\u{{{ord(ch):04X}}}" if _SURROGATE.match(ch) else ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def ecma_regex(pattern: str) -> regress.Regex:
    """Compile an ECMA-262 pattern (cached: schemas repeat their patterns). Raises
    ``regress.RegressError`` when it is not valid ECMA-262."""
    try:
        return regress.Regex(pattern)
    except UnicodeEncodeError:
        return regress.Regex(_escape_surrogates(json_string(pattern)))


class _FeatureParser(Parser):
    """The engine's ECMA-262 parser (``regex.py``), reading also what the engine refuses to
    reason about, and noting which of those constructs the pattern uses."""

    def __init__(self, src: str) -> None:
        super().__init__(src)
        self.features: set[str] = set()
        self.folding = 0  # case-insensitive groups open here

    def _code_point(self, cp: int) -> int:
        if self.folding and cp > 0x7F:
            self.features.add("case-insensitive-non-ascii")
        return cp

    def term(self) -> PatternNode:
        if self.peek() == "\\" and self.peek(1) in ("b", "B"):
            self.features.add("word-boundary")
            self.pos += 2
            return Seq(())
        return super().term()

    def group(self) -> PatternNode:
        if self.peek(1) != "?":
            return super().group()
        rest = self.src[self.pos + 2:]
        look = re.match(r"(?:=|!|<=|<!)", rest)
        flags = re.match(r"([ims]*)(?:-([ims]*))?:", rest)
        if look is None and (flags is None or flags.group(0) == ":"):
            return super().group()  # (?: and named groups
        if look is not None:
            self.features.add("lookaround")
            self.pos += 2 + look.end()
        folding = flags is not None and look is None and "i" in flags.group(1)
        if look is None:
            assert flags is not None
            self.features.add("modifier")
            if folding:
                self.features.add("case-insensitive")
            self.pos += 2 + flags.end()
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise PatternTooLarge(f"too large: groups nested more than {MAX_NESTING} deep")
        self.folding += folding
        node = self.disjunction()
        self.folding -= folding
        if self.peek() != ")":
            self.error("missing ')'")
        self.pos += 1
        self.depth -= 1
        return Seq(()) if look is not None else node

    def atom(self) -> PatternNode:
        if self.peek():
            self._code_point(ord(self.peek()))  # a literal (every special character is ASCII)
        if self.peek() == "{" and SPACED_QUANTIFIER.match(self.src, self.pos) \
                and not BRACE_QUANTIFIER.match(self.src, self.pos):
            self.features.add("spaced-brace")
            self.pos += 1
            return Chars(((0x7B, 0x7B),))
        return super().atom()

    def atom_escape(self) -> PatternNode:
        ch = self.peek(1)
        if ch != "" and ch in "123456789":
            end = self.pos + 1
            while self.src[end:end + 1].isdigit() and self.src[end].isascii():
                end += 1
            if int(self.src[self.pos + 1:end]) <= self.ncaps:
                self.features.add("backreference")
                self.pos = end
                return Seq(())
        if ch == "k" and self.named:
            self.features.add("backreference")
            close = self.src.find(">", self.pos)
            if close < 0:
                self.error("unterminated group name")
            self.pos = close + 1
            return Seq(())
        return super().atom_escape()

    def class_atom(self) -> int | CharSet:
        if self.peek():
            self._code_point(ord(self.peek()))
        return super().class_atom()

    def char_escape(self, *, in_class: bool) -> int:
        start = self.pos
        try:
            return self._code_point(super().char_escape(in_class=in_class))
        except PatternTooLarge:
            raise
        except UnsupportedPattern:
            letter = self.src[start]
            if letter == "u" and self.peek(1) == "{":  # \u{...} beyond U+10FFFF
                raise
            self.features.add("property-escape" if letter in ("p", "P") else "letter-escape")
            self.pos = start + 1
            return ord(letter)


@lru_cache(maxsize=4096)
def pattern_features(pattern: str) -> frozenset[str] | None:
    """The constructs of ``pattern`` that engines read differently (``word-boundary``,
    ``lookaround``, ``backreference``, ``modifier``, ``case-insensitive``,
    ``case-insensitive-non-ascii`` (a character beyond ASCII in such a group),
    ``property-escape``, ``letter-escape``, ``spaced-brace``), found by parsing it; None when
    it cannot be parsed (over the nesting limit, or not ECMA-262)."""
    try:
        ecma_regex(pattern)
        parser = _FeatureParser(_escape_surrogates(json_string(pattern)))
        parser.parse()
    except (regress.RegressError, UnsupportedPattern, PatternSyntaxError, RecursionError):
        return None
    return frozenset(parser.features)


# What jsonschema-rs reads as ECMA-262 does (the probe table in tests/test_oracle_probes.py):
# the engine's regular subset, and lookarounds around it.
_RS_EXACT_FEATURES = frozenset({"lookaround"})


def rs_exact(pattern: str) -> bool:
    """Whether jsonschema-rs matches ``pattern`` as ECMA-262 does, or refuses it."""
    features = pattern_features(pattern)
    return features is not None and features <= _RS_EXACT_FEATURES


def ecma_search(pattern: str, text: str) -> bool:
    """ECMA-262 search semantics, as JSON Schema's ``pattern`` means, over code points.

    Raises Undecidable where no exact engine is at hand: a lone surrogate in ``text`` under a
    pattern outside the engine's regular subset, and a case-insensitive group where a
    character beyond ASCII takes part, in the group or in ``text`` (``regress`` folds ``ſ``
    to ``s`` and ``ı`` to ``i``; ECMA-262 without the ``u`` flag does not).
    """
    ascii_text = text.isascii()
    if not ascii_text and _SURROGATE.search(text) is not None:
        text = json_string(text)
        if _SURROGATE.search(text) is not None:
            return _search_code_points(pattern, text)
    features = pattern_features(pattern)
    if features is None:
        if not ascii_text:
            raise Undecidable(f"pattern {pattern!r} is too deep to tell whether it folds case")
    elif "case-insensitive" in features and (
            not ascii_text or "case-insensitive-non-ascii" in features):
        raise Undecidable(f"pattern {pattern!r} folds case, which regress does unlike "
                          "ECMA-262 for some letters beyond ASCII")
    return ecma_regex(pattern).find(text) is not None


def _search_code_points(pattern: str, text: str) -> bool:
    """A search on a string holding a lone surrogate, which regress (UTF-8 only) cannot take:
    by the engine's automaton, exact over code points, where it reads the pattern."""
    try:
        language = compile_pattern(_escape_surrogates(json_string(pattern)))
    except (UnsupportedPattern, InvalidPattern) as exc:
        raise Undecidable(f"pattern {pattern!r} on a string with a lone surrogate: "
                          f"{exc}") from None
    return language.matches(text)


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

_BASE = {
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
    if family == REFERENCE:
        keywords["multipleOf"] = _multiple_of
    cls = jsonschema.validators.extend(_BASE[draft], keywords)  # type: ignore[no-untyped-call]
    cls.evolve = _evolve
    cls.descend = _descend
    cls.ORACLE_DRAFT = draft
    cls.ORACLE_FAMILY = family
    cls.ORACLE_FORMATS = assert_formats
    cls.ORACLE_SPEC = _SPECS_OF[draft]
    return cls


_SPECS_OF = {draft: spec for spec, draft in _SPEC_DRAFTS.items()}
_CLASSES = {(family, draft, asserting): _validator_class(draft, family, asserting)
            for family in (REFERENCE, FLOAT_MULTIPLE_OF) for draft in _BASE
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


# --------------------------------------------------------------------------- judging

_UNSET: Any = object()
_LATER: Any = object()  # not yet decided: ask python-jsonschema this time
_QUESTIONS_BEFORE_REGISTRY = 200
# Integers up to 2**53 are exact in the binary floats jsonschema-rs divides in.
_EXACT_INT = 2 ** 53


def is_valid(node: Node, instance: Any) -> bool:
    """Whether ``instance`` is valid under ``node``, as the reference reads it.

    Raises Undecidable when validation reaches a ``$ref`` that cannot be resolved (a remote
    one, never fetched), when the node's document is not a valid schema of its draft (a change
    measured alone can make one), or where no exact engine is at hand (see ecma_search): the
    caller's answer is then ``unknown``.
    """
    # Remembered on the node (nodes are long-lived: views keep them), saving the lookups.
    fast = node.__dict__.get("_fast_validator", _UNSET)
    if fast is _UNSET:
        fast = _document_validator(node) or _subschema_validator(node)
        if fast is not _LATER:
            node.__dict__["_fast_validator"] = fast
    if fast is not None and fast is not _LATER and _rs_may_take(node, instance):
        try:
            return bool(fast.is_valid(instance))
        except (ValueError, OverflowError):
            pass
    return _python_valid(node, instance, REFERENCE)


def _rs_may_take(node: Node, instance: Any) -> bool:
    """Whether jsonschema-rs reads ``instance`` as the reference does: not when it holds a
    surrogate (jsonschema-rs sometimes raises, sometimes compares a key wrongly), nor a number
    it may not take exactly when the document has a ``multipleOf``."""
    try:
        orjson.dumps(instance)  # refuses surrogates (and integers beyond 64 bits)
    except TypeError:
        return False
    return not (_traits(node).multiple_of and _inexact_numbers(instance))


def _python_valid(node: Node, instance: Any, family: str) -> bool:
    _check_document(node)
    try:
        return bool(validator_for(node, family).is_valid(_json_value(instance)))
    except referencing.exceptions.Unresolvable as exc:
        raise Undecidable(f"validation needs {exc}") from None
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        # A subschema the engine changed is no longer a schema of its draft (`items` as an
        # array in 2020-12): there is nothing to judge by.
        raise Undecidable(f"not a valid schema of its draft ({type(exc).__name__}: "
                          f"{exc})") from None


def _check_document(node: Node) -> None:
    """Undecidable unless the node's document is a valid schema of its draft (a document
    made by applying one change alone need not be: drop ``$schema`` and draft-7 tuple
    ``items`` become invalid 2020-12)."""
    cache = node.ctx.examples
    reason = cache.get(("meta-error",), _UNSET)
    if reason is _UNSET:
        reason = None
        document = node.ctx.document
        # A metaschema reads an embedded resource of another draft as its own: both
        # validators would refuse a sound compound document, so that one is not checked.
        if document is not None and not _traits(node).embedded_schema:
            try:
                if not jsonschema_rs.meta.is_valid(document):
                    cls = _BASE[detect_draft(document)]
                    error = jsonschema.exceptions.best_match(
                        cls(cls.META_SCHEMA).iter_errors(document))
                    if error is not None:
                        reason = f"{node.ctx.source} is not a valid schema: {error.message}"
            except (jsonschema_rs.ReferencingError, ValueError, RecursionError):
                pass  # an unknown `$schema`, as the engine accepted it
        cache[("meta-error",)] = reason
    if reason is not None:
        raise Undecidable(reason)


def _json_value(instance: Any) -> Any:
    """The instance as JSON delivers it: a surrogate pair written as two code points (in
    strings or keys) is one code point. Returns ``instance`` itself when nothing changes."""
    if isinstance(instance, str):
        return json_string(instance) if _SURROGATE.search(instance) else instance
    if isinstance(instance, list):
        items = [_json_value(v) for v in instance]
        return items if any(a is not b for a, b in zip(items, instance)) else instance
    if isinstance(instance, dict):
        pairs = [(_json_value(k), _json_value(v)) for k, v in instance.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, instance.items())):
            return instance
        return dict(pairs)
    return instance


def _inexact_numbers(instance: Any) -> bool:
    """Does the instance hold a number jsonschema-rs may not take as the exact decimal it
    was written as (a float, or an integer beyond 2**53)?"""
    if isinstance(instance, float):
        return True
    if isinstance(instance, int) and not isinstance(instance, bool):
        return abs(instance) > _EXACT_INT
    if isinstance(instance, list):
        return any(_inexact_numbers(v) for v in instance)
    if isinstance(instance, dict):
        return any(_inexact_numbers(v) for v in instance.values())
    return False


class _Traits:
    """What decides whether jsonschema-rs may judge for a document."""

    def __init__(self, patterns: list[str], multiple_of: bool, embedded_schema: bool) -> None:
        self.inexact_patterns = sorted({p for p in patterns if not rs_exact(p)})
        self.multiple_of = multiple_of
        self.embedded_schema = embedded_schema

    @property
    def rs_exact(self) -> bool:
        return not self.inexact_patterns and not self.embedded_schema


def _traits(node: Node) -> _Traits:
    cache = node.ctx.examples
    found: _Traits | None = cache.get(("rs-traits",))
    if found is None:
        patterns: list[str] = []
        multiple_of = embedded_schema = False
        stack: list[Any] = [node.ctx.document]
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
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            root = False
        found = cache[("rs-traits",)] = _Traits(patterns, multiple_of, embedded_schema)
    return found


_RS_CLASSES = {DRAFT4: jsonschema_rs.Draft4Validator, DRAFT6: jsonschema_rs.Draft6Validator,
               DRAFT7: jsonschema_rs.Draft7Validator, DRAFT2019: jsonschema_rs.Draft201909Validator,
               DRAFT2020: jsonschema_rs.Draft202012Validator}


def _refuse(uri: str) -> Any:
    # Never fetch: a document with a remote or missing reference is judged the slow way,
    # where an unresolvable reference makes the answer unknown.
    raise ValueError(f"not fetched: {uri}")


def _document_validator(node: Node, *, exact_only: bool = True) -> Any:
    """jsonschema-rs for a whole self-contained document (witnesses are checked against whole
    messages again and again; it is two orders of magnitude faster than python-jsonschema).
    None for subschemas, documents it cannot take, and (``exact_only``) documents with a
    pattern it does not read as ECMA-262 does."""
    if node.pointer != "" or node.raw is not node.ctx.document:
        return None
    if exact_only and not _traits(node).rs_exact:
        return None
    cache = node.ctx.examples
    key = ("rs-validator", node.draft)
    if key not in cache:
        try:
            cache[key] = _RS_CLASSES[draft_of(node)](
                node.raw, validate_formats=node.ctx.assert_formats, retriever=_refuse)
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


def _subschema_validator(node: Node, *, exact_only: bool = True) -> Any:
    """jsonschema-rs for a subschema that stands, unchanged, at its pointer in a self-contained
    document: a ``$ref`` to it through a registry holding the document (cheap to build, and
    compiled only as far as that subschema reaches). None for anything else: changed copies,
    synthetic subschemas, documents with embedded resources (``$id`` below the root), and
    (``exact_only``) documents with a pattern jsonschema-rs does not read as ECMA-262 does."""
    document = node.ctx.document
    if document is None or node.raw is document or not isinstance(node.raw, dict):
        return None
    if exact_only and not _traits(node).rs_exact:
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


# --------------------------------------------------------------------------- agreement


def _has_numbers(instance: Any) -> bool:
    if isinstance(instance, (int, float)):
        return not isinstance(instance, bool)
    if isinstance(instance, list):
        return any(_has_numbers(v) for v in instance)
    if isinstance(instance, dict):
        return any(_has_numbers(v) for v in instance.values())
    return False


def _surrogates(instance: Any) -> bool:
    if isinstance(instance, str):
        return _SURROGATE.search(instance) is not None
    if isinstance(instance, list):
        return any(_surrogates(v) for v in instance)
    if isinstance(instance, dict):
        return any(_surrogates(k) or _surrogates(v) for k, v in instance.items())
    return False


def _word(valid: bool) -> str:
    return "valid" if valid else "invalid"


def disagreement(node: Node, instance: Any) -> str | None:
    """Why a mainstream validator judges ``instance`` under ``node`` otherwise than the
    reference (is_valid), or None when none is known to.

    The validators asked: python-jsonschema with its own ``multipleOf`` (float division:
    ``5.01`` is no multiple of ``0.01`` there) when the document has a ``multipleOf`` and the
    instance a number; jsonschema-rs for a whole document (and a subschema it can take),
    which may read a pattern otherwise (``\\b``, ``\\p{L}`` ...), refuse the schema (a
    pattern naming a surrogate) or the instance (a lone surrogate). A witness without a
    disagreement is one every validator confirms. Raises Undecidable as is_valid does.
    """
    traits = _traits(node)
    numbers = traits.multiple_of and _has_numbers(instance)
    rs = _document_validator(node, exact_only=False) \
        or _subschema_validator(node, exact_only=False)
    rs = None if rs is _LATER else rs
    refusal = node.ctx.examples.get(("rs-refusal", node.draft)) if node.pointer == "" \
        and node.raw is node.ctx.document else None
    if not numbers and rs is None and refusal is None:
        return None
    reference = is_valid(node, instance)
    reasons: list[str] = []
    if numbers and _python_valid(node, instance, FLOAT_MULTIPLE_OF) != reference:
        reasons.append(f"python-jsonschema's float multipleOf finds it {_word(not reference)}")
    if refusal is not None:
        reasons.append(f"jsonschema-rs refuses the schema ({refusal})")
    elif rs is not None:
        try:
            if _surrogates(instance):
                raise ValueError("it holds a surrogate")
            theirs = bool(rs.is_valid(instance))
        except (ValueError, OverflowError) as exc:
            reasons.append(f"jsonschema-rs cannot take it ({exc})")
        else:
            if theirs != reference:
                how = "" if not traits.inexact_patterns else (
                    " (it reads " + ", ".join(repr(p) for p in traits.inexact_patterns[:3])
                    + " otherwise than ECMA-262)")
                reasons.append(f"jsonschema-rs finds it {_word(theirs)}{how}")
    return "; ".join(reasons) or None


def agreed(node: Node, instance: Any) -> bool:
    """Whether every mainstream validator agrees with the reference on ``instance`` under
    ``node`` (see disagreement)."""
    return disagreement(node, instance) is None


# --------------------------------------------------------------------------- explaining


def first_error(node: Node, instance: Any) -> ValidationError | None:
    """The most relevant error, or None when ``instance`` is valid."""
    error: ValidationError | None = jsonschema.exceptions.best_match(
        validator_for(node).iter_errors(_json_value(instance)))
    return error


def all_errors(node: Node, instance: Any) -> list[ValidationError]:
    """Every error, nested ones (under anyOf/oneOf) included, deepest first."""
    out: list[ValidationError] = []
    stack = list(validator_for(node).iter_errors(_json_value(instance)))
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
    if fast is not None and _rs_may_take(node, instance):
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
        if near:
            for candidate in all_errors(node, instance):
                if _matches(_join(candidate.absolute_schema_path), near):
                    error = candidate
                    break
    except (referencing.exceptions.Unresolvable, Undecidable, AttributeError, TypeError,
            KeyError, IndexError):
        return "", ""
    if error is None:
        return "", ""
    return _join(error.absolute_path), error.message


def _join(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
