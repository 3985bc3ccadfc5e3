"""The checker: its public questions, and the recursion that takes them apart.

``Checker`` puts the parts together, one mixin per job or keyword family (base.py says how).
``_check`` remembers answers and assumes a question reached again below itself (coinduction
on the depth of JSON values); the left side is expanded into flat terms, and each is compared
with the right side's local keywords kind by kind (numbers.py, strings.py, arrays.py,
objects.py), then with its references and combinators (combinators.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from .. import oracle
from .._json import dumps
from ..schema import Node, View, json_equal, kind_of
from .arrays import ArraysMixin
from .combinators import CombinatorsMixin
from .examples import ExamplesMixin
from .expand import ExpansionMixin
from .numbers import NumbersMixin
from .objects import ObjectsMixin
from .shortcuts import ShortcutsMixin
from .strings import StringsMixin
from .terms import (
    MISSING,
    NO,
    PROVED,
    BudgetExceeded,
    Merged,
    Outcome,
    Term,
    TooManyCombinations,
    enum_values,
    has_ref,
    implied_dependents,
    kind_term,
    negates_itself,
    trivially_true,
    unknown,
)


def _has_one_of(node: Node) -> bool:
    """Whether the node's document (or a catalog document) may hold a oneOf: any key so
    named counts."""
    cache = node.ctx.examples
    found = cache.get(("has-oneOf",))
    if found is None:
        found = cache[("has-oneOf",)] = '"oneOf"' in dumps(node.ctx.document) or (
            node.ctx.catalog is not None)
    return bool(found)


class Checker(ShortcutsMixin, ExpansionMixin, NumbersMixin, StringsMixin, ArraysMixin,
              ObjectsMixin, CombinatorsMixin, ExamplesMixin):
    """Answers inclusion questions between subschemas; one instance per comparison.

    ``max_steps`` and ``deadline`` (a ``time.monotonic()`` value) bound the work: past them,
    questions still open are answered ``unknown``.
    """

    # -- public ------------------------------------------------------------------------------

    def includes(self, a: Node, b: Node, *, second_pass: bool = False) -> Outcome:
        """Is every value valid under ``a`` valid under ``b``? ``second_pass``: where the
        answer is open, ask again reading a left ``oneOf`` exactly (for a whole verdict, not
        for each change measured alone, whose budget it would spend)."""
        self._anchor = a
        try:
            result = self._check(Term((a,)), b)
        except BudgetExceeded as exc:
            return unknown(str(exc) or "comparison exceeded its work budget")
        except RecursionError:
            return unknown("schemas nest too deeply to compare")
        except oracle.Undecidable as exc:
            return unknown(str(exc))
        if result.no and not self._confirm(Term((a,)), b, result.witness):
            return unknown("a counterexample was found but could not be confirmed")
        if second_pass and not (result.yes or result.no) and _has_one_of(a):
            # The first pass reads a left oneOf as anyOf: cheap, and it keeps values matching
            # several branches, which the right may refuse while no left value is among them.
            # Read exactly, each branch with the others negated, only where that left the
            # question open (negations cost; function/04 spent its budget on them).
            # Half the time left at most: the other direction and the changes' measurements
            # share the pair's budget.
            deadline = self.deadline
            if deadline is not None:
                deadline = min(deadline, (time.monotonic() + deadline) / 2)
            exact = type(self)(max_steps=self.max_steps, deadline=deadline,
                               max_terms=self.max_terms)
            exact.exact_one_of = True
            second = exact.includes(a, b)
            if second.yes or second.no:
                return second
        return result

    def example_of(self, *nodes: Node) -> Any:
        """A value valid under every node, or ``MISSING``."""
        self._anchor = nodes[0]
        try:
            return self._example(Term(nodes))
        except (BudgetExceeded, RecursionError, oracle.Undecidable):
            return MISSING

    def example(self, node: Node) -> Any:
        """A value valid under ``node``, or ``MISSING``; exposed for witness building."""
        self._anchor = node
        try:
            return self._example(Term((node,)))
        except (BudgetExceeded, RecursionError, oracle.Undecidable):
            return MISSING

    # -- the recursion -----------------------------------------------------------------------

    def _check(self, t: Term, b: Node) -> Outcome:
        self._tick()
        bv = b.view
        if bv.is_true:
            return PROVED
        single = len(t.pos) == 1 and not t.neg
        same_text = False
        if single:
            a = t.pos[0]
            if a.key == b.key or a.view.is_false:
                return PROVED
            # Equal text is equal meaning only where no reference resolves elsewhere (equal
            # content has the same references, so checking one side is enough).
            same_text = a.draft == b.draft and json_equal(a.raw, b.raw)
            if same_text and not has_ref(a.raw):
                return PROVED
        key = (t.key, b.key)
        if key in self._memo:
            if key in self._weakened:
                self._guard_hits += 1
            return self._memo[key]
        if key in self._open:
            if key in self._guarded:
                self._guard_hits += 1
                return unknown("the question depends on itself")
            # Reached again below itself: recursion went through at least one instance
            # descent (same-instance cycles are refused at load), so assuming the question
            # holds is sound (coinduction on the finite depth of JSON instances).
            self._assumed.add(key)
            return PROVED
        self._open.add(key)
        start = len(self._memo_log)
        hits = self._guard_hits
        try:
            result = self._shortcut(t.pos[0], b, same_text) if single else None
            if result is None:
                result = self._check_terms(t, b)
                if single and not result.yes and not result.no:
                    # Only now: on pairs that differ for real it costs a second comparison.
                    result = self._without_shared(t.pos[0], b) or result
        finally:
            self._open.discard(key)
        if key in self._assumed and not result.yes:
            # Answers computed under the failed assumption are not to be trusted.
            self._forget(start)
        self._assumed.discard(key)
        self._memo[key] = result
        self._memo_log.append(key)
        if self._guard_hits != hits and self._guarded:
            self._weakened.add(key)
        return result

    def _forget(self, start: int, *, weakened_only: bool = False) -> None:
        """Forget the answers remembered since ``start`` (only the weakened ones: those
        that met a refused question, or used an answer that did)."""
        kept: list[Any] = []
        for stale in self._memo_log[start:]:
            if weakened_only and stale not in self._weakened:
                kept.append(stale)
                continue
            self._memo.pop(stale, None)
            self._weakened.discard(stale)
        self._memo_log[start:] = kept

    def _holds_on_its_own(self, t: Term, b: Node) -> bool:
        """``t ⊆ b`` proved without assuming any question already open.

        For questions asked about the same instance as an open one (an emptiness argument
        inside a comparison): coinduction is sound only on cycles through an instance
        descent, and such a question could come back to the open one without any. What was
        learnt under a refused assumption is forgotten."""
        refusal = (t.key, b.key)
        if refusal in self._refused_on_own:
            return False
        saved, hits = self._guarded, self._guard_hits
        self._guarded = saved | frozenset(self._open)
        start = len(self._memo_log)
        try:
            result = self._check(t, b)
        except TooManyCombinations:
            result = unknown("too many combinations of anyOf/oneOf branches")
        finally:
            self._guarded = saved
        if self._guard_hits != hits:
            self._forget(start, weakened_only=True)
            self._refused_on_own.add(refusal)
            return False
        return result.yes

    def _check_terms(self, t: Term, b: Node) -> Outcome:
        outcome = PROVED
        for term in self.expand(t):
            r = self._check_flat(term, b)
            if r.no:
                w = r.witness
                if self._confirm(t, b, w):
                    return r
                outcome = unknown("counterexample lies outside the left-hand schema")
            elif not r.yes and outcome.yes:
                outcome = r
        return outcome

    # -- one flat term against one node ------------------------------------------------------

    def _check_flat(self, t: Term, b: Node) -> Outcome:
        merged = Merged.of(t)
        if any(v.is_false for v in merged.views) or any(trivially_true(n) for n in t.neg) \
                or negates_itself(t):
            return PROVED
        implied = implied_dependents(t, merged)
        if implied:
            return self._check(t.and_(*implied), b)
        enum = merged.enum
        if enum is not None or merged.kinds <= {"null", "boolean"}:
            return self._check_finite(t, merged, b)
        bv = b.view
        if bv.is_false:
            return self._no(t, b, self._example(t))
        if any(v.unsupported for v in merged.views) or any(
                v.remote_ref for v in merged.views):
            return unknown(self._why_opaque(merged.views))
        results: list[Outcome] = []
        for r in self._flat_parts(t, merged, b):
            if r.no:
                return r
            results.append(r)
        for r in results:
            if not r.yes:
                return r
        return PROVED

    def _flat_parts(self, t: Term, merged: Merged, b: Node) -> Iterator[Outcome]:
        """The outcome of each part of ``b`` for a flat term, in order; lazy, so that the
        walk stops asking at the first break."""
        bv = b.view
        yield self._compare_local(t, merged, b)
        if bv.ref is not None:
            yield self._check(t, bv.ref)
        if bv.remote_ref is not None:
            yield unknown(f"depends on remote $ref {bv.remote_ref}, which is not fetched")
        if bv.unsupported:
            yield unknown(f"uses {', '.join(bv.unsupported)}, which is not modelled")
        for branch in bv.all_of:
            yield self._check(t, branch)
        if bv.any_of is not None:
            yield self._check_any(t, merged, b, bv.any_of)
        if bv.one_of is not None:
            yield self._check_one(t, merged, b, bv.one_of)
        if bv.not_ is not None:
            yield self._check_not(t, b, bv.not_)
        if bv.if_ is not None:
            yield self._check_if(t, b, bv)
        for kw, node in (("unevaluatedProperties", bv.unevaluated_properties),
                         ("unevaluatedItems", bv.unevaluated_items)):
            if node is not None and not node.view.is_true and not self._same_keyword(t, b, kw):
                yield unknown(bv.unevaluated_why or f"{kw} is not modelled")

    def _same_keyword(self, t: Term, b: Node, keyword: str) -> bool:
        """True when the left side carries the very same keyword value in the same context."""
        for n in t.pos:
            if (isinstance(n.raw, dict) and isinstance(b.raw, dict) and n.draft == b.draft
                    and json_equal(n.raw, b.raw) and not has_ref(b.raw)):
                return True
        return False

    @staticmethod
    def _why_opaque(views: Iterable[View]) -> str:
        for v in views:
            if v.remote_ref:
                return f"depends on remote $ref {v.remote_ref}, which is not fetched"
            if v.unsupported:
                return f"uses {', '.join(v.unsupported)}, which is not modelled"
        return "not modelled"

    def _check_finite(self, t: Term, merged: Merged, b: Node) -> Outcome:
        enum = merged.enum
        candidates: Iterable[Any]
        complete = True
        if enum is None:
            candidates = tuple(x for x in (None, True, False) if kind_of(x) in merged.kinds)
        else:
            candidates, complete = enum_values(enum)
        for value in candidates:
            self._tick()
            if t.contains(value) and not oracle.is_valid(b, value):
                return Outcome(NO, value)
        if not complete:
            return unknown("an enum value holds too many numbers to try every way of "
                           "writing them (1 and 1.0)")
        return PROVED

    def _compare_local(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        pending: Outcome = PROVED
        left_open: list[tuple[str, Outcome]] = []
        # Integers before other numbers: a witness every validator reads alike (5, not 5.01
        # under multipleOf 0.01, which float division finds no multiple).
        for kind in sorted(merged.kinds, key=_integers_first):
            if kind not in bv.kinds:
                w = self._example(t, kind)
                if w is MISSING:
                    if self._kind_has_no_value(t, merged, kind):
                        continue
                    pending = unknown(f"could not build a {_KIND_NAMES[kind]} for the old side")
                    continue
                return self._no(t, b, w)
            if kind == "int" and bv.int_literal and not merged.int_literal:
                r = self._compare_int_forms(t, b)
                if r.no:
                    return r
                if not r.yes and pending.yes:
                    pending = r
            if kind in ("int", "frac"):
                r = self._compare_numbers(t, merged, b, kind)
            elif kind == "string":
                r = self._compare_strings(t, merged, b)
            elif kind == "array":
                r = self._compare_arrays(t, merged, b)
            elif kind == "object":
                r = self._compare_objects(t, merged, b)
            else:
                r = PROVED
            if r.no:
                return r
            if not r.yes:
                left_open.append((kind, r))
        if pending.yes:
            # Looked at again once nothing else is open: a kind the term has no value of fits
            # anything. Not whether its negations cover it: a whole comparison after each
            # open one cost seconds on a corpus pair (template/03: 2.6 -> 11 s).
            pending = next((r for kind, r in left_open
                            if not self._kind_has_no_value(t, merged, kind, negations=False)),
                           PROVED)
        if bv.enum is not None and merged.enum is None:
            # An infinite left side can never fit a finite enum; find a value outside it.
            undecided = False
            for kind in sorted(merged.kinds):
                found = False
                for w in self._examples(t, kind, 6):
                    found = True
                    if not any(json_equal(w, x) for x in bv.enum):
                        return self._no(t, b, w)
                undecided = undecided or found or not self._kind_has_no_value(t, merged, kind)
            if undecided:
                pending = unknown("could not find a value outside the new enum")
        return pending

    def _kind_has_no_value(self, t: Term, merged: Merged, kind: str, *,
                           negations: bool = True) -> bool:
        """A sound test that the term has no value of ``kind`` (``negations``: also whether
        a subschema it negates covers it, itself a comparison)."""
        if self._kind_empty(merged, kind):
            return True
        part = kind_term(t, kind, self._like(t))
        if self._empty(Merged.of(part)):
            return True
        if negations and t.neg and self._covered(part):
            return True
        return self._has_no_value(part)


def _integers_first(kind: str) -> str:
    """Kinds in name order, but integers before fractions."""
    return "fraa" if kind == "int" else kind


_KIND_NAMES = {"null": "null", "boolean": "boolean", "int": "integer", "frac": "non-integer number",
               "string": "string", "array": "array", "object": "object"}
