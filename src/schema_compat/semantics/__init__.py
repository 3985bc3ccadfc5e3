"""Instance-set reasoning: is every value valid under A also valid under B?

``Checker.includes(a, b)`` answers ``yes`` (proved), ``no`` (with a witness the oracle has
confirmed: valid under ``a``, invalid under ``b``) or ``unknown`` (with the reason). The proof
side is conservative: where the reasoning would need more than it knows (an unsupported regex,
``unevaluatedProperties``, a budget running out) it says ``unknown``, never ``yes``.

The left side is read as a union of conjunctions (``Term``s): ``anyOf`` branches split it,
``allOf`` and ``$ref`` join it, and ``oneOf``/``if`` are over-approximated by their branches,
which is sound for proofs because witnesses are re-checked against the real subschemas.
The right side is taken apart by its own keywords: A ⊆ B1 ∧ B2 iff A ⊆ B1 and A ⊆ B2.

Versions of a schema are mostly the same text, and three shortcuts use that before (or,
for the last, after) the general comparison: equal text is compared through its references,
once per referenced definition (``_same_text``); subschemas that differ in one branch of one
combinator are settled by that branch (``_congruent``); a combinator both sides apply alike
is set aside (``_without_shared``). Each asks ordinary questions of the checker, with the
question that called it already open, so recursive definitions end in the usual
coinductive assumption.

One subject a module: ``terms`` (the vocabulary: outcomes, terms, a flat term's keywords),
``base`` (a comparison's state, and what the parts call on one another), ``checker`` (the
public questions and the recursion), ``expand`` (terms as unions of flat terms),
``shortcuts`` (mostly-equal subschemas), one module per kind of value the right side
constrains (``numbers``, ``strings``, ``arrays``, ``objects``), ``combinators`` (``anyOf``,
``oneOf``, ``not``, ``if`` on the right; disjointness and emptiness) and ``examples``
(witness building). A keyword's comparison lives in the module of its kind, the values that
show a break in ``examples``.
"""

from __future__ import annotations

from .checker import Checker
from .terms import (
    MISSING,
    NO,
    PROVED,
    UNKNOWN,
    YES,
    BudgetExceeded,
    Outcome,
    Term,
    TooManyCombinations,
    property_nodes,
    synthetic,
    unknown,
)

__all__ = [
    "MISSING",
    "NO",
    "PROVED",
    "UNKNOWN",
    "YES",
    "BudgetExceeded",
    "Checker",
    "Outcome",
    "Term",
    "TooManyCombinations",
    "property_nodes",
    "synthetic",
    "unknown",
]
