"""Each change measured alone: the effect of one keyword change on the messages accepted.

A finding's effect per direction is found by making that one change alone on the old
document (a counterfactual) and comparing it with the old document: in the smallest
subschema that settles it (``positions.py``), else the whole document. A finding is
``breaking`` only with a witness the real old and new schemas confirm. Where the two
documents' drafts differ, every change but the draft's own is measured on the old document
read in the new draft.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from . import keywords, oracle
from .changes import (
    ABSENT,
    KeywordChange,
    references,
)
from .counterfactual import CannotApply, apply_change, mutate, resolve_path, schema_refs
from .errors import SchemaError
from .findings import (
    BACKWARD,
    BREAKING,
    COMPATIBLE,
    FORWARD,
    OK,
    UNKNOWN,
    DirectionVerdict,
    Finding,
    Witness,
)
from .loading import SchemaDocument
from .normalize import prepare, reached, shorten
from .options import Options
from .positions import Positions
from .rules import classify
from .schema import (
    DRAFT2019,
    Node,
    RemoteRef,
    base_uri,
    declares,
    detect_draft,
    json_equal,
    split_pointer,
)
from .semantics import MISSING as _NO_EXAMPLE
from .semantics import PROVED, Checker, Outcome, unknown


def make_witness(direction: str, instance: Any, rejecting: Node, accepting: Node,
             near: str | None = None) -> Witness:
    where, message = oracle.explain(rejecting, instance, near)
    text = f"{where or '/'}: {shorten(message, 200)}" if message else ""
    caveats = []
    for side, node in (("accepting", accepting), ("rejecting", rejecting)):
        try:
            reason = oracle.disagreement(node, instance)
        except oracle.Undecidable as exc:
            reason = str(exc)
        if reason:
            caveats.append(f"{side} side: {reason}")
    return Witness(direction, instance, text, caveat="; ".join(caveats))


@dataclass(frozen=True)
class Baseline:
    """What a change is measured against, alone: the old document, read in the new
    document's draft when the two differ (``root`` None where it is no schema there)."""

    doc: SchemaDocument
    root: Node | None
    redrafted: bool = False


def baseline(old: SchemaDocument, new: SchemaDocument, old_root: Node,
              options: Options) -> Baseline:
    """A change made alone means what it means in the draft it was written for: in a pair
    whose drafts differ, every change but the draft's own is measured on the old document
    read in the new draft (tuple ``items`` added under a new 2019-09 ``$schema`` is a
    constraint there, where 2020-12 would refuse it)."""
    if detect_draft(old.document) == detect_draft(new.document) \
            or not isinstance(old.document, dict) or not isinstance(new.document, dict):
        return Baseline(old, old_root)
    document = {k: v for k, v in old.document.items() if k != "$schema"}
    if "$schema" in new.document:
        document = {"$schema": new.document["$schema"], **document}
    doc = SchemaDocument(old.name, old.version, old.source, document, old.path,
                         default_draft=old.default_draft)
    try:
        root: Node | None = prepare(doc, formats=options.formats, catalog=options.catalog)
    except SchemaError:
        root = None
    return Baseline(doc, root, redrafted=True)


def measure_change(change: KeywordChange, old: SchemaDocument, new: SchemaDocument,
                   old_root: Node, new_root: Node, pos: Positions | None,
                   back: DirectionVerdict, fwd: DirectionVerdict, deadline: float,
                   options: Options, seen: bool = False,
                   base: Baseline | None = None) -> Finding:
    """One change's finding: its effect per direction, measured by making it alone on
    ``base`` (the old document, or the old document in the new draft) and confirmed on the
    real pair. ``seen``: validation reads the changed value through a reference (an
    annotation that a ``$ref`` points into, an ``$id`` a reference resolves against):
    neither the annotation shortcut nor a local measure holds then."""
    rule, message = classify(change)
    if rule.annotation and not seen:
        return Finding(rule.id, change.old_path, change.new_path, OK, OK, message,
                       annotation=True)
    measure = _Measure(change, new, old, old_root, new_root, pos, deadline, options, seen)
    if base is not None and base.redrafted:
        if change.keyword == "$schema" and change.old_schema_path == "":
            measure.pos = None  # the draft's own change: measured on the old document, whole
        elif base.root is None:
            reason = ("the old schema is not a valid schema of the new draft, where this "
                      "change is to be measured")
            return Finding(rule.id, change.old_path, change.new_path,
                           OK if back.status == COMPATIBLE else UNKNOWN,
                           OK if fwd.status == COMPATIBLE else UNKNOWN, message, reason=reason)
        else:
            measure.base_doc, measure.base_root = base.doc, base.root
    effects: dict[str, str] = {}
    witnesses: list[Witness] = []
    reasons: list[str] = []
    for direction, verdict in ((BACKWARD, back), (FORWARD, fwd)):
        # A direction shown compatible as a whole is compatible for every change in it.
        effect, witness, reason = (OK, None, "") if verdict.status == COMPATIBLE \
            else measure.direction(direction)
        effects[direction] = effect
        if witness is not None:
            witnesses.append(witness)
        if reason:
            reasons.append(reason)
    return Finding(rule.id, change.old_path, change.new_path, effects[BACKWARD],
                   effects[FORWARD], message, witnesses=tuple(witnesses),
                   reason="; ".join(dict.fromkeys(reasons)))


_Effect = tuple[str, "Witness | None", str]  # effect, its witness, why it is unknown


@dataclass
class _Measure:
    """One change measured, direction by direction: first in the smallest subschema that
    settles it, else on the whole document with the change made alone (built once)."""

    change: KeywordChange
    new: SchemaDocument
    base_doc: SchemaDocument
    old_root: Node
    new_root: Node
    pos: Positions | None
    deadline: float
    options: Options
    seen: bool
    base_root: Node = field(init=False)
    counterfactual: Node | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.base_root = self.old_root

    def direction(self, direction: str) -> _Effect:
        if time.monotonic() > self.deadline:
            return UNKNOWN, None, "time limit reached before this change was measured"
        local = self._local(direction)
        if local is not None:
            return local
        return self._whole(direction)

    def _near(self, direction: str) -> str | None:
        return self.change.new_path if direction == BACKWARD else self.change.old_path

    def _local(self, direction: str) -> _Effect | None:
        """The answer in the subschema that settles it, or None: measure the whole."""
        if self.seen:
            return None
        measured = _local_outcome(self.change, self.base_root, self.pos, direction,
                                  self.deadline, self.options)
        if measured is None:
            return None
        local, at = measured
        if local.yes:
            return OK, None, ""
        if local.no and self.pos is not None:
            embedded = _embed(self.change, at, self.base_root, self.old_root, self.new_root,
                              self.pos, direction, local.witness, self.deadline)
            if embedded is not None:
                rejecting, accepting = (self.new_root, self.old_root) \
                    if direction == BACKWARD else (self.old_root, self.new_root)
                return BREAKING, make_witness(direction, embedded, rejecting, accepting,
                                              self._near(direction)), ""
            if self.pos.paths.get(id(at)) is not None:
                # The whole-document measure would find the same value, which the real pair
                # does not confirm (another change undoes this one there).
                return UNKNOWN, None, ("a counterexample for this change alone is not one "
                                       "for the two real versions")
            return None
        if not local.no:
            # The whole document poses the same open question as the subschema.
            return UNKNOWN, None, local.reason or "could not decide this change"
        return None

    def _whole(self, direction: str) -> _Effect:
        """The whole document with the change made alone, against the document without."""
        try:
            if self.counterfactual is None:
                self.counterfactual = apply_change(self.base_doc, self.base_root, self.change,
                                             self.new)
            checker = Checker(max_steps=self.options.max_steps, deadline=self.deadline)
            if direction == BACKWARD:
                outcome = checker.includes(self.base_root, self.counterfactual)
            else:
                outcome = checker.includes(self.counterfactual, self.base_root)
        except (SchemaError, CannotApply) as exc:
            return UNKNOWN, None, f"could not measure this change alone: {exc}"
        effect, witness = _effect(outcome, direction, self.old_root, self.new_root,
                                  self._near(direction))
        reason = outcome.reason if effect == UNKNOWN and witness is None else ""
        return effect, witness, reason


def _effect(outcome: Outcome, direction: str, old_root: Node, new_root: Node,
            near: str | None) -> tuple[str, Witness | None]:
    if outcome.yes:
        return OK, None
    if outcome.no:
        w = outcome.witness
        # The counterfactual witness counts only if the real pair confirms it.
        try:
            if direction == BACKWARD:
                real = oracle.is_valid(old_root, w) and not oracle.is_valid(new_root, w)
                rejecting = new_root
            else:
                real = oracle.is_valid(new_root, w) and not oracle.is_valid(old_root, w)
                rejecting = old_root
        except oracle.Undecidable:
            return UNKNOWN, None
        if real:
            accepting = old_root if rejecting is new_root else new_root
            return BREAKING, make_witness(direction, w, rejecting, accepting, near)
        return UNKNOWN, None
    return UNKNOWN, None


# Keywords whose subschemas positions.py follows (a change there is measured in place):
# the applicators, and the containers references reach into.
_SCHEMA_STRUCTURE = keywords.APPLICATORS | keywords.CONTAINERS


_NAMING_KEYWORDS = frozenset({"$id", "id"})


_ANCHOR_KEYWORDS = keywords.IDENTIFIERS - _NAMING_KEYWORDS - {"$schema", "$vocabulary"}


class SeenByValidation:
    """Does validation read a changed keyword's value other than as the keyword it is: a
    ``$ref`` into an annotation or an unknown keyword, or an identifier a reference
    resolves by? Annotation rules and local measures assume it does not."""

    def __init__(self, old_root: Node, new_root: Node) -> None:
        self.sides = [(references(root.raw), reached(root)) for root in
                      (old_root, new_root)]

    def __call__(self, change: KeywordChange) -> bool:
        kw = change.keyword
        if kw in _SCHEMA_STRUCTURE:
            return False  # structure positions.py follows, references included
        for value, path, (refs, reach) in zip((change.old, change.new),
                                                (change.old_path, change.new_path), self.sides):
            if value is ABSENT:
                continue
            if kw in _NAMING_KEYWORDS and refs.names(value):
                return True
            if kw in _ANCHOR_KEYWORDS and refs.opaque:
                return True
            if reach is None:
                return True  # not prepared: assume the worst
            ids, ref_to_boolean = reach
            if isinstance(value, bool) and ref_to_boolean and (refs.opaque or any(
                    p == split_pointer(path or "") for p in refs.pointers)):
                return True
            if _contains_any(value, ids):
                return True
        return False


def _contains_any(value: Any, ids: frozenset[int]) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in ids:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            if id(item) in ids:
                return True
            stack.extend(item)
    return False


# Keywords that name resources or select a dialect: a change to one of them can change what
# references elsewhere resolve to, which no single subschema shows.
_RESOLUTION_KEYWORDS = keywords.IDENTIFIERS | {"<schema>"}


def _local_outcome(change: KeywordChange, old_root: Node, pos: Positions | None,
                   direction: str, deadline: float,
                   options: Options) -> tuple[Outcome, Any] | None:
    """The change measured in the smallest subschema that settles it for the document.

    That is the deepest subschema on the way to the change that validation reaches only
    positively (see positions.py), with nothing else referring into the part below it: the
    document then accepts more (or fewer) messages exactly when that subschema does. ``yes``
    means the change, made alone, changes nothing in ``direction``; ``no`` carries a value for
    the changed subschema (to embed in a whole message); ``unknown`` means the document
    question is as open as the local one. None when no such place exists: measure the whole
    document.
    """
    if pos is None or change.keyword in _RESOLUTION_KEYWORDS \
            or change.keyword in _CONTEXT_KEYWORDS:
        return None
    path = split_pointer(change.old_schema_path)
    try:
        target = resolve_path(old_root.raw, path)
    except (CannotApply, IndexError, ValueError):
        return None
    if not isinstance(target, dict):
        return None
    if change.keyword in ("$defs", "definitions"):
        proved = _definitions_outcome(change, target, pos)
        return None if proved is None else (proved, target)
    if not pos.reachable(target):
        return PROVED, target  # validation never looks at this subschema
    chain = pos.chain(target)
    if chain is None:
        return None
    anchor = chain[0]
    if _refers_into(change, chain[-1], pos, {id(n.raw) for n in chain}):
        return None
    copied = _copy_chain(chain)
    if copied is None:
        return None
    modified, changed_target = copied
    try:
        mutate(changed_target, change)
    except CannotApply:
        return None
    changed = Node(modified, anchor.resolver, anchor.ctx, anchor.draft, anchor.pointer)
    # The document's caches remember subschemas by id(): the copy must outlive them, or a
    # later copy could take its id and its answers.
    anchor.ctx.examples.setdefault(("keep-alive",), []).append(modified)
    checker = Checker(max_steps=options.max_steps, deadline=deadline)
    try:
        outcome = (checker.includes(anchor, changed) if direction == BACKWARD
                   else checker.includes(changed, anchor))
    except SchemaError:
        return None  # e.g. a $ref to a definition only the new document has
    return outcome, anchor.raw


# Keywords that change how sibling subschemas count (maxContains makes ``contains``
# non-monotone; unevaluated* depend on what the siblings evaluated): measure fully.
_CONTEXT_KEYWORDS = keywords.EVALUATION_DEPENDENT | {"maxContains"}


# Where a subschema can stand inside its parent: the applicators (definitions are not
# places: only a $ref makes one take part in validation).
_SLOT_KEYWORDS = keywords.APPLICATORS


def _slot(parent: Any, child: Any) -> list[str | int] | None:
    """The keyword path from ``parent`` to the very object ``child``, if it stands there."""
    for kw, value in parent.items():
        if kw not in _SLOT_KEYWORDS:
            continue
        if value is child:
            return [kw]
        if isinstance(value, dict):
            for name, sub in value.items():
                if sub is child:
                    return [kw, name]
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                if sub is child:
                    return [kw, i]
    return None


def _copy_chain(chain: list[Node]) -> tuple[Any, Any] | None:
    """A copy of the anchor (``chain[0]``) that shares everything but the way down the chain,
    where each subschema is copied (a ``$ref`` is replaced by a copy of its target, in the
    place the keyword gives it), so the change made at the end leaves the old document as it
    is; returns (copy, copy of the target)."""
    if not all(isinstance(n.raw, dict) for n in chain):
        return None
    top = copy.copy(chain[0].raw)
    here = top
    for parent, child in zip(chain, chain[1:]):
        slot = _slot(parent.raw, child.raw)
        if slot is not None:
            for seg in slot:
                here[seg] = copy.copy(here[seg])
                here = here[seg]
            continue
        ref = parent.view.ref
        if ref is None or ref.raw is not child.raw \
                or base_uri(ref.resolver) != base_uri(parent.resolver):
            return None
        target = copy.copy(child.raw)
        del here["$ref"]
        if parent.draft >= DRAFT2019:
            # {"$ref": X, ...} means allOf [X, ...]: the copy of X joins the allOf.
            here["allOf"] = [*here.get("allOf", []), target]
            here = target
        else:
            # Before 2019-09 a $ref's siblings are ignored: the subschema is its target.
            here.clear()
            here.update(target)
    return top, here


def _refers_into(change: KeywordChange, target: Node, pos: Positions, spine: set[int]) -> bool:
    """Does the changed content refer (by ``$ref``) to anything that leads back into the copied
    part (such a reference would see the old subschemas, not the changed ones), or to nothing
    in the old document?"""
    refs = list(schema_refs(change.new))
    if change.keyword == "$ref" and isinstance(change.new, str):
        refs.append(change.new)
    if not refs:
        return False
    if _names_resources(change.new):
        return True
    for ref in refs:
        try:
            resolved = target.resolve(ref)
        except RemoteRef:
            continue  # another document: it cannot lead back into this one's copied part
        except SchemaError:
            return True  # a definition only the new document has: measure the whole document
        if pos.reaches(resolved.raw, spine):
            return True
    return False


def _definitions_outcome(change: KeywordChange, target: dict[str, Any],
                         pos: Positions) -> Outcome | None:
    """A definition added, or removed where nothing reaches it: no message changes. Removed
    where validation still reaches it, the change alone would leave a reference pointing
    nowhere: it has no effect of its own to measure (the changes to the references do)."""
    if change.added and not _names_resources(change.new):
        return PROVED  # no old reference can resolve to it: they all resolved already
    if change.removed and isinstance(change.member, str):
        old = target.get(change.keyword, {}).get(change.member, ABSENT)
        if old is not ABSENT and not _names_resources(old):
            if not _reaches_into(old, pos):
                return PROVED
            return unknown("could not measure this change alone: the "
                           "definition is still referenced there")
    return None


def _reaches_into(raw: Any, pos: Positions) -> bool:
    """Does validation reach ``raw`` or any subschema inside it?"""
    stack = [raw]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if pos.reachable(value):
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


_RESOURCE_KEYS = keywords.RESOURCE_NAMES


def _names_resources(raw: Any) -> bool:
    """Does ``raw`` declare an identifier or anchor a reference could resolve to?"""
    return declares(raw, _RESOURCE_KEYS)


def _embed(change: KeywordChange, at: Any, base_root: Node, old_root: Node, new_root: Node,
           pos: Positions, direction: str, local: Any, deadline: float) -> Any | None:
    """A whole message carrying ``local`` (a counterexample for the subschema ``at`` of
    ``base_root``'s document) at its place, if the real pair confirms it (valid under the
    source side, invalid under the other)."""
    found = pos.paths.get(id(at))
    if found is None:
        return None
    where: list[str | int] = list(found)
    src, dst = (old_root, new_root) if direction == BACKWARD else (new_root, old_root)

    def confirmed(message: Any) -> bool:
        return (message is not None and oracle.is_valid(src, message)
                and not oracle.is_valid(dst, message))

    try:
        bases = _bases(src, dst, deadline)
        if isinstance(change.member, str) and isinstance(local, dict) \
                and change.member in local \
                and at is resolve_path(base_root.raw, split_pointer(change.old_schema_path)):
            # A change to one property: carry just that property's value into a message
            # that is valid on both sides, so the other side rejects it for this change only.
            for base in bases:
                message = _place(copy.deepcopy(base), [*where, change.member],
                                 local[change.member])
                if confirmed(message):
                    return message
        if not where:
            return local if confirmed(local) else None  # a value of the root is a message
        for base in bases:
            message = _place(copy.deepcopy(base), where, local)
            if confirmed(message):
                return message
    except oracle.Undecidable:
        return None
    return None


def _bases(src: Node, dst: Node, deadline: float) -> list[Any]:
    """Messages to carry a counterexample: one valid under both sides first (so that the other
    side rejects it for this change only), then one valid under the source side."""
    key = ("bases", id(dst.ctx))
    cached = src.ctx.examples.get(key)
    if cached is None:
        # Built once per comparison: an example of a large schema costs what its size does.
        checker = Checker(max_steps=50_000, deadline=deadline)
        cached = []
        for value in (checker.example_of(src, dst), checker.example(src)):
            if value is not _NO_EXAMPLE and not any(json_equal(value, c) for c in cached):
                cached.append(value)
        src.ctx.examples[key] = cached
    return list(cached)


def _place(message: Any, where: list[str | int], value: Any) -> Any | None:
    if not where:
        return value
    node = message
    for key in where[:-1]:
        if isinstance(key, str):
            if not isinstance(node, dict):
                return None
            node = node.setdefault(key, {})
        else:
            if not isinstance(node, list) or key > len(node):
                return None
            if key == len(node):
                node.append({})
            node = node[key]
    last = where[-1]
    if isinstance(last, str) and isinstance(node, dict):
        node[last] = value
    elif isinstance(last, int) and isinstance(node, list) and last <= len(node):
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    else:
        return None
    return message
