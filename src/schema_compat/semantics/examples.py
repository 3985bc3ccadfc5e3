"""Witness building: values valid under a term, kind by kind.

Each value found is checked against the term by the oracle before it is given out. A schema's
own ``default`` and ``examples`` come first (a witness that looks like a real message tells a
reviewer more than one made of placeholders), then values built from the keywords: numbers
from their ranges (numbers.py), strings from their patterns and formats (strings.py), arrays
item by item and objects property by property. A term's examples are kept with its schema's
context, so that later comparisons of the same document reuse them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import oracle
from ..regex import InvalidPattern, UnsupportedPattern
from ..schema import Node, View, json_equal, json_key, kind_of
from .base import CheckerBase
from .numbers import as_json_number, frac_candidates, int_range, ints_near_zero
from .strings import FORMAT_SAMPLES, string_examples, string_language
from .terms import (
    MISSING,
    Merged,
    Term,
    add_dependent_required,
    enum_values,
    has_ref,
    property_nodes,
)


class ExamplesMixin(CheckerBase):
    """Values valid under a term, for witnesses and for the searches of the other parts."""

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
                        inside = t.contains(value)
                        self._tick(now=True)
                        if not inside and term.neg and isinstance(value, dict):
                            # Built for the positive side only: make it miss what is negated.
                            value = self._outside_negations(term, merged, value)
                            inside = value is not MISSING and t.contains(value)
                            self._tick(now=True)
                        if inside:
                            found.append(value)
                            yield value
                            if len(found) >= limit:
                                return
        finally:
            self._gen_depth -= 1

    def _outside_negations(self, t: Term, merged: Merged, value: dict[str, Any], *,
                           keep: frozenset[str] | set[str] = frozenset()) -> Any:
        """``value`` changed so that it fails each negated subschema it meets, one property
        at a time: a value the positive side allows there and the negated one's subschema
        for it refuses, or, where the negated one requires a name the term does not, the
        value without it. ``MISSING`` when a negation cannot be missed that way."""
        for m in t.neg:
            if not oracle.is_valid(m, value):
                continue
            mv = m.view
            changed: Any = MISSING
            for name in sorted(mv.required - merged.required - keep):
                if name in value:
                    changed = {k: v for k, v in value.items() if k != name}
                    break
            for name, node in sorted(mv.properties.items()) if changed is MISSING else ():
                if name in keep or not self._name_allowed_in(merged, name):
                    continue
                other = self._example(Term(merged.property_nodes(name), (node,)))
                if other is not MISSING:
                    changed = {**value, name: other}
                    break
            if changed is MISSING:
                changed = self._with_name_outside(m, merged, value, keep)
            if changed is MISSING or oracle.is_valid(m, changed):
                return MISSING
            value = changed
        return value

    def _with_name_outside(self, m: Node, merged: Merged, value: dict[str, Any],
                           keep: frozenset[str] | set[str]) -> Any:
        """``value`` with properties added that ``m`` refuses (more than its
        ``maxProperties``; one whose dependent schema the value does not meet or whose
        dependent names it lacks), or ``MISSING``."""
        mv = m.view
        if mv.max_properties is not None and len(value) <= mv.max_properties:
            # More properties than the negated schema allows.
            fill = _fill_names(merged, set(value), mv.max_properties + 1 - len(value))
            grown = dict(value)
            for name in fill or ():
                nodes = merged.property_nodes(name)
                grown[name] = self._example(Term(nodes)) if nodes else "x"
            if fill and all(x is not MISSING for x in grown.values()) \
                    and not oracle.is_valid(m, grown):
                return grown
        for name in sorted(set(mv.dependent_schemas) | set(mv.dependent_required)):
            if name in value or name in keep or not self._name_allowed_in(merged, name):
                continue
            nodes = merged.property_nodes(name)
            other = self._example(Term(nodes)) if nodes else "x"
            if other is MISSING:
                continue
            changed = {**value, name: other}
            if not oracle.is_valid(m, changed):
                return changed
        return MISSING

    @staticmethod
    def _name_allowed_in(merged: Merged, name: str) -> bool:
        return not merged.never_has(name)

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
            yield from _strings_outside(t, merged, count)
        elif kind == "array":
            yield from self._array_candidates(t, merged, count)
        elif kind == "object":
            yield from self._object_candidates(t, merged, count)

    def _array_candidates(self, t: Term, merged: Merged, count: int) -> Iterator[Any]:
        """Arrays of the shortest lengths; where more values are asked (the items of a
        uniqueItems array), one item longer each."""
        top = merged.max_items()
        lengths = [merged.min_items, max(merged.min_items, 1)] + [
            merged.min_items + k for k in range(2, min(count, 16) + 1)]
        for length in dict.fromkeys(lengths):
            if top is not None and length > top:
                return
            w = self._example_array(t, merged, length)
            if w is not MISSING:
                yield w

    def _object_candidates(self, t: Term, merged: Merged, count: int) -> Iterator[Any]:
        """An object; where more values are asked, one property more each."""
        w = self._example_object(t, merged)
        if w is MISSING:
            return
        yield w
        top = merged.max_properties
        for k in range(1, min(count, 16)):
            if top is not None and len(w) + k > top:
                return
            more = self._example_object(t, merged, size=len(w) + k)
            if more is not MISSING:
                yield more

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
                    taken = items + ([at[1]] if at is not None else [])
                    if any(json_equal(x, y) for x in tail for y in taken):
                        # Distinct from the prefix items and the value placed at ``at`` too.
                        tail = [x for x in self._examples(Term(nodes), None,
                                                          length - prefix + 1 + len(taken))
                                if not any(json_equal(x, y) for y in taken)]
                value = tail[i - prefix] if i - prefix < len(tail) else MISSING
            elif merged.unique and at is not None:
                # Distinct from the value placed at ``at`` (a witness is often the first
                # example, which the prefix item would repeat).
                value = self._example(Term(nodes))
                if json_equal(value, at[1]):
                    value = next((x for x in self._examples(Term(nodes), None, 2)
                                  if not json_equal(x, at[1])), MISSING)
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
        return MISSING if _too_large(items) else items

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
        obj = self._built_object(t, merged, set_=set_, drop=drop, force=force, size=size,
                                 extra_name=extra_name)
        if obj is not MISSING and t.neg and not t.contains(obj):
            keep = {n for n in (force, extra_name, drop, set_[0] if set_ else None) if n}
            obj = self._outside_negations(t, merged, obj, keep=keep)
        return obj

    def _built_object(self, t: Term, merged: Merged, *, set_: tuple[str, Any] | None,
                      drop: str | None, force: str | None, size: int | None,
                      extra_name: str | None) -> Any:
        wanted = set(merged.required)
        for name in (force, extra_name, set_[0] if set_ is not None else None):
            if name is not None:
                wanted.add(name)
        _with_dependencies(wanted, merged)
        if drop is not None:
            if drop in wanted:
                return MISSING  # the name to leave out is required, or needed by one that is
        target = max(merged.min_properties, size or 0)
        optional = [n for n in sorted(merged.explicit_names()) if n not in wanted and n != drop]
        # Declared names whose subschema refers elsewhere (often to the whole schema again:
        # a value as large as the witness) come after fresh names, unless the object is
        # closed to fresh names.
        referring = [n for n in optional
                     if any(has_ref(x.raw) for x in merged.property_nodes(n))]
        optional = [n for n in optional if n not in referring]
        if merged.closed():
            optional += referring
        while len(wanted) < target and optional:
            # A name whose dependencies would bring in the one to leave out is passed over,
            # and one no value can be built for: a fresh name fills in.
            name = optional.pop(0)
            nodes = merged.property_nodes(name)
            if nodes and self._example(Term(nodes)) is MISSING:
                continue
            trial = wanted | {name}
            _with_dependencies(trial, merged)
            if drop not in trial:
                wanted = trial
        if len(wanted) < target:
            fill = _fill_names(merged, wanted | {drop} if drop is not None else wanted,
                               target - len(wanted))
            if fill is None:
                return MISSING
            wanted.update(fill)
        extra = _with_dependencies(wanted, merged)
        if drop is not None and drop in wanted:
            return MISSING
        obj: dict[str, Any] = {}
        for name in sorted(wanted):
            if set_ is not None and name == set_[0]:
                obj[name] = set_[1]
                continue
            nodes = merged.property_nodes(name) + tuple(
                n for dv in extra for n in property_nodes(dv, name))
            if any(n.view.is_false for n in nodes):
                return MISSING
            value = self._example(Term(nodes)) if nodes else "x"
            if value is MISSING:
                return MISSING
            obj[name] = value
        return MISSING if _too_large(obj) else obj


def _strings_outside(t: Term, merged: Merged, count: int) -> Iterator[str]:
    """Strings of the term's patterns and lengths outside the patterns and lengths of each
    subschema it negates (the ``if`` of an ``else``): the short strings a plain search tries
    mostly meet the negated subschema. Candidates only: the caller checks each."""
    if not t.neg:
        return
    try:
        lang = string_language(tuple(merged.patterns), merged.min_length, merged.max_length)
        for m in t.neg:
            v = m.view
            if "string" in v.kinds and (v.patterns or v.min_length or v.max_length is not None):
                lang = lang.difference(string_language(v.patterns, v.min_length, v.max_length))
        yield from lang.examples(max(count, 3))
    except (UnsupportedPattern, InvalidPattern):
        return


def _fill_names(merged: Merged, taken: set[str], count: int) -> list[str] | None:
    """``count`` more property names: names ``patternProperties`` matches where other names
    are refused (closed by ``additionalProperties``), else ``extra``, ``extra1``..."""
    if count > 64:
        return None
    patterns = sorted({p for v in merged.views for p in v.pattern_properties})
    from_patterns: list[str] = []
    for pattern in patterns:
        try:
            from_patterns += string_examples((pattern,), 0, None, count + len(taken))
        except (UnsupportedPattern, InvalidPattern):
            continue
    plain = [f"extra{i}" if i else "extra" for i in range(count + len(taken))]
    closed = any(v.additional is not None and v.additional.view.is_false for v in merged.views)
    names = [n for n in dict.fromkeys(from_patterns + plain if closed else plain + from_patterns)
             if n not in taken]
    return names[:count] if len(names) >= count else None


def _with_dependencies(names: set[str], merged: Merged) -> tuple[View, ...]:
    """Add to ``names`` every property ``dependentRequired`` asks for, and those the
    dependent schemas of the names require, transitively; return those dependent schemas'
    views, which hold for the object too."""
    views = list(merged.views)
    extra: list[View] = []
    grew = True
    while grew:
        grew = add_dependent_required(names, views)
        for v in list(views):
            for name, dep in v.dependent_schemas.items():
                dv = dep.view
                if name in names and len(extra) < 32 and not any(dv is w for w in views):
                    views.append(dv)
                    extra.append(dv)
                    names |= dv.required
                    grew = True
    return tuple(extra)


# The longest array a witness is built as (maxItems 1000 lowered is an ordinary change; the
# reports show long witnesses compactly).
_MAX_ITEMS = 10_000
# The most values (members, items, scalars) a built example may hold. A schema whose every
# object requires two properties holding the same schema again has examples that double at
# each level: built from cached parts they cost nothing, but each validation walks them
# whole, and a witness that size helps no reader.
_MAX_NODES = 20_000


def _too_large(value: Any) -> bool:
    """True when ``value`` holds more than ``_MAX_NODES`` values. Counted once per distinct
    object (built examples share their parts), so the count costs what the parts do."""
    sizes: dict[int, int] = {}

    def size(v: Any) -> int:
        if not isinstance(v, (dict, list)):
            return 1
        known = sizes.get(id(v))
        if known is None:
            known = sizes[id(v)] = 1 + sum(
                size(x) for x in (v.values() if isinstance(v, dict) else v))
        return known

    return size(value) > _MAX_NODES


_KIND_ORDER = ["object", "string", "int", "frac", "boolean", "null", "array"]
