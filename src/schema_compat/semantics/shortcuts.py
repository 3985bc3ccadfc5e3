"""Shortcuts for subschemas that are mostly the same text, as versions of one schema are.

Equal text is compared through its references, once per referenced definition
(``_same_text``); subschemas that differ in one branch of one combinator are settled by that
branch (``_congruent``), or by the one branch a side has more (``_one_branch_more``); a
combinator both sides apply alike is set aside (``_without_shared``, tried only after the
general comparison left the question undecided). Each answers ``yes`` or None (the general
comparison decides), never ``no``, and asks ordinary questions of the checker with the
question that called it already open, so recursive definitions end in the usual coinductive
assumption.
"""

from __future__ import annotations

from .. import keywords
from ..positions import edges
from ..schema import DRAFT7, Node, base_uri, json_equal
from .base import CheckerBase
from .terms import MISSING, PROVED, Outcome, Term, has_ref, synthetic


class ShortcutsMixin(CheckerBase):
    """Inclusion between subschemas that are mostly the same text, without the general
    comparison."""

    def _shortcut(self, a: Node, b: Node, same_text: bool) -> Outcome | None:
        """``yes`` by one of the shortcuts for subschemas that are mostly the same text, or
        None. Run with the question already open: they ask questions of their own, which may
        lead back to this one through a recursive definition."""
        if same_text:
            same = self._same_text(a, b)
            if same is not None:
                return same
        congruent = self._congruent(a, b)
        return congruent if congruent is not None and congruent.yes else None

    def _without_shared(self, a: Node, b: Node) -> Outcome | None:
        """Both sides apply the very same combinator (``oneOf``, ``anyOf``, ``allOf``, ``not``
        or ``if``/``then``/``else``, equal text without references): A' ∧ C ⊆ B' ∧ C follows
        from A' ⊆ B', and the left side's branches need not be taken apart at all (a
        ``oneOf`` is over-approximated there, and its exactly-one rule then seldom shows).
        ``yes`` or None (the full comparison decides)."""
        ar, br = a.raw, b.raw
        if not isinstance(ar, dict) or not isinstance(br, dict) or a.draft != b.draft:
            return None
        if a.draft <= DRAFT7 and ("$ref" in ar or "$ref" in br):
            return None  # a $ref's siblings are ignored there: they are not conjuncts
        if any(k in ar or k in br for k in keywords.EVALUATION_DEPENDENT):
            return None  # these read what the combinators evaluated: not separable
        shared = [k for k in ("allOf", "anyOf", "oneOf", "not")
                  if k in ar and k in br and json_equal(ar[k], br[k]) and not has_ref(ar[k])]
        cond = ("if", "then", "else")
        if "if" in ar and all(json_equal(ar.get(k, MISSING), br.get(k, MISSING))
                              and not has_ref(ar.get(k)) for k in cond):
            shared += cond
        if not shared:
            return None
        left = synthetic({k: v for k, v in ar.items() if k not in shared}, a)
        right = synthetic({k: v for k, v in br.items() if k not in shared}, b)
        return PROVED if self._check(Term((left,)), right).yes else None

    def _same_text(self, a: Node, b: Node) -> Outcome | None:
        """Equal text with references: ``yes`` when each reference's target on ``a``'s side
        is included in the one on ``b``'s side, where the reference sits in a positive place
        (growing its target grows the subschema), and equivalent to it elsewhere (under
        ``not``, ``if``, ``oneOf``...). One comparison per referenced definition then serves
        every subschema that refers to it, where the full comparison would take each one
        apart again. None: undecided here.
        """
        pairs: list[tuple[Node, Node, bool]] = []  # (left, right, must be equivalent)
        stack = [(a, b, False)]
        while stack:
            x, y, exact = stack.pop()
            xv, yv = x.view, y.view
            if xv.opaque_to_polarity or xv.remote_ref is not None:
                return None
            below_x, below_y = list(edges(x)), list(edges(y))
            if len(below_x) != len(below_y):
                return None
            for (cx, how, _), (cy, _, _) in zip(below_x, below_y):
                if xv.ref is not None and cx is xv.ref:
                    if cy is not yv.ref:
                        return None
                    pairs.append((cx, cy, exact))
                    continue
                if not has_ref(cx.raw):
                    continue
                # Edges come in keyword order; equal text may list properties differently.
                if not json_equal(cx.raw, cy.raw):
                    return None
                stack.append((cx, cy, exact or how != "same"))
        for x, y, exact in pairs:
            if not self._check(Term((x,)), y).yes:
                return None
            if exact and not self._check(Term((y,)), x).yes:
                return None
        return PROVED

    def _congruent(self, a: Node, b: Node) -> Outcome | None:
        """A shortcut for two subschemas that are the same but for one branch of one
        ``allOf``/``anyOf``/``oneOf`` (a changed copy, as findings measure): inclusion of that
        branch settles it, with no expansion of every combination of branches. For
        ``oneOf`` the larger of the two branches must also be disjoint from the others, so no
        value comes to match two. ``yes`` or None (undecided: the full comparison follows).
        """
        ar, br = a.raw, b.raw
        if not isinstance(ar, dict) or not isinstance(br, dict) or ar.keys() != br.keys() \
                or a.draft != b.draft or base_uri(a.resolver) != base_uri(b.resolver):
            return None
        differing = [k for k in ar if ar[k] is not br[k]]
        if len(differing) != 1 or differing[0] not in ("allOf", "anyOf", "oneOf"):
            return None
        kw = differing[0]
        av, bv = a.view, b.view
        left = av.all_of if kw == "allOf" else av.any_of if kw == "anyOf" else av.one_of
        right = bv.all_of if kw == "allOf" else bv.any_of if kw == "anyOf" else bv.one_of
        if left is None or right is None:
            return None
        if len(left) != len(right):
            return self._one_branch_more(kw, left, right)
        changed = [i for i, (x, y) in enumerate(zip(left, right)) if x.raw is not y.raw]
        if len(changed) != 1:
            return None
        (i,) = changed
        if not self._check(Term((left[i],)), right[i]).yes:
            return None
        if kw == "oneOf" and not all(self._disjoint(Term((right[i],)), other, witness=False).yes
                                     for j, other in enumerate(left) if j != i):
            return None
        return PROVED

    def _one_branch_more(self, kw: str, left: tuple[Node, ...],
                         right: tuple[Node, ...]) -> Outcome | None:
        """The combinators differ by one branch, added or removed: an ``anyOf`` that gains
        one, or an ``allOf`` that loses one, only accepts more; a ``oneOf`` that gains a
        branch disjoint from every other one accepts the same values and more."""
        shorter, longer = (left, right) if len(left) < len(right) else (right, left)
        if len(longer) != len(shorter) + 1:
            return None
        k = next((i for i, (x, y) in enumerate(zip(shorter, longer)) if x.raw is not y.raw),
                 len(shorter))
        if any(x.raw is not y.raw for x, y in zip(shorter[k:], longer[k + 1:])):
            return None
        extra = longer[k]
        if (kw == "anyOf" and longer is right) or (kw == "allOf" and longer is left):
            return PROVED
        if kw == "oneOf" and longer is right and all(
                self._disjoint(Term((extra,)), other, witness=False).yes for other in left):
            return PROVED
        return None
