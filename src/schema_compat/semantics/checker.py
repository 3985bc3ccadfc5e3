"""The checker: one object per comparison, answering inclusion questions between subschemas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .. import oracle
from ..regex import InvalidPattern, UnsupportedPattern
from ..schema import (
    Node,
    View,
    json_equal,
    json_key,
    kind_of,
)
from .arrays import ArraysMixin
from .combinators import CombinatorsMixin
from .expand import ExpansionMixin
from .numbers import NumbersMixin, as_json_number, frac_candidates, int_range, ints_near_zero
from .objects import ObjectsMixin
from .shortcuts import ShortcutsMixin
from .strings import FORMAT_SAMPLES, StringsMixin, string_examples
from .terms import (
    MISSING,
    NO,
    PROVED,
    BudgetExceeded,
    Merged,
    Outcome,
    Term,
    enum_values,
    has_ref,
    trivially_true,
    unknown,
)


def _implied_dependents(t: Term, merged: Merged) -> tuple[Node, ...]:
    """Dependent schemas in force for every value of an objects-only term."""
    if not merged.kinds or not merged.kinds <= {"object"}:
        return ()
    required = merged.required
    present = {n.key for n in t.pos}
    return tuple(dict.fromkeys(
        node for v in merged.views for p, node in v.dependent_schemas.items()
        if p in required and node.key not in present))


# ---------------------------------------------------------------------------------------------


class Checker(ShortcutsMixin, ExpansionMixin, NumbersMixin, StringsMixin, ArraysMixin,
              ObjectsMixin, CombinatorsMixin):
    """Answers inclusion questions between subschemas; one instance per comparison.

    ``max_steps`` and ``deadline`` (a ``time.monotonic()`` value) bound the work: past them,
    questions still open are answered ``unknown``.
    """

    # -- public ------------------------------------------------------------------------------

    def includes(self, a: Node, b: Node) -> Outcome:
        """Is every value valid under ``a`` valid under ``b``?"""
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
            return self._memo[key]
        if key in self._open:
            # Reached again below itself: recursion went through at least one instance
            # descent (same-instance cycles are refused at load), so assuming the question
            # holds is sound (coinduction on the finite depth of JSON instances).
            self._assumed.add(key)
            return PROVED
        self._open.add(key)
        start = len(self._memo_log)
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
            for stale in self._memo_log[start:]:
                self._memo.pop(stale, None)
            del self._memo_log[start:]
        self._assumed.discard(key)
        self._memo[key] = result
        self._memo_log.append(key)
        return result

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
        if any(v.is_false for v in merged.views) or any(trivially_true(n) for n in t.neg):
            return PROVED
        implied = _implied_dependents(t, merged)
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

        def add(r: Outcome) -> bool:
            results.append(r)
            return r.no

        if add(self._compare_local(t, merged, b)):
            return results[-1]
        if bv.ref is not None and add(self._check(t, bv.ref)):
            return results[-1]
        if bv.remote_ref is not None:
            results.append(unknown(f"depends on remote $ref {bv.remote_ref}, which is not fetched"))
        if bv.unsupported:
            results.append(unknown(f"uses {', '.join(bv.unsupported)}, which is not modelled"))
        for branch in bv.all_of:
            if add(self._check(t, branch)):
                return results[-1]
        if bv.any_of is not None and add(self._check_any(t, merged, b, bv.any_of)):
            return results[-1]
        if bv.one_of is not None and add(self._check_one(t, merged, b, bv.one_of)):
            return results[-1]
        if bv.not_ is not None and add(self._check_not(t, b, bv.not_)):
            return results[-1]
        if bv.if_ is not None and add(self._check_if(t, b, bv)):
            return results[-1]
        for kw, node in (("unevaluatedProperties", bv.unevaluated_properties),
                         ("unevaluatedItems", bv.unevaluated_items)):
            if node is not None and not node.view.is_true and not self._same_keyword(t, b, kw):
                results.append(unknown(f"{kw} is not modelled"))
        for r in results:
            if not r.yes:
                return r
        return PROVED

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

    # -- local keywords, kind by kind --------------------------------------------------------

    def _compare_local(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        pending: Outcome = PROVED
        # Integers before other numbers: a witness every validator reads alike (5, not 5.01
        # under multipleOf 0.01, which float division finds no multiple).
        for kind in sorted(merged.kinds, key=_integers_first):
            if kind not in bv.kinds:
                w = self._example(t, kind)
                if w is MISSING:
                    if self._kind_empty(merged, kind):
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
            if not r.yes and pending.yes:
                pending = r
        if bv.enum is not None and merged.enum is None:
            # An infinite left side can never fit a finite enum; find a value outside it.
            for kind in sorted(merged.kinds):
                for w in self._examples(t, kind, 6):
                    if not any(json_equal(w, x) for x in bv.enum):
                        return self._no(t, b, w)
            pending = unknown("could not find a value outside the new enum") if merged.kinds else pending
        return pending

    # -- examples ----------------------------------------------------------------------------

    def _example(self, t: Term, kind: str | None = None) -> Any:
        # Witnesses of large objects ask for the same property examples again and again;
        # the answer depends only on the term, so it is kept with the schema's context.
        cache = t.pos[0].ctx.examples if t.pos and all(
            n.ctx is t.pos[0].ctx for n in (*t.pos, *t.neg)) else self._mixed_examples
        key = (t.key, kind)
        if cache is not None and key in cache:
            return cache[key]
        value = next(iter(self._examples(t, kind, 1)), MISSING)
        if cache is not None:
            cache[key] = value
        return value

    def _examples(self, t: Term, kind: str | None, limit: int) -> Iterator[Any]:
        """Up to ``limit`` distinct values valid under ``t`` (checked by the oracle)."""
        if self._gen_depth > 24:
            return
        self._gen_depth += 1
        try:
            found: list[Any] = []
            for term in self.expand(t):
                merged = Merged.of(term)
                kinds = sorted(merged.kinds, key=_KIND_ORDER.index)
                if kind is not None:
                    kinds = [k for k in kinds if k == kind]
                for k in kinds:
                    for value in self._candidates(term, merged, k, limit):
                        self._tick()
                        if any(json_equal(value, f) for f in found):
                            continue
                        if t.contains(value):
                            found.append(value)
                            yield value
                            if len(found) >= limit:
                                return
        finally:
            self._gen_depth -= 1

    def _candidates(self, t: Term, merged: Merged, kind: str, count: int = 1) -> Iterator[Any]:
        """Values of one kind for a flat term (checked by the caller), enough for ``count``
        distinct ones where the kind has that many cheap candidates."""
        enum = merged.enum
        if enum is not None:
            yield from (x for x in enum_values(enum)[0] if kind_of(x) == kind)
            return
        for v in merged.views:
            if isinstance(v.node.raw, dict):
                for key in ("default", "examples"):
                    raw = v.node.raw.get(key, MISSING)
                    values = raw if key == "examples" and isinstance(raw, list) else [raw]
                    for x in values:
                        if x is not MISSING and kind_of(x) == kind:
                            yield x
        if kind == "null":
            yield None
        elif kind == "boolean":
            yield from (True, False)
        elif kind == "int":
            lo, lo_x, hi, hi_x = merged.number_bounds()
            rng = int_range(lo, lo_x, hi, hi_x, merged.multiples)
            if rng is not None:
                first, last, step = rng
                yield from ints_near_zero(first, last, step, count)
        elif kind == "frac":
            lo, lo_x, hi, hi_x = merged.number_bounds()
            for c in frac_candidates(lo, lo_x, hi, hi_x, merged.multiples, None, None, ()):
                w = as_json_number(c)
                if kind_of(w) == "frac":
                    yield w
        elif kind == "string":
            yield from self._string_candidates(merged, count=count)
        elif kind == "array":
            for length in dict.fromkeys((merged.min_items, max(merged.min_items, 1))):
                w = self._example_array(t, merged, length)
                if w is not MISSING:
                    yield w
        elif kind == "object":
            w = self._example_object(t, merged)
            if w is not MISSING:
                yield w

    def _string_candidates(self, merged: Merged, *, avoid_formats: bool = False,
                           count: int = 3) -> Iterator[str]:
        """Strings for the term's string part: its formats' samples first (unless
        ``avoid_formats``: then strings no format accepts are sought), then strings of its
        patterns and lengths."""
        lo, hi = merged.min_length, merged.max_length
        if not avoid_formats:
            for fmt in merged.formats:
                for sample in FORMAT_SAMPLES.get(fmt, ()):
                    if lo <= len(sample) and (hi is None or len(sample) <= hi):
                        yield sample
        try:
            yield from string_examples(tuple(merged.patterns), lo, hi,
                                        12 if avoid_formats else min(max(count, 3), 256))
        except (UnsupportedPattern, InvalidPattern):
            if not merged.patterns:
                yield "x" * max(lo, 1) if hi is None or hi >= 1 else ""

    def _example_array(self, t: Term, merged: Merged, length: int, *,
                       at: tuple[int, Any] | None = None, duplicate: bool = False) -> Any:
        """An array of ``length`` items valid under ``t`` (``at``: this value at this
        position; ``duplicate``: the second item equal to the first), or ``MISSING``.
        Positions past every ``prefixItems`` share one item schema, so they share one
        example; only ``uniqueItems`` asks for distinct ones."""
        if length > _MAX_ITEMS:
            return MISSING
        items: list[Any] = []
        tail: list[Any] | None = None  # distinct examples for the shared positions
        prefix = merged.prefix_len
        for i in range(length):
            if at is not None and at[0] == i:
                items.append(at[1])
                continue
            if duplicate and i == 1 and items:
                items.append(items[0])
                continue
            nodes = merged.item_nodes(i)
            if not nodes:
                value: Any = i
            elif merged.unique and i >= prefix:
                if tail is None:
                    tail = list(self._examples(Term(nodes), None, length - prefix + 1))
                value = tail[i - prefix] if i - prefix < len(tail) else MISSING
            else:
                value = self._example(Term(nodes))
            if value is MISSING:
                return MISSING
            items.append(value)
        # `contains` needs its matches (minContains of them): add them where missing.
        for v in merged.views:
            if v.contains is None or v.min_contains <= 0:
                continue
            need = v.min_contains - sum(1 for x in items if oracle.is_valid(v.contains, x))
            if need > 16:
                return MISSING
            while need > 0:
                term = Term((v.contains,) + merged.item_nodes(len(items)))
                value = next((x for x in self._examples(term, None, 4 * need + 4)
                              if not merged.unique or not any(json_equal(x, y) for y in items)),
                             MISSING)
                if value is MISSING:
                    return MISSING
                items.append(value)
                need -= 1
        if merged.unique and not duplicate and len({json_key(x) for x in items}) < len(items):
            return MISSING
        return items

    def _example_object(self, t: Term, merged: Merged, *, set_: tuple[str, Any] | None = None,
                        drop: str | None = None, force: str | None = None,
                        size: int | None = None, extra_name: str | None = None) -> Any:
        # Start from the schema's own `examples` when one fits: a witness that looks like a
        # real message tells a reviewer more than one made of placeholders.
        if force is None and size is None and extra_name is None:
            for v in merged.views:
                samples = v.node.raw.get("examples") if isinstance(v.node.raw, dict) else None
                for sample in samples if isinstance(samples, list) else ():
                    if not isinstance(sample, dict):
                        continue
                    candidate = dict(sample)
                    if set_ is not None:
                        candidate[set_[0]] = set_[1]
                    if drop is not None:
                        candidate.pop(drop, None)
                    if t.contains(candidate):
                        return candidate
        return self._built_object(t, merged, set_=set_, drop=drop, force=force, size=size,
                                  extra_name=extra_name)

    def _built_object(self, t: Term, merged: Merged, *, set_: tuple[str, Any] | None,
                      drop: str | None, force: str | None, size: int | None,
                      extra_name: str | None) -> Any:
        wanted = set(merged.required)
        for v in merged.views:
            for name, deps in v.dependent_required.items():
                if name in wanted or name == force:
                    wanted |= deps
        if force is not None:
            wanted.add(force)
        if set_ is not None:
            wanted.add(set_[0])
        if extra_name is not None:
            wanted.add(extra_name)
        if drop is not None:
            if drop == force or (set_ is not None and drop == set_[0]):
                return MISSING
            wanted.discard(drop)
        target = max(merged.min_properties, size or 0)
        optional = [n for n in sorted(merged.explicit_names()) if n not in wanted and n != drop]
        while len(wanted) < target and optional:
            wanted.add(optional.pop(0))
        fresh = 0
        while len(wanted) < target:
            name = f"extra{fresh}" if fresh else "extra"
            fresh += 1
            if name != drop:
                wanted.add(name)
            if fresh > 64:
                return MISSING
        obj: dict[str, Any] = {}
        for name in sorted(wanted):
            if set_ is not None and name == set_[0]:
                obj[name] = set_[1]
                continue
            nodes = merged.property_nodes(name)
            if any(n.view.is_false for n in nodes):
                return MISSING
            value = self._example(Term(nodes)) if nodes else "x"
            if value is MISSING:
                return MISSING
            obj[name] = value
        return obj


# The longest array a witness is built as (maxItems 1000 lowered is an ordinary change; the
# reports show long witnesses compactly).
_MAX_ITEMS = 10_000


_KIND_ORDER = ["object", "string", "int", "frac", "boolean", "null", "array"]


def _integers_first(kind: str) -> str:
    """Kinds in name order, but integers before fractions."""
    return "fraa" if kind == "int" else kind


_KIND_NAMES = {"null": "null", "boolean": "boolean", "int": "integer", "frac": "non-integer number",
               "string": "string", "array": "array", "object": "object"}
