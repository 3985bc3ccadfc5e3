"""The release gate: what a contracts repository runs on every pull request.

For each schema, the versions in the working tree are compared with those of a base (a
directory, or a git reference read without touching the work tree). Every new version is
diffed against its predecessor; its declared bump must be at least the required one, it must
meet its schema's policy (transitive policies: against every earlier release of its major),
its ``type`` constant must carry its major, and its examples must still be right. Waivers and
rule levels from the configuration decide which findings count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ._json import YAML_SUFFIXES, read_json_file
from .catalog import Catalog
from .config import Config
from .decide import (
    ERROR,
    GATE_EXAMPLE_INVALID,
    GATE_EXAMPLE_UNREADABLE,
    GATE_ID_VERSION,
    GATE_PATTERN_HAZARD,
    GATE_TYPE_MAJOR,
    SCHEMA_CHANGED_IN_PLACE,
    SCHEMA_REMOVED,
    SCHEMA_VERSION_REMOVED,
    Acceptance,
    Decision,
    Problem,
    ReleaseEvaluation,
    ReleaseVersion,
    declared_bump,
    evaluate_release,
    filter_ignored,
    next_version,
)
from .engine import Options, compare
from .errors import LoadError
from .findings import ComparisonResult
from .loading import (
    ContractsRepository,
    SchemaDocument,
    SchemaSet,
    check_named_path,
    is_within,
    load_repository,
    parse_version,
    resolve_input,
    version_from_id,
)
from .normalize import hazard_notes, prepare
from .schema import json_equal

# What the gate found a schema version to be (``GateEntry.kind``).
RELEASE, FIRST_RELEASE, NEW_SCHEMA = "release", "first release", "new schema"
CHANGED_IN_PLACE, VERSION_REMOVED, REMOVED = "changed in place", "version removed", "schema removed"


@dataclass(frozen=True)
class GateEntry:
    """One schema version the gate looked at: what it is, against what, and what it found.

    The reporters' summary is one line per entry; ``result`` is the comparison with
    ``previous`` (None for a first release or a removal), ``problems`` those raised about
    this version.
    """

    schema: str
    version: str | None
    kind: str
    previous: str | None = None
    policy: str = ""
    declared_bump: str | None = None
    required_bump: str | None = None
    result: ComparisonResult | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def passed(self) -> bool:
        return all(p.severity != ERROR for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {"schema": self.schema, "version": self.version, "kind": self.kind,
                "previous": self.previous, "policy": self.policy,
                "declared_bump": self.declared_bump, "required_bump": self.required_bump,
                "passed": self.passed}


@dataclass(frozen=True)
class GateReport:
    """The gate's verdict: every comparison made, its problems, and what it waived."""

    results: tuple[ComparisonResult, ...]
    problems: tuple[Problem, ...] = ()
    waived: tuple[str, ...] = field(default_factory=tuple)
    entries: tuple[GateEntry, ...] = ()

    @property
    def decision(self) -> Decision:
        """The run's decision (the exit code comes from it)."""
        return Decision(self.problems)

    @property
    def passed(self) -> bool:
        return self.decision.passed


def _type_major_problem(doc: SchemaDocument) -> Problem | None:
    mtype = doc.message_type
    if mtype is None or doc.version is None:
        return None
    suffix = f".v{doc.version.major}"
    if mtype.endswith(suffix):
        return None
    wanted = f"{mtype.rsplit('.v', 1)[0]}{suffix}" if ".v" in mtype else f"{mtype}{suffix}"
    return Problem(GATE_TYPE_MAJOR,
                   f"{doc.name} {doc.version}: type constant {mtype!r} must end with {suffix!r} "
                   "(the type carries the major version)",
                   schema=doc.name, version=str(doc.version), file=_file(doc),
                   pointer=_type_pointer(doc.document), action=f"set the type to {wanted!r}")


def _id_version_problem(doc: SchemaDocument) -> Problem | None:
    """A versioned file (``<name>/<semver>.json``) whose ``$id`` names another version."""
    if doc.path is None or doc.version is None or parse_version(doc.path.stem) is None:
        return None
    in_id = version_from_id(doc.document)
    if in_id is None or in_id == doc.version:
        return None
    fixed = str(doc.document["$id"]).replace(str(in_id), str(doc.version))
    return Problem(GATE_ID_VERSION,
                   f"{doc.name} {doc.version}: $id says {in_id}, the file name {doc.version}",
                   schema=doc.name, version=str(doc.version), file=_file(doc), pointer="/$id",
                   action=f"set $id to {fixed!r}")


def _type_pointer(document: Any) -> str | None:
    """Where a BACKBEAT schema writes its ``type`` constant, if it does so plainly."""
    props = document.get("properties") if isinstance(document, dict) else None
    kind = props.get("type") if isinstance(props, dict) else None
    if isinstance(kind, dict):
        for keyword in ("const", "enum"):
            if keyword in kind:
                return f"/properties/type/{keyword}"
    return None


def _suffix(doc: SchemaDocument) -> str:
    """The file name ending a version was written with (``.json``, ``.yaml``...)."""
    return Path(doc.source).suffix or ".json"


def _file(doc: SchemaDocument) -> str | None:
    return str(doc.path) if doc.path is not None else None


def _check_examples(doc: SchemaDocument, examples_root: Path,
                    catalog: Catalog | None = None) -> list[Problem]:
    """Examples of this version: valid/ ones must pass, invalid/ ones must fail."""
    from .validate import MessageValidator

    base = examples_root / doc.name / str(doc.version)
    if not base.is_dir():
        return []
    single = ContractsRepository(root=examples_root, schemas={doc.name: [doc]}, catalog=catalog)
    validator = MessageValidator(single, schema=doc.label)
    problems = []
    real_root = examples_root.resolve()

    def problem(problem_id: str, message: str, path: Path, action: str,
                pointer: str | None = None) -> Problem:
        return Problem(problem_id, message, schema=doc.name, version=str(doc.version),
                       file=str(path), pointer=pointer, action=action)

    for expect_valid, folder in ((True, "valid"), (False, "invalid")):
        for path in sorted((base / folder).glob("*.y*ml")):
            if path.name.endswith(YAML_SUFFIXES):
                # Examples are messages, which travel as JSON: they are read as JSON, as
                # `replay` and `validate` read messages. One written in YAML is not skipped
                # in silence (the gate would pass untested).
                problems.append(problem(GATE_EXAMPLE_UNREADABLE,
                                        f"{path}: examples are messages and are read as JSON; "
                                        "this YAML file is not read", path,
                                        "write it as a .json file"))
        for path in sorted((base / folder).glob("*.json")):
            if not is_within(path.resolve(), real_root):
                # A link (of the file or of a directory above it) that leads out of the
                # examples: refused, never read.
                raise LoadError(f"{path}: a symbolic link that leads outside {examples_root}; "
                                f"examples must lie under {examples_root} (not read)")
            try:
                message = read_json_file(path)
            except LoadError as exc:
                problems.append(problem(GATE_EXAMPLE_UNREADABLE, f"{path}: {exc}", path,
                                        "fix the example's JSON, or remove it"))
                continue
            errors = validator.validate(message)
            if expect_valid and errors:
                problems.append(problem(
                    GATE_EXAMPLE_INVALID,
                    f"{path}: expected valid under {doc.label}, but {errors[0].pointer or '/'}: "
                    f"{errors[0].message}", path,
                    "fix the example, or move it to invalid/ if it should fail",
                    errors[0].pointer or None))
            elif not expect_valid and not errors:
                problems.append(problem(
                    GATE_EXAMPLE_INVALID,
                    f"{path}: expected invalid under {doc.label}, but it validates", path,
                    "fix the example, or move it to valid/ if it should pass"))
    return problems


def check(current: ContractsRepository, base: SchemaSet | ContractsRepository | None,
          config: Config, *, examples: Path | None = None, today: dt.date | None = None,
          options: Options | None = None, base_label: str = "base") -> GateReport:
    """Run the gate on ``current`` against ``base`` (None: every version is new).

    ``base_label`` names the base where a schema kept in one file carries no version."""
    run = _GateRun(config, Acceptance(config, today or dt.date.today()), examples,
                   options or Options(), base is not None, base_label)
    base_versions = _base_versions(base)
    for name in sorted(set(current.names()) | set(base_versions)):
        run.schema(name, current.versions(name), base_versions.get(name, {}))
    run.problems.extend(run.accept.expired_problems())
    return GateReport(tuple(run.results), problems=tuple(run.problems),
                      waived=tuple(dict.fromkeys(run.accept.waived)), entries=tuple(run.entries))


class _GateRun:
    """The gate's work, one schema at a time: what it compared, found and concluded."""

    def __init__(self, config: Config, accept: Acceptance, examples: Path | None,
                 options: Options, has_base: bool, base_label: str) -> None:
        self.config, self.accept, self.examples = config, accept, examples
        self.options, self.has_base, self.base_label = options, has_base, base_label
        self.results: list[ComparisonResult] = []
        self.problems: list[Problem] = []
        self.entries: list[GateEntry] = []

    def entry(self, name: str, version: str | None, kind: str, start: int, **more: Any) -> None:
        """Record an entry with the problems raised since ``start``."""
        self.entries.append(GateEntry(name, version, kind, policy=self.config.policy(name),
                                      problems=tuple(self.problems[start:]), **more))

    def schema(self, name: str, now: Sequence[SchemaDocument],
               before: dict[str, SchemaDocument]) -> None:
        start = len(self.problems)
        if not now:
            self.problems.append(Problem(SCHEMA_REMOVED,
                                         f"{name}: schema removed (consumers of it break)",
                                         schema=name,
                                         action="restore it: a schema in use cannot go"))
            self.entry(name, max(before, key=_version_order, default=None), REMOVED, start)
            return
        one_file = _one_file(now, before)
        gone = set(before) - {str(d.version) for d in now} if not one_file else set()
        for version in sorted(gone, key=_version_order):
            start = len(self.problems)
            self.problems.append(Problem(
                SCHEMA_VERSION_REMOVED, f"{name} {version}: released version removed",
                schema=name, version=version,
                action=f"restore schemas/{name}/{version}{_suffix(before[version])}: a released "
                       "version stays"))
            self.entry(name, version, VERSION_REMOVED, start)
        for doc in now:
            earlier = [d for d in now if d.version is not None and doc.version is not None
                       and d.version < doc.version]
            released = before.get(str(doc.version))
            if one_file:
                # One file per schema: the base's copy is the version before, whatever the
                # two declare (a new version, none at all, or the same one edited).
                (old,) = before.values()
                if old.version is None or old.version != doc.version:
                    if json_equal(old.document, doc.document):
                        continue
                    released, earlier = None, [old]
                else:
                    released = old
            if released is not None:
                self.in_place(name, released, doc)
            else:
                self.release(name, doc, earlier, first_of_new_schema=self.has_base and not before)

    def in_place(self, name: str, released: SchemaDocument, doc: SchemaDocument) -> None:
        if json_equal(released.document, doc.document):
            return
        start = len(self.problems)
        opts = replace(self.options, policy=self.config.policy(name), formats=self.config.formats)
        self.results.append(_in_place(name, released, doc, opts, self.problems))
        self.entry(name, str(doc.version), CHANGED_IN_PLACE, start, previous=str(doc.version),
                   result=self.results[-1], required_bump=self.results[-1].required_bump)

    def release(self, name: str, doc: SchemaDocument, earlier: list[SchemaDocument],
                first_of_new_schema: bool) -> None:
        start = len(self.problems)
        opts = replace(self.options, policy=self.config.policy(name), formats=self.config.formats)
        made, evaluation = _new_version(name, doc, earlier, opts, self.accept, self.problems,
                                        self.base_label)
        if made and self.examples is not None and (self.examples / name).is_dir():
            # The recorded examples of every version, replayed across this release.
            from .replay import replay

            made[0] = replace(made[0], replay=replay(earlier[-1], doc, self.examples, workers=1,
                                                     catalog=opts.catalog))
        self.results.extend(made)
        self.problems.extend(Problem(GATE_PATTERN_HAZARD, f"{name} {doc.version}: {note}",
                                     schema=name, version=str(doc.version), file=_file(doc),
                                     action="rewrite the pattern without nested repetition")
                             for note in _new_hazards(doc, earlier, opts.catalog))
        for problem in (_type_major_problem(doc), _id_version_problem(doc)):
            if problem is not None:
                self.problems.append(problem)
        if self.examples is not None:
            self.problems.extend(_check_examples(doc, self.examples, opts.catalog))
        version = str(doc.version) if doc.version is not None else None
        if evaluation is None:
            self.entry(name, version, NEW_SCHEMA if first_of_new_schema else FIRST_RELEASE, start)
            return
        self.entry(name, version, RELEASE, start, result=made[0],
                   previous=str(earlier[-1].version or self.base_label),
                   declared_bump=evaluation.declared_bump, required_bump=evaluation.required_bump)


def _version_order(text: str) -> tuple[int, Any]:
    parsed = parse_version(text)
    return (0, parsed) if parsed is not None else (1, text)


def _base_versions(base: SchemaSet | ContractsRepository | None) -> dict[str, dict[str, SchemaDocument]]:
    if base is None:
        return {}
    if isinstance(base, ContractsRepository):
        return {n: {str(d.version): d for d in base.versions(n)} for n in base.names()}
    out: dict[str, dict[str, SchemaDocument]] = {}
    for doc in base.all_documents():
        out.setdefault(doc.name, {})[str(doc.version)] = doc
    return out


def _in_place(name: str, old: SchemaDocument, new: SchemaDocument, opts: Options,
              problems: list[Problem]) -> ComparisonResult:
    result = compare(old, new, opts, schema=name)
    if result.required_bump not in ("none", "patch"):
        assert new.version is not None
        problems.append(Problem(
            SCHEMA_CHANGED_IN_PLACE,
            f"{name} {new.version}: released version changed in place "
            f"(needs a {result.required_bump} release instead)",
            schema=name, version=str(new.version), file=_file(new),
            action=f"restore {new.version} and release the change as a new version"))
    return result


def release_version(doc: SchemaDocument, where: str = "") -> ReleaseVersion:
    """A schema document as a release evaluation sees it; an unversioned one is labelled by
    ``where`` it was read (``workflow (HEAD)``)."""
    label = doc.label if doc.version is not None or not where else f"{doc.name} ({where})"
    return ReleaseVersion(label, doc.version, _file(doc), doc.message_type)


def _new_version(name: str, doc: SchemaDocument, earlier: Sequence[SchemaDocument],
                 opts: Options, accept: Acceptance, problems: list[Problem], base_label: str,
                 ) -> tuple[list[ComparisonResult], ReleaseEvaluation | None]:
    """Judge ``doc`` against the versions before it (oldest first; none: a first release)."""
    if not earlier:
        return [], None
    # By position: a schema kept in one file may carry no version on either side.
    made: dict[int, ComparisonResult] = {}
    releases = [release_version(d, base_label) for d in earlier]

    def pair(older: ReleaseVersion) -> ComparisonResult:
        i = next(i for i, r in enumerate(releases) if r is older)
        if i not in made:
            made[i] = filter_ignored(compare(earlier[i], doc, opts, schema=name), accept.config)
        return made[i]

    evaluation = evaluate_release(name, release_version(doc, "working tree"), releases,
                                  opts.policy, pair, accept)
    problems.extend(evaluation.problems)
    prev = len(earlier) - 1
    return [made[prev], *(r for i, r in made.items() if i != prev)], evaluation


def _one_file(now: Sequence[SchemaDocument], before: dict[str, SchemaDocument]) -> bool:
    """Whether a schema is kept as one file (``schemas/<name>.json``), on both sides."""
    return (len(now) == 1 and len(before) == 1 and now[0].path is not None
            and parse_version(now[0].path.stem) is None)


def _new_hazards(doc: SchemaDocument, earlier: Sequence[SchemaDocument],
                 catalog: Catalog | None = None) -> list[str]:
    """Catastrophic patterns a release introduces (its predecessor did not have them)."""
    previous = prepare(earlier[-1], catalog=catalog) if earlier else None
    return hazard_notes(prepare(doc, catalog=catalog), previous)


def gate(*, config: Config, against: str | None, schemas: Path | None = None,
         examples: Path | None = None, today: dt.date | None = None,
         options: Options | None = None) -> GateReport:
    """The ``check`` command's work: load both sides and run :func:`check`."""
    schemas_dir = schemas or config.root / config.schemas
    # Both sides are read in the same default draft: the base as this change would read it.
    current = load_repository(schemas_dir, default_draft=config.default_draft,
                              allow_empty=against is not None)
    base: Any = None
    if against is not None:
        path = Path(against)
        if path.is_dir():
            base = load_repository(path, default_draft=config.default_draft)
        else:
            base = resolve_input(against,
                                 schemas_dir=_relative(schemas_dir, config.root), cwd=config.root,
                                 all_versions=True, default_draft=config.default_draft)
    examples_dir = examples if examples is not None else config.root / config.examples
    check_named_path(examples_dir)
    return check(current, base, config, examples=examples_dir if examples_dir.is_dir() else None,
                 today=today, options=options, base_label=against or "base")


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


__all__ = ["GateEntry", "GateReport", "check", "declared_bump", "gate", "next_version", "release_version"]
