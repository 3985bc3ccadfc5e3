"""The two judges of every instance: jsonschema-rs, and python-jsonschema with ECMA-262
regular expressions (``regress``).

Both are built here from the schema document alone, independently of the engine (its own
oracle reaches for jsonschema-rs first and may share the engine's view of a document).
python-jsonschema calls ``re.search`` in several places (``pattern``, ``patternProperties``,
``additionalProperties``, the evaluated-keys walk behind ``unevaluatedProperties``): while
this judge runs, those modules see an ``re`` whose ``search`` is ECMA-262's.

A judge that cannot take a schema (metaschema says invalid, unresolvable reference, pattern
it cannot compile) *refuses* it; one that cannot take an instance (a lone surrogate that
cannot cross into Rust) raises ``Refused`` for that instance.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema._keywords
import jsonschema._legacy_keywords
import jsonschema._utils
import jsonschema_rs
import referencing.exceptions
import regress

from schema_compat.formats import asserted as format_asserted
from schema_compat.formats import satisfies as format_satisfies
from schema_compat.redos import catastrophic_backtracking

from .schemas import draft_of

RS = {4: jsonschema_rs.Draft4Validator, 6: jsonschema_rs.Draft6Validator,
      7: jsonschema_rs.Draft7Validator, 2019: jsonschema_rs.Draft201909Validator,
      2020: jsonschema_rs.Draft202012Validator}
PY = {4: jsonschema.Draft4Validator, 6: jsonschema.Draft6Validator,
      7: jsonschema.Draft7Validator, 2019: jsonschema.Draft201909Validator,
      2020: jsonschema.Draft202012Validator}


class Refused(Exception):
    """A judge cannot take this schema or instance."""


_REGEX: dict[str, Any] = {}


def ecma_search(pattern: str, text: str) -> bool:
    compiled = _REGEX.get(pattern)
    if compiled is None:
        if len(_REGEX) > 10_000:
            _REGEX.clear()
        compiled = _REGEX[pattern] = regress.Regex(pattern)
    return compiled.find(text) is not None


class _EcmaRe:
    """Stands in for the ``re`` module inside python-jsonschema while the judge runs."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def search(pattern: str, string: str, flags: int = 0) -> bool | None:
        return True if ecma_search(pattern, string) else None


_ECMA_RE = _EcmaRe()
_PATCHED = (jsonschema._keywords, jsonschema._legacy_keywords, jsonschema._utils)


@contextlib.contextmanager
def _ecma_patterns() -> Iterator[None]:
    saved = [m.re for m in _PATCHED]  # type: ignore[attr-defined]
    for m in _PATCHED:
        m.re = _ECMA_RE  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m, r in zip(_PATCHED, saved):
            m.re = r  # type: ignore[attr-defined]


def _additional_properties(validator: Any, aP: Any, instance: Any, schema: Any) -> Iterator[Any]:
    # python-jsonschema joins the patterns with "|", which renumbers backreferences.
    if not validator.is_type(instance, "object"):
        return
    props = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in props
              and not any(ecma_search(p, k) for p in patterns)]
    if validator.is_type(aP, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], aP, path=extra)
    elif not aP and extras:
        yield jsonschema.ValidationError(f"additional properties {extras!r} are not allowed")


def _py_class(draft: int) -> Any:
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        PY[draft], {"additionalProperties": _additional_properties})


_PY_CLASSES = {d: _py_class(d) for d in PY}


def _refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"remote reference not fetched: {uri}")


class Judge:
    """One validator for one schema document."""

    name = ""

    def is_valid(self, instance: Any) -> bool:
        raise NotImplementedError


class RsJudge(Judge):
    name = "jsonschema-rs"

    def __init__(self, document: Any, *, formats: bool) -> None:
        draft = draft_of(document)
        try:
            if not jsonschema_rs.meta.is_valid(document):
                raise Refused("jsonschema-rs: not valid under its metaschema")
        except (ValueError, jsonschema_rs.ReferencingError) as exc:
            raise Refused(f"jsonschema-rs: metaschema check failed: {exc}") from None
        try:
            self.validator = RS[draft](document, validate_formats=formats,
                                       retriever=_refuse_retrieval)
        except Exception as exc:
            raise Refused(f"jsonschema-rs: {type(exc).__name__}: {_line(exc)}") from None

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self.validator.is_valid(instance))
        except Exception as exc:
            raise Refused(f"jsonschema-rs: {type(exc).__name__}: {_line(exc)}") from None


class PyJudge(Judge):
    name = "python-jsonschema+regress"

    def __init__(self, document: Any, *, formats: bool) -> None:
        draft = draft_of(document)
        cls = _PY_CLASSES[draft]
        try:
            error = jsonschema.exceptions.best_match(
                PY[draft](PY[draft].META_SCHEMA).iter_errors(document))
        except RecursionError:
            raise Refused("python-jsonschema: schema nested too deeply") from None
        if error is not None:
            raise Refused(f"python-jsonschema: not valid under its metaschema: "
                          f"{_line(error.message)}")
        for pattern in _patterns(document):
            try:
                regress.Regex(pattern)
            except Exception as exc:
                raise Refused(f"regress: pattern {pattern!r}: {_line(exc)}") from None
        # regress backtracks: on a pattern with nested repetition a long attack string keeps it
        # busy for minutes (composer's package-name pattern did, twice in 105,000 pairs), so
        # such instances are not judged (short ones take microseconds).
        self.backtracks = any(catastrophic_backtracking(p) for p in _patterns(document))
        checker = _format_checker(draft, document) if formats else None
        self.validator = cls(document, format_checker=checker)

    def is_valid(self, instance: Any) -> bool:
        if self.backtracks and _longest_string(instance) > _BACKTRACKING_SAFE:
            raise Refused("regress: a long string under a pattern that backtracks exponentially")
        try:
            with _ecma_patterns():
                return bool(self.validator.is_valid(instance))
        except referencing.exceptions.Unresolvable as exc:
            raise Refused(f"python-jsonschema: unresolvable reference: {_line(exc)}") from None
        except RecursionError:
            raise Refused("python-jsonschema: recursion limit") from None
        except Exception as exc:
            raise Refused(f"python-jsonschema: {type(exc).__name__}: {_line(exc)}") from None


# Strings up to this long take regress under a millisecond even on `^([a-z]+)*$`-like patterns.
_BACKTRACKING_SAFE = 14


def _longest_string(value: Any) -> int:
    """The length of the longest string (value or key) in an instance."""
    longest, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            longest = max(longest, len(item))
        elif isinstance(item, dict):
            longest = max([longest, *(len(k) for k in item)])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return longest


def _format_checker(draft: int, document: Any) -> jsonschema.FormatChecker:
    """The draft's format checker, and for each format of the document that it skips (its
    checker needs a package not installed: json-pointer needs jsonpointer) while
    jsonschema-rs asserts it, jsonschema-rs's reading, the one the engine asserts. Without
    it, the judges each accepted a witness for another reason (rs reading \\p{L} as a
    letter, python skipping json-pointer) and agreed that it was bad."""
    stock = PY[draft].FORMAT_CHECKER
    missing = sorted({f for f in _formats(document)
                      if f not in stock.checkers and format_asserted(draft, f)})
    if not missing:
        return stock
    checker = jsonschema.FormatChecker(formats=list(stock.checkers))
    for fmt in missing:
        def check(value: Any, fmt: str = fmt) -> bool:
            return not isinstance(value, str) or format_satisfies(draft, fmt, value)
        checker.checkers[fmt] = (check, ())
    return checker


def _keywords(document: Any) -> Iterator[tuple[str, Any]]:
    """Every keyword and value in the document's subschemas (not inside data: enum, const,
    examples, default)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                yield k, v
                if isinstance(v, (dict, list)) and k not in ("enum", "const", "examples",
                                                              "default"):
                    stack.append(v)
        elif isinstance(value, list):
            stack.extend(value)


def _formats(document: Any) -> Iterator[str]:
    return (v for k, v in _keywords(document) if k == "format" and isinstance(v, str))


def _patterns(document: Any) -> Iterator[str]:
    for k, v in _keywords(document):
        if k == "pattern" and isinstance(v, str):
            yield v
        elif k == "patternProperties" and isinstance(v, dict):
            yield from (p for p in v if isinstance(p, str))


def _line(exc: Any) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) < 200 else text[:199] + "…"


class Bench:
    """Both judges of one schema document; ``refused`` says why not, when they cannot."""

    def __init__(self, document: Any, *, formats: bool) -> None:
        self.document = document
        self.refused = ""
        self.judges: tuple[Judge, ...] = ()
        try:
            self.judges = (RsJudge(document, formats=formats), PyJudge(document, formats=formats))
        except Refused as exc:
            self.refused = str(exc)
        self._cache: dict[str, tuple[bool, ...] | None] = {}

    def verdicts(self, instance: Any, key: str) -> tuple[bool, ...] | None:
        """Each judge's answer (rs, py); None when one of them cannot take the instance."""
        if key in self._cache:
            return self._cache[key]
        try:
            found: tuple[bool, ...] | None = tuple(j.is_valid(instance) for j in self.judges)
        except Refused:
            found = None
        self._cache[key] = found
        return found


JUDGE_NAMES = (RsJudge.name, PyJudge.name)
