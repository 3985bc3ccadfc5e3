"""Format semantics: which ``format`` values narrow the set of valid strings, and how.

A contracts repository validates its messages with formats asserted (``backbeat-validate``
does, as jsonschema-rs with ``validate_formats``): adding ``"format": "email"`` then narrows
what is valid, and the comparison must say so. Other repositories treat formats as the
annotations draft 2020-12 makes them by default. The choice is per repository
(``FORMAT_MODES``) and every report states it.

When formats are asserted, the reference is jsonschema-rs, the validator of the messages
themselves: a format counts where it asserts it in that draft (``asserted``), and a string
satisfies it where jsonschema-rs says so (``satisfies``). Formats apply to strings only.
"""

from __future__ import annotations

from functools import lru_cache

import jsonschema_rs

ASSERT, ANNOTATION = "assert", "annotation"
FORMAT_MODES = (ASSERT, ANNOTATION)
DEFAULT_FORMAT_MODE = ASSERT

_RS = {4: jsonschema_rs.Draft4Validator, 6: jsonschema_rs.Draft6Validator,
       7: jsonschema_rs.Draft7Validator, 2019: jsonschema_rs.Draft201909Validator,
       2020: jsonschema_rs.Draft202012Validator}

# Strings some check of every known format refuses: a format that accepts all of them is one
# jsonschema-rs does not know in that draft (it ignores unknown formats).
_PROBES = ("", " ", "not a value !!", "[", "::::", "\x00", "-", "%", "a b", "\U0001f600",
           "1.2.3.4.5", "x" * 300)


@lru_cache(maxsize=1024)
def _validator(draft: int, fmt: str) -> jsonschema_rs.Validator:
    return _RS[draft]({"format": fmt}, validate_formats=True)


@lru_cache(maxsize=1024)
def asserted(draft: int, fmt: str) -> bool:
    """Does the reference validator check ``fmt`` in ``draft`` (rather than ignore it)?"""
    validator = _validator(draft, fmt)
    return any(not validator.is_valid(p) for p in _PROBES)


@lru_cache(maxsize=65536)
def satisfies(draft: int, fmt: str, value: str) -> bool:
    """Does the string ``value`` satisfy ``fmt`` as the reference validator reads it?"""
    try:
        return bool(_validator(draft, fmt).is_valid(value))
    except (ValueError, UnicodeError):
        # A string jsonschema-rs cannot take (a lone surrogate): no format is met by it.
        return False
