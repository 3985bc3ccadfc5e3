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

import json
from typing import Any

import jsonschema
import jsonschema.validators
import jsonschema_rs
import orjson
import referencing.exceptions
import referencing.jsonschema
from jsonschema import ValidationError

from .._brief import brief
from .._json import dumps
from ..schema import (
    DRAFT2019,
    PYTHON_READING,
    RS_READING,
    Node,
    detect_draft,
)
from .classes import (
    BASE_VALIDATORS,
    FLOAT_MULTIPLE_OF,
    REFERENCE,
    RS_DEPENDENCIES,
    draft_of,
    validator_for,
)
from .fast import LATER, document_validator, refuse_retrieval, subschema_validator, traits
from .patterns import SURROGATE, Undecidable, ecma_regex, ecma_search, json_string, pattern_features, rs_exact

# --------------------------------------------------------------------------- judging

_UNSET: Any = object()
# Integers up to 2**53 are exact in the binary floats jsonschema-rs divides in.
_EXACT_INT = 2 ** 53


def is_valid(node: Node, instance: Any) -> bool:
    """Whether ``instance`` is valid under ``node``, as the reference reads it.

    Raises Undecidable when validation reaches a ``$ref`` that cannot be resolved (a remote
    one, never fetched), when the node's document is not a valid schema of its draft (a change
    measured alone can make one), or where no exact engine is at hand (see ecma_search): the
    caller's answer is then ``unknown``.
    """
    # Where a document is read as one validator reads it (engine.py compares under each
    # reading in turn), that validator alone answers: the other one's reading would make a
    # counterexample of one reading fail its confirmation under the other.
    reading = node.ctx.reading
    if reading == PYTHON_READING:
        return _python_valid(node, instance, REFERENCE)
    # Remembered on the node (nodes are long-lived: views keep them), saving the lookups.
    fast = node.__dict__.get("_fast_validator", _UNSET)
    if fast is _UNSET:
        fast = document_validator(node) or subschema_validator(node)
        if fast is not LATER:
            node.__dict__["_fast_validator"] = fast
    if fast is not None and fast is not LATER and _rs_may_take(node, instance):
        try:
            return bool(fast.is_valid(instance))
        except (ValueError, OverflowError):
            pass
    if reading == RS_READING:
        found = traits(node)
        if found.unevaluated_properties and (found.names_2019 or node.draft == DRAFT2019):
            # python-jsonschema's 2019-09 unevaluatedProperties is not jsonschema-rs's.
            raise Undecidable("jsonschema-rs cannot take this value, and the question is "
                              "asked as it reads the schema")
        return _python_valid(node, instance, RS_DEPENDENCIES)
    return _python_valid(node, instance, REFERENCE)


def reference_valid(node: Node, instance: Any) -> bool:
    """python-jsonschema's answer, with the reference's readings, never jsonschema-rs's:
    where the two read a keyword differently (``dependencies`` after draft-07, which
    python-jsonschema ignores and jsonschema-rs applies), both are to be asked."""
    return _python_valid(node, instance, REFERENCE)


def _rs_may_take(node: Node, instance: Any) -> bool:
    """Whether jsonschema-rs reads ``instance`` as the reference does: not when it holds a
    surrogate (jsonschema-rs sometimes raises, sometimes compares a key wrongly), nor a number
    it may not take exactly when the document has a ``multipleOf``."""
    try:
        orjson.dumps(instance)  # refuses surrogates (and integers beyond 64 bits)
    except TypeError:
        return False
    return not (traits(node).multiple_of and _inexact_numbers(instance))


def _python_valid(node: Node, instance: Any, family: str) -> bool:
    _check_document(node)
    try:
        return bool(validator_for(node, family).is_valid(_json_value(instance)))
    except referencing.exceptions.Unresolvable as exc:
        raise Undecidable(f"validation needs {exc}") from None
    except ValueError as exc:
        # referencing reads a pointer token stepping into an array as an index: a `$ref`
        # that names an array's element by a name points nowhere.
        raise Undecidable(f"validation needs a $ref that points nowhere ({exc})") from None
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
        if document is not None and not traits(node).embedded_schema:
            try:
                if not jsonschema_rs.meta.is_valid(document):
                    cls = BASE_VALIDATORS[detect_draft(document)]
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
        return json_string(instance) if SURROGATE.search(instance) else instance
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
        return SURROGATE.search(instance) is not None
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
    info = traits(node)
    numbers = info.multiple_of and _has_numbers(instance)
    rs = document_validator(node, exact_only=False) \
        or subschema_validator(node, exact_only=False)
    rs = None if rs is LATER else rs
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
                how = "" if not info.inexact_patterns else (
                    " (it reads " + ", ".join(repr(p) for p in info.inexact_patterns[:3])
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
    fast = document_validator(node)
    if fast is not None and _rs_may_take(node, instance):
        try:
            errors = list(fast.iter_errors(instance))
        except (ValueError, OverflowError):
            errors = None
        if errors is not None:
            if not errors:
                return "", ""
            chosen = next((e for e in errors if _matches(_join(e.schema_path), near)), errors[0])
            return _join(chosen.instance_path), _message(str(chosen.message), chosen.instance)
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
    return _join(error.absolute_path), _message(error.message, error.instance)


_SHORT_MESSAGE = 120


def _message(text: str, instance: Any) -> str:
    """A validator's message with the instance it quotes first written briefly.

    Both validators begin most messages with the whole instance (Python's repr, or compact
    JSON), and a witness is as large as a message: a 51-item array would make the message
    about its length unreadable.
    """
    if len(text) <= _SHORT_MESSAGE or not isinstance(instance, (dict, list, str)):
        return text  # nothing long to shorten: spare serialising the instance four ways
    try:
        quotes = (repr(instance), dumps(instance), json.dumps(instance, ensure_ascii=False),
                  json.dumps(instance, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError):
        return text
    for quoted in quotes:
        if len(quoted) > 60 and text.startswith(quoted):
            return brief(instance, 120) + text[len(quoted):]
    return text


def _join(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


__all__ = ["FLOAT_MULTIPLE_OF", "REFERENCE", "Undecidable", "agreed", "all_errors", "disagreement", "draft_of", "ecma_regex", "ecma_search", "explain", "first_error", "is_valid", "json_string", "pattern_features", "refuse_retrieval", "rs_exact", "validator_for"]
