"""The checker's state and bookkeeping, and what its parts call on one another.

``Checker`` (checker.py) is composed of one mixin per job or keyword family, each a subclass of
``CheckerBase``: the state of one comparison (answers remembered, questions open, the budget),
the bookkeeping every part uses (``_tick``, ``_no``, ``_like``), and, declared abstract, the
methods one part calls and another defines, so that each module type-checks on its own.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from .. import oracle
from ..schema import Node
from .terms import MISSING, NO, PROVED, BudgetExceeded, Merged, Outcome, Term, unknown


class CheckerBase(ABC):
    """The state of one comparison and the bookkeeping of its questions (see ``Checker``)."""

    def __init__(self, *, max_steps: int = 200_000, deadline: float | None = None,
                 max_terms: int = 128) -> None:
        self.max_steps = max_steps
        self.deadline = deadline
        self.max_terms = max_terms
        self.steps = 0
        self._expired = False
        self._memo: dict[Any, Outcome] = {}
        self._memo_log: list[Any] = []
        self._open: set[Any] = set()
        self._assumed: set[Any] = set()
        # Questions open outside a same-instance question asked for a shortcut (see
        # ``_holds_on_its_own``): reached again, they are not assumed.
        self._guarded: frozenset[Any] = frozenset()
        self._guard_hits = 0
        # `_holds_on_its_own` questions refused once for reaching an open one: not asked again
        # in this comparison. A refusal only withholds a proof (sound whatever is open), and
        # asking again cost function/04 its whole budget; keyed by what was open instead, a
        # question was refused as often, in a different state each time.
        self._refused_on_own: set[Any] = set()
        # Answers computed inside such a question that a refusal weakened: only these are
        # forgotten with it (the rest hold whatever was open).
        self._weakened: set[Any] = set()
        self._gen_depth = 0
        self._in_cover = False
        self._in_empty = False
        self._no_value: dict[Any, bool] = {}  # term key -> _has_no_value's answer
        self._anchor: Node | None = None
        self._expansions: dict[Any, Any] = {}
        # Read a left-side oneOf exactly (each branch with the others negated), not as its
        # branches' union: the second pass of ``Checker.includes``.
        self.exact_one_of = False
        # Examples of terms mixing both documents' subschemas (one document's own terms keep
        # theirs in its context, across comparisons).
        self._mixed_examples: dict[Any, Any] = {}

    # -- bookkeeping -------------------------------------------------------------------------

    def _like(self, t: Term) -> Node:
        """A node whose context synthetic subschemas can borrow."""
        if t.pos:
            return t.pos[0]
        if t.neg:
            return t.neg[0]
        assert self._anchor is not None
        return self._anchor

    def _tick(self, *, now: bool = False) -> None:
        """One step of work; ``now``: look at the clock at once (after a step that may be
        slow, as validating a deeply nested value is)."""
        self.steps += 1
        if self.steps > self.max_steps:
            raise BudgetExceeded("comparison exceeded its work budget")
        if self.deadline is not None and (self._expired or (
                (now or self.steps % 64 == 0) and time.monotonic() > self.deadline)):
            # Once past the deadline, every step refuses: no question may go on after it.
            self._expired = True
            raise BudgetExceeded("comparison exceeded its time limit")

    def _confirm(self, t: Term, b: Node, witness: Any) -> bool:
        try:
            return t.contains(witness) and not oracle.is_valid(b, witness)
        except (RecursionError, oracle.Undecidable):
            return False

    def _no(self, t: Term, b: Node, witness: Any) -> Outcome:
        """A counterexample, kept only when the oracle confirms it."""
        if witness is MISSING:
            if self._covered(t) or self._has_no_value(t):
                # No witness because there is no value: the term lies within what it
                # negates, or its keywords contradict (a required property none can have).
                return PROVED
            return unknown("could not build a counterexample")
        if self._confirm(t, b, witness):
            return Outcome(NO, witness)
        return unknown("a candidate counterexample was not confirmed")

    def _covered(self, t: Term) -> bool:
        """Whether the flat term lies within a subschema it negates (so has no value). Not
        nested: the test asks questions whose witnesses may be missing in turn."""
        if not t.neg or self._in_cover:
            return False
        self._in_cover = True
        try:
            return self._negation_covers(t)
        finally:
            self._in_cover = False

    # -- what the parts call on one another ------------------------------------------------

    @abstractmethod
    def _check(self, t: Term, b: Node) -> Outcome:
        """Is every value of ``t`` valid under ``b``? The recursion (checker.py)."""

    @abstractmethod
    def _holds_on_its_own(self, t: Term, b: Node) -> bool:
        """``t ⊆ b`` proved without assuming an open question (checker.py)."""

    @abstractmethod
    def _disjoint(self, t: Term, c: Node, *, witness: bool = True) -> Outcome:
        """``yes`` when no value is in both (combinators.py)."""

    @abstractmethod
    def _has_no_value(self, t: Term) -> bool:
        """A sound test, looking deeper than the shortcuts do, that no value satisfies ``t``
        (combinators.py); not nested."""

    @abstractmethod
    def _empty(self, merged: Merged, depth: int = 0, *, thorough: bool = False) -> bool:
        """A cheap, sound test that a flat term admits no value (combinators.py)."""

    @abstractmethod
    def _negation_covers(self, term: Term) -> bool:
        """True when the flat term lies within a subschema it negates (combinators.py)."""

    @abstractmethod
    def expand(self, t: Term) -> list[Term]:
        """``t`` as a union of flat terms (expand.py)."""

    @abstractmethod
    def _example(self, t: Term, kind: str | None = None) -> Any:
        """A value valid under ``t``, or ``MISSING`` (examples.py)."""

    @abstractmethod
    def _examples(self, t: Term, kind: str | None, limit: int) -> Iterator[Any]:
        """Up to ``limit`` distinct values valid under ``t`` (examples.py)."""

    @abstractmethod
    def _string_candidates(self, merged: Merged, *, avoid_formats: bool = False,
                           count: int = 3) -> Iterator[str]:
        """Strings for the term's string part (examples.py)."""

    @abstractmethod
    def _example_array(self, t: Term, merged: Merged, length: int, *,
                       at: tuple[int, Any] | None = None, duplicate: bool = False) -> Any:
        """An array of ``length`` items valid under ``t``, or ``MISSING`` (examples.py)."""

    @abstractmethod
    def _example_object(self, t: Term, merged: Merged, *, set_: tuple[str, Any] | None = None,
                        drop: str | None = None, force: str | None = None,
                        size: int | None = None, extra_name: str | None = None) -> Any:
        """An object valid under ``t``, shaped as asked, or ``MISSING`` (examples.py)."""
