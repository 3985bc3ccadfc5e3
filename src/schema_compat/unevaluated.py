"""``unevaluatedProperties`` and ``unevaluatedItems`` rewritten into keywords the engine models.

A property (an item) is *evaluated* when a subschema applied in place to the same instance,
and valid there, looked at it: ``properties``/``patternProperties``/``additionalProperties``
(``prefixItems``/``items``/``contains``), reached through ``allOf``, ``$ref``, valid
``anyOf``/``oneOf`` branches, ``if``/``then``/``else`` as the ``if`` turned out, and
``dependentSchemas`` whose property is there. ``unevaluatedProperties: S`` then says: every
property no one evaluated satisfies ``S``.

Where those subschemas are known from the text, that is ``additionalProperties: S`` beside
``properties``/``patternProperties`` that list every evaluated name and pattern with ``true``
(items: ``items: S`` after ``prefixItems`` of ``true``, or ``items: anyOf[C…, S]`` where
``contains: C`` evaluates the items it matches). A branch that evaluates only when it is
valid makes cases: the set of branches that hold is unknown, but the more hold, the more is
evaluated and the weaker the constraint, so the exact rewrite is "some set T of branches
holds, and the properties outside what T evaluates satisfy S", over every T the combinators
allow (one ``oneOf`` branch, ``if`` or its negation, any set of ``anyOf`` branches). The
constraint for the real set of valid branches is among the cases, and every case implies it:
the rewrite accepts exactly the instances the keyword does.

What is not rewritten keeps the keyword, with the reason, and the engine answers ``unknown``:
``$dynamicRef``/``$recursiveRef`` and remote references (what they evaluate is not known here),
more than ``MAX_CASES`` cases (conditional branches inside conditional branches count as the
cases they make, each with the conditions of its branch and of the branches within), subschemas
of another draft or resource inside a condition, and draft 2019-09 where its validators
disagree (python-jsonschema reads an ``additionalProperties`` or ``unevaluatedProperties``
subschema there as evaluating the properties named like its keywords; jsonschema-rs, as the
specification, as evaluating all) unless the context names one reading to take (the engine
then compares under each). Both count the items ``contains`` matches as evaluated in
2019-09 too, where the specification does not: the reference does as they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schema import (
    DRAFT2019,
    DRAFT2020,
    PYTHON_READING,
    READ_DIFFERENTLY,
    RS_READING,
    Node,
    View,
    base_uri,
)

# Cases of a conditional rewrite: each is a branch of an `anyOf` the engine expands.
MAX_CASES = 16
# Subschemas looked at to find what one keyword's siblings evaluate.
_MAX_NODES = 256


class _Refused(Exception):
    """The evaluated set is not known from the text (the message says why)."""


@dataclass
class _Evaluated:
    """What one subschema, when valid, is known to evaluate."""

    everything: bool = False
    names: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    prefix: int = 0
    contains: list[Any] = field(default_factory=list)  # raw `contains` subschemas

    def add(self, other: _Evaluated) -> None:
        self.everything = self.everything or other.everything
        self.names |= other.names
        self.patterns |= other.patterns
        self.prefix = max(self.prefix, other.prefix)
        self.contains.extend(c for c in other.contains
                             if not any(c is x for x in self.contains))

    def within(self, other: _Evaluated) -> bool:
        """True when ``other`` already evaluates everything this does."""
        if other.everything:
            return True
        if self.everything:
            return False
        return (self.names <= other.names and self.patterns <= other.patterns
                and self.prefix <= other.prefix
                and all(any(c is x for x in other.contains) for c in self.contains))


@dataclass
class _Member:
    """A branch that evaluates only when ``conditions`` (raw subschemas) hold."""

    conditions: tuple[Any, ...]
    evaluated: _Evaluated


@dataclass
class _Group:
    """Branches of one keyword: ``exclusive`` when at most one of them holds."""

    exclusive: bool
    members: list[_Member]


@dataclass
class _Collected:
    always: _Evaluated = field(default_factory=_Evaluated)
    groups: list[_Group] = field(default_factory=list)


def lower(view: View) -> None:
    """Rewrite the view's ``unevaluated*`` keywords in place where the evaluated set is known
    from the text; otherwise leave them, with the reason in ``view.unevaluated_why``."""
    reasons = []
    for kind in ("properties", "items"):
        keyword_node = view.unevaluated_properties if kind == "properties" \
            else view.unevaluated_items
        if keyword_node is None:
            continue
        try:
            _lower_one(view, kind, keyword_node)
        except _Refused as exc:
            name = "unevaluatedProperties" if kind == "properties" else "unevaluatedItems"
            reasons.append(f"{name}: {exc}")
    view.unevaluated_why = "; ".join(reasons)


def _lower_one(view: View, kind: str, keyword_node: Node) -> None:
    node = view.node
    building: set[Any] = node.ctx.examples.setdefault(("unevaluated-building",), set())
    if node.key in building:
        raise _Refused("its subschemas refer back to it in place")
    building.add(node.key)
    try:
        walk = _Walk(node, kind)
        collected = walk.collect(node, view)
    finally:
        building.discard(node.key)
    if node.draft == DRAFT2019 and kind == "properties" and not isinstance(keyword_node.raw, bool):
        # python-jsonschema counts the properties named like this subschema's keywords as
        # evaluated; the specification and jsonschema-rs do not.
        reading = node.ctx.reading
        if reading == PYTHON_READING:
            if isinstance(keyword_node.raw, dict):
                collected.always.names |= set(keyword_node.raw)
        elif reading != RS_READING:
            raise _Refused(f"a subschema (not true/false) in draft 2019-09, {READ_DIFFERENTLY}")
    always = collected.always
    groups = _useful_groups(collected.groups, always)
    if always.everything:
        _set_keyword(view, kind, None)
        return
    if not groups:
        _static(view, kind, keyword_node, always)
        return
    cases = _cases(groups)
    if len(cases) > MAX_CASES:
        raise _Refused(f"{len(cases)} combinations of conditional branches (at most "
                       f"{MAX_CASES} are rewritten)")
    branches = []
    for chosen in cases:
        evaluated = _Evaluated()
        evaluated.add(always)
        conditions: list[Any] = []
        for member in chosen:
            evaluated.add(member.evaluated)
            conditions.extend(member.conditions)
        rest = _constraint(kind, evaluated, keyword_node.raw, node.draft)
        branches.append({"allOf": [*conditions, rest]} if conditions else rest)
    raw = {"anyOf": branches}
    lowered = Node(raw, node.resolver, node.ctx, node.draft, node.pointer + _MARK[kind])
    view.all_of = (*view.all_of, lowered)
    _set_keyword(view, kind, None)


_MARK = {"properties": "/<unevaluatedProperties>", "items": "/<unevaluatedItems>"}


def _set_keyword(view: View, kind: str, value: Node | None) -> None:
    if kind == "properties":
        view.unevaluated_properties = value
    else:
        view.unevaluated_items = value


def _static(view: View, kind: str, keyword_node: Node, always: _Evaluated) -> None:
    """The evaluated set does not depend on the instance: fold into the view's own keywords
    (the keyword's siblings evaluate nothing beyond ``always``, and have no
    ``additionalProperties``/``items``, or ``always`` would be everything)."""
    node = view.node
    true = Node(True, node.resolver, node.ctx, node.draft, node.pointer + _MARK[kind])
    if kind == "properties":
        props = dict(view.properties)
        for name in sorted(always.names - props.keys()):
            props[name] = true
        pprops = dict(view.pattern_properties)
        for pattern in sorted(always.patterns - pprops.keys()):
            pprops[pattern] = true
        view.properties, view.pattern_properties = props, pprops
        view.additional = keyword_node
        view.unevaluated_properties = None
        return
    view.prefix_items = (*view.prefix_items,
                         *(true,) * max(always.prefix - len(view.prefix_items), 0))
    if always.contains:
        raw = {"anyOf": [*always.contains, keyword_node.raw]}
        view.items = Node(raw, node.resolver, node.ctx, node.draft, node.pointer + _MARK[kind])
    else:
        view.items = keyword_node
    view.unevaluated_items = None


def _constraint(kind: str, evaluated: _Evaluated, rest: Any, draft: int) -> Any:
    """The schema saying that what ``evaluated`` leaves out satisfies ``rest``."""
    if evaluated.everything:
        return True
    if kind == "properties":
        out: dict[str, Any] = {}
        if evaluated.names:
            out["properties"] = dict.fromkeys(sorted(evaluated.names), True)
        if evaluated.patterns:
            out["patternProperties"] = dict.fromkeys(sorted(evaluated.patterns), True)
        out["additionalProperties"] = rest
        return out
    tail = {"anyOf": [*evaluated.contains, rest]} if evaluated.contains else rest
    if not evaluated.prefix:
        return {"items": tail}
    if draft >= DRAFT2020:
        return {"prefixItems": [True] * evaluated.prefix, "items": tail}
    return {"items": [True] * evaluated.prefix, "additionalItems": tail}


def _useful_groups(groups: list[_Group], always: _Evaluated) -> list[_Group]:
    """Groups without the members that evaluate nothing ``always`` does not."""
    out = []
    for g in groups:
        members = [m for m in g.members if not m.evaluated.within(always)]
        if members:
            out.append(_Group(g.exclusive, members))
    return out


def _cases(groups: list[_Group]) -> list[tuple[_Member, ...]]:
    """Every set of members that may hold together: at most one of an exclusive group, any
    subset of the others."""
    cases: list[tuple[_Member, ...]] = [()]
    for g in groups:
        if g.exclusive:
            options: list[tuple[_Member, ...]] = [(), *((m,) for m in g.members)]
        else:
            options = [()]
            for m in g.members:
                options += [(*o, m) for o in options]
        cases = [(*c, *o) for c in cases for o in options]
        if len(cases) > MAX_CASES:
            break
    return cases


def _combined(first: list[_Member], second: list[_Member]) -> list[_Member]:
    """The alternatives of two subschemas that both hold (an ``if`` and its ``then``)."""
    out = [_Member((*a.conditions, *b.conditions), _union(a.evaluated, b.evaluated))
           for a in first for b in second]
    if len(out) > MAX_CASES:
        raise _Refused(f"more than {MAX_CASES} combinations of conditional branches "
                       "inside a conditional branch")
    return out


def _union(a: _Evaluated, b: _Evaluated) -> _Evaluated:
    out = _Evaluated()
    out.add(a)
    out.add(b)
    return out


class _Walk:
    """Collects what the subschemas applied in place to one instance evaluate."""

    def __init__(self, root: Node, kind: str) -> None:
        self.root = root
        self.kind = kind
        self.seen: set[Any] = set()
        self.visits = 0
        self.building: set[Any] = root.ctx.examples[("unevaluated-building",)]

    def embeddable(self, nodes: tuple[Node, ...]) -> None:
        """Refuse subschemas that could not be copied into the rewrite as they are (their
        references would resolve against another base)."""
        for n in nodes:
            if n.draft != self.root.draft or base_uri(n.resolver) != base_uri(self.root.resolver):
                raise _Refused("a conditional branch in another document or draft")

    def collect(self, node: Node, view: View | None = None) -> _Collected:
        """What ``node`` evaluates when valid: always, and by groups of branches."""
        if node.key in self.seen:
            return _Collected()  # already counted on this path: evaluated sets only grow
        self.seen.add(node.key)
        self.visits += 1
        if self.visits > _MAX_NODES:
            raise _Refused(f"more than {_MAX_NODES} subschemas apply in place")
        if node.draft != self.root.draft:
            raise _Refused("a subschema of another draft applies in place")
        if isinstance(node.raw, bool):
            return _Collected()
        if view is None:
            if node.key in self.building:
                raise _Refused("its subschemas refer back to it in place")
            view = node.view
        out = _Collected()
        self._local(node, view, out.always)
        if out.always.everything:
            return out
        if view.remote_ref is not None:
            raise _Refused(f"what remote $ref {view.remote_ref} evaluates is not known")
        if view.unsupported:
            raise _Refused(f"{', '.join(view.unsupported)} is not modelled")
        for child in (*((view.ref,) if view.ref is not None else ()), *view.all_of):
            got = self.collect(child)
            out.always.add(got.always)
            out.groups.extend(got.groups)
        if view.any_of is not None:
            self._branches(out, [((b.raw,), b) for b in view.any_of], exclusive=False,
                           embedded=view.any_of)
        if view.one_of is not None:
            self._branches(out, [((b.raw,), b) for b in view.one_of], exclusive=True,
                           embedded=view.one_of)
        if view.if_ is not None:
            self._if(out, view)
        if self.kind == "properties":
            for name, dep in sorted(view.dependent_schemas.items()):
                self._branches(out, [(({"required": [name]},), dep)], exclusive=False,
                               embedded=())
        return out

    def _local(self, node: Node, view: View, out: _Evaluated) -> None:
        raw = node.raw
        draft = node.draft
        own = node is self.root  # the keyword being rewritten is not its own sibling
        if self.kind == "properties":
            for kw in ("additionalProperties", "unevaluatedProperties"):
                if kw in raw and not (own and kw == "unevaluatedProperties"):
                    if draft == DRAFT2019 and not isinstance(raw[kw], bool):
                        # python-jsonschema: it evaluates the properties named like its
                        # keywords; the specification and jsonschema-rs: every property.
                        reading = node.ctx.reading
                        if reading == PYTHON_READING:
                            if isinstance(raw[kw], dict):
                                out.names |= set(raw[kw])
                            continue
                        if reading != RS_READING:
                            raise _Refused(f"{kw} holds a subschema in draft 2019-09, "
                                           f"{READ_DIFFERENTLY}")
                    out.everything = True
                    return
            if isinstance(raw.get("properties"), dict):
                out.names |= set(raw["properties"])
            if isinstance(raw.get("patternProperties"), dict):
                out.patterns |= set(raw["patternProperties"])
            return
        if ("unevaluatedItems" in raw and not own) or view.items is not None:
            out.everything = True
            return
        if draft == DRAFT2019 and isinstance(raw.get("items"), list):
            out.prefix = max(out.prefix, len(raw["items"]))
        elif draft >= DRAFT2020 and isinstance(raw.get("prefixItems"), list):
            out.prefix = max(out.prefix, len(raw["prefixItems"]))
        if view.contains is not None:
            # Draft 2019-09 itself has `contains` evaluate nothing, but python-jsonschema and
            # jsonschema-rs count the items it matches there too: so does the reference.
            self.embeddable((view.contains,))
            out.contains.append(view.contains.raw)

    def _if(self, out: _Collected, view: View) -> None:
        assert view.if_ is not None
        yes = self._evaluated(view.if_)
        if view.then is not None:
            yes = _combined(yes, self._evaluated(view.then))
        group = [_Member((view.if_.raw, *m.conditions), m.evaluated) for m in yes]
        if view.else_ is not None:
            group += [_Member(({"not": view.if_.raw}, *m.conditions), m.evaluated)
                      for m in self._evaluated(view.else_)]
        self._add_group(out, _Group(True, group), embedded=(view.if_,))

    def _branches(self, out: _Collected, members: list[tuple[tuple[Any, ...], Node]], *,
                  exclusive: bool, embedded: tuple[Node, ...]) -> None:
        group = _Group(exclusive, [_Member((*conds, *alt.conditions), alt.evaluated)
                                   for conds, n in members for alt in self._evaluated(n)])
        self._add_group(out, group, embedded=embedded)

    def _add_group(self, out: _Collected, group: _Group, *, embedded: tuple[Node, ...]) -> None:
        if all(m.evaluated.within(_Evaluated()) for m in group.members):
            return  # the branches evaluate nothing: they make no case
        self.embeddable(embedded)
        out.groups.append(group)

    def _evaluated(self, node: Node) -> list[_Member]:
        """What a conditional branch evaluates when valid, as alternatives: one per case of
        the branches inside it (their conditions joined to the alternative's), each
        evaluating what the branch always does and what its case adds. In the real instance
        exactly one case applies, and each alternative's conditions imply what it claims:
        the alternatives together are exact, as the top-level cases are."""
        # Each branch is walked on its own: what siblings share is counted in each of them.
        saved = self.seen
        self.seen = set(saved)
        try:
            got = self.collect(node)
        finally:
            self.seen = saved
        groups = _useful_groups(got.groups, got.always)
        if not groups:
            return [_Member((), got.always)]
        cases = _cases(groups)
        if len(cases) > MAX_CASES:
            raise _Refused(f"more than {MAX_CASES} combinations of conditional branches "
                           "inside a conditional branch")
        alternatives = []
        for chosen in cases:
            evaluated = _Evaluated()
            evaluated.add(got.always)
            for member in chosen:
                evaluated.add(member.evaluated)
            alternatives.append(_Member(
                tuple(c for member in chosen for c in member.conditions), evaluated))
        return alternatives
