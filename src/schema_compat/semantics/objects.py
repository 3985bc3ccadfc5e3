"""Objects: ``properties``, ``patternProperties``/``additionalProperties``, ``required``,
``minProperties``/``maxProperties``, ``propertyNames`` and ``dependentRequired``/
``dependentSchemas``.

Names either side lists are compared one by one. Names outside every ``properties`` are
split into classes by the patterns they match, so that one name the old side allows stands
for its whole class; ``propertyNames`` is read as a regular language where its own keywords
say all it allows. A break is shown by an object built around the offending property
(examples.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import keywords, oracle
from ..regex import InvalidPattern, Language, UnsupportedPattern, compile_pattern
from ..schema import Node, View, base_uri
from .base import CheckerBase
from .strings import string_language
from .terms import (
    MISSING,
    PROVED,
    Merged,
    Outcome,
    Term,
    kind_node,
    objects_empty,
    property_nodes,
    required_closure,
    synthetic,
    unknown,
)


def _first_open(pending: Outcome, r: Outcome) -> Outcome:
    """The walk's answer so far: the first outcome left undecided, else PROVED."""
    return r if not r.yes and pending.yes else pending


class ObjectsMixin(CheckerBase):
    """The objects of a flat term against a subschema's object keywords."""

    def _compare_objects(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        if objects_empty(merged):
            return PROVED
        if merged.max_properties == 0:
            # Only the empty object: no property schema, name or dependency can matter.
            w: dict[str, Any] = {}
            return PROVED if oracle.is_valid(b, w) or not t.contains(w) else self._no(t, b, w)
        names = sorted(merged.explicit_names() | set(bv.properties) | merged.required
                       | bv.required)
        final, pending = self._compare_named_properties(t, merged, b, names)
        if final is not None:
            return final
        # Names outside every `properties`: one representative per class of pattern matches.
        r = self._compare_other_names(t, merged, b, set(names))
        if r.no:
            return r
        pending = _first_open(pending, r)
        for step in (self._compare_required, self._compare_property_counts):
            final, r = step(t, merged, b)
            if final is not None:
                return final
            pending = _first_open(pending, r)
        if bv.property_names is not None and not bv.property_names.view.is_true:
            r = self._compare_property_names(t, merged, b)
            # Only a break found while nothing before was left open ends the walk here.
            if r.no and pending.yes:
                return r
            pending = _first_open(pending, r)
        for step in (self._compare_dependent_required, self._compare_dependent_schemas):
            final, r = step(t, merged, b)
            if final is not None:
                return final
            pending = _first_open(pending, r)
        if bv.unevaluated_properties is not None and not bv.unevaluated_properties.view.is_true:
            pending = _first_open(pending, unknown(
                bv.unevaluated_why or "unevaluatedProperties is not modelled"))
        return pending

    # The steps of _compare_objects return (final, open): ``final`` the outcome to answer with
    # at once (None to go on), ``open`` the first outcome the step left undecided (PROVED if
    # none), which the walk answers with unless a later step ends it.

    def _compare_named_properties(self, t: Term, merged: Merged, b: Node,
                                  names: list[str]) -> tuple[Outcome | None, Outcome]:
        """Whether each named property the left allows fits the right's subschemas for it."""
        bv = b.view
        pending: Outcome = PROVED
        same = _shared_properties(merged, bv)
        for name in names:
            if name in same:
                continue
            if self._never_has(t, merged, name) or not self._name_allowed(merged, name):
                continue  # the old side never has this property
            left_nodes = merged.property_nodes(name)
            left = Term(left_nodes)
            for right in property_nodes(bv, name):
                if right.view.is_true:
                    continue
                r = self._check(left, right) if left_nodes else self._check(Term(()), right)
                if r.no:
                    w = self._example_object(t, merged, set_=(name, r.witness))
                    return self._no(t, b, w), pending
                pending = _first_open(pending, r)
        return None, pending

    def _compare_required(self, t: Term, merged: Merged, b: Node) -> tuple[Outcome | None, Outcome]:
        """Whether the right requires a name the left may leave out."""
        pending: Outcome = PROVED
        for name in sorted(b.view.required - merged.required):
            w = self._example_object(t, merged, drop=name)
            r = self._no(t, b, w)
            if r.no:
                return r, pending
            if not r.yes:  # (yes: the term has no value, so none lacks the name)
                pending = _first_open(
                    pending, unknown(f"could not build an old object without {name!r}"))
        return None, pending

    def _compare_property_counts(self, t: Term, merged: Merged,
                                 b: Node) -> tuple[Outcome | None, Outcome]:
        """Whether the right's minProperties/maxProperties are within the left's."""
        bv = b.view
        pending: Outcome = PROVED
        # Every object holds its required names: as many properties at least.
        if bv.min_properties > max(merged.min_properties, len(required_closure(merged))):
            r = self._no(t, b, self._example_object(t, merged))
            if r.no:
                return r, pending
            if not r.yes:  # (yes, here and below: the term has no value)
                pending = _first_open(pending, unknown("minProperties raised"))
        if bv.max_properties is not None and (
                merged.max_properties is None or merged.max_properties > bv.max_properties):
            w = self._example_object(t, merged, size=bv.max_properties + 1)
            r = self._no(t, b, w)
            if r.no:
                return r, pending
            if not r.yes and not (merged.closed()
                                  and len(merged.explicit_names()) <= bv.max_properties):
                pending = _first_open(pending, unknown("maxProperties lowered"))
        return None, pending

    def _compare_dependent_required(self, t: Term, merged: Merged,
                                    b: Node) -> tuple[Outcome | None, Outcome]:
        """Whether a name the left may have without others needs them on the right."""
        pending: Outcome = PROVED
        for name, needed in sorted(b.view.dependent_required.items()):
            if self._never_has(t, merged, name):
                continue
            if needed <= merged.required or any(
                    needed <= v.dependent_required.get(name, frozenset()) for v in merged.views):
                continue
            empty = False
            for q in sorted(needed - merged.required):
                w = self._example_object(t, merged, force=name, drop=q)
                r = self._no(t, b, w)
                if r.no:
                    return r, pending
                empty = empty or r.yes
            if not empty:
                pending = _first_open(pending,
                                      unknown(f"dependentRequired on {name!r} not decided"))
        return None, pending

    def _compare_dependent_schemas(self, t: Term, merged: Merged,
                                   b: Node) -> tuple[Outcome | None, Outcome]:
        """Whether the left's objects with a name meet the right's dependentSchemas for it."""
        pending: Outcome = PROVED
        for name, dep in sorted(b.view.dependent_schemas.items()):
            if self._never_has(t, merged, name):
                continue
            has = synthetic({"type": "object", "required": [name]}, self._like(t))
            r = self._check(t.and_(has), dep)
            if r.no:
                return self._no(t, b, r.witness), pending
            pending = _first_open(pending, r)
        return None, pending

    def _never_has(self, t: Term, merged: Merged, name: str) -> bool:
        """True when no object of the term has the property: ``Merged.never_has``, or what
        the name's dependencies ask for contradicts the rest of the term (a dependent
        schema asking for an array of an object, a dependent name the object refuses)."""
        if merged.never_has(name):
            return True
        if name in merged.required or not any(
                name in v.dependent_schemas or name in v.dependent_required
                for v in merged.views):
            return False
        has = synthetic({"type": "object", "required": [name]}, self._like(t))
        return self._has_no_value(t.and_(has))

    def _compare_other_names(self, t: Term, merged: Merged, b: Node, explicit: set[str]) -> Outcome:
        """Names outside every ``properties``, one class at a time: the names a class holds
        match the same patterns on both sides, so every name of a class meets the same
        subschemas, and one name the old side allows (its ``propertyNames``) stands for all
        of them."""
        bv = b.view
        if merged.only_required():
            return PROVED  # every name there is is required, so among those looked at
        patterns = sorted({p for v in merged.views for p in v.pattern_properties}
                          | set(bv.pattern_properties))
        classes: tuple[Language, ...] | None
        if not patterns:
            classes = (Language.any_string(),)
        else:
            if len(patterns) > 16:
                return self._compare_other_names_coarse(t, merged, b)
            try:
                classes = _name_classes(tuple(patterns))
            except (UnsupportedPattern, InvalidPattern) as exc:
                return self._compare_other_names_coarse(t, merged, b, str(exc))
            if classes is None:
                return self._compare_other_names_coarse(t, merged, b)
        allowed = self._allowed_names(merged)
        if allowed is None and self._no_name_allowed(t, merged):
            return PROVED  # propertyNames refuses every string: no name at all
        pending: Outcome = PROVED
        for lang in classes:
            self._tick()
            name = self._class_name(t, lang, allowed, merged, explicit)
            if name is None:
                continue  # no name of this class can appear on the old side
            if name is MISSING:
                if pending.yes:
                    pending = unknown("could not find a property name that propertyNames "
                                      "allows in a class of undeclared names")
                continue
            if merged.never_has(name):
                continue
            left_nodes = merged.property_nodes(name)
            for right in property_nodes(bv, name):
                if right.view.is_true:
                    continue
                r = self._check(Term(left_nodes), right)
                if r.no:
                    return self._no(t, b, self._example_object(t, merged, set_=(name, r.witness)))
                if not r.yes and pending.yes:
                    pending = r
        return pending

    def _class_name(self, t: Term, lang: Language, allowed: Language | None, merged: Merged,
                    explicit: set[str]) -> Any:
        """A name of the class ``lang``, outside ``explicit``, that the old side's
        ``propertyNames`` allows; None when there is none, ``MISSING`` when none was found
        but one may exist (``propertyNames`` beyond what a regular language says)."""
        if allowed is not None:
            # Fewer than len(explicit) + 1 names outside `explicit` means none (pigeonhole).
            candidates = lang.intersection(allowed).examples(len(explicit) + 1)
            return next((n for n in candidates if n not in explicit), None)
        candidates = lang.examples(len(explicit) + 16)
        for name in candidates:
            if name not in explicit and self._name_allowed(merged, name):
                return name
        if len([n for n in candidates if n not in explicit]) == 0:
            return None
        # The shortest names of the class miss a format (date-time names): names built for
        # propertyNames itself, kept when they fall in the class.
        names = merged.property_names
        string = kind_node("string", self._like(t))
        for name in self._examples(Term(names + (string,)), "string", 8):
            if isinstance(name, str) and name not in explicit and lang.matches(name):
                return name
        return MISSING

    def _no_name_allowed(self, t: Term, merged: Merged) -> bool:
        """True when the term's ``propertyNames`` admit no string (``not: {}``, a type
        other than string, a ``$ref`` to either): its objects are empty."""
        names = merged.property_names
        return bool(names) and self._has_no_value(
            Term(names + (kind_node("string", self._like(t)),)))

    @staticmethod
    def _allowed_names(merged: Merged) -> Language | None:
        """The property names every ``propertyNames`` of the term allows, as a regular
        language; None where one of them says more than a language can (applicators, a
        format)."""
        lang = Language.any_string()
        for names in merged.property_names:
            own = _names_language(names)
            if own is None:
                return None
            lang = lang.intersection(own)
        return lang

    def _compare_other_names_coarse(self, t: Term, merged: Merged, b: Node,
                                    why: str = "too many patternProperties") -> Outcome:
        bv = b.view
        same_patterns = all(
            v.pattern_properties.keys() == bv.pattern_properties.keys() for v in merged.views)
        if same_patterns:
            for p, right in bv.pattern_properties.items():
                left = Term(tuple(v.pattern_properties[p] for v in merged.views))
                r = self._check(left, right)
                if not r.yes:
                    return unknown(f"patternProperties not decided ({why})")
            if bv.additional is None or bv.additional.view.is_true or merged.closed():
                return PROVED
            left_add = tuple(v.additional for v in merged.views if v.additional is not None)
            r = self._check(Term(left_add), bv.additional)
            return PROVED if r.yes else unknown(f"additionalProperties not decided ({why})")
        return unknown(f"property names not decided ({why})")

    def _name_allowed(self, merged: Merged, name: str) -> bool:
        return all(oracle.is_valid(names, name) for names in merged.property_names)

    def _compare_property_names(self, t: Term, merged: Merged, b: Node) -> Outcome:
        bv = b.view
        assert bv.property_names is not None
        only_required = merged.only_required()
        names = [n for n in sorted(merged.explicit_names() | merged.required)
                 if not merged.never_has(n)]
        pending: Outcome = PROVED
        for name in names:
            if self._name_allowed(merged, name) and not oracle.is_valid(bv.property_names, name):
                w = self._example_object(t, merged, force=name)
                r = self._no(t, b, w)
                if r.no:
                    return r
                # No object with that name was built: open, unless none exists.
                pending = _first_open(pending, r)
        if merged.closed() or only_required:
            return pending  # no name beyond those just looked at
        left = merged.property_names
        string = kind_node("string", self._like(t))
        r = self._check(Term(left + (string,)), bv.property_names)
        if r.no and isinstance(r.witness, str):
            w = self._example_object(t, merged, extra_name=r.witness)
            return self._no(t, b, w)
        if r.no:
            return unknown("propertyNames narrowed")
        return _first_open(pending, r)


def _shared_properties(merged: Merged, bv: View) -> frozenset[str]:
    """Property names whose schema is the very same object on both sides (a changed copy of a
    subschema keeps its untouched children): nothing to compare for them."""
    if len(merged.views) != 1:
        return frozenset()
    (av,) = merged.views
    if av.pattern_properties or bv.pattern_properties or av.node.ctx is not bv.node.ctx:
        return frozenset()
    right = bv.properties
    return frozenset(name for name, node in av.properties.items()
                     if name in right and right[name].raw is node.raw
                     and base_uri(right[name].resolver) == base_uri(node.resolver))


def _names_language(node: Node) -> Language | None:
    """The strings a ``propertyNames`` subschema allows, where its own keywords say it all:
    type, enum/const, patterns and lengths. None for anything else."""
    v = node.view
    if v.is_true or v.is_false:
        return Language.any_string() if v.is_true else Language.nothing()
    raw = node.raw
    if v.has_applicators or v.format or v.unsupported or not all(
            k in _NAME_KEYWORDS or not keywords.constrains(k) for k in raw):
        return None
    if "string" not in v.kinds:
        return Language.nothing()
    try:
        lang = string_language(tuple(sorted(set(v.patterns))), v.min_length, v.max_length)
    except (UnsupportedPattern, InvalidPattern):
        return None
    if v.enum is not None:
        listed = Language.nothing()
        for value in v.enum:
            if isinstance(value, str):
                listed = listed.union(Language.literal(value))
        lang = lang.intersection(listed)
    return lang


# Keywords whose meaning for a string _names_language reads, or that apply to other kinds
# of value only (a format is read from the view: set only where it is asserted).
_NAME_KEYWORDS = (frozenset({"type", "enum", "const", "pattern", "minLength", "maxLength",
                             "format"})
                  | keywords.names(kind="number") | keywords.names(kind="array")
                  | keywords.names(kind="object"))


@lru_cache(maxsize=512)
def _name_classes(patterns: tuple[str, ...], limit: int = 64) -> tuple[Language, ...] | None:
    """The non-empty classes of property names by which patterns they match (matching all
    first, then in the order of the patterns); None past ``limit`` classes. Refining one
    pattern at a time drops empty classes early, where every combination would cost 2^n
    automaton products. Pure, so cached."""
    classes = [Language.any_string()]
    for pattern in patterns:
        lang = compile_pattern(pattern)
        refined: list[Language] = []
        for c in classes:
            refined.extend(part for part in (c.intersection(lang), c.difference(lang))
                           if not part.is_empty())
        if len(refined) > limit:
            return None
        classes = refined
    return tuple(classes)
