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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import semver

from ._json import read_json_file
from .config import Config, Waiver, fingerprint
from .engine import Options, compare
from .errors import LoadError
from .findings import BACKWARD, BREAKING, COMPATIBLE, FORWARD, UNKNOWN, ComparisonResult, Finding
from .loading import (
    ContractsRepository,
    SchemaDocument,
    SchemaSet,
    check_named_path,
    is_within,
    load_repository,
    resolve_input,
)
from .normalize import hazard_notes, prepare
from .verdict import BUMP_ORDER, protected_directions, required_bump


@dataclass(frozen=True)
class GateReport:
    """The gate's verdict: every comparison made, and whether the pull request may merge."""

    results: tuple[ComparisonResult, ...]
    passed: bool
    problems: tuple[str, ...] = ()
    waived: tuple[str, ...] = field(default_factory=tuple)


def declared_bump(old: semver.Version, new: semver.Version) -> str | None:
    """The bump from ``old`` to ``new`` (None when ``new`` is not greater)."""
    if new <= old:
        return None
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    if new.patch != old.patch:
        return "patch"
    return "patch"  # only the pre-release or build part moved


def next_version(old: semver.Version, bump: str) -> semver.Version:
    """The smallest version after ``old`` that declares ``bump``."""
    if bump == "major":
        return old.bump_major()
    if bump == "minor":
        return old.bump_minor()
    if bump == "patch":
        return old.bump_patch()
    return old


class _Acceptance:
    """Applies rule levels and waivers to findings; remembers what it waived or found expired."""

    def __init__(self, config: Config, today: dt.date) -> None:
        self.config = config
        self.today = today
        self.waived: list[str] = []
        self.expired: list[tuple[Waiver, str]] = []

    def counts(self, schema: str, finding: Finding) -> bool:
        """Whether a breaking/unknown finding counts against the gate."""
        level_ = self.config.level(finding.rule)
        if level_ in ("ignore", "warning"):
            return False
        fp = fingerprint(schema, finding.rule, finding.old_path, finding.new_path)
        for w in self.config.waivers:
            if w.matches(schema, finding.rule, finding.old_path, finding.new_path, fp):
                if w.expired(self.today):
                    self.expired.append((w, f"{schema}: {finding.rule} {finding.new_path or finding.old_path or ''}"))
                    return True
                self.waived.append(f"{schema}: {finding.rule} at {finding.new_path or finding.old_path or '/'} "
                                   f"({w.reason}; until {w.expires or 'no expiry'})")
                return False
        return True

    def effective(self, schema: str, result: ComparisonResult, direction: str) -> str:
        """The direction's status once waived and re-levelled findings are set aside."""
        status = result.direction(direction).status
        if status == COMPATIBLE:
            return status
        relevant = [f for f in result.findings
                    if getattr(f, direction) in (BREAKING, UNKNOWN)]
        if not relevant:
            return status  # a break no single finding explains: nothing to waive
        if any(self.counts(schema, f) for f in relevant):
            return status
        return COMPATIBLE


def _filter_ignored(result: ComparisonResult, config: Config) -> ComparisonResult:
    kept = tuple(f for f in result.findings if config.level(f.rule) != "ignore")
    return replace(result, findings=kept) if len(kept) != len(result.findings) else result


def _type_major_ok(doc: SchemaDocument) -> str | None:
    mtype = doc.message_type
    if mtype is None or doc.version is None:
        return None
    suffix = f".v{doc.version.major}"
    if not mtype.endswith(suffix):
        return (f"{doc.name} {doc.version}: type constant {mtype!r} must end with {suffix!r} "
                "(the type carries the major version)")
    return None


def _check_examples(doc: SchemaDocument, examples_root: Path) -> list[str]:
    """Examples of this version: valid/ ones must pass, invalid/ ones must fail."""
    from .validate import MessageValidator

    base = examples_root / doc.name / str(doc.version)
    if not base.is_dir():
        return []
    single = ContractsRepository(root=examples_root, schemas={doc.name: [doc]})
    validator = MessageValidator(single, schema=doc.label)
    problems = []
    real_root = examples_root.resolve()
    for expect_valid, folder in ((True, "valid"), (False, "invalid")):
        for path in sorted((base / folder).glob("*.json")):
            if not is_within(path.resolve(), real_root):
                # A link (of the file or of a directory above it) that leads out of the
                # examples: refused, never read.
                raise LoadError(f"{path}: a symbolic link that leads outside {examples_root}; "
                                f"examples must lie under {examples_root} (not read)")
            try:
                message = read_json_file(path)
            except LoadError as exc:
                problems.append(f"{path}: {exc}")
                continue
            errors = validator.validate(message)
            if expect_valid and errors:
                problems.append(f"{path}: expected valid under {doc.label}, but {errors[0].pointer or '/'}: "
                                f"{errors[0].message}")
            elif not expect_valid and not errors:
                problems.append(f"{path}: expected invalid under {doc.label}, but it validates")
    return problems


def _same_major(versions: Sequence[SchemaDocument], doc: SchemaDocument) -> list[SchemaDocument]:
    assert doc.version is not None
    return [d for d in versions if d.version is not None and d.version < doc.version
            and d.version.major == doc.version.major]


def check(current: ContractsRepository, base: SchemaSet | ContractsRepository | None,
          config: Config, *, examples: Path | None = None, today: dt.date | None = None,
          options: Options | None = None) -> GateReport:
    """Run the gate on ``current`` against ``base`` (None: every version is new)."""
    accept = _Acceptance(config, today or dt.date.today())
    results: list[ComparisonResult] = []
    problems: list[str] = []
    base_versions = _base_versions(base)
    names = sorted(set(current.names()) | set(base_versions))
    for name in names:
        policy = config.policy(name)
        opts = replace(options or Options(), policy=policy, formats=config.formats)
        now = current.versions(name)
        before = base_versions.get(name, {})
        if not now:
            problems.append(f"{name}: schema removed (consumers of it break)")
            continue
        now_by_version = {str(d.version): d for d in now}
        for version in sorted(set(before) - set(now_by_version)):
            problems.append(f"{name} {version}: released version removed")
        for doc in now:
            key = str(doc.version)
            if key in before:
                if before[key].document != doc.document:
                    results.append(_in_place(name, before[key], doc, opts, problems))
                continue
            made = list(_new_version(name, doc, now, opts, accept, problems))
            if made and examples is not None and (examples / name).is_dir():
                # The recorded examples of every version, replayed across this release.
                from .replay import replay

                prev, new = _endpoints(made[0], now)
                made[0] = replace(made[0], replay=replay(prev, new, examples, workers=1))
            results.extend(made)
            problems.extend(f"{name} {doc.version}: {note}" for note in _new_hazards(doc, now))
            if (why := _type_major_ok(doc)) is not None:
                problems.append(why)
            if examples is not None:
                problems.extend(_check_examples(doc, examples))
    for waiver, where in accept.expired:
        problems.append(f"waiver for {where} expired on {waiver.expires} ({waiver.reason})")
    return GateReport(tuple(results), passed=not problems, problems=tuple(problems),
                      waived=tuple(dict.fromkeys(accept.waived)))


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
              problems: list[str]) -> ComparisonResult:
    result = compare(old, new, opts, schema=name)
    if result.required_bump not in ("none", "patch"):
        problems.append(f"{name} {new.version}: released version changed in place "
                        f"(needs a {result.required_bump} release instead)")
    return result


def _new_version(name: str, doc: SchemaDocument, now: Sequence[SchemaDocument], opts: Options,
                 accept: _Acceptance, problems: list[str]) -> Iterable[ComparisonResult]:
    assert doc.version is not None
    earlier = [d for d in now if d.version is not None and d.version < doc.version]
    if not earlier:
        return []
    prev = earlier[-1]
    assert prev.version is not None
    result = _filter_ignored(compare(prev, doc, opts, schema=name), accept.config)
    back = accept.effective(name, result, BACKWARD)
    fwd = accept.effective(name, result, FORWARD)
    needed = required_bump(back, fwd, result.findings, opts.policy)
    declared = declared_bump(prev.version, doc.version)
    out = [result]
    if declared is None:
        problems.append(f"{name} {doc.version}: version must be greater than {prev.version}")
    elif BUMP_ORDER.index(declared) < BUMP_ORDER.index(needed):
        problems.append(f"{name} {prev.version} → {doc.version}: declared {declared} bump, "
                        f"but the change needs {needed} (policy {opts.policy}; "
                        f"backward {back}, forward {fwd})")
    if declared != "major":
        directions = protected_directions(opts.policy)
        against = _same_major(now, doc) if opts.policy.endswith("_TRANSITIVE") else [prev]
        for older in against:
            if older is prev:
                pair = {BACKWARD: back, FORWARD: fwd}
            else:
                extra = _filter_ignored(compare(older, doc, opts, schema=name), accept.config)
                out.append(extra)
                pair = {d: accept.effective(name, extra, d) for d in (BACKWARD, FORWARD)}
            broken = [d for d in directions if pair[d] != COMPATIBLE]
            if broken:
                problems.append(f"{name} {doc.version}: policy {opts.policy} violated against "
                                f"{older.version} ({', '.join(f'{d} {pair[d]}' for d in broken)})")
    return out


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
    current = load_repository(schemas_dir)
    base: Any = None
    if against is not None:
        path = Path(against)
        if path.is_dir():
            base = load_repository(path)
        else:
            base = resolve_input(against,
                                 schemas_dir=_relative(schemas_dir, config.root), cwd=config.root,
                                 all_versions=True)
    examples_dir = examples if examples is not None else config.root / config.examples
    check_named_path(examples_dir)
    return check(current, base, config, examples=examples_dir if examples_dir.is_dir() else None,
                 today=today, options=options)


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


__all__ = ["GateReport", "check", "declared_bump", "gate", "next_version"]
