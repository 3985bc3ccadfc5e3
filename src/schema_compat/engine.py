"""The comparison pipeline for one schema: load → check → diff → rules → prove → decide.

``compare(old, new)`` is the whole job for one pair of documents. The verdict per direction
comes from the instance-set checker on the two roots; findings come from the keyword diff,
each measured by applying that one change alone to the old document (a counterfactual), so a
finding is ``breaking`` only with a witness that the real old and new schemas confirm.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import jsonschema
import jsonschema_rs

from . import oracle
from .diff import (
    ABSENT,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    SUBSCHEMA_KEYWORDS,
    KeywordChange,
    diff_documents,
    references,
    skeleton,
)
from .errors import SchemaError, UsageError
from .findings import (
    BACKWARD,
    BREAKING,
    COMPATIBLE,
    FORWARD,
    OK,
    UNKNOWN,
    ComparisonResult,
    DirectionVerdict,
    Finding,
    Side,
    Witness,
)
from .formats import ASSERT, DEFAULT_FORMAT_MODE, FORMAT_MODES
from .loading import SchemaDocument, SchemaSet
from .positions import Positions, positions
from .redos import catastrophic_backtracking
from .rules import classify
from .schema import (
    DRAFT2019,
    DRAFT_NAMES,
    Node,
    RemoteRef,
    declares,
    detect_draft,
    json_equal,
    load_root,
    reachable,
    split_pointer,
)
from .semantics import _MISSING as _NO_EXAMPLE
from .semantics import PROVED, Checker, Outcome, _unknown
from .verdict import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT  # re-exported for callers
from .verdict import level, required_bump

_VALIDATORS = {
    4: jsonschema.Draft4Validator, 6: jsonschema.Draft6Validator, 7: jsonschema.Draft7Validator,
    2019: jsonschema.Draft201909Validator, 2020: jsonschema.Draft202012Validator,
}


@dataclass(frozen=True)
class Options:
    """How a comparison runs. ``timeout`` bounds one pair; past it, open answers are unknown."""

    timeout: float = DEFAULT_TIMEOUT
    policy: str = "BACKWARD"
    max_steps: int = 400_000
    # "assert": `format` narrows the valid strings, as the repository's validator reads it;
    # "annotation": it changes nothing valid (formats.py).
    formats: str = DEFAULT_FORMAT_MODE


def prepare(doc: SchemaDocument, *, siblings: dict[str, Any] | None = None,
            formats: str = DEFAULT_FORMAT_MODE) -> Node:
    """Load a schema document and refuse it, with one clear line, when it is not usable."""
    draft = detect_draft(doc.document)
    _check_metaschema(doc, draft)
    root = load_root(doc.document, doc.source, path=doc.path,
                     root_dir=doc.path.parent if doc.path else None, siblings=siblings,
                     assert_formats=formats == ASSERT)
    _check_subschemas(root)
    return root


def _check_metaschema(doc: SchemaDocument, draft: int) -> None:
    # jsonschema-rs answers in milliseconds where python-jsonschema takes seconds on a large
    # 2020-12 schema ($dynamicRef in the metaschema); python-jsonschema then explains a
    # rejection, and has the last word, so the two must agree before a schema is refused.
    # Without a registry of its own, jsonschema-rs fetches a metaschema it does not know over
    # the network: the registry given here refuses every retrieval (the five drafts'
    # metaschemas are built in, and loading refuses any other `$schema`).
    offline = jsonschema_rs.Registry([], retriever=oracle._refuse)
    try:
        if jsonschema_rs.meta.is_valid(doc.document, registry=offline):
            return
    except (jsonschema_rs.ReferencingError, ValueError):
        pass  # a metaschema it cannot have: judged below by the draft the schema names
    cls = _VALIDATORS[draft]
    # No format checker: its "regex" check uses Python's re, which rejects valid ECMA-262
    # patterns such as named groups; patterns are checked below with an ECMA engine. The
    # registry holds the drafts' metaschemas and retrieves nothing (python-jsonschema's
    # default one would fetch an unknown reference over the network).
    from jsonschema_specifications import REGISTRY as metaschemas

    validator = cls(cls.META_SCHEMA, registry=metaschemas)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc.document))
    except RecursionError:
        raise SchemaError(f"{doc.source}: schema nested too deeply") from None
    if error is not None:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        raise SchemaError(
            f"{doc.source}: not a valid {DRAFT_NAMES[draft]} schema at {where}: "
            f"{_short(error.message)}")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_subschemas(root: Node) -> None:
    """Reachable patterns compile as ECMA-262; reachable ``$ref``s resolve; no ``$ref`` loop
    without an instance step in between (it would never finish validating)."""
    same_instance: dict[Any, list[Node]] = {}
    nodes: dict[Any, Node] = {}
    reached = reachable(root)
    root.ctx.examples[_REACHED] = (
        frozenset(id(n.raw) for n in reached),
        any(n.view.ref is not None and isinstance(n.view.ref.raw, bool) for n in reached))
    for node in reached:
        view = node.view
        nodes[node.key] = node
        for pattern in (*view.patterns, *view.pattern_properties):
            try:
                oracle.ecma_regex(pattern)
            except Exception as exc:
                raise SchemaError(
                    f"{root.ctx.source}: pattern {pattern!r} at {node.pointer or '/'} is not a "
                    f"valid ECMA-262 regular expression ({_short(str(exc), 80)})") from None
            if catastrophic_backtracking(pattern):
                root.ctx.hazards[pattern] = node.pointer or "/"
        targets = [*view.all_of, *(view.any_of or ()), *(view.one_of or ()),
                   *(n for n in (view.ref, view.not_, view.if_, view.then, view.else_)
                     if n is not None)]
        same_instance[node.key] = targets
    _refuse_ref_cycles(root, same_instance, nodes)


def _refuse_ref_cycles(root: Node, edges: dict[Any, list[Node]], nodes: dict[Any, Node]) -> None:
    state: dict[Any, int] = {}

    def visit(node: Node, depth: int) -> None:
        key = node.key
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise SchemaError(
                f"{root.ctx.source}: $ref cycle with no base case at {node.pointer or '/'} "
                "(a schema that refers to itself without descending into the instance)")
        if depth > 500:
            raise SchemaError(f"{root.ctx.source}: $ref chain too long at {node.pointer}")
        state[key] = 1
        targets = edges.get(key)
        if targets is None:
            v = node.view
            targets = [*v.all_of, *(v.any_of or ()), *(v.one_of or ()),
                       *(n for n in (v.ref, v.not_, v.if_, v.then, v.else_) if n is not None)]
        for t in targets:
            visit(t, depth + 1)
        state[key] = 2

    for node in list(nodes.values()):
        visit(node, 0)


# ---------------------------------------------------------------------------------------------


def compare(old: SchemaDocument, new: SchemaDocument, options: Options | None = None, *,
            schema: str | None = None) -> ComparisonResult:
    """Compare two versions of one schema; see the module docstring."""
    options = options or Options()
    if options.formats not in FORMAT_MODES:
        raise UsageError(f"formats must be one of {', '.join(FORMAT_MODES)}, got {options.formats!r}")
    deadline = time.monotonic() + options.timeout
    changes = list(diff_documents(old.document, new.document))
    if _annotations_differ_only(old, new):
        # Only annotations differ: the same messages are valid, whatever the schema says
        # (even where it leans on references we would not fetch).
        return replace(_annotations_only(old, new, changes, schema), formats=options.formats)
    old_root = prepare(old, formats=options.formats)
    new_root = prepare(new, formats=options.formats)

    back = direction_verdict(old_root, new_root, BACKWARD, deadline, options)
    fwd = direction_verdict(new_root, old_root, FORWARD, deadline, options)

    base = _baseline(old, new, old_root, options) if changes else None
    pos = positions(base.root) if base is not None and base.root is not None else None
    seen = _SeenByValidation(old_root, new_root)
    findings = [_finding(change, old, new, old_root, new_root, pos, back, fwd, deadline,
                         options, seen(change), base)
                for change in changes]
    findings.sort(key=_finding_order)
    back, fwd = _reconcile(back, BACKWARD, findings), _reconcile(fwd, FORWARD, findings)
    notes = tuple(sorted(f"remote $ref not fetched: {uri}"
                         for uri in old_root.ctx.remote_refs | new_root.ctx.remote_refs))
    notes += tuple(hazard_notes(new_root, old_root))
    return ComparisonResult(
        schema=schema or new.name or old.name,
        old=Side(old.source, str(old.version) if old.version else None,
                 DRAFT_NAMES[old_root.draft]),
        new=Side(new.source, str(new.version) if new.version else None,
                 DRAFT_NAMES[new_root.draft]),
        backward=back,
        forward=fwd,
        level=level(back.status, fwd.status),
        required_bump=required_bump(back.status, fwd.status, findings, options.policy),
        findings=tuple(findings),
        status="changed" if changes else "unchanged",
        notes=notes,
        formats=options.formats,
    )


def _annotations_differ_only(old: SchemaDocument, new: SchemaDocument) -> bool:
    """Do the two documents differ in annotations only (see ``diff.skeleton``)?"""
    if detect_draft(old.document) != detect_draft(new.document):
        return False
    # Relative references name the same files only from the same directory.
    alike = (old.path is None and new.path is None) or (
        old.path is not None and new.path is not None
        and old.path.resolve().parent == new.path.resolve().parent)
    a = skeleton(old.document, relative_refs_alike=alike)
    b = skeleton(new.document, relative_refs_alike=alike)
    # json_equal, not ==: Python's == equates true with 1 and false with 0, which JSON
    # Schema does not ({"const": 1} and {"const": true} accept different messages).
    return a is not None and b is not None and json_equal(a, b)


def _annotations_only(old: SchemaDocument, new: SchemaDocument, changes: list[KeywordChange],
                      schema: str | None) -> ComparisonResult:
    for doc in (old, new):
        _check_metaschema(doc, detect_draft(doc.document))
    findings = []
    for change in changes:
        rule, message = classify(change)
        findings.append(Finding(rule.id, change.old_path, change.new_path, OK, OK, message,
                                annotation=rule.annotation))
    findings.sort(key=_finding_order)
    ok = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(
        schema=schema or new.name or old.name,
        old=Side(old.source, _ver(old), DRAFT_NAMES[detect_draft(old.document)]),
        new=Side(new.source, _ver(new), DRAFT_NAMES[detect_draft(new.document)]),
        backward=ok, forward=ok, level="FULL",
        required_bump=required_bump(COMPATIBLE, COMPATIBLE, findings),
        findings=tuple(findings), status="changed" if changes else "unchanged")


def hazard_notes(root: Node, previous: Node | None = None) -> list[str]:
    """Patterns that can make backtracking validators hang (new ones only, given ``previous``)."""
    known = previous.ctx.hazards if previous is not None else {}
    return [f"pattern {pattern!r} at {where} can backtrack catastrophically in consumers' "
            "regex engines (Python re, JavaScript): one crafted message can hang them"
            for pattern, where in sorted(root.ctx.hazards.items()) if pattern not in known]


def _finding_order(f: Finding) -> tuple[Any, ...]:
    rank = {BREAKING: 0, UNKNOWN: 1, OK: 2}
    return (min(rank.get(f.backward, 2), rank.get(f.forward, 2)), f.annotation,
            f.old_path or f.new_path or "", f.new_path or "", f.rule)


def direction_verdict(src: Node, dst: Node, direction: str, deadline: float,
                      options: Options) -> DirectionVerdict:
    """One direction's verdict between two prepared roots (is every value of ``src`` valid
    under ``dst``?), with a confirmed witness when breaking; no per-finding work."""
    checker = Checker(max_steps=options.max_steps, deadline=deadline)
    outcome = checker.includes(src, dst)
    if outcome.yes:
        return DirectionVerdict(COMPATIBLE)
    if outcome.no:
        return DirectionVerdict(BREAKING, (_witness(direction, outcome.witness, dst, src),))
    return DirectionVerdict(UNKNOWN, reason=outcome.reason)


def _witness(direction: str, instance: Any, rejecting: Node, accepting: Node,
             near: str | None = None) -> Witness:
    where, message = oracle.explain(rejecting, instance, near)
    text = f"{where or '/'}: {_short(message, 200)}" if message else ""
    caveats = []
    for side, node in (("accepting", accepting), ("rejecting", rejecting)):
        try:
            reason = oracle.disagreement(node, instance)
        except oracle.Undecidable as exc:
            reason = str(exc)
        if reason:
            caveats.append(f"{side} side: {reason}")
    return Witness(direction, instance, text, caveat="; ".join(caveats))


def _reconcile(verdict: DirectionVerdict, direction: str,
               findings: Iterable[Finding]) -> DirectionVerdict:
    """A confirmed witness from any finding outranks an unproven or wrong verdict."""
    if verdict.status == BREAKING:
        return verdict
    for f in findings:
        for w in f.witnesses:
            if w.direction == direction:
                return DirectionVerdict(BREAKING, (w,), verdict.reason)
    return verdict


@dataclass(frozen=True)
class _Baseline:
    """What a change is measured against, alone: the old document, read in the new
    document's draft when the two differ (``root`` None where it is no schema there)."""

    doc: SchemaDocument
    root: Node | None
    redrafted: bool = False


def _baseline(old: SchemaDocument, new: SchemaDocument, old_root: Node,
              options: Options) -> _Baseline:
    """A change made alone means what it means in the draft it was written for: in a pair
    whose drafts differ, every change but the draft's own is measured on the old document
    read in the new draft (tuple ``items`` added under a new 2019-09 ``$schema`` is a
    constraint there, where 2020-12 would refuse it)."""
    if detect_draft(old.document) == detect_draft(new.document) \
            or not isinstance(old.document, dict) or not isinstance(new.document, dict):
        return _Baseline(old, old_root)
    document = {k: v for k, v in old.document.items() if k != "$schema"}
    if "$schema" in new.document:
        document = {"$schema": new.document["$schema"], **document}
    doc = SchemaDocument(old.name, old.version, old.source, document, old.path)
    try:
        root: Node | None = prepare(doc, formats=options.formats)
    except SchemaError:
        root = None
    return _Baseline(doc, root, redrafted=True)


def _finding(change: KeywordChange, old: SchemaDocument, new: SchemaDocument, old_root: Node,
             new_root: Node, pos: Positions | None, back: DirectionVerdict,
             fwd: DirectionVerdict, deadline: float, options: Options,
             seen: bool = False, base: _Baseline | None = None) -> Finding:
    """One change's effect per direction, measured by making it alone on ``base`` (the old
    document, or the old document in the new draft) and confirmed on the real pair.
    ``seen``: validation reads the changed value through a reference (an annotation that a
    ``$ref`` points into, an ``$id`` a reference resolves against): neither the annotation
    shortcut nor a local measure holds then."""
    rule, message = classify(change)
    if rule.annotation and not seen:
        return Finding(rule.id, change.old_path, change.new_path, OK, OK, message,
                       annotation=True)
    base_doc, base_root = old, old_root
    if base is not None and base.redrafted and not (
            change.keyword == "$schema" and change.old_schema_path == ""):
        if base.root is None:
            reason = ("the old schema is not a valid schema of the new draft, where this "
                      "change is to be measured")
            return Finding(rule.id, change.old_path, change.new_path,
                           OK if back.status == COMPATIBLE else UNKNOWN,
                           OK if fwd.status == COMPATIBLE else UNKNOWN, message, reason=reason)
        base_doc, base_root = base.doc, base.root
    elif base is not None and base.redrafted:
        pos = None  # the draft's own change: measured on the real old document, whole
    effects: dict[str, str] = {}
    witnesses: list[Witness] = []
    reasons: list[str] = []
    counterfactual: Node | None = None
    for direction, verdict in ((BACKWARD, back), (FORWARD, fwd)):
        if verdict.status == COMPATIBLE:
            effects[direction] = OK
            continue
        if time.monotonic() > deadline:
            effects[direction] = UNKNOWN
            reasons.append("time limit reached before this change was measured")
            continue
        measured = None if seen else _local_outcome(change, base_root, pos, direction,
                                                      deadline, options)
        local, at = measured if measured is not None else (None, None)
        if local is not None and local.yes:
            effects[direction] = OK
            continue
        if local is not None and local.no and pos is not None:
            embedded = _embed(change, at, base_root, old_root, new_root, pos, direction,
                              local.witness)
            if embedded is not None:
                near = change.new_path if direction == BACKWARD else change.old_path
                rejecting, accepting = (new_root, old_root) if direction == BACKWARD \
                    else (old_root, new_root)
                effects[direction] = BREAKING
                witnesses.append(_witness(direction, embedded, rejecting, accepting, near))
                continue
            if pos.paths.get(id(at)) is not None:
                # The whole-document measure would find the same value, which the real pair
                # does not confirm (another change undoes this one there).
                effects[direction] = UNKNOWN
                reasons.append("a counterexample for this change alone is not one for the "
                               "two real versions")
                continue
        if local is not None and not local.yes and not local.no:
            # The whole document poses the same open question as the subschema.
            effects[direction] = UNKNOWN
            reasons.append(local.reason or "could not decide this change")
            continue
        if counterfactual is None:
            try:
                counterfactual = _apply(base_doc, base_root, change, new)
            except (SchemaError, _CannotApply) as exc:
                effects[direction] = UNKNOWN
                reasons.append(f"could not measure this change alone: {exc}")
                continue
        checker = Checker(max_steps=options.max_steps, deadline=deadline)
        try:
            if direction == BACKWARD:
                outcome = checker.includes(base_root, counterfactual)
            else:
                outcome = checker.includes(counterfactual, base_root)
        except SchemaError as exc:
            effects[direction] = UNKNOWN
            reasons.append(f"could not measure this change alone: {exc}")
            continue
        near = change.new_path if direction == BACKWARD else change.old_path
        effect, witness = _effect(outcome, direction, old_root, new_root, near)
        effects[direction] = effect
        if witness is not None:
            witnesses.append(witness)
        elif effect == UNKNOWN and outcome.reason:
            reasons.append(outcome.reason)
    return Finding(rule.id, change.old_path, change.new_path, effects[BACKWARD],
                   effects[FORWARD], message, witnesses=tuple(witnesses),
                   reason="; ".join(dict.fromkeys(reasons)))


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
            return BREAKING, _witness(direction, w, rejecting, accepting, near)
        return UNKNOWN, None
    return UNKNOWN, None


class _CannotApply(Exception):
    pass


# The ids of every subschema validation reaches in a prepared document, and whether a $ref
# resolves to a boolean (booleans have no identity of their own to find them by).
_REACHED = ("reached",)
# Keywords whose subschemas positions.py follows: a change there is measured in place.
_SCHEMA_STRUCTURE = (SUBSCHEMA_KEYWORDS | SCHEMA_MAP_KEYWORDS | SCHEMA_LIST_KEYWORDS
                     | {"dependencies"})
_NAMING_KEYWORDS = frozenset({"$id", "id"})
_ANCHOR_KEYWORDS = frozenset({"$anchor", "$dynamicAnchor", "$recursiveAnchor"})


class _SeenByValidation:
    """Does validation read a changed keyword's value other than as the keyword it is: a
    ``$ref`` into an annotation or an unknown keyword, or an identifier a reference
    resolves by? Annotation rules and local measures assume it does not."""

    def __init__(self, old_root: Node, new_root: Node) -> None:
        self.sides = [(references(root.raw), root.ctx.examples.get(_REACHED)) for root in
                      (old_root, new_root)]

    def __call__(self, change: KeywordChange) -> bool:
        kw = change.keyword
        if kw in _SCHEMA_STRUCTURE:
            return False  # structure positions.py follows, references included
        for value, path, (refs, reached) in zip((change.old, change.new),
                                                (change.old_path, change.new_path), self.sides):
            if value is ABSENT:
                continue
            if kw in _NAMING_KEYWORDS and refs.names(value):
                return True
            if kw in _ANCHOR_KEYWORDS and refs.opaque:
                return True
            if reached is None:
                return True  # not prepared: assume the worst
            ids, ref_to_boolean = reached
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


def _apply(old: SchemaDocument, old_root: Node, change: KeywordChange,
           new: SchemaDocument) -> Node:
    """The old document with this one change made, loaded like the old one.

    Definitions the change refers to and the old document lacks are brought over from the new
    document: a property added as ``{"$ref": "#/$defs/WindowId"}`` means the property with
    that definition, not a dangling reference.
    """
    document = copy.deepcopy(old.document)
    path = split_pointer(change.old_schema_path)
    target = _resolve(document, path)
    if change.keyword == "<schema>":
        document = _replace(document, path, copy.deepcopy(change.new))
    else:
        _mutate(target, change)
    _bring_definitions(document, change.new, new.document)
    doc = SchemaDocument(old.name, old.version, old.source, document, old.path)
    # A change made alone may leave a dangling $ref (to a definition another change added):
    # that surfaces as a SchemaError while measuring, and the effect is then unknown.
    return load_root(doc.document, doc.source, path=doc.path,
                     root_dir=doc.path.parent if doc.path else None,
                     assert_formats=old_root.ctx.assert_formats)


def _set_list(target: dict[str, Any], kw: str, values: list[Any]) -> None:
    """Set ``type``, ``required`` or ``enum``; emptied, each is written as a schema every
    draft accepts with the same meaning (an empty list is invalid in some drafts, and an
    invalid schema is one no validator can be trusted on)."""
    if values:
        target[kw] = values
        return
    del target[kw]
    if kw != "required":  # no type, no value: nothing is valid
        target["allOf"] = [*target.get("allOf", []), {"not": {}}]


def _mutate(target: Any, change: KeywordChange) -> None:
    """Make ``change`` in the subschema ``target`` (in place)."""
    kw = change.keyword
    if not isinstance(target, dict):
        raise _CannotApply(f"no subschema at {change.old_schema_path}")
    if change.member == "<conditional>":
        for part in ("if", "then", "else"):
            target.pop(part, None)
        if change.new is not ABSENT:
            target.update(copy.deepcopy(change.new))
    elif change.member is not ABSENT and kw in ("type", "required"):
        current = target.get(kw, [])
        values = [current] if isinstance(current, str) else list(current)
        if change.added:
            values.append(change.new)
        else:
            values = [v for v in values if v != change.old]
        _set_list(target, kw, values)
    elif change.member is not ABSENT and kw == "enum":
        values = list(target.get(kw, []))
        if change.member == "added":
            values.extend(change.new)
        else:
            values = [v for v in values if not any(json_equal(v, x) for x in change.old)]
        _set_list(target, kw, values)
    elif change.member is not ABSENT and (kw in SCHEMA_MAP_KEYWORDS or kw == "dependencies"):
        mapping = dict(target.get(kw, {}))
        if change.new is ABSENT:
            mapping.pop(change.member, None)
        else:
            mapping[change.member] = copy.deepcopy(change.new)
        target[kw] = mapping
    elif change.member is not ABSENT and (kw in SCHEMA_LIST_KEYWORDS or kw == "items"):
        items = list(target.get(kw, []))
        if change.new is ABSENT:
            if isinstance(change.member, int) and change.member < len(items):
                del items[change.member]
        else:
            items.append(copy.deepcopy(change.new))
        target[kw] = items
    elif change.new is ABSENT:
        target.pop(kw, None)
    else:
        target[kw] = copy.deepcopy(change.new)


# Keywords that name resources or select a dialect: a change to one of them can change what
# references elsewhere resolve to, which no single subschema shows.
_RESOLUTION_KEYWORDS = frozenset({
    "<schema>", "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$vocabulary",
})


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
        target = _resolve(old_root.raw, path)
    except (_CannotApply, IndexError, ValueError):
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
        _mutate(changed_target, change)
    except _CannotApply:
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
_CONTEXT_KEYWORDS = frozenset({"maxContains", "unevaluatedProperties", "unevaluatedItems"})


# Where a subschema can stand inside its parent (definitions are not places: only a $ref
# makes one take part in validation).
_SLOT_KEYWORDS = (SUBSCHEMA_KEYWORDS | SCHEMA_LIST_KEYWORDS
                  | (SCHEMA_MAP_KEYWORDS - {"$defs", "definitions"})
                  | {"additionalItems", "dependencies"})


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
                or str(ref.resolver._base_uri) != str(parent.resolver._base_uri):
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
    refs = list(_refs(change.new))
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
            return _unknown("could not measure this change alone: the "
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


_RESOURCE_KEYS = frozenset({"$id", "id", "$anchor", "$dynamicAnchor"})


def _names_resources(raw: Any) -> bool:
    """Does ``raw`` declare an identifier or anchor a reference could resolve to?"""
    return declares(raw, _RESOURCE_KEYS)


def _embed(change: KeywordChange, at: Any, base_root: Node, old_root: Node, new_root: Node,
           pos: Positions, direction: str, local: Any) -> Any | None:
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
        bases = _bases(src, dst)
        if isinstance(change.member, str) and isinstance(local, dict) \
                and change.member in local \
                and at is _resolve(base_root.raw, split_pointer(change.old_schema_path)):
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


def _bases(src: Node, dst: Node) -> list[Any]:
    """Messages to carry a counterexample: one valid under both sides first (so that the other
    side rejects it for this change only), then one valid under the source side."""
    key = ("bases", id(dst.ctx))
    cached = src.ctx.examples.get(key)
    if cached is None:
        # Built once per comparison: an example of a large schema costs what its size does.
        checker = Checker(max_steps=50_000)
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


def _refs(value: Any) -> Iterable[str]:
    """Every ``$ref`` string anywhere in ``value``."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            yield ref
        for v in value.values():
            yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def _local_refs(value: Any) -> Iterable[str]:
    return (ref for ref in _refs(value) if ref.startswith("#/"))


def _bring_definitions(document: Any, value: Any, source: Any) -> None:
    if not isinstance(document, dict) or not isinstance(source, dict):
        return
    pending = list(_local_refs(value))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        parts = split_pointer(ref[1:])
        if len(parts) != 2 or parts[0] not in ("$defs", "definitions"):
            continue
        kw, name = parts
        target = source.get(kw, {})
        if isinstance(target, dict) and name in target and name not in document.get(kw, {}):
            document.setdefault(kw, {})[name] = copy.deepcopy(target[name])
            pending.extend(_local_refs(target[name]))




def _resolve(document: Any, path: list[str]) -> Any:
    node = document
    for seg in path:
        if isinstance(node, dict):
            if seg not in node:
                raise _CannotApply(f"missing {seg!r}")
            node = node[seg]
        elif isinstance(node, list):
            node = node[int(seg)]
        else:
            raise _CannotApply(f"cannot descend into {seg!r}")
    return node


def _replace(document: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    parent = _resolve(document, path[:-1])
    last = path[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value
    return document


def compare_sets(old: SchemaSet, new: SchemaSet, options: Options | None = None) -> list[ComparisonResult]:
    """Compare two sides of a ``diff``: one pair, or every schema paired by name."""
    options = options or Options()
    if old.single and new.single:
        (o,), (n,) = old.schemas.values(), new.schemas.values()
        return [compare(o, n, options)]
    results: list[ComparisonResult] = []
    for name in sorted(set(old.schemas) | set(new.schemas)):
        o_doc, n_doc = old.schemas.get(name), new.schemas.get(name)
        if o_doc is not None and n_doc is not None:
            results.append(compare(o_doc, n_doc, options, schema=name))
        elif o_doc is not None:
            results.append(_removed(name, o_doc))
        elif n_doc is not None:
            results.append(_added(name, n_doc))
    return results


def _removed(name: str, doc: SchemaDocument) -> ComparisonResult:
    root = prepare(doc)
    example = Checker().example(root)
    witnesses = () if example is _NO_EXAMPLE else (
        Witness(BACKWARD, example, "the schema no longer exists"),)
    back = DirectionVerdict(BREAKING if witnesses else UNKNOWN, witnesses, "schema removed")
    fwd = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(name, Side(doc.source, _ver(doc), DRAFT_NAMES[root.draft]), None,
                            back, fwd, level(back.status, fwd.status), "major",
                            status="removed")


def _added(name: str, doc: SchemaDocument) -> ComparisonResult:
    root = prepare(doc)
    ok = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(name, None, Side(doc.source, _ver(doc), DRAFT_NAMES[root.draft]),
                            ok, ok, "FULL", "minor", status="added")


def _ver(doc: SchemaDocument) -> str | None:
    return str(doc.version) if doc.version else None
