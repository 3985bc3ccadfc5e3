"""Expansion: a term as a union of flat terms, each a conjunction of local keywords.

``anyOf``/``oneOf`` branches split a term, ``allOf`` and ``$ref`` join it, ``not`` adds a
negation, ``if``/``then``/``else`` is the union of ``if ∧ then`` and ``¬if ∧ else``; ``oneOf``
is over-approximated by its branches, which is sound on the left of an inclusion because
witnesses are re-checked against the real subschemas, and read exactly (each branch with the
others negated) by a checker with ``exact_one_of``, the second pass of ``Checker.includes``. A node's expansion is remembered for the comparison; past ``max_terms``
combinations the question is out of reach (``TooManyCombinations``).
"""

from __future__ import annotations

from typing import Any

from ..schema import Node
from .base import CheckerBase
from .terms import (
    Merged,
    Term,
    TooManyCombinations,
    distinct,
    negated_inner,
    positive_negation,
    synthetic,
    trivially_true,
)


class ExpansionMixin(CheckerBase):
    """Applicators expanded into flat terms (``expand``)."""

    def expand(self, t: Term) -> list[Term]:
        """``t`` as a union of flat terms (applicators expanded)."""
        if t.flat:
            return [t]
        terms: list[tuple[tuple[Node, ...], tuple[Node, ...]]] = [(t.pos[:t.expanded], t.neg)]
        for node in distinct(t.pos[t.expanded:]):
            self._tick()
            options = self._expand_node(node)
            if len(terms) * len(options) > self.max_terms:
                raise TooManyCombinations("too many combinations of anyOf/oneOf branches")
            terms = [(p + op, n + on) for (p, n) in terms for (op, on) in options]
        # A subschema twice in one conjunction says nothing more: without this, a term
        # mixing both documents' recursive definitions doubled at every level.
        return [Term(distinct(p), distinct(n), flat=True) for p, n in terms]

    def _expand_node(self, node: Node) -> list[tuple[tuple[Node, ...], tuple[Node, ...]]]:
        # The same subschemas are expanded for term after term: the answer is the node's.
        # Entries hold the raw subschema, so its id() stays its own while cached.
        key = node.key
        entry = self._expansions.get(key)
        if entry is None or entry[0] is not node.raw:
            try:
                hit: Any = self._expand_node_uncached(node)
            except TooManyCombinations as exc:
                hit = exc  # the node's own answer; a spent budget is not one to keep
            self._expansions[key] = (node.raw, hit)
        else:
            hit = entry[1]
        if isinstance(hit, TooManyCombinations):
            raise TooManyCombinations(str(hit))
        options: list[tuple[tuple[Node, ...], tuple[Node, ...]]] = hit
        return options

    def _expand_node_uncached(self, node: Node) -> list[tuple[tuple[Node, ...], tuple[Node, ...]]]:
        self._tick()
        v = node.view
        options: list[tuple[tuple[Node, ...], tuple[Node, ...]]] = [((node,), ())]

        def join(more: list[tuple[tuple[Node, ...], tuple[Node, ...]]]) -> None:
            nonlocal options
            options = self._product(options, more)

        if v.ref is not None:
            join(self._expand_node(v.ref))
        for branch in v.all_of:
            join(self._expand_node(branch))
        for group in (v.any_of, v.one_of):
            if group is v.one_of and group is not None:
                always = [br for br in group if trivially_true(br)]
                if always:
                    # A branch every value matches: the others must all fail (exactly one
                    # matches), and with two such branches no value is valid.
                    others = tuple(br for br in group if br is not always[0])
                    join([((synthetic(False, node),), ())] if len(always) > 1
                         else [((), others)])
                    continue
            if group is not None:
                alts: list[tuple[tuple[Node, ...], tuple[Node, ...]]] = []
                exact = self.exact_one_of and group is v.one_of and len(group) > 1
                for i, branch in enumerate(group):
                    mine = self._expand_node(branch)
                    if exact:
                        for j, other in enumerate(group):
                            if j != i:
                                mine = self._product(mine, self._negation_options(
                                    other, mine))
                    alts.extend(mine)
                join(alts)
        if v.if_ is not None and (v.then is not None or v.else_ is not None):
            # (if ∧ then) ∨ (¬if ∧ else), exactly: a witness built for one case then meets
            # the other case's subschema as the validator does.
            then = self._expand_node(v.then) if v.then is not None else [((), ())]
            holds = [(p + tp, n + tn) for p, n in self._expand_node(v.if_) for tp, tn in then]
            elses = self._expand_node(v.else_) if v.else_ is not None else [((), ())]
            # ¬if written without a negation where it can be ({not: Y} is Y, one bound is
            # the other bound): expanded, not left as a negation to cover.
            positive = negated_inner(v.if_) or positive_negation(v.if_)
            fails = ([(p + ep, n + en) for p, n in self._expand_node(positive) for ep, en in elses]
                     if positive is not None else [(p, (v.if_, *n)) for p, n in elses])
            join(holds + fails)
        if v.not_ is not None:
            join(self._negation_options(v.not_))
        return options

    def _negation_options(self, node: Node,
                          within: list[tuple[tuple[Node, ...], tuple[Node, ...]]] | None = None
                          ) -> list[tuple[tuple[Node, ...], tuple[Node, ...]]]:
        """``¬node`` as options: {not: Y} is Y, expanded as such (its branches split the term
        as Y's do); {minimum: 3} is "a number below 3" (a bound holds for every other kind);
        else the negation itself, or nothing where every option of ``within`` is shown
        apart from ``node`` (a negation the term implies adds only work: each negation left
        is covered, at length, wherever the term is tested for values)."""
        positive = negated_inner(node) or positive_negation(node)
        if positive is not None:
            return self._expand_node(positive)
        if within and all(self._empty(Merged.of(Term(p + q, n + m, flat=True)))
                          for p, n in within for q, m in self._expand_node(node)):
            return [((), ())]
        return [((), (node,))]

    def _product(self, options: list[tuple[tuple[Node, ...], tuple[Node, ...]]],
                 more: list[tuple[tuple[Node, ...], tuple[Node, ...]]]
                 ) -> list[tuple[tuple[Node, ...], tuple[Node, ...]]]:
        if len(options) * len(more) > self.max_terms:
            raise TooManyCombinations("too many combinations of anyOf/oneOf branches")
        return [(p + mp, n + mn) for (p, n) in options for (mp, mn) in more]
