"""The compatibility matrix: every version of a schema against every other, and release gates.

A cell (row X, column Y) is ``compare(X, Y)``: ``backward`` is ⟦X⟧ ⊆ ⟦Y⟧ (consumers on Y
read everything produced on X), ``forward`` is ⟦Y⟧ ⊆ ⟦X⟧. Each unordered pair is computed
once; the cell (Y, X) is its mirror, with the two directions swapped. Each version is loaded
and validated once (``engine.prepare``); forked workers inherit the prepared schemas.

Verdicts come from the engine and nowhere else. Consecutive releases go through
:func:`engine.compare`, exactly what ``schema-compat diff`` reports, which also gives the bump
each release requires. Every other pair asks the engine's per-direction check (the first step
of ``compare``) and skips the per-finding measurements, which the matrix does not show and
which cost several times more; when a direction comes back ``unknown`` the pair goes through
``compare`` too, which may still prove it ``breaking`` from a finding's witness. So every cell
carries the statuses ``compare`` gives.

Release gates: a release is checked against its predecessors in the same major (the major
changes the BACKBEAT ``type`` constant, so a major starts a new line): non-transitive policies
against the release just before it, ``*_TRANSITIVE`` ones against every earlier release of
the major. The first release of a major passes by definition; ``NONE`` always passes; a
protected direction that is ``unknown`` fails (fail closed).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import semver

from .catalog import Catalog
from .config import Config
from .decide import (
    FAIL,
    FIRST_RELEASE,
    NEW_MAJOR,
    PASS,
    Acceptance,
    PolicyCheck,
    Problem,
    ReleaseVersion,
    declared_bump,
    evaluate_release,
)
from .drafts import DEFAULT_DRAFT, DRAFT_NAMES, detect_draft
from .engine import Options, compare, direction_verdict
from .errors import LoadError, UsageError
from .findings import (
    BACKWARD,
    BREAKING,
    BUMPS,
    COMPATIBLE,
    FORWARD,
    UNKNOWN,
    ComparisonResult,
    DirectionVerdict,
    Finding,
    Witness,
)
from .loading import ContractsRepository, SchemaDocument, parse_version, schema_name, version_from_id
from .normalize import prepare
from .schema import Node
from .verdict import DEFAULT_TIMEOUT, POLICIES, compatibility_level

Progress = Callable[[int, int], None]
"""Called in the calling process as pairs finish: ``progress(done, total)``."""

# Below this many pairs a pool costs more than it saves (forking takes ~30 ms; a pair 5-50 ms).
MIN_PARALLEL_PAIRS = 4



# --------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class VersionInput:
    """One version to place in the matrix: the document and the label it is shown under."""

    label: str
    document: SchemaDocument
    source: str = ""  # shown instead of document.source (relative, so output is portable)


def versions_from_repository(repo: ContractsRepository,
                             names: Sequence[str] = ()) -> dict[str, list[VersionInput]]:
    """The versions of each schema of a contracts directory (all, or those in ``names``)."""
    for name in names:
        if not repo.versions(name):
            known = ", ".join(repo.names()) or "none"
            raise LoadError(f"{repo.root}: no schema named {name!r} (known: {known})")
    selected = sorted(set(names)) if names else repo.names()
    result: dict[str, list[VersionInput]] = {}
    for name in selected:
        items = []
        for doc in repo.versions(name):
            label = str(doc.version) if doc.version is not None else Path(doc.source).stem
            source = doc.source
            if doc.path is not None and doc.path.is_relative_to(repo.root):
                source = doc.path.relative_to(repo.root).as_posix()
            items.append(VersionInput(label, doc, source))
        result[name] = items
    return result


def _git(args: list[str], cwd: Path) -> bytes:
    from . import gitio

    return gitio.run_git(args, cwd)  # one runner for every git call: same limits, same errors


def versions_from_git(path: Path, *, tags: str | None = None, cwd: Path | None = None,
                      default_draft: int = DEFAULT_DRAFT,
                      ) -> tuple[dict[str, list[VersionInput]], str]:
    """The versions of one schema file in git history, read without touching the work tree.

    Without ``tags``: every commit that changed ``path``, oldest first, labelled by the first
    12 hex digits of the commit. With ``tags`` (a glob such as ``v*``): the matching tags at
    which the file exists and differs from the previous such tag, in semantic-version order
    when every tag is a version (a leading ``v`` allowed), else in git's ``version:refname``
    order; labelled by the tag. The version of each is the one in the document's ``$id``,
    else the tag's. The file is JSON, or YAML by its name; a version without ``$schema`` is
    read in ``default_draft``. Returns the versions by schema name (the file's) and where they
    came from.
    """
    from . import gitio

    cwd = cwd or Path.cwd()
    top = gitio.repo_root(cwd).resolve()
    try:
        rel = (cwd / path).resolve().relative_to(top).as_posix()
    except ValueError:
        raise UsageError(f"--git-history {path}: not inside the git repository at {top}") from None
    name = schema_name(Path(rel).name)
    refs: list[tuple[str, str]] = []  # (label, commit or tag)
    if tags is None:
        out = _git(["log", "--format=%H", "--topo-order", "--reverse", "--", rel], top)
        for sha in out.decode().split():
            if gitio.path_type(sha, rel, top) == "blob":  # skip the commit that deleted it
                refs.append((sha[:12], sha))
    else:
        if not tags or tags.startswith("-"):
            raise UsageError(f"--tags {tags!r}: expected a glob such as v*")
        out = _git(["tag", "--list", "--sort=version:refname", tags], top)
        names = [t for t in out.decode().splitlines() if t]
        parsed = {t: parse_version(t[1:] if t[:1] in "vV" else t) for t in names}
        if all(v is not None for v in parsed.values()):
            names.sort(key=lambda t: (parsed[t], t))
        last_blob = None
        for tag in names:
            if gitio.path_type(tag, rel, top) != "blob":
                continue
            blob = _git(["rev-parse", f"{tag}:{rel}"], top).decode().strip()
            if blob != last_blob:
                refs.append((tag, tag))
            last_blob = blob
    if not refs:
        what = f"tags matching {tags!r} that contain it" if tags is not None else "commits"
        raise LoadError(f"--git-history {rel}: no {what} in git history")
    items = []
    for label, ref in refs:
        source = f"git:{label}:{rel}"
        doc = _document_from_git(gitio.read_file(ref, rel, top), source, name,
                                 tag=label if tags is not None else None,
                                 default_draft=default_draft)
        items.append(VersionInput(label, doc, source))
    origin = f"git history of `{rel}`, " + (f"tags matching `{tags}`" if tags is not None
                                            else "every commit that changed it")
    return {name: items}, origin


def _document_from_git(data: bytes, source: str, name: str, tag: str | None,
                       default_draft: int = DEFAULT_DRAFT) -> SchemaDocument:
    from ._json import parse_document

    document = parse_document(data, source, name=source)
    if not isinstance(document, (dict, bool)):
        raise LoadError(f"{source}: not a JSON Schema (expected an object or a boolean)")
    version = version_from_id(document)
    if version is None and tag is not None:
        version = parse_version(tag[1:] if tag[:1] in "vV" else tag)
    return SchemaDocument(name=name, version=version, source=source, document=document,
                          default_draft=default_draft)


# -------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class VersionInfo:
    """A version as the matrix shows it."""

    label: str
    version: str | None
    source: str
    line: str  # the major (or, without a version, the message type) it belongs to
    draft: str = DRAFT_NAMES[DEFAULT_DRAFT]  # the draft it was read in
    draft_from: str = "$schema"  # "$schema", or "default" when it names none

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "version": self.version, "source": self.source,
                "line": self.line, "draft": self.draft, "draft_from": self.draft_from}


@dataclass(frozen=True)
class Cell:
    """``compare(old, new)``: row ``old``, column ``new``."""

    old: str
    new: str
    backward: DirectionVerdict
    forward: DirectionVerdict
    level: str

    def mirror(self) -> Cell:
        """The cell (new, old): the same pair seen from the other side."""
        return Cell(self.new, self.old, _swap(self.forward, BACKWARD),
                    _swap(self.backward, FORWARD), compatibility_level(self.forward.status, self.backward.status))

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old, "new": self.new, "level": self.level,
            "backward": self.backward.status, "forward": self.forward.status,
            "backward_reason": self.backward.reason or None,
            "forward_reason": self.forward.reason or None,
            "witnesses": [w.to_json() for w in (*self.backward.witnesses,
                                                 *self.forward.witnesses)],
        }


def _swap(verdict: DirectionVerdict, direction: str) -> DirectionVerdict:
    """The same verdict named from the mirrored cell: its witnesses change direction."""
    witnesses = tuple(Witness(direction, w.instance, w.error, w.source) for w in verdict.witnesses)
    return DirectionVerdict(verdict.status, witnesses, verdict.reason)


@dataclass(frozen=True)
class Release:
    """The gate of one release: its policy verdict and its version bump."""

    label: str
    previous: str | None
    declared_bump: str | None  # from the version numbers; None when one is unknown
    required_bump: str | None  # from the engine against ``previous``
    policy: str
    verdict: str  # FIRST_RELEASE | NEW_MAJOR | PASS | FAIL (its policy checks)
    checks: tuple[PolicyCheck, ...] = ()
    # What the release evaluation found (decide.py), as `check` would for this release.
    problems: tuple[Problem, ...] = ()

    @property
    def bump_too_small(self) -> bool:
        """The declared bump is below the one the change requires."""
        if self.declared_bump is None or self.required_bump is None:
            return False
        return BUMPS.index(self.declared_bump) < BUMPS.index(self.required_bump)

    @property
    def failures(self) -> tuple[PolicyCheck, ...]:
        return tuple(c for c in self.checks if not c.satisfied)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "previous": self.previous,
                "declared_bump": self.declared_bump, "required_bump": self.required_bump,
                "bump_too_small": self.bump_too_small, "policy": self.policy,
                "verdict": self.verdict, "checks": [c.to_json() for c in self.checks],
                "problems": [p.to_json() for p in self.problems]}


@dataclass(frozen=True)
class VersionSummary:
    """Who can talk to whom, for one version (``unknown`` pairs are listed apart)."""

    label: str
    reads_from: tuple[str, ...]  # producers whose data a consumer on this version accepts
    read_by: tuple[str, ...]  # consumers that accept data produced on this version
    reads_from_unknown: tuple[str, ...] = ()
    read_by_unknown: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "reads_from": list(self.reads_from),
                "read_by": list(self.read_by),
                "reads_from_unknown": list(self.reads_from_unknown),
                "read_by_unknown": list(self.read_by_unknown)}


@dataclass(frozen=True)
class SchemaMatrix:
    """Every version of one schema against every other."""

    name: str
    policy: str
    versions: tuple[VersionInfo, ...]
    cells: tuple[Cell, ...]  # every ordered pair, row-major in version order
    releases: tuple[Release, ...]
    summaries: tuple[VersionSummary, ...]
    origin: str = ""  # where the versions came from, when not a contracts directory
    _index: dict[tuple[str, str], Cell] = field(default_factory=dict, init=False, compare=False,
                                                repr=False)

    def __post_init__(self) -> None:
        self._index.update({(c.old, c.new): c for c in self.cells})

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(v.label for v in self.versions)

    def cell(self, old: str, new: str) -> Cell:
        """The cell in row ``old``, column ``new`` (KeyError on the diagonal)."""
        return self._index[(old, new)]

    @property
    def policy_failures(self) -> tuple[Release, ...]:
        return tuple(r for r in self.releases if r.verdict == FAIL)

    def defaulted(self) -> dict[str, tuple[str, ...]]:
        """The versions without ``$schema`` read in a chosen default draft (2020-12, the
        built-in default, goes without saying), by that draft."""
        found: dict[str, list[str]] = {}
        for v in self.versions:
            if v.draft_from == "default" and v.draft != DRAFT_NAMES[DEFAULT_DRAFT]:
                found.setdefault(v.draft, []).append(v.label)
        return {draft: tuple(labels) for draft, labels in found.items()}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "policy": self.policy, "origin": self.origin or None,
                "versions": [v.to_json() for v in self.versions],
                "cells": [c.to_json() for c in self.cells],
                "releases": [r.to_json() for r in self.releases],
                "summary": [s.to_json() for s in self.summaries]}


@dataclass(frozen=True)
class MatrixReport:
    """The matrices of every schema, sorted by name: what the renderers receive."""

    schemas: tuple[SchemaMatrix, ...]

    @property
    def policy_failures(self) -> tuple[tuple[str, Release], ...]:
        return tuple((s.name, r) for s in self.schemas for r in s.policy_failures)

    def to_json(self, tool_version: str) -> dict[str, Any]:
        return {"tool": "schema-compat", "version": tool_version, "command": "matrix",
                "schemas": [s.to_json() for s in self.schemas]}


# ---------------------------------------------------------------------------------- output


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new one,
    never half of one (a temporary file in the same directory, then ``os.replace``)."""
    import tempfile

    directory = path.parent
    if not directory.is_dir():
        raise LoadError(f"{path}: directory {directory} does not exist")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # what a plain open() would have created
    except OSError as exc:
        raise LoadError(f"{path}: cannot write: {exc.strerror}") from None
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode())
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise LoadError(f"{path}: cannot write: {exc.strerror}") from None
        raise


# ------------------------------------------------------------------------------ the build


@dataclass(frozen=True)
class _Task:
    """One unordered pair: indexes into the flat list of prepared versions."""

    old: int
    new: int
    consecutive: bool  # a release and the one before it: the matrix also needs the bump
    policy: str
    formats: str
    # The whole comparison, findings included: the release evaluation reads them to apply
    # waivers and rule levels (consecutive pairs always have them).
    full: bool = False


@dataclass(frozen=True)
class _PairResult:
    backward: DirectionVerdict
    forward: DirectionVerdict
    required_bump: str | None
    findings: tuple[Finding, ...] = ()


# What forked workers inherit: the documents and their prepared roots (never re-prepared).
_DOCS: list[SchemaDocument] = []
_ROOTS: list[Node] = []
_TIMEOUT = DEFAULT_TIMEOUT
_CATALOG: Catalog | None = None


def _run_pair(task: _Task) -> _PairResult:
    """The engine's verdicts for one pair (and the required bump of consecutive versions)."""
    options = Options(timeout=_TIMEOUT, policy=task.policy, formats=task.formats,
                      catalog=_CATALOG)
    if task.consecutive or task.full:
        # A release against the one before it: exactly what `schema-compat diff` reports,
        # with the bump it requires (findings tell a patch from no change at all).
        result = compare(_DOCS[task.old], _DOCS[task.new], options)
        return _PairResult(result.backward, result.forward,
                           result.required_bump if task.consecutive else None, result.findings)
    deadline = time.monotonic() + options.timeout  # one budget per pair, as compare() has
    old, new = _ROOTS[task.old], _ROOTS[task.new]
    back = direction_verdict(old, new, BACKWARD, deadline, options)
    fwd = direction_verdict(new, old, FORWARD, deadline, options)
    if UNKNOWN in (back.status, fwd.status):
        # compare() may still prove the direction breaking with a finding's witness.
        result = compare(_DOCS[task.old], _DOCS[task.new], options)
        return _PairResult(result.backward, result.forward, None, result.findings)
    return _PairResult(back, fwd, None)


def _run_chunk(tasks: list[tuple[int, _Task]]) -> list[tuple[int, _PairResult]]:
    return [(i, _run_pair(task)) for i, task in tasks]


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run_tasks(tasks: list[_Task], workers: int, progress: Progress | None) -> list[_PairResult]:
    total = len(tasks)
    results: list[_PairResult | None] = [None] * total
    done = 0
    # Workers inherit the prepared schemas by fork; without fork (not Linux) the work stays
    # in this process rather than preparing every schema again in each worker.
    can_fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or total < MIN_PARALLEL_PAIRS or not can_fork:
        if progress:
            progress(0, total)
        for i, task in enumerate(tasks):
            results[i] = _run_pair(task)
            done += 1
            if progress:
                progress(done, total)
        return [r for r in results if r is not None]
    # Small chunks, so the cores finish together; results go back to their index.
    size = max(1, min(16, total // (workers * 8)))
    indexed = list(enumerate(tasks))
    chunks = [indexed[k:k + size] for k in range(0, total, size)]
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context)
    try:
        # The first submit forks every worker (before the pool's own thread starts); the
        # first progress report comes after it, so a progress bar's thread is never forked.
        futures: list[Future[list[tuple[int, _PairResult]]]] = [
            pool.submit(_run_chunk, chunk) for chunk in chunks]
        if progress:
            progress(0, total)
        for future in as_completed(futures):
            for i, result in future.result():
                results[i] = result
                done += 1
            if progress:
                progress(done, total)
    except BaseException:
        # Ctrl-C or a failure: drop the queued chunks instead of waiting for all of them.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [r for r in results if r is not None]


def _line(doc: SchemaDocument) -> str:
    if doc.version is not None:
        return f"v{doc.version.major}"
    return doc.message_type or ""


def _declared_bump(prev: semver.Version | None, cur: semver.Version | None) -> str | None:
    if prev is None or cur is None:
        return None
    return declared_bump(prev, cur) or "none"


def build_matrix(source: ContractsRepository | Mapping[str, Sequence[VersionInput | SchemaDocument]],
                 config: Config | None = None, *, names: Sequence[str] = (),
                 policy: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 workers: int | None = None, progress: Progress | None = None,
                 origin: str = "", today: dt.date | None = None,
                 catalog: Catalog | None = None) -> MatrixReport:
    """Compare every version of each schema with every other; see the module docstring.

    ``source`` is a contracts directory, or versions per schema name in release order.
    ``config`` gives each schema's policy unless ``policy`` overrides it for all of them.
    ``progress(done, total)`` is called as pairs finish. The result is the same, byte for
    byte once rendered, whatever ``workers`` is. Releases are judged as ``check`` judges
    them (decide.evaluate_release), waivers as of ``today``. ``catalog``: local copies of
    the documents the schemas refer to by URL (never fetched).
    """
    config = config or Config()
    if policy is not None and policy.upper() not in POLICIES:
        raise UsageError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    if isinstance(source, ContractsRepository):
        groups: Mapping[str, Sequence[VersionInput | SchemaDocument]] = \
            versions_from_repository(source, names)
    else:
        missing = sorted(set(names) - set(source))
        if missing:
            raise LoadError(f"no schema named {missing[0]!r} (known: {', '.join(sorted(source))})")
        groups = {n: source[n] for n in names} if names else source
    schemas = {name: _inputs(name, groups[name]) for name in sorted(groups)}
    policies = {name: (policy or config.policy(name)).upper() for name in schemas}
    # Waivers and rule levels act through findings: with any, a release's policy checks
    # compare with findings, as `check` does.
    acceptance_matters = bool(config.waivers or config.rule_levels)
    accept = Acceptance(config, today or dt.date.today())

    global _DOCS, _ROOTS, _TIMEOUT, _CATALOG
    flat: list[VersionInput] = [v for items in schemas.values() for v in items]
    # Load and validate each version once, here: a bad schema stops the run before any pair.
    roots = [prepare(v.document, formats=config.formats, catalog=catalog) for v in flat]
    tasks: list[_Task] = []
    pair_index: dict[tuple[int, int], int] = {}
    start = 0
    for name, items in schemas.items():
        n = len(items)
        for i in range(n):
            for j in range(i + 1, n):
                pair_index[(start + i, start + j)] = len(tasks)
                same_line = _line(items[i].document) == _line(items[j].document)
                tasks.append(_Task(start + i, start + j, j == i + 1, policies[name],
                                   config.formats, full=acceptance_matters and same_line))
        start += n
    _DOCS, _ROOTS, _TIMEOUT, _CATALOG = [v.document for v in flat], roots, timeout, catalog
    try:
        results = _run_tasks(tasks, workers or default_workers(), progress)
    finally:
        _DOCS, _ROOTS, _CATALOG = [], [], None

    matrices = []
    start = 0
    for name, items in schemas.items():
        n = len(items)

        def pair(i: int, j: int, base: int = start) -> _PairResult:
            return results[pair_index[(base + i, base + j)]]

        matrices.append(_assemble(name, items, policies[name], pair, origin, accept))
        start += n
    return MatrixReport(tuple(matrices))


def _inputs(name: str, items: Iterable[VersionInput | SchemaDocument]) -> list[VersionInput]:
    out: list[VersionInput] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, SchemaDocument):
            label = str(item.version) if item.version is not None else item.source
            item = VersionInput(label, item, item.source)
        if item.label in seen:
            raise LoadError(f"{name}: version {item.label} appears twice")
        seen.add(item.label)
        out.append(item)
    if not out:
        raise LoadError(f"{name}: no versions")
    return out


def _release_version(item: VersionInput) -> ReleaseVersion:
    doc = item.document
    return ReleaseVersion(item.label, doc.version, str(doc.path) if doc.path else None,
                          doc.message_type)


def _assemble(name: str, items: list[VersionInput], policy: str,
              pair: Callable[[int, int], _PairResult], origin: str,
              accept: Acceptance) -> SchemaMatrix:
    labels = [v.label for v in items]
    n = len(items)
    grid: dict[tuple[int, int], Cell] = {}
    for i in range(n):
        for j in range(i + 1, n):
            r = pair(i, j)
            cell = Cell(labels[i], labels[j], r.backward, r.forward,
                        compatibility_level(r.backward.status, r.forward.status))
            grid[(i, j)], grid[(j, i)] = cell, cell.mirror()
    cells = tuple(grid[(i, j)] for i in range(n) for j in range(n) if i != j)
    lines = [_line(v.document) for v in items]
    versions = tuple(VersionInfo(v.label, str(v.document.version) if v.document.version else None,
                                 v.source or v.document.source, lines[k],
                                 DRAFT_NAMES[detect_draft(v.document.document)],
                                 "default" if v.document.draft_defaulted else "$schema")
                     for k, v in enumerate(items))

    releases = []
    for k, item in enumerate(items):
        prev = items[k - 1] if k else None

        def compared(older: ReleaseVersion, k: int = k) -> ComparisonResult:
            i = labels.index(older.label)
            r = pair(i, k)
            return ComparisonResult(name, None, None, r.backward, r.forward,
                                    grid[(i, k)].level, r.required_bump or "none", r.findings)

        evaluation = evaluate_release(name, _release_version(item),
                                      [_release_version(v) for v in items[:k]], policy,
                                      compared, accept)
        releases.append(Release(
            label=labels[k], previous=prev.label if prev else None,
            declared_bump=_declared_bump(prev.document.version, item.document.version) if prev else None,
            required_bump=evaluation.required_bump, policy=policy, verdict=evaluation.verdict,
            checks=evaluation.checks, problems=evaluation.problems))

    summaries = []
    for k in range(n):
        def status(i: int, j: int) -> str:
            return COMPATIBLE if i == j else grid[(i, j)].backward.status

        summaries.append(VersionSummary(
            label=labels[k],
            reads_from=tuple(labels[i] for i in range(n) if status(i, k) == COMPATIBLE),
            read_by=tuple(labels[j] for j in range(n) if status(k, j) == COMPATIBLE),
            reads_from_unknown=tuple(labels[i] for i in range(n) if status(i, k) == UNKNOWN),
            read_by_unknown=tuple(labels[j] for j in range(n) if status(k, j) == UNKNOWN)))
    return SchemaMatrix(name, policy, versions, cells, tuple(releases), tuple(summaries),
                        origin=origin)


__all__ = [
    "BREAKING", "COMPATIBLE", "FAIL", "FIRST_RELEASE", "NEW_MAJOR", "PASS", "UNKNOWN",
    "Cell", "MatrixReport", "PolicyCheck", "Release", "SchemaMatrix", "VersionInfo",
    "VersionInput", "VersionSummary", "build_matrix", "default_workers",
    "versions_from_git", "versions_from_repository", "write_atomic",
]
