"""Combinators on the right side: ``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``,
and the disjointness and emptiness tests they rest on.

A term is inside an ``anyOf`` when one branch holds it, or else when each of its kinds has
such a branch; a ``oneOf`` needs every value in exactly one branch, so branches shown
disjoint are set aside before any inclusion is asked; ``not`` is disjointness; ``if`` is exact
both ways. The emptiness tests are cheap and sound: False means only that some value may
exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import keywords, oracle
from ..regex import InvalidPattern, UnsupportedPattern
from ..schema import Node, View, json_equal
from .base import CheckerBase
from .strings import string_language
from .terms import (
    MISSING,
    NO,
    PROVED,
    Merged,
    Outcome,
    Term,
    TooManyCombinations,
    enum_values,
    implied_dependents,
    kind_term,
    negated_inner,
    negates_itself,
    objects_empty,
    positive_negation,
    refuses_all,
    unknown,
)


class CombinatorsMixin(CheckerBase):
    """A flat term against the right side's combinators; disjointness and emptiness."""

    def _split_by_kind(self, t: Term, merged: Merged) -> list[tuple[str, Term]]:
        kinds = sorted(merged.kinds)
        if len(kinds) <= 1:
            return [(k, t) for k in kinds]
        return [(k, kind_term(t, k, self._like(t))) for k in kinds]

    def _check_any(self, t: Term, merged: Merged, b: Node, branches: tuple[Node, ...]) -> Outcome:
        branches = _likely_first(t, merged, branches)
        if any(self._check(t, br).yes for br in branches):
            return PROVED
        pending: list[Outcome] = []
        for _kind, part in self._split_by_kind(t, merged):
            if any(self._check(part, br).yes for br in branches):
                continue
            outside: list[Any] = []  # a value outside each branch, that another accepts
            for br in branches:
                r = self._check(part, br)
                if r.no and not any(oracle.is_valid(x, r.witness) for x in branches):
                    return self._no(t, b, r.witness)
                if r.no:
                    outside.append(r.witness)
            if len(outside) == len(branches):
                for w in _joined_objects(outside):
                    self._tick(now=True)
                    if part.contains(w) and not any(oracle.is_valid(x, w) for x in branches):
                        return self._no(t, b, w)
            r = self._check_any_by_elimination(part, branches)
            if r.no:
                return self._no(t, b, r.witness)
            if not r.yes and not self._covered(part) and not self._has_no_value(part):
                pending.append(unknown("could not show which anyOf branch accepts every value"))
        return pending[0] if pending else PROVED

    def _check_any_by_elimination(self, part: Term, branches: tuple[Node, ...]) -> Outcome:
        """``part`` ⊆ A1 ∨ … ∨ An  iff  ``part`` ∧ ¬A2 ∧ … ∧ ¬An ⊆ A1: exact. The values no
        single branch holds are compared with the first branch once the others are taken
        away (negations written positively where they can be, as for ``else``). A value
        it finds lies in ``part`` and in no branch."""
        if not 2 <= len(branches) <= 8:
            return unknown("too many anyOf branches to take away")
        first, rest = branches[0], branches[1:]
        term = part
        for br in rest:
            positive = negated_inner(br) or positive_negation(br)
            term = term.and_(positive) if positive is not None else term.and_(neg=(br,))
        return self._check(term, first)

    def _check_one(self, t: Term, merged: Merged, b: Node, branches: tuple[Node, ...]) -> Outcome:
        live = [br for br in branches if not refuses_all(br)]
        if branches and len(live) <= 1:  # (no branch at all: a change measured alone)
            # One branch that can match (the others are `false`): "exactly one" is that
            # branch matching, an inclusion like any other; none: no value fits.
            r = self._check(t, live[0] if live else branches[0])
            return self._no(t, b, r.witness) if r.no else r
        for _kind, part in self._split_by_kind(t, merged):
            # A branch shown disjoint from `part` cannot hold its values (unless there are
            # none): the cheap test first spares a full inclusion check, and the witness it
            # would build and confirm, for each branch of a tagged union.
            apart = [self._disjoint(part, br, witness=False).yes for br in branches]
            if all(apart) and self._term_empty(part):
                continue
            inside = [i for i, br in enumerate(branches)
                      if not apart[i] and self._check(part, br).yes]
            # Branches a value of `part` might match besides its own (all, if none is).
            overlapping = list(range(len(branches)))
            if len(inside) == 1:
                # A branch is apart from `part` also when a value in both would match two
                # branches of a oneOf of `part` itself (its own oneOf: the same tags).
                overlapping = [j for j in range(len(branches)) if j != inside[0] and not apart[j]
                               and not self._two_branches_of_own_one_of(part.and_(branches[j]))]
                if not overlapping:
                    continue
            if len(inside) >= 2:
                # Every value of `part` matches two branches: any of them is a witness, if
                # there is one.
                if self._term_empty(part) or self._two_branches_of_own_one_of(part):
                    continue
                return self._no(t, b, self._example(part))
            # Search for a value matching no branch, or more than one.
            for br in branches:
                r = self._check(part, br)
                if r.no:
                    hits = sum(oracle.is_valid(x, r.witness) for x in branches)
                    if hits != 1:
                        return self._no(t, b, r.witness)
            for j in overlapping:
                both = self._example_in_two(part, branches[j])
                if both is not MISSING and sum(oracle.is_valid(x, both) for x in branches) > 1:
                    return self._no(t, b, both)
            if not inside and self._exactly_one_by_cases(part, branches, apart):
                continue
            return unknown("could not show that exactly one oneOf branch matches")
        return PROVED

    def _exactly_one_by_cases(self, part: Term, branches: tuple[Node, ...],
                              apart: list[bool]) -> bool:
        """True when every value of ``part`` matches exactly one branch, though no branch
        holds them all: within ``part`` the branches are pairwise disjoint, and together
        they hold every value (taken away one by one). Exact; ``False`` only means not
        shown."""
        live = [br for br, away in zip(branches, apart) if not away]
        if not 2 <= len(live) <= 8:
            return False
        for i, bi in enumerate(live):
            for bj in live[i + 1:]:
                if not self._disjoint(part.and_(bi), bj, witness=False).yes:
                    return False
        return self._check_any_by_elimination(part, tuple(live)).yes

    def _example_in_two(self, part: Term, branch: Node) -> Any:
        """A value of ``part`` that ``branch`` also accepts, or ``MISSING``.

        The whole term is expanded again first, not ``part.and_()``: a search through the
        flat term's pieces mostly fails, at the cost of validating every candidate
        (measured: 0.2 -> 5 s on a corpus pair, for the same unknown). Where that expansion
        has too many combinations, the flat term joined with the branch's expansion is the
        search (a branch added beside a large union: the value it shares with another)."""
        try:
            return self._example(Term(part.pos + (branch,), part.neg))
        except TooManyCombinations:
            try:
                return self._example(part.and_(branch))
            except TooManyCombinations:
                return MISSING

    def _two_branches_of_own_one_of(self, part: Term) -> bool:
        """True when a ``oneOf`` of the term itself has two branches that hold every value of
        it: then it has no value (the left side reads ``oneOf`` as ``anyOf``, so ``part`` may
        be such a value-less piece, as when both sides share the ``oneOf``)."""
        for n in part.pos:
            branches = n.view.one_of
            if branches and len(branches) >= 2:
                holding = 0
                for br in branches:
                    holding += self._holds_on_its_own(part, br)
                    if holding >= 2:
                        return True
        return False

    def _check_not(self, t: Term, b: Node, negated: Node) -> Outcome:
        inner = negated_inner(negated)
        # t ⊆ ¬¬Y is t ⊆ Y: a value of t outside Y is one the double negation refuses.
        r = self._check(t, inner) if inner is not None else self._disjoint(t, negated)
        if r.no:
            return self._no(t, b, r.witness)
        return r

    def _check_if(self, t: Term, b: Node, bv: View) -> Outcome:
        # A ⊆ (I ∧ T) ∨ (¬I ∧ E)  iff  A ∧ I ⊆ T  and  A ∧ ¬I ⊆ E: exact, both ways.
        assert bv.if_ is not None
        pending: Outcome = PROVED
        # ¬I written without a negation where it can be ({not: Y} is Y, one bound is the
        # other bound): compared as such, not as a negation to cover.
        positive = negated_inner(bv.if_) or positive_negation(bv.if_)
        otherwise = t.and_(positive) if positive is not None else t.and_(neg=(bv.if_,))
        for branch, term in ((bv.then, t.and_(bv.if_)), (bv.else_, otherwise)):
            if branch is None:
                continue
            r = self._check(term, branch)
            if r.no:
                return self._no(t, b, r.witness)
            if not r.yes and pending.yes:
                pending = r
        return pending

    def _disjoint(self, t: Term, c: Node, *, witness: bool = True) -> Outcome:
        """``yes`` when no value is in both; ``no`` carries a value in both. Without
        ``witness``, only ``yes`` is looked for: the first part not shown empty ends it."""
        cv = c.view
        if cv.is_false:
            return PROVED
        if cv.not_ is not None and isinstance(c.raw, dict) and [
                k for k in c.raw if keywords.constrains(k, c.draft)] == ["not"]:
            # t ∧ ¬Y is empty exactly when t ⊆ Y: one inclusion, where the general test below
            # builds and covers term after term. Proved on its own (an emptiness argument
            # about the same instance may not lean on a question still open).
            if self._holds_on_its_own(t, cv.not_):
                return PROVED
        both = t.and_(c)
        if not witness:
            return PROVED if self._term_empty(both) else unknown(
                "could not show that the schemas do not overlap")
        undecided = False
        for term in self.expand(both):
            merged = Merged.of(term)
            if not merged.kinds or any(v.is_false for v in merged.views) \
                    or negates_itself(term):
                continue
            if merged.enum is not None:
                values, complete = enum_values(merged.enum)
                for value in values:
                    if both.contains(value):
                        return Outcome(NO, value)
                undecided = undecided or not complete
                continue
            if self._empty(merged):
                continue
            w = self._example(term)
            if w is not MISSING and both.contains(w):
                return Outcome(NO, w)
            if self._negation_covers(term):
                continue
            undecided = True
        return unknown("could not decide whether the schemas overlap") if undecided else PROVED

    def _empty(self, merged: Merged, depth: int = 0, *, thorough: bool = False) -> bool:
        """A cheap, sound test that a flat term admits no value (``thorough``: also look
        into each required property alone, not only into those several subschemas meet)."""
        kinds = set(merged.kinds)
        if "int" in kinds or "frac" in kinds:
            lo, lo_x, hi, hi_x = merged.number_bounds()
            if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_x or hi_x))):
                kinds -= {"int", "frac"}
        if "string" in kinds:
            mx = merged.max_length
            if (mx is not None and mx < merged.min_length) or (
                    merged.patterns and self._no_string(merged)):
                kinds.discard("string")
        if "object" in kinds:
            if objects_empty(merged):
                kinds.discard("object")
            for name in sorted(merged.required) if "object" in kinds else ():
                nodes = merged.property_nodes(name)
                if (len(nodes) > 1 or thorough) and depth < _EMPTY_DEPTH \
                        and self._property_empty(nodes, depth + 1, thorough=thorough):
                    # A property every value must have, and no value can have: the
                    # discriminator of a tagged union (two different consts) is one.
                    kinds.discard("object")
                    break
        if "array" in kinds:
            mx_items = merged.max_items()
            if (mx_items is not None and mx_items < merged.min_items) or any(
                    v.contains is not None and v.min_contains > 0 and (
                        v.contains.view.is_false
                        or (v.max_contains is not None and v.max_contains < v.min_contains))
                    for v in merged.views):
                # `contains: false` (or fewer matches allowed than needed) has no array.
                kinds.discard("array")
        return not kinds

    @staticmethod
    def _no_string(merged: Merged) -> bool:
        """No string matches every pattern within the length bounds (regular-language
        intersection; False where a pattern is beyond the regex engine)."""
        try:
            return string_language(tuple(sorted(set(merged.patterns))), merged.min_length,
                                    merged.max_length).is_empty()
        except (UnsupportedPattern, InvalidPattern):
            return False

    def _property_empty(self, nodes: tuple[Node, ...], depth: int, *,
                        thorough: bool = False) -> bool:
        try:
            return self._term_empty(Term(nodes), depth, thorough=thorough)
        except TooManyCombinations:
            return False  # too many combinations to tell

    def _term_empty(self, t: Term, depth: int = 0, *, thorough: bool = False) -> bool:
        """A sound test that no value satisfies ``t`` (False: maybe some does). Every flat
        term of its expansion must be empty: enum values are judged by the oracle, the rest
        by ``_empty`` and, unless ``thorough``, by the negations they hold. ``thorough``
        looks into each required property alone instead: the negation test compares whole
        subschemas, which nested in every property cost seconds on a corpus pair."""
        for term in self.expand(t):
            merged = Merged.of(term)
            if not merged.kinds or any(v.is_false for v in merged.views) \
                    or negates_itself(term):
                continue
            implied = implied_dependents(term, merged)
            if implied and depth < 8:
                # Dependent schemas of required names hold for every value: a dependent
                # schema at odds with the rest of the term leaves it empty.
                if not self._term_empty(term.and_(*implied), depth + 1, thorough=thorough):
                    return False
                continue
            if merged.enum is not None:
                values, complete = enum_values(merged.enum)
                if not complete or any(term.contains(value) for value in values):
                    return False
                continue
            if not self._empty(merged, depth, thorough=thorough) \
                    and (thorough or not self._negation_covers(term)):
                return False
        return True

    def _has_no_value(self, t: Term) -> bool:
        if self._in_empty:
            return False
        key = t.key
        known = self._no_value.get(key)
        if known is not None:
            return known
        self._in_empty = True
        try:
            answer = self._term_empty(t, thorough=True)
        except TooManyCombinations:
            answer = False
        finally:
            self._in_empty = False
        self._no_value[key] = answer
        return answer

    def _negation_covers(self, term: Term) -> bool:
        """True when the flat term lies within a subschema it negates (``if`` and ``not: if``
        of a conditional; a tag value within the ``not`` of a list of tags): no value."""
        if negates_itself(term):
            return True
        if not term.neg or not term.pos:
            return False
        whole = Term(term.pos)
        return any(self._holds_on_its_own(whole, m) for m in term.neg)


def _joined_objects(values: list[Any]) -> Iterator[dict[str, Any]]:
    """Objects that carry every property of each value (each in turn winning where two
    name the same property): where each branch of an ``anyOf`` is failed by its own
    property, one value may fail them all. Nothing unless every value is an object."""
    if len(values) < 2 or not all(isinstance(v, dict) for v in values):
        return
    seen: list[dict[str, Any]] = []
    for first in range(len(values)):
        joined: dict[str, Any] = {}
        for v in values[first:] + values[:first]:
            for name, value in v.items():
                joined.setdefault(name, value)
        if not any(json_equal(joined, s) for s in seen):
            seen.append(joined)
            yield joined


def _likely_first(t: Term, merged: Merged, branches: tuple[Node, ...]) -> tuple[Node, ...]:
    """The branches most likely to include ``t`` first (the same schema, then one with a
    pattern ``t`` has): an anyOf of many patterns is then matched in one try per branch,
    not in one per pair of branches. Only the order changes, never the answer."""
    raws = [n.raw for n in t.pos]
    targets = {n.view.ref.key for n in t.pos if n.view.ref is not None}
    patterns = set(merged.patterns)

    def rank(br: Node) -> int:
        if any(br.raw is r or br.raw == r for r in raws) or (
                br.view.ref is not None and br.view.ref.key in targets):
            return 0
        if patterns and patterns & set(br.view.patterns):
            return 1
        return 2

    return tuple(sorted(branches, key=rank))


# How deep _empty looks into required properties for a contradiction (tagged unions put
# theirs one level down; deeper ones are rare and each level multiplies the work).
_EMPTY_DEPTH = 2
