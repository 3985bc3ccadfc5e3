"""Numbers: ``minimum``/``maximum`` (exclusive or not), ``multipleOf``, and integers apart
from other numbers.

Integers are compared as ranges of the multiples of one step (exact: an integer is a multiple
of p/q in lowest terms exactly when p divides it); other numbers by interval containment and
``multipleOf``, else by a search for a witness, one every validator reads alike where there
is one. Draft 4's ``integer``, which does not take 1.0, is a case of its own. The range and
candidate helpers also serve witness building (examples.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

from .. import oracle
from ..schema import Node, kind_of
from .base import CheckerBase
from .terms import (
    EXACT_FLOAT,
    MISSING,
    NO,
    PROVED,
    Merged,
    Outcome,
    Term,
    objects_empty,
    unknown,
)


class NumbersMixin(CheckerBase):
    """The numbers of a flat term against a subschema's number keywords."""

    def _kind_empty(self, merged: Merged, kind: str) -> bool:
        if kind == "object":
            return objects_empty(merged)
        probe = Merged(merged.views, merged.excluded)
        if kind in ("int", "frac"):
            lo, lo_x, hi, hi_x = probe.number_bounds()
            if lo is not None and hi is not None:
                if lo > hi or (lo == hi and (lo_x or hi_x)):
                    return True
                if kind == "int" and int_range(lo, lo_x, hi, hi_x, merged.multiples) is None:
                    return True
        return False

    def _compare_int_forms(self, t: Term, b: Node) -> Outcome:
        """The right side takes integers only as written without a fraction (draft 4), the
        left also as 1.0: an integer of the left, written so, is outside the right."""
        for w in self._examples(t, "int", 3):
            if isinstance(w, int) and abs(w) <= EXACT_FLOAT:
                r = self._no(t, b, float(w))
                if r.no:
                    return r
        return unknown("could not build an integer written with a fraction (1.0) for the "
                       "old side")

    def _compare_numbers(self, t: Term, merged: Merged, b: Node, kind: str) -> Outcome:
        if kind == "int":
            return self._compare_int_numbers(t, merged, b)
        # Non-integral numbers: prove by interval containment and multipleOf, else search.
        if _frac_contained(merged, b):
            return PROVED
        return self._search_frac(t, merged, b)

    def _compare_int_numbers(self, t: Term, merged: Merged, b: Node) -> Outcome:
        """Whether every integer of the left's range and steps is among the right's."""
        bv = b.view
        lo, lo_x, hi, hi_x = merged.number_bounds()
        rng = int_range(lo, lo_x, hi, hi_x, merged.multiples)
        if rng is None:
            return PROVED  # no integer at all
        first, last, step = rng
        candidates = _int_bound_candidates(first, last, step, b)
        uncovered = False
        for m in bv.multiple_of:
            if not _int_multiples_covered(step, m):
                found = _int_non_multiples(first, last, step, m)
                # A finite range can happen to hold only multiples; anything else unproven
                # must not pass for a proof.
                uncovered = uncovered or not found
                candidates.extend(found)
        for c in candidates:
            if c is not None:
                return self._no(t, b, c)
        if uncovered and not _all_multiples(first, last, step, bv.multiple_of):
            return unknown("no integer counterexample found for multipleOf")
        return PROVED

    def _search_frac(self, t: Term, merged: Merged, b: Node) -> Outcome:
        """A non-integral number of the left the right rejects, searched among candidates."""
        bv = b.view
        lo, lo_x, hi, hi_x = merged.number_bounds()
        fallback: Any = MISSING
        tried = 0
        for point in frac_candidates(lo, lo_x, hi, hi_x, merged.multiples, bv.minimum, bv.maximum,
                                     bv.multiple_of):
            w = as_json_number(point)
            if kind_of(w) == "frac" and t.contains(w) and not oracle.is_valid(b, w):
                # Prefer a value every validator reads alike (float division finds 5.01 no
                # multiple of 0.01); the first confirmed one otherwise, with its caveat.
                if _agreed(w, *t.pos, b):
                    return Outcome(NO, w)
                fallback = w if fallback is MISSING else fallback
            if fallback is not MISSING:
                tried += 1
                if tried > 8:
                    break
        if fallback is not MISSING:
            return Outcome(NO, fallback)
        return unknown("no fractional counterexample found")


def _int_bound_candidates(first: int | None, last: int | None, step: int, b: Node) -> list[int]:
    """The integers of the left's range just past the right's bounds, where it has them."""
    bv = b.view
    blo, blo_x, bhi, bhi_x = bv.minimum, bv.min_exclusive, bv.maximum, bv.max_exclusive
    brng_lo = _int_ceil(blo, blo_x) if blo is not None else None
    brng_hi = _int_floor(bhi, bhi_x) if bhi is not None else None
    candidates: list[int] = []
    if brng_lo is not None and (first is None or first < brng_lo):
        candidates.append(_step_at_or_below(brng_lo - 1, step, last))
    if brng_hi is not None and (last is None or last > brng_hi):
        candidates.append(_step_at_or_above(brng_hi + 1, step, first))
    return candidates


def _frac_contained(merged: Merged, b: Node) -> bool:
    """Whether the left's interval and steps lie within the right's, for any number."""
    bv = b.view
    lo, lo_x, hi, hi_x = merged.number_bounds()
    blo, blo_x, bhi, bhi_x = bv.minimum, bv.min_exclusive, bv.maximum, bv.max_exclusive
    ok = True
    if blo is not None and (lo is None or lo < blo or (lo == blo and blo_x and not lo_x)):
        ok = False
    if bhi is not None and (hi is None or hi > bhi or (hi == bhi and bhi_x and not hi_x)):
        ok = False
    for m in bv.multiple_of:
        if not any((mt / m).denominator == 1 for mt in merged.multiples):
            ok = False
    return ok


def _agreed(value: Any, *nodes: Node) -> bool:
    try:
        return all(oracle.agreed(n, value) for n in nodes)
    except oracle.Undecidable:
        return False


def _int_ceil(value: Fraction, exclusive: bool) -> int:
    c = math.ceil(value)
    return c + 1 if exclusive and c == value else c


def _int_floor(value: Fraction, exclusive: bool) -> int:
    f = math.floor(value)
    return f - 1 if exclusive and f == value else f


def _int_step(mults: Iterable[Fraction]) -> int:
    # An integer x is a multiple of p/q (in lowest terms) exactly when p divides x.
    step = 1
    for m in mults:
        step = step * m.numerator // math.gcd(step, m.numerator)
    return step


def int_range(lo: Fraction | None, lo_x: bool, hi: Fraction | None, hi_x: bool,
               mults: Iterable[Fraction]) -> tuple[int | None, int | None, int] | None:
    """The integers allowed, as (first, last, step); None when there are none."""
    step = _int_step(mults)
    first = None if lo is None else _round_up(_int_ceil(lo, lo_x), step)
    last = None if hi is None else _round_down(_int_floor(hi, hi_x), step)
    if first is not None and last is not None and first > last:
        return None
    return first, last, step


def _round_up(x: int, step: int) -> int:
    return -((-x) // step) * step


def _round_down(x: int, step: int) -> int:
    return (x // step) * step


def _step_at_or_below(x: int, step: int, last: int | None) -> int:
    value = _round_down(x, step)
    return value if last is None or value <= last else last


def _step_at_or_above(x: int, step: int, first: int | None) -> int:
    value = _round_up(x, step)
    return value if first is None or value >= first else first


def _int_multiples_covered(step: int, m: Fraction) -> bool:
    return step % m.numerator == 0


def _int_non_multiples(first: int | None, last: int | None, step: int, m: Fraction) -> list[int]:
    """An allowed integer (a multiple of ``step`` in [first, last]) that is not a multiple of
    ``m``, searching from the bounded end: with only an upper bound, downwards."""
    if first is not None:
        start, sign = first, 1
    elif last is not None:
        start, sign = last, -1  # already a multiple of step (see int_range)
    else:
        start, sign = 0, 1
    for k in range(m.numerator + 1):
        x = start + sign * k * step
        if (first is not None and x < first) or (last is not None and x > last):
            break
        if x % m.numerator != 0:
            return [x]
    return []


def _all_multiples(first: int | None, last: int | None, step: int,
                   mults: tuple[Fraction, ...]) -> bool:
    """Every allowed integer is a multiple of every ``mults`` (checked one by one, small ranges
    only)."""
    if first is None or last is None or (last - first) // step > 10_000:
        return False
    return all(x % m.numerator == 0 for x in range(first, last + 1, step) for m in mults)


def ints_near_zero(first: int | None, last: int | None, step: int,
                    count: int = 5) -> Iterator[int]:
    """Up to ``count`` allowed integers, nearest to zero first (at least five are tried)."""
    if first is not None and first > 0:
        base = first
    elif last is not None and last < 0:
        base = last
    else:
        base = 0
    yield base
    given = 1
    for k in range(1, max(count, 5)):
        for x in (base + k * step, base - k * step):
            if (first is None or x >= first) and (last is None or x <= last):
                yield x
                given += 1
        if given >= max(count, 5) or (first is not None and last is not None
                                      and base - k * step < first and base + k * step > last):
            return


def frac_candidates(lo: Fraction | None, lo_x: bool, hi: Fraction | None, hi_x: bool,
                     mults: tuple[Fraction, ...], blo: Fraction | None, bhi: Fraction | None,
                     bmults: tuple[Fraction, ...]) -> Iterator[Fraction]:
    points: list[Fraction] = []
    for edge in (lo, hi, blo, bhi):
        if edge is not None:
            points.extend(edge + d for d in (Fraction(-1, 2), Fraction(-1, 10), Fraction(-1, 1000),
                                            Fraction(1, 1000), Fraction(1, 10), Fraction(1, 2)))
            points.append(edge)
    points.extend((Fraction(1, 2), Fraction(-1, 2), Fraction(3, 2)))
    if lo is not None and hi is not None:
        points.append((lo + hi) / 2)
    step = Fraction(1)
    for m in mults:
        step = _frac_lcm(step, m) if step != 1 else m
    if mults:
        base = points[:]
        points = []
        for p in base:
            k = math.floor(p / step)
            points.extend((k * step, (k + 1) * step))
    seen: set[Fraction] = set()
    for p in points:
        if p in seen or p.denominator == 1:
            continue
        seen.add(p)
        if lo is not None and (p < lo or (p == lo and lo_x)):
            continue
        if hi is not None and (p > hi or (p == hi and hi_x)):
            continue
        yield p


def _frac_lcm(a: Fraction, b: Fraction) -> Fraction:
    num = a.numerator * b.numerator // math.gcd(a.numerator, b.numerator)
    den = math.gcd(a.denominator, b.denominator)
    return Fraction(num, den)


def as_json_number(value: Fraction) -> int | float:
    if value.denominator == 1:
        return int(value)
    return float(value)
