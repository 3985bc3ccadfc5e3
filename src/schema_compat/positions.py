"""Where each subschema stands in a document: its polarity and a place in a message.

Measuring one change of a large schema against the whole document costs a whole comparison
per change. Most changes can be measured in a subschema instead: one that growing grows the
document (it is only reached *positively*: through properties, items, ``allOf``/``anyOf``,
``$ref`` and the like, never under ``not``, ``if``, ``oneOf`` or a ``contains`` bounded by
``maxContains``). Then "the changed subschema accepts everything the old one did" implies
the same of the whole document, by monotonicity; recursive references keep it true by
induction on the depth of the message. A change under a ``oneOf`` is measured at the nearest
such subschema above it, as long as nothing else refers into the part in between
(``Positions.chain``).

``positions(root)`` walks every subschema validation can reach and records, per raw
subschema, how it is reached (positively, negatively, or both), by which edges, and the
shortest path into a message where it applies, to carry a local counterexample into a whole
message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from .schema import Node

POSITIVE = 1
NEGATIVE = 2
BOTH = POSITIVE | NEGATIVE

# A step into the message: a property name, an array index, or None where the subschema
# applies to the same value as its parent (allOf, $ref, then...).
Step = str | int | None


@dataclass(frozen=True)
class Positions:
    """The reachable subschemas of one prepared root, by ``id()`` of their raw object."""

    nodes: dict[int, Node]
    polarity: dict[int, int]
    paths: dict[int, tuple[str | int, ...]]
    # For each subschema, the subschema of every edge that reaches it (once per edge).
    parents: dict[int, list[int]]
    children: dict[int, list[int]]

    def reachable(self, raw: object) -> bool:
        return id(raw) in self.nodes

    def chain(self, target: object) -> list[Node] | None:
        """The subschemas from an anchor down to ``target``: the anchor is reached only
        positively, and each one below it is reached by one edge only, from the one above
        (a keyword of it, or its ``$ref``). Replacing the anchor by a copy with the target
        changed is then the same as making the change in the document: nothing else refers
        into the copied part. None when there is no such chain.
        """
        ident = id(target)
        if ident not in self.nodes:
            return None
        chain = [ident]
        while self.polarity.get(ident) != POSITIVE:
            parents = self.parents.get(ident)
            if parents is None or len(parents) != 1 or parents[0] in chain:
                return None
            ident = parents[0]
            chain.append(ident)
        return [self.nodes[i] for i in reversed(chain)]

    def reaches(self, start: object, targets: set[int]) -> bool:
        """Does validation from ``start`` reach any of ``targets`` (ids of raw subschemas)?"""
        seen: set[int] = set()
        stack = [id(start)]
        while stack:
            ident = stack.pop()
            if ident in targets:
                return True
            if ident in seen:
                continue
            seen.add(ident)
            stack.extend(self.children.get(ident, ()))
        return False


def edges(node: Node) -> Iterator[tuple[Node, str, Step | bool]]:
    """(child, how its polarity follows, instance step) for each direct subschema.

    ``how`` is "same", "flip" or "both"; the step is False where no single place in the
    message reaches the child (a pattern-named or additional property, a property name).
    """
    v = node.view
    for i, n in enumerate(v.prefix_items):
        yield n, "same", i
    if v.items is not None:
        yield v.items, "same", len(v.prefix_items)
    if v.contains is not None:
        yield v.contains, ("same" if v.max_contains is None else "both"), 0
    for name, n in v.properties.items():
        yield n, "same", name
    for n in v.pattern_properties.values():
        yield n, "same", False
    if v.additional is not None:
        yield v.additional, "same", False
    if v.property_names is not None:
        yield v.property_names, "same", False
    for n in (*v.all_of, *(v.any_of or ()), *v.dependent_schemas.values()):
        yield n, "same", None
    for maybe in (v.ref, v.then, v.else_):
        if maybe is not None:
            yield maybe, "same", None
    for n in v.one_of or ():
        yield n, "both", None
    if v.if_ is not None:
        yield v.if_, "both", None
    if v.not_ is not None:
        yield v.not_, "flip", None


def positions(root: Node) -> Positions | None:
    """Polarity and message paths of every reachable subschema; None where the walk cannot
    be trusted to see everything (keywords not modelled, ``unevaluated*``, which make a
    subschema's meaning depend on its siblings' evaluation)."""
    nodes: dict[int, Node] = {}
    polarity: dict[int, int] = {}
    paths: dict[int, tuple[str | int, ...]] = {}
    children: dict[int, list[tuple[Node, str, Step | bool]]] = {}
    # Breadth first, so the first path recorded is a shortest one.
    queue: deque[tuple[Node, tuple[str | int, ...] | None]] = deque([(root, ())])
    while queue:
        node, path = queue.popleft()
        ident = id(node.raw)
        if ident in nodes:
            if path is not None and ident not in paths:
                paths[ident] = path
                _requeue_paths(ident, path, children, paths, queue)
            continue
        view = node.view
        if view.opaque_to_polarity:
            return None
        nodes[ident] = node
        if path is not None:
            paths[ident] = path
        out = list(edges(node))
        children[ident] = out
        for child, _, step in out:
            queue.append((child, _extend(path, step)))
    parents: dict[int, list[int]] = {}
    for ident, below in children.items():
        for child, _, _ in below:
            parents.setdefault(id(child.raw), []).append(ident)
    # Polarity: a fixed point over the graph (a node's polarity only grows).
    polarity[id(root.raw)] = POSITIVE
    work = [id(root.raw)]
    while work:
        ident = work.pop()
        mine = polarity[ident]
        for child, how, _ in children.get(ident, ()):
            add = mine if how == "same" else BOTH if how == "both" else _flip(mine)
            cid = id(child.raw)
            before = polarity.get(cid, 0)
            if before | add != before:
                polarity[cid] = before | add
                work.append(cid)
    return Positions(nodes, polarity, paths, parents,
                     {k: [id(c.raw) for c, _, _ in v] for k, v in children.items()})


def _requeue_paths(ident: int, path: tuple[str | int, ...],
                   children: dict[int, list[tuple[Node, str, Step | bool]]],
                   paths: dict[int, tuple[str | int, ...]],
                   queue: deque[tuple[Node, tuple[str | int, ...] | None]]) -> None:
    # A node first reached where no message path leads: its children get one now.
    for child, _, step in children.get(ident, ()):
        if id(child.raw) not in paths:
            queue.append((child, _extend(path, step)))


def _extend(path: tuple[str | int, ...] | None, step: Step | bool) -> tuple[str | int, ...] | None:
    if path is None or step is False:
        return None
    if step is None:
        return path
    assert not isinstance(step, bool)
    return (*path, step)


def _flip(bits: int) -> int:
    return ((bits & POSITIVE) and NEGATIVE) | ((bits & NEGATIVE) and POSITIVE)
