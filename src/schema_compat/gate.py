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
from .config import Config
from .decide import (
    ERROR,
    GATE_EXAMPLE_INVALID,
    GATE_EXAMPLE_UNREADABLE,
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


def _check_examples(doc: SchemaDocument, examples_root: Path) -> list[Problem]:
    """Examples of this version: valid/ ones must pass, invalid/ ones must fail."""
    from .validate import MessageValidator

    base = examples_root / doc.name / str(doc.version)
    if not base.is_dir():
        return []
    single = ContractsRepository(root=examples_root, schemas={doc.name: [doc]})
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
          options: Options | None = None) -> GateReport:
    """Run the gate on ``current`` against ``base`` (None: every version is new)."""
    accept = Acceptance(config, today or dt.date.today())
    results: list[ComparisonResult] = []
    problems: list[Problem] = []
    entries: list[GateEntry] = []
    base_versions = _base_versions(base)
    names = sorted(set(current.names()) | set(base_versions))
    for name in names:
        policy = config.policy(name)
        opts = replace(options or Options(), policy=policy, formats=config.formats)
        now = current.versions(name)
        before = base_versions.get(name, {})

        def entry(version: str | None, kind: str, start: int, **more: Any) -> None:
            entries.append(GateEntry(name, version, kind, policy=policy,  # noqa: B023
                                     problems=tuple(problems[start:]), **more))

        if not now:
            start = len(problems)
            problems.append(Problem(SCHEMA_REMOVED,
                                    f"{name}: schema removed (consumers of it break)",
                                    schema=name, action="restore it: a schema in use cannot go"))
            entry(max(before, key=_version_order, default=None), REMOVED, start)
            continue
        now_by_version = {str(d.version): d for d in now}
        for version in sorted(set(before) - set(now_by_version), key=_version_order):
            start = len(problems)
            problems.append(Problem(SCHEMA_VERSION_REMOVED,
                                    f"{name} {version}: released version removed",
                                    schema=name, version=version,
                                    action=f"restore schemas/{name}/{version}"
                                           f"{_suffix(before[version])}: a released version "
                                           "stays"))
            entry(version, VERSION_REMOVED, start)
        for doc in now:
            key = str(doc.version)
            start = len(problems)
            if key in before:
                if not json_equal(before[key].document, doc.document):
                    results.append(_in_place(name, before[key], doc, opts, problems))
                    entry(key, CHANGED_IN_PLACE, start, previous=key, result=results[-1],
                          required_bump=results[-1].required_bump)
                continue
            made, evaluation = _new_version(name, doc, now, opts, accept, problems)
            if made and examples is not None and (examples / name).is_dir():
                # The recorded examples of every version, replayed across this release.
                from .replay import replay

                prev, new = _endpoints(made[0], now)
                made[0] = replace(made[0], replay=replay(prev, new, examples, workers=1))
            results.extend(made)
            problems.extend(Problem(GATE_PATTERN_HAZARD, f"{name} {doc.version}: {note}",
                                    schema=name, version=str(doc.version), file=_file(doc),
                                    action="rewrite the pattern without nested repetition")
                            for note in _new_hazards(doc, now))
            if (problem := _type_major_problem(doc)) is not None:
                problems.append(problem)
            if examples is not None:
                problems.extend(_check_examples(doc, examples))
            if made:
                old_side = made[0].old
                entry(key, RELEASE, start, result=made[0],
                      previous=old_side.version if old_side else None,
                      declared_bump=evaluation.declared_bump if evaluation else None,
                      required_bump=evaluation.required_bump if evaluation else None)
            else:
                entry(key, NEW_SCHEMA if base is not None and not before else FIRST_RELEASE,
                      start)
    problems.extend(accept.expired_problems())
    return GateReport(tuple(results), problems=tuple(problems),
                      waived=tuple(dict.fromkeys(accept.waived)), entries=tuple(entries))


def _version_order(text: str) -> tuple[int, Any]:
    parsed = parse_version(text)
    return (0, parsed) if parsed is not None else (1, text)


def _endpoints(result: ComparisonResult,
               versions: Sequence[SchemaDocument]) -> tuple[SchemaDocument, SchemaDocument]:
    by_version = {str(d.version): d for d in versions}
    assert result.old is not None and result.new is not None
    return by_version[str(result.old.version)], by_version[str(result.new.version)]


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


def release_version(doc: SchemaDocument) -> ReleaseVersion:
    """A schema document as a release evaluation sees it."""
    return ReleaseVersion(doc.label, doc.version, _file(doc), doc.message_type)


def _new_version(name: str, doc: SchemaDocument, now: Sequence[SchemaDocument], opts: Options,
                 accept: Acceptance, problems: list[Problem],
                 ) -> tuple[list[ComparisonResult], ReleaseEvaluation | None]:
    assert doc.version is not None
    earlier = [d for d in now if d.version is not None and d.version < doc.version]
    if not earlier:
        return [], None
    by_label = {d.label: d for d in earlier}
    made: dict[str, ComparisonResult] = {}

    def pair(older: ReleaseVersion) -> ComparisonResult:
        if older.label not in made:
            made[older.label] = filter_ignored(
                compare(by_label[older.label], doc, opts, schema=name), accept.config)
        return made[older.label]

    evaluation = evaluate_release(name, release_version(doc),
                                  [release_version(d) for d in earlier], opts.policy, pair, accept)
    problems.extend(evaluation.problems)
    prev = earlier[-1].label
    return [made[prev], *(r for label, r in made.items() if label != prev)], evaluation


def _new_hazards(doc: SchemaDocument, versions: Sequence[SchemaDocument]) -> list[str]:
    """Catastrophic patterns a release introduces (its predecessor did not have them)."""
    earlier = [d for d in versions if d.version is not None and doc.version is not None
               and d.version < doc.version]
    previous = prepare(earlier[-1]) if earlier else None
    return hazard_notes(prepare(doc), previous)


def gate(*, config: Config, against: str | None, schemas: Path | None = None,
         examples: Path | None = None, today: dt.date | None = None,
         options: Options | None = None) -> GateReport:
    """The ``check`` command's work: load both sides and run :func:`check`."""
    schemas_dir = schemas or config.root / config.schemas
    # Both sides are read in the same default draft: the base as this change would read it.
    current = load_repository(schemas_dir, default_draft=config.default_draft)
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
                 today=today, options=options)


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


__all__ = ["GateEntry", "GateReport", "check", "declared_bump", "gate", "next_version", "release_version"]
