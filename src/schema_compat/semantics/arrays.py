"""Arrays: ``minItems``/``maxItems``, ``prefixItems``/``items`` position by position,
``uniqueItems``, and ``contains`` with ``minContains``/``maxContains``.

Each position up to one past the longer prefix is compared with the subschema the right side
applies there (later positions share it); a break at one position is shown by an array that
holds the witness there, of a length the left side allows (built by examples.py).
"""

from __future__ import annotations

from typing import Any

from .. import oracle
from ..schema import Node
from .base import CheckerBase
from .terms import MISSING, NO, PROVED, Merged, Outcome, Term, unknown


class ArraysMixin(CheckerBase):
    """The arrays of a flat term against a subschema's array keywords."""

    def _compare_arrays(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        tmin, tmax = merged.min_items, merged.max_items()
        if tmax is not None and tmax < tmin:
            return PROVED
        if bv.min_items > tmin:
            return self._no(t, b, self._example_array(t, merged, tmin))
        if bv.max_items is not None and (tmax is None or tmax > bv.max_items):
            return self._no(t, b, self._example_array(t, merged, bv.max_items + 1))
        pending: Outcome = PROVED
        positions = max(merged.prefix_len, len(bv.prefix_items)) + 1
        for i in range(positions):
            if tmax is not None and i >= tmax:
                break
            right = bv.prefix_items[i] if i < len(bv.prefix_items) else bv.items
            if right is None or right.view.is_true:
                continue
            left = Term(merged.item_nodes(i))
            r = self._check(left, right)
            if r.no:
                base = self._example_array(t, merged, max(tmin, i + 1), at=(i, r.witness))
                return self._no(t, b, base)
            if not r.yes and pending.yes:
                pending = r
        if bv.unique_items and not merged.unique and (tmax is None or tmax >= 2):
            w = self._example_array(t, merged, max(tmin, 2), duplicate=True)
            r = self._no(t, b, w)
            if r.no:
                return r
            pending = pending if not pending.yes else unknown("uniqueItems added")
        if bv.contains is not None:
            r = self._compare_contains(t, merged, b)
            if r.no:
                return r
            if not r.yes and pending.yes:
                pending = r
        if bv.unevaluated_items is not None and not bv.unevaluated_items.view.is_true:
            pending = pending if not pending.yes else unknown(
                bv.unevaluated_why or "unevaluatedItems is not modelled")
        return pending

    def _compare_contains(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        assert bv.contains is not None
        ok_min = self._contains_min_by_contains(merged, bv.contains, bv.min_contains)
        ok_max = self._contains_max_proved(merged, bv.contains, bv.max_contains)
        if not ok_min and merged.min_items >= bv.min_contains:
            ok_min = self._contains_min_by_items(merged, bv.contains)
        if ok_min and ok_max:
            return PROVED
        return self._contains_counterexample(t, merged, b, bv.contains)

    def _contains_min_by_contains(self, merged: Merged, contains: Node, need: int) -> bool:
        """Whether some old ``contains`` with at least ``need`` matches implies the new one."""
        ok_min = need == 0
        for v in merged.views:
            if v.contains is None:
                continue
            if v.min_contains >= need and self._check(Term((v.contains,)), contains).yes:
                ok_min = True
        return ok_min

    def _contains_max_proved(self, merged: Merged, contains: Node, cap: int | None) -> bool:
        """Whether the old arrays can never have more than ``cap`` new matches."""
        ok_max = cap is None
        tmax = merged.max_items()
        if cap is not None and tmax is not None and tmax <= cap:
            ok_max = True
        for v in merged.views:
            # Every new match is an old match (bv.contains ⊆ v.contains), and those are capped.
            if (cap is not None and not ok_max and v.contains is not None
                    and v.max_contains is not None and v.max_contains <= cap
                    and self._check(Term((contains,)), v.contains).yes):
                ok_max = True
        return ok_max

    def _contains_min_by_items(self, merged: Merged, contains: Node) -> bool:
        """Whether every item the old arrays can have matches the new ``contains``."""
        # Enough items, and every one of them matches: `contains` holds.
        positions = range(max(merged.prefix_len, 0) + 1)
        ok_min = all(self._check(Term(merged.item_nodes(i)), contains).yes
                     for i in positions if merged.item_nodes(i))
        return ok_min and all(merged.item_nodes(i) for i in positions)

    def _contains_counterexample(self, t: Term, merged: Merged, b: Node,
                                 contains: Node) -> Outcome:
        """An old array the new ``contains`` bounds reject, or unknown."""
        bv = b.view
        need, cap = bv.min_contains, bv.max_contains
        for length in sorted({merged.min_items, max(merged.min_items, 1)}):
            w = self._example_array(t, merged, length)
            if w is not MISSING and t.contains(w) and not oracle.is_valid(b, w):
                return Outcome(NO, w)
        # Arrays of exactly k matching items, for k just outside the new bounds.
        counts = {need - 1} | ({cap + 1} if cap is not None else set())
        for k in sorted(c for c in counts if 0 <= c <= 64):
            w = self._array_matching(t, merged, contains, k)
            if w is not MISSING and not oracle.is_valid(b, w):
                return Outcome(NO, w)
        for k in sorted(c for c in counts if 0 <= c <= 64):
            matching = list(self._examples(Term((contains,) + merged.item_nodes(0)), None, k))
            if len(matching) < k and matching and not merged.unique:
                matching = (matching * k)[:k]
            if len(matching) == k and t.contains(matching) and not oracle.is_valid(b, matching):
                return Outcome(NO, matching)
        return unknown("could not decide the contains constraint")

    def _array_matching(self, t: Term, merged: Merged, contains: Node, matches: int) -> Any:
        """An old array with exactly ``matches`` items that ``contains`` accepts, or MISSING.

        Its items are built one slot at a time: the first slots meet the old side's own
        ``contains`` as often as its ``minContains`` asks (and the new one where a match is
        wanted); every other item is outside the new ``contains``, and, where the old side
        has a ``maxContains`` the first try exceeds, outside the old one too. The slots start
        at each position of the prefix in turn, since prefix items may refuse them. A
        candidate: the caller confirms it."""
        views = [v for v in merged.views if v.contains is not None]
        olds = tuple(v.contains for v in views if v.contains is not None)
        need_old = max((v.min_contains for v in views), default=0)
        capped = any(v.max_contains is not None for v in views)
        tmax = merged.max_items()
        built: dict[tuple[int, int, int], Any] = {}  # (try, position, slot) -> item
        for attempt, avoid_old in enumerate(((), olds) if capped else ((),)):
            slots: list[tuple[tuple[Node, ...], tuple[Node, ...]]] = []
            for j in range(max(matches, need_old)):
                pos = (olds if j < need_old else ()) + ((contains,) if j < matches else ())
                neg = (() if j < need_old else avoid_old) + (() if j < matches else (contains,))
                slots.append((pos, neg))
            filler = len(slots)
            slots.append(((), avoid_old + (contains,)))
            for start in range(merged.prefix_len + 1):
                length = max(merged.min_items, start + filler)
                if length == 0 or (tmax is not None and length > tmax) or length > 64:
                    continue
                order = [filler] * start + list(range(filler)) \
                    + [filler] * (length - start - filler)
                items = []
                for i, slot in enumerate(order):
                    key = (attempt, min(i, merged.prefix_len), slot)
                    if key not in built:
                        self._tick()
                        pos, neg = slots[slot]
                        built[key] = self._example(Term(merged.item_nodes(i) + pos, neg))
                    if built[key] is MISSING:
                        break
                    items.append(built[key])
                else:
                    if t.contains(items):
                        return items
        return MISSING
