"""The vocabulary of the engine: answers, terms, and the local keywords of a flat term.

``Outcome`` is the answer to one inclusion question (``PROVED``, ``no`` with a witness, or
``unknown(reason)``); ``MISSING`` stands for a value no builder found; ``BudgetExceeded`` ends a
question that needs more work than allowed. ``Term`` is a conjunction of subschemas and
negated subschemas, ``Merged`` the local keywords of a flat one combined. Besides them: the
subschemas a property meets (``property_nodes``), subschemas the engine writes itself
(``synthetic``, ``kind_node``, ``kind_term``), and every way of writing an ``enum`` value that a
keyword tells apart (``enum_values``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from .. import keywords, oracle
from ..drafts import DRAFT6
from ..schema import (
    ALL_KINDS,
    DRAFT2020,
    Node,
    View,
    json_equal,
    json_key,
    kind_of,
)

YES, NO, UNKNOWN = "yes", "no", "unknown"
MISSING = object()


@dataclass(frozen=True)
class Outcome:
    """The answer to one inclusion question."""

    status: str
    witness: Any = None
    reason: str = ""

    @property
    def yes(self) -> bool:
        return self.status == YES

    @property
    def no(self) -> bool:
        return self.status == NO


PROVED = Outcome(YES)


def unknown(reason: str) -> Outcome:
    return Outcome(UNKNOWN, reason=reason)


class BudgetExceeded(Exception):
    """The question needs more work than allowed; the answer is ``unknown``."""


class TooManyCombinations(BudgetExceeded):
    """One expansion has more anyOf/oneOf combinations than allowed: that question alone is
    out of reach, the comparison's budget is not spent (other questions may go on)."""


@dataclass(frozen=True)
class Term:
    """A conjunction: values valid under every ``pos`` node and under no ``neg`` node.

    ``flat`` terms have had their applicators (``$ref``, ``allOf``, ``anyOf``...) expanded into
    other terms already, so only their local keywords still count. The first ``expanded``
    ``pos`` nodes of a term that is not flat are such a flat part (see ``and_``): expanding
    them again would give the same values, multiplied into many more terms.
    """

    pos: tuple[Node, ...]
    neg: tuple[Node, ...] = ()
    flat: bool = False
    expanded: int = 0

    @property
    def key(self) -> tuple[Any, ...]:
        return (tuple(n.key for n in self.pos), tuple(n.key for n in self.neg), self.flat)

    def and_(self, *pos: Node, neg: tuple[Node, ...] = ()) -> Term:
        """This term with more nodes; only those still need expanding."""
        done = len(self.pos) if self.flat else self.expanded
        if self.flat and not pos:
            return Term(self.pos, self.neg + neg, flat=True)
        return Term(self.pos + pos, self.neg + neg, expanded=done)

    def contains(self, value: Any) -> bool:
        """Exact membership, by the oracle."""
        return all(oracle.is_valid(n, value) for n in self.pos) and not any(
            oracle.is_valid(n, value) for n in self.neg)


def _first_true(nodes: Iterable[Node]) -> bool:
    return all(n.view.is_true for n in nodes)


def synthetic(raw: Any, like: Node, draft: int | None = None) -> Node:
    """A node for a schema the engine writes itself (e.g. ``{"required": [p]}``), read in
    ``like``'s draft unless ``draft`` is given.

    The raw schema is interned in the context: answers are remembered by the ``id()`` of
    subschemas, which must not pass to another schema while the comparison runs.
    """
    draft = like.draft if draft is None else draft
    # One raw object per text and draft: answers are remembered by the raw object's id, and
    # {"type": "integer"} means another thing in draft 4.
    key = ("synthetic", json_key(raw), draft)
    raw = like.ctx.examples.setdefault(key, raw)
    return Node(raw, like.resolver, like.ctx, draft, like.pointer + "/<synthetic>")


def enum_values(values: Iterable[Any]) -> tuple[list[Any], bool]:
    """The values an ``enum`` accepts, each in every way of writing it that a keyword can
    tell apart: 1 and 1.0 are one ``enum`` value, but draft 4's ``integer`` takes only the
    first. Returns the values and whether the list is complete (past 4 integral numbers in
    one value, only the original and its all-integer and all-fraction forms are listed)."""
    out: list[Any] = []
    complete = True
    for value in values:
        variants, whole = _number_forms(value)
        out.extend(variants)
        complete = complete and whole
    return out, complete


def _number_forms(value: Any) -> tuple[list[Any], bool]:
    count = _integral_numbers(value)
    if count == 0:
        return [value], True
    if count <= 4:
        forms = [value]
        for mask in range(1, 2 ** count):
            forms.append(_toggled(value, [mask], [0]))
        return forms, True
    return [value, _toggled(value, [-1], [0], only=int), _toggled(value, [-1], [0], only=float)], False


def _integral_numbers(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1 if abs(value) <= EXACT_FLOAT else 0
    if isinstance(value, float):
        return 1 if math.isfinite(value) and value.is_integer() else 0
    if isinstance(value, list):
        return sum(_integral_numbers(x) for x in value)
    if isinstance(value, dict):
        return sum(_integral_numbers(x) for x in value.values())
    return 0


# Integers a float holds exactly: past this, 2**53 + 1 written as a float is another value.
EXACT_FLOAT = 2 ** 53


def _toggled(value: Any, mask: list[int], seen: list[int], only: type | None = None) -> Any:
    """``value`` with the integral numbers whose bit is set in ``mask[0]`` (counted in
    ``seen[0]``; -1: all of them) written the other way (1 <-> 1.0); ``only`` limits the
    toggling to numbers of that Python type."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and _integral_numbers(value):
        bit = seen[0]
        seen[0] += 1
        if (mask[0] == -1 or mask[0] >> bit & 1) and (only is None or isinstance(value, only)):
            return float(value) if isinstance(value, int) else int(value)
        return value
    if isinstance(value, list):
        return [_toggled(x, mask, seen, only) for x in value]
    if isinstance(value, dict):
        return {k: _toggled(x, mask, seen, only) for k, x in value.items()}
    return value


def trivially_true(node: Node) -> bool:
    """A subschema whose keywords constrain nothing (annotations, identifiers, unknown
    keywords: see keywords.py) accepts every value."""
    return _raw_says_nothing(node.raw, node.draft)


def _raw_says_nothing(raw: Any, draft: int) -> bool:
    return raw is True or (isinstance(raw, dict)
                           and not any(keywords.constrains(k, draft) for k in raw))


# The engine's kinds of value each keyword kind constrains (keywords.Keyword.kind).
_KEYWORD_KINDS = {"object": frozenset({"object"}), "array": frozenset({"array"}),
                  "string": frozenset({"string"}), "number": frozenset({"int", "frac"})}
_ALL_KINDS = frozenset({"null", "boolean", "int", "frac", "string", "array", "object"})


def _only_kind(node: Node) -> frozenset[str] | None:
    """The kinds of value ``node`` can refuse, where each keyword that asserts in it
    constrains one and the same kind (``properties`` and ``required`` only objects): every
    other value is valid under it. None where that is not so."""
    raw = node.raw
    if not isinstance(raw, dict):
        return None
    kinds = {keywords.VOCABULARY[k].kind for k in raw if keywords.constrains(k, node.draft)
             and not (k in ("then", "else") and "if" not in raw)}
    if len(kinds) != 1:
        return None
    return _KEYWORD_KINDS.get(kinds.pop())


def _excluded_kinds(t: Term) -> frozenset[str]:
    """Kinds a term's negations rule out: ``not: {"type": "number"}`` leaves no numbers
    (draft 4's ``not: {"type": "integer"}`` still leaves 1.0); a negated subschema of only
    object keywords (the ``if`` of an ``else``) leaves nothing but objects."""
    out: frozenset[str] = frozenset()
    for n in t.neg:
        only = _only_kind(n)
        if only is not None:
            out |= _ALL_KINDS - only
            continue
        raw = n.raw
        if isinstance(raw, dict) and "type" in raw and all(
                k == "type" or not keywords.constrains(k) for k in raw):
            view = n.view
            out |= view.kinds - {"int"} if view.int_literal else view.kinds
    return out


def has_ref(raw: Any) -> bool:
    if isinstance(raw, dict):
        if "$ref" in raw or "$dynamicRef" in raw or "$recursiveRef" in raw:
            return True
        return any(has_ref(v) for v in raw.values())
    if isinstance(raw, list):
        return any(has_ref(v) for v in raw)
    return False


# ---------------------------------------------------------------------------------------------
# Merged local constraints of a flat term


@dataclass
class Merged:
    """The local keywords of every node of a flat term, combined (all must hold)."""

    views: tuple[View, ...]
    excluded: frozenset[str] = frozenset()

    @classmethod
    def of(cls, t: Term) -> Merged:
        """The local keywords of flat term ``t``, with the kinds its negations rule out."""
        return cls(tuple(n.view for n in t.pos), _excluded_kinds(t))

    @cached_property
    def kinds(self) -> frozenset[str]:
        kinds = ALL_KINDS - self.excluded
        for v in self.views:
            kinds &= v.kinds
        enum = self.enum
        if enum is not None:
            kinds &= frozenset(kind_of(x) for x in enum)
        return kinds

    @cached_property
    def enum(self) -> tuple[Any, ...] | None:
        result: tuple[Any, ...] | None = None
        for v in self.views:
            if v.enum is None:
                continue
            if result is None:
                result = v.enum
            else:
                other = {json_key(y) for y in v.enum}
                result = tuple(x for x in result if json_key(x) in other)
        return result

    def number_bounds(self) -> tuple[Fraction | None, bool, Fraction | None, bool]:
        lo: Fraction | None = None
        lo_x = False
        hi: Fraction | None = None
        hi_x = False
        for v in self.views:
            if v.minimum is not None and (lo is None or v.minimum > lo or (
                    v.minimum == lo and v.min_exclusive)):
                lo, lo_x = v.minimum, v.min_exclusive
            if v.maximum is not None and (hi is None or v.maximum < hi or (
                    v.maximum == hi and v.max_exclusive)):
                hi, hi_x = v.maximum, v.max_exclusive
        return lo, lo_x, hi, hi_x

    @property
    def int_literal(self) -> bool:
        """Integers only as written without a fraction (one node is draft 4's integer)."""
        return any(v.int_literal for v in self.views)

    @property
    def multiples(self) -> tuple[Fraction, ...]:
        return tuple(m for v in self.views for m in v.multiple_of)

    @property
    def min_length(self) -> int:
        return max((v.min_length for v in self.views), default=0)

    @property
    def max_length(self) -> int | None:
        values = [v.max_length for v in self.views if v.max_length is not None]
        return min(values) if values else None

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for v in self.views for p in v.patterns))

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.format for v in self.views if v.format))

    @property
    def min_items(self) -> int:
        # `contains` needs minContains matching items (1 before draft 2019-09).
        return max((max(v.min_items, v.min_contains if v.contains is not None else 0)
                    for v in self.views), default=0)

    def max_items(self) -> int | None:
        values = [v.max_items for v in self.views if v.max_items is not None]
        for v in self.views:
            # `items: false` after n prefix items caps the length at n.
            if v.items is not None and v.items.view.is_false:
                values.append(len(v.prefix_items))
            for i, n in enumerate(v.prefix_items):
                if n.view.is_false:
                    values.append(i)
                    break
        return min(values) if values else None

    @property
    def unique(self) -> bool:
        return any(v.unique_items for v in self.views)

    def item_nodes(self, index: int) -> tuple[Node, ...]:
        nodes = []
        for v in self.views:
            if index < len(v.prefix_items):
                nodes.append(v.prefix_items[index])
            elif v.items is not None:
                nodes.append(v.items)
        return tuple(nodes)

    @property
    def prefix_len(self) -> int:
        return max((len(v.prefix_items) for v in self.views), default=0)

    @property
    def required(self) -> frozenset[str]:
        req: frozenset[str] = frozenset()
        for v in self.views:
            req |= v.required
        return req

    @property
    def min_properties(self) -> int:
        return max((v.min_properties for v in self.views), default=0)

    @property
    def max_properties(self) -> int | None:
        values = [v.max_properties for v in self.views if v.max_properties is not None]
        return min(values) if values else None

    @cached_property
    def property_names(self) -> tuple[Node, ...]:
        """The term's ``propertyNames`` subschemas: every name of its objects meets each."""
        return tuple(v.property_names for v in self.views if v.property_names is not None)

    def explicit_names(self) -> set[str]:
        return {name for v in self.views for name in v.properties}

    def property_nodes(self, name: str) -> tuple[Node, ...]:
        if len(self.views) == 1:
            return property_nodes(self.views[0], name)
        return distinct(n for v in self.views for n in property_nodes(v, name))

    def only_required(self) -> bool:
        """True when the term requires as many names as it allows properties: every object
        it has holds exactly its required names (or it has none)."""
        cap = self.max_properties
        return cap is not None and len(self.required) >= cap

    def never_has(self, name: str) -> bool:
        """True when no object of the term has the property: a subschema refuses it
        (``false`` for that name, or as its dependent schema), or every object holds
        exactly the required names."""
        return (any(refuses_all(n) for n in self.property_nodes(name))
                or any(refuses_all(v.dependent_schemas[name]) for v in self.views
                       if name in v.dependent_schemas)
                or (name not in self.required and self.only_required()))

    def closed(self) -> bool:
        """True when names outside ``properties`` are refused outright."""
        return any(v.additional is not None and v.additional.view.is_false
                   and not v.pattern_properties for v in self.views)


def implied_dependents(t: Term, merged: Merged) -> tuple[Node, ...]:
    """Dependent schemas in force for every value of an objects-only term."""
    if not merged.kinds or not merged.kinds <= {"object"}:
        return ()
    required = merged.required
    present = {n.key for n in t.pos}
    return tuple(dict.fromkeys(
        node for v in merged.views for p, node in v.dependent_schemas.items()
        if p in required and node.key not in present))


# Keywords beside a lone `not` that say nothing about values (nor move the base URI).
_NOTES = frozenset({"not", "$comment", "title", "description"})
# The same beside a lone `$ref` (definitions are not applied where they stand).
_REF_NOTES = frozenset({"$ref", "$comment", "title", "description", "$defs", "definitions"})


def refuses_all(node: Node) -> bool:
    """True when the subschema is ``false``, or a ``$ref`` (with nothing else that asserts)
    to one, through a few references."""
    for _ in range(8):
        view = node.view
        if view.is_false:
            return True
        raw = node.raw
        if view.ref is None or not isinstance(raw, dict) or not set(raw) <= _REF_NOTES:
            return False
        node = view.ref
    return False


def negated_inner(node: Node) -> Node | None:
    """``Y`` when ``node`` is ``{"not": Y}`` and nothing else that asserts: negating it
    again (``not: {not: Y}``) is ``Y`` itself."""
    raw = node.raw
    if isinstance(raw, dict) and "not" in raw and set(raw) <= _NOTES:
        return node.view.not_
    return None


# One keyword negated, written positively. A bound holds for every value not of its kind, so
# its negation is of that kind: ¬{minimum: a} is "a number below a". keyword -> (the kind it
# constrains, the keyword that says the rest of that kind, how its value moves: lengths and
# counts by one, bounds stay and flip exclusivity).
_COMPLEMENTS: dict[str, tuple[str, str, int]] = {
    "minimum": ("number", "exclusiveMaximum", 0),
    "maximum": ("number", "exclusiveMinimum", 0),
    "exclusiveMinimum": ("number", "maximum", 0),
    "exclusiveMaximum": ("number", "minimum", 0),
    "minLength": ("string", "maxLength", -1),
    "maxLength": ("string", "minLength", 1),
    "minItems": ("array", "maxItems", -1),
    "maxItems": ("array", "minItems", 1),
    "minProperties": ("object", "maxProperties", -1),
    "maxProperties": ("object", "minProperties", 1),
}


def positive_negation(node: Node) -> Node | None:
    """``¬node`` without a negation, where ``node`` asserts one bound and nothing else:
    ``{"type": kind, the other bound}``; ``required`` names: an object without one of them;
    ``properties`` that are all ``false``: an object with one of them. Read as 2020-12
    (values the engine can build and compare, where a negation is only ever covered)."""
    raw = node.raw
    if not isinstance(raw, dict):
        return None
    # `properties` whose every subschema accepts everything says nothing either, nor do
    # `then` and `else` without an `if` beside them.
    asserting = [k for k in raw if keywords.constrains(k) and not (
        k == "properties" and isinstance(raw[k], dict)
        and all(_raw_says_nothing(x, node.draft) for x in raw[k].values())) and not (
        k in ("then", "else") and "if" not in raw)]
    if asserting == ["required"] and isinstance(raw["required"], list) \
            and all(isinstance(x, str) for x in raw["required"]):
        # ¬{required: [a, b]}: an object without a, or without b.
        absent = [{"type": "object", "properties": {name: False}}
                  for name in dict.fromkeys(raw["required"])]
        if not absent:
            return synthetic(False, node, DRAFT2020)  # required: [] holds for every value
        return synthetic(absent[0] if len(absent) == 1 else {"anyOf": absent}, node, DRAFT2020)
    if asserting == ["properties"] and isinstance(raw["properties"], dict):
        # ¬{properties: {a: false, b: false}}: an object with a, or with b (those that say
        # nothing were left out above, so at least one is left).
        refused = [k for k, x in raw["properties"].items()
                   if not _raw_says_nothing(x, node.draft)]
        if refused and all(raw["properties"][k] is False for k in refused):
            present = [{"type": "object", "required": [k]} for k in refused]
            return synthetic(present[0] if len(present) == 1 else {"anyOf": present},
                             node, DRAFT2020)
        if refused and not any(_has_id(raw["properties"][k]) for k in refused):
            # ¬{properties: {a: A, b: B}}: an object with a not valid under A, or with b not
            # valid under B. Written in the node's own draft, so A and B mean what they did
            # (their references resolve as before: no `$id` below changes the base).
            failing: list[dict[str, Any]] = [
                {"type": "object", "required": [k], "properties": {k: {"not": raw["properties"][k]}}}
                for k in refused]
            return synthetic(failing[0] if len(failing) == 1 else {"anyOf": failing}, node)
        return None
    if len(asserting) != 1 or asserting[0] not in _COMPLEMENTS:
        return None
    (name,) = asserting
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if name.startswith("exclusive") and node.draft < DRAFT6:
        return None  # draft 4's exclusive* are flags, never alone
    kind, other, step = _COMPLEMENTS[name]
    if step:
        if value != int(value) or value < 0:
            return None
        moved = int(value) + step
        if moved < 0:
            return synthetic(False, node, DRAFT2020)  # {minLength: 0} holds for every value
        return synthetic({"type": kind, other: moved}, node, DRAFT2020)
    return synthetic({"type": kind, other: value}, node, DRAFT2020)


def _has_id(raw: Any) -> bool:
    """Whether a `$id` or `id` key appears anywhere in ``raw`` (conservative)."""
    stack = [raw]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "$id" in x or "id" in x:
                return True
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return False


def negates_itself(t: Term) -> bool:
    """True when the term negates a subschema it also requires (the same one, or the same
    text with no reference in it), or one that accepts everything (``true``, ``{}``): no
    value has it. Cheap, and sound."""
    if not t.neg:
        return False
    for m in t.neg:
        if trivially_true(m):
            return True
        for p in t.pos:
            if p.key == m.key or (p.draft == m.draft and json_equal(p.raw, m.raw)
                                  and not has_ref(p.raw)):
                return True
    return False


def objects_empty(merged: Merged) -> bool:
    """True when no object satisfies the term: it requires a property that a subschema
    forbids (``false`` for that name: closed by ``additionalProperties: false``) or a name
    its ``propertyNames`` refuses, or more properties than it allows. Names that
    ``dependentRequired`` asks for beside required ones count as required."""
    required = required_closure(merged)
    cap = merged.max_properties
    if cap is not None and len(required) > cap:
        return True
    if any(merged.never_has(name) for name in required):
        return True
    if required and any(not oracle.is_valid(names, name) for names in merged.property_names
                        for name in required):
        return True
    if merged.min_properties and merged.closed():
        # Closed to the names of `properties`: fewer of them allowed than needed.
        allowed = [n for n in merged.explicit_names() if not merged.never_has(n)]
        return len(allowed) < merged.min_properties
    return False


def add_dependent_required(names: set[str], views: Iterable[View]) -> bool:
    """Add to ``names``, transitively, every name the views' ``dependentRequired`` asks for
    beside one of them; True if any was added."""
    views = tuple(views)
    added = False
    grew = bool(names)
    while grew:
        grew = False
        for v in views:
            for name, deps in v.dependent_required.items():
                if name in names and not deps <= names:
                    names |= deps
                    grew = added = True
    return added


def required_closure(merged: Merged) -> frozenset[str]:
    """The required names and, transitively, those ``dependentRequired`` asks for beside
    them: every object of the term holds them all."""
    names = set(merged.required)
    add_dependent_required(names, merged.views)
    return frozenset(names)


def property_nodes(view: View, name: str) -> tuple[Node, ...]:
    """The subschemas one view applies to the value of property ``name``."""
    hit = view.by_name.get(name)
    if hit is not None:
        return hit
    nodes: list[Node] = []
    if name in view.properties:
        nodes.append(view.properties[name])
    matched = False
    for pattern, node in view.pattern_properties.items():
        if _search(pattern, name):
            nodes.append(node)
            matched = True
    if name not in view.properties and not matched and view.additional is not None:
        nodes.append(view.additional)
    found = view.by_name[name] = tuple(nodes)
    return found


def distinct(nodes: Iterable[Node]) -> tuple[Node, ...]:
    """The nodes, each subschema once (by identity and base URI: a key the answers are
    remembered by), in order."""
    seen: dict[Any, Node] = {}
    for n in nodes:
        seen.setdefault(n.key, n)
    return tuple(seen.values())


def _search(pattern: str, text: str) -> bool:
    try:
        return oracle.ecma_search(pattern, text)
    except oracle.Undecidable:
        raise  # no exact answer: the question that asked is unknown, not "no match"
    except Exception:
        return False  # a pattern regress refuses (load time refuses those reachable)


_KIND_TYPES = {"null": "null", "boolean": "boolean", "int": "integer", "frac": "number",
               "string": "string", "array": "array", "object": "object"}


def kind_term(t: Term, kind: str, like: Node) -> Term:
    """The values of flat term ``t`` of one kind, flat too: the non-integer numbers' ``not``
    is written as the negation it is, not left inside a node nothing will expand."""
    if kind == "frac":
        return Term(t.pos + (synthetic({"type": "number"}, like, DRAFT2020),),
                    t.neg + (synthetic({"type": "integer"}, like, DRAFT2020),), flat=True)
    return Term(t.pos + (kind_node(kind, like),), t.neg, flat=True)


def kind_node(kind: str, like: Node) -> Node:
    # Read as 2020-12, whatever the draft around: "integer" is every integral number there,
    # and the kinds then split the values exactly.
    raw: dict[str, Any] = {"type": _KIND_TYPES[kind]}
    if kind == "frac":
        raw = {"type": "number", "not": {"type": "integer"}}
    return synthetic(raw, like, DRAFT2020)


