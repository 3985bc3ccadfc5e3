"""The comparison pipeline for one schema: load → normalize → diff → rules → prove → decide.

``compare(old, new)`` is the whole job for one pair of documents. The verdict per direction
comes from the instance-set checker on the two roots; findings come from the keyword diff,
each measured alone (``measure.py``), so a finding is ``breaking`` only with a witness that
the real old and new schemas confirm.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from . import oracle
from .changes import (
    KeywordChange,
    diff_documents,
    skeleton,
)
from .drafts import DEFAULT_DRAFT
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
from .formats import FORMAT_MODES
from .loading import SchemaDocument, SchemaSet
from .measure import SeenByValidation, baseline, make_witness, measure_change
from .normalize import check_metaschema, hazard_notes, prepare
from .options import Options as Options  # the engine's API: how a comparison runs
from .positions import positions
from .rules import classify
from .schema import (
    DRAFT_NAMES,
    PYTHON_READING,
    READ_DIFFERENTLY,
    RS_READING,
    Node,
    detect_draft,
    json_equal,
)
from .semantics import MISSING as _NO_EXAMPLE
from .semantics import Checker
from .verdict import compatibility_level, required_bump
from .view_keywords import LEGACY_DEPENDENCIES


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
        return replace(_annotations_only(old, new, changes, schema), formats=options.formats,
                       policy=options.policy)
    notes = draft_notes(old, new)
    old_root = prepare(old, formats=options.formats, catalog=options.catalog)
    new_root = prepare(new, formats=options.formats, catalog=options.catalog)

    back = direction_verdict(old_root, new_root, BACKWARD, deadline, options)
    fwd = direction_verdict(new_root, old_root, FORWARD, deadline, options)
    back = _under_both_readings(back, old, new, old_root, new_root, BACKWARD, deadline, options)
    fwd = _under_both_readings(fwd, new, old, new_root, old_root, FORWARD, deadline, options)

    base = baseline(old, new, old_root, options) if changes else None
    pos = positions(base.root) if base is not None and base.root is not None else None
    seen = SeenByValidation(old_root, new_root)
    findings = [measure_change(change, old, new, old_root, new_root, pos, back, fwd, deadline,
                         options, seen(change), base)
                for change in changes]
    findings = _sole_change(findings, back, fwd)
    findings.sort(key=_finding_order)
    back, fwd = _reconcile(back, BACKWARD, findings), _reconcile(fwd, FORWARD, findings)
    notes += _reference_notes(old_root, new_root, options)
    notes += tuple(hazard_notes(new_root, old_root))
    return ComparisonResult(
        schema=schema or new.name or old.name,
        old=_side(old, old_root.draft),
        new=_side(new, new_root.draft),
        backward=back,
        forward=fwd,
        level=compatibility_level(back.status, fwd.status),
        required_bump=required_bump(back.status, fwd.status, findings, options.policy),
        findings=tuple(findings),
        status="changed" if changes else "unchanged",
        notes=notes,
        formats=options.formats,
        default_draft=DRAFT_NAMES[new.default_draft],
        policy=options.policy,
    )


def _reference_notes(old_root: Node, new_root: Node, options: Options) -> tuple[str, ...]:
    """Which remote references were resolved from the catalog, and which were not."""
    missing = old_root.ctx.remote_refs | new_root.ctx.remote_refs
    if options.catalog is None:
        return tuple(sorted(f"remote $ref not fetched: {uri}" for uri in missing))
    found = old_root.ctx.catalog_refs | new_root.ctx.catalog_refs
    notes = [f"remote $ref not in the catalog (not fetched): {uri}" for uri in missing]
    for uri in found:
        entry = options.catalog.entry(uri)
        notes.append(f"remote $ref resolved from the catalog: {uri}"
                     + (f" ({entry.source})" if entry is not None else ""))
    return tuple(sorted(notes))


def _side(doc: SchemaDocument, draft: int) -> Side:
    return Side(doc.source, _ver(doc), DRAFT_NAMES[draft],
                "default" if doc.draft_defaulted else "$schema")


def draft_notes(old: SchemaDocument, new: SchemaDocument) -> tuple[str, ...]:
    """A note when a side without ``$schema`` was read in a chosen default draft (2020-12,
    the built-in default, goes without saying)."""
    sides = [label for label, doc in (("old", old), ("new", new))
             if doc.draft_defaulted and doc.default_draft != DEFAULT_DRAFT]
    if not sides:
        return ()
    who = " and ".join(sides)
    return (f"{who} {'have' if len(sides) == 2 else 'has'} no $schema: read as "
            f"{DRAFT_NAMES[new.default_draft]}, the default draft",)


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
        check_metaschema(doc, detect_draft(doc.document))
    findings = []
    for change in changes:
        rule, message = classify(change)
        findings.append(Finding(rule.id, change.old_path, change.new_path, OK, OK, message,
                                annotation=rule.annotation))
    findings.sort(key=_finding_order)
    ok = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(
        schema=schema or new.name or old.name,
        old=_side(old, detect_draft(old.document)),
        new=_side(new, detect_draft(new.document)),
        backward=ok, forward=ok, level="FULL",
        required_bump=required_bump(COMPATIBLE, COMPATIBLE, findings),
        findings=tuple(findings), status="changed" if changes else "unchanged",
        notes=draft_notes(old, new), default_draft=DRAFT_NAMES[new.default_draft])


def _finding_order(f: Finding) -> tuple[Any, ...]:
    rank = {BREAKING: 0, UNKNOWN: 1, OK: 2}
    return (min(rank.get(f.backward, 2), rank.get(f.forward, 2)), f.annotation,
            f.old_path or f.new_path or "", f.new_path or "", f.rule)


def direction_verdict(src: Node, dst: Node, direction: str, deadline: float,
                      options: Options) -> DirectionVerdict:
    """One direction's verdict between two prepared roots (is every value of ``src`` valid
    under ``dst``?), with a confirmed witness when breaking; no per-finding work."""
    checker = Checker(max_steps=options.max_steps, deadline=deadline)
    outcome = checker.includes(src, dst, second_pass=True)
    if outcome.yes:
        return DirectionVerdict(COMPATIBLE)
    if outcome.no:
        return DirectionVerdict(BREAKING, (make_witness(direction, outcome.witness, dst, src),))
    return DirectionVerdict(UNKNOWN, reason=outcome.reason)


def _sole_change(findings: list[Finding], back: DirectionVerdict,
                 fwd: DirectionVerdict) -> list[Finding]:
    """With one change that validation reads, the versions differ by that change alone: a
    direction's confirmed witness is the change's own, where measuring it apart did not
    settle it (a value deep in a union that no subschema alone could place)."""
    real = [f for f in findings if not f.annotation]
    if len(real) != 1:
        return findings
    (f,) = real
    effects = {BACKWARD: f.backward, FORWARD: f.forward}
    witnesses = list(f.witnesses)
    for direction, verdict in ((BACKWARD, back), (FORWARD, fwd)):
        if effects[direction] == UNKNOWN and verdict.status == BREAKING and verdict.witnesses:
            effects[direction] = BREAKING
            witnesses.append(verdict.witnesses[0])
    if len(witnesses) == len(f.witnesses):
        return findings
    settled = replace(f, backward=effects[BACKWARD], forward=effects[FORWARD],
                      witnesses=tuple(witnesses),
                      reason=f.reason if UNKNOWN in effects.values() else "")
    return [settled if x is f else x for x in findings]


def _under_both_readings(verdict: DirectionVerdict, src: SchemaDocument, dst: SchemaDocument,
                         src_root: Node, dst_root: Node, direction: str, deadline: float,
                         options: Options) -> DirectionVerdict:
    """A verdict left unknown by a keyword the validators read differently (``dependencies``
    after draft-07, which python-jsonschema ignores and jsonschema-rs applies; a 2019-09
    ``unevaluatedProperties`` beside subschemas, see unevaluated.py): compared under each
    validator's reading, it is compatible when both say so, and breaking on a witness both
    validators confirm; where the readings part, it stays unknown."""
    if verdict.status != UNKNOWN or not any(m in verdict.reason for m in _READING_MARKS):
        return verdict
    split: list[str] = []  # readings under which the change breaks for that validator only
    open_reason = ""  # an open question under one reading
    for reading in (PYTHON_READING, RS_READING):
        try:
            s = prepare(src, formats=options.formats, catalog=options.catalog, reading=reading)
            d = prepare(dst, formats=options.formats, catalog=options.catalog, reading=reading)
        except SchemaError:
            return verdict
        outcome = Checker(max_steps=options.max_steps, deadline=deadline).includes(
            s, d, second_pass=True)
        if outcome.no:
            w = outcome.witness
            try:
                real = (oracle.is_valid(src_root, w) and not oracle.is_valid(dst_root, w)
                        and oracle.reference_valid(src_root, w)
                        and not oracle.reference_valid(dst_root, w))
            except oracle.Undecidable:
                real = False
            if real:
                return DirectionVerdict(BREAKING, (make_witness(direction, w, dst_root,
                                                                src_root),))
            split.append(reading)
        elif not outcome.yes:
            open_reason = open_reason or f"as {reading} reads it, {outcome.reason}"
    if split:
        how = ("python-jsonschema ignores it, jsonschema-rs applies it, and "
               if LEGACY_DEPENDENCIES in verdict.reason else "")
        which = (f"breaking as {split[0]} reads it, but not for every validator"
                 if len(split) == 1 else
                 "breaking as each validator reads it, but no one message shows it for both")
        return replace(verdict, reason=f"{verdict.reason}: {how}the answer depends on the "
                                       f"validator ({which})")
    if open_reason:
        return replace(verdict, reason=f"{verdict.reason}; {open_reason}")
    return DirectionVerdict(COMPATIBLE)


# Reasons that say the answer depends on a validator's reading.
_READING_MARKS = (LEGACY_DEPENDENCIES, READ_DIFFERENTLY)


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


def compare_sets(old: SchemaSet, new: SchemaSet, options: Options | None = None,
                 policy_for: Callable[[str], str] | None = None) -> list[ComparisonResult]:
    """Compare two sides of a ``diff``: one pair, or every schema paired by name.

    ``policy_for(name)``, when given, is each schema's policy (the configuration's), in place
    of ``options.policy``."""
    options = options or Options()
    def for_schema(name: str) -> Options:
        return options if policy_for is None else replace(options, policy=policy_for(name))

    if old.single and new.single:
        (o,), (n,) = old.schemas.values(), new.schemas.values()
        return [compare(o, n, for_schema(n.name))]
    results: list[ComparisonResult] = []
    for name in sorted(set(old.schemas) | set(new.schemas)):
        o_doc, n_doc = old.schemas.get(name), new.schemas.get(name)
        opts = for_schema(name)
        if o_doc is not None and n_doc is not None:
            results.append(compare(o_doc, n_doc, opts, schema=name))
        elif o_doc is not None:
            results.append(replace(_removed(name, o_doc, opts), policy=opts.policy))
        elif n_doc is not None:
            results.append(replace(_added(name, n_doc, opts), policy=opts.policy))
    return results


def _removed(name: str, doc: SchemaDocument, options: Options) -> ComparisonResult:
    root = prepare(doc, catalog=options.catalog)
    example = Checker(deadline=time.monotonic() + options.timeout).example(root)
    witnesses = () if example is _NO_EXAMPLE else (
        Witness(BACKWARD, example, "the schema no longer exists"),)
    back = DirectionVerdict(BREAKING if witnesses else UNKNOWN, witnesses, "schema removed")
    fwd = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(name, _side(doc, root.draft), None,
                            back, fwd, compatibility_level(back.status, fwd.status), "major",
                            status="removed", default_draft=DRAFT_NAMES[doc.default_draft])


def _added(name: str, doc: SchemaDocument, options: Options) -> ComparisonResult:
    root = prepare(doc, catalog=options.catalog)
    ok = DirectionVerdict(COMPATIBLE)
    return ComparisonResult(name, None, _side(doc, root.draft),
                            ok, ok, "FULL", "minor", status="added",
                            default_draft=DRAFT_NAMES[doc.default_draft])


def _ver(doc: SchemaDocument) -> str | None:
    return str(doc.version) if doc.version else None
