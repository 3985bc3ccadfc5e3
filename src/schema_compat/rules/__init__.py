"""Breaking-change rules, one file per keyword family. Add a rule where its keyword lives:

=====================  ==========================================================
keyword family         file
=====================  ==========================================================
annotations            ``annotation.py`` (title, description, default, examples, x-*)
type, enum, const,     ``scalar.py`` (plus the bound table: min/max, lengths,
numbers, strings       item and property counts)
arrays                 ``array.py``
objects                ``object.py``
allOf/anyOf/oneOf/not,  ``composition.py``
if/then/else
$ref, $defs, $schema   ``reference.py`` (and the catch-all ``keyword-changed``)
=====================  ==========================================================

A rule names a change and writes its message; it never measures the change's effect: the
engine does that on the instance sets, so every rule is as exact as the engine.
"""

from __future__ import annotations

# Import order decides which rule answers first for a keyword; the catch-all comes last.
from . import (  # noqa: F401
    annotation,
    array,
    composition,
    object,
    reference,
    scalar,
)
from ._registry import RULES, Rule, classify

__all__ = ["RULES", "Rule", "classify"]
