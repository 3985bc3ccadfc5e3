"""The decide stage: comparisons, policies, waivers and rule levels turned into records.

Everything a run concludes is a :class:`Problem` with a registered id (``gate-bump-too-small``,
``schema-changed-in-place``...: ``schema-compat rules`` lists them with the change rules), the
schema, version, file and JSON pointer it is about, a message and what to do next. A release
is judged once, by :func:`evaluate_release`, for ``check`` and ``matrix`` alike; the run's
exit code is decided once, by :class:`Decision`. Reporters only render these records: none
of them parses a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import semver

from .config import Config, Waiver, fingerprint
from .findings import BREAKING, COMPATIBLE, UNKNOWN, ComparisonResult, Finding, Witness
from .verdict import BUMP_ORDER, policy_satisfied, protected_directions, required_bump

ERROR, WARNING = "error", "warning"

# ------------------------------------------------------------------------------ problem ids


@dataclass(frozen=True)
class ProblemKind:
    """A registered problem id: stable API, like a rule id (deprecate, never rename)."""

    id: str
    summary: str


PROBLEM_KINDS: dict[str, ProblemKind] = {}


def _kind(problem_id: str, summary: str) -> str:
    if problem_id in PROBLEM_KINDS:
        raise ValueError(f"problem {problem_id} registered twice")
    PROBLEM_KINDS[problem_id] = ProblemKind(problem_id, summary)
    return problem_id


GATE_BUMP_TOO_SMALL = _kind(
    "gate-bump-too-small",
    "A new version declares a smaller semantic-version bump than its changes need under the "
    "schema's policy.")
GATE_VERSION_NOT_GREATER = _kind(
    "gate-version-not-greater", "A new version is not greater than the one before it.")
GATE_POLICY_VIOLATED = _kind(
    "gate-policy-violated",
    "A release within a major breaks a direction its schema's compatibility policy protects "
    "(against its predecessor, or every earlier release of the major for *_TRANSITIVE).")
GATE_TYPE_MAJOR = _kind(
    "gate-type-major-mismatch",
    "A version's `type` constant does not end with `.v<major>` of its version.")
GATE_EXAMPLE_INVALID = _kind(
    "gate-example-invalid",
    "An example under `valid/` fails validation against its version, or one under `invalid/` "
    "passes.")
GATE_EXAMPLE_UNREADABLE = _kind(
    "gate-example-unreadable", "An example file is not a JSON document that can be read.")
GATE_WAIVER_EXPIRED = _kind(
    "gate-waiver-expired", "A waiver that matches a break has passed its expiry date.")
GATE_PATTERN_HAZARD = _kind(
    "gate-pattern-hazard",
    "A release introduces a pattern that backtracking regex engines (Python re, JavaScript) "
    "can take exponential time on.")
SCHEMA_REMOVED = _kind(
    "schema-removed", "A schema was removed: nothing accepts its messages any more.")
SCHEMA_VERSION_REMOVED = _kind(
    "schema-version-removed", "A released version of a schema was removed.")
SCHEMA_CHANGED_IN_PLACE = _kind(
    "schema-changed-in-place",
    "A released version was edited so that it accepts other messages (only annotations may "
    "change in place; anything else is a new release).")
SCHEMA_INCOMPATIBLE = _kind(
    "schema-incompatible",
    "A schema breaks a direction the run gates on (`diff --mode`), or cannot be shown "
    "compatible there (the run fails closed on `unknown`).")


@dataclass(frozen=True)
class Problem:
    """One reason a run fails (``error``) or something it wants seen (``warning``)."""

    id: str
    message: str
    schema: str | None = None
    version: str | None = None
    file: str | None = None  # the file to point at: a schema version, an example
    pointer: str | None = None  # a JSON pointer in that file
    severity: str = ERROR
    witness: Witness | None = None
    action: str = ""  # what to do next, in one sentence
    # Waivers that would accept the break, ready to paste (empty when none can: a break no
    # single finding explains is released as a major, not waived).
    waivers: tuple[Waiver, ...] = ()

    def __post_init__(self) -> None:
        if self.id not in PROBLEM_KINDS:
            raise ValueError(f"unregistered problem id {self.id!r}")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "severity": self.severity,
                                "message": self.message, "schema": self.schema,
                                "version": self.version, "file": self.file,
                                "pointer": self.pointer, "action": self.action or None}
        if self.witness is not None:
            data["witness"] = self.witness.to_json()
        if self.waivers:
            data["waivers"] = [w.to_toml() for w in self.waivers]
        return data


# ------------------------------------------------------------------------ rule levels, waivers


# A suggested waiver says why in the user's words, not ours: the reason is a prompt to
# replace, and the expiry is short so that an accepted break is looked at again.
WAIVER_REASON = "say why no consumer breaks"
WAIVER_TERM = dt.timedelta(days=30)


class Acceptance:
    """Applies rule levels and waivers to findings; remembers what it waived and which
    matching waivers had expired."""

    def __init__(self, config: Config, today: dt.date) -> None:
        self.config = config
        self.today = today
        self.waived: list[str] = []
        self.expired: list[tuple[Waiver, str, str]] = []  # (waiver, schema, where)

    def _waiver(self, schema: str, finding: Finding) -> Waiver | None:
        fp = fingerprint(schema, finding.rule, finding.old_path, finding.new_path)
        return next((w for w in self.config.waivers
                     if w.matches(schema, finding.rule, finding.old_path, finding.new_path, fp)),
                    None)

    def counts(self, schema: str, finding: Finding) -> bool:
        """Whether a breaking or unknown finding counts against the release."""
        if self.config.rule_level(finding.rule) in ("ignore", "warning"):
            return False
        w = self._waiver(schema, finding)
        if w is None:
            return True
        where = finding.new_path or finding.old_path or "/"
        if w.expired(self.today):
            self.expired.append((w, schema, f"{finding.rule} at {where}"))
            return True
        self.waived.append(f"{schema}: {finding.rule} at {where} "
                           f"({w.reason}; until {w.expires or 'no expiry'})")
        return False

    def suggest(self, schema: str, result: ComparisonResult,
                directions: Sequence[str]) -> tuple[Waiver, ...]:
        """Waivers that would make ``directions`` of ``result`` count as compatible: one per
        finding that still counts there. None when a failing direction has no finding to
        waive (no waiver can accept that break)."""
        waivers: list[Waiver] = []
        for d in directions:
            if result.direction(d).status == COMPATIBLE:
                continue
            relevant = [f for f in result.findings if getattr(f, d) in (BREAKING, UNKNOWN)]
            if not relevant:
                return ()
            for f in relevant:
                w = self._waiver(schema, f)
                if self.config.rule_level(f.rule) in ("ignore", "warning") or (
                        w is not None and not w.expired(self.today)):
                    continue
                waivers.append(Waiver(
                    reason=WAIVER_REASON, expires=self.today + WAIVER_TERM, rule=f.rule,
                    schema=schema, path=f.new_path or f.old_path,
                    fingerprint=fingerprint(schema, f.rule, f.old_path, f.new_path)))
        return tuple(dict.fromkeys(waivers))

    def effective(self, schema: str, result: ComparisonResult, direction: str) -> str:
        """The direction's status once waived and re-levelled findings are set aside."""
        status = result.direction(direction).status
        if status == COMPATIBLE:
            return status
        relevant = [f for f in result.findings if getattr(f, direction) in (BREAKING, UNKNOWN)]
        if not relevant:
            return status  # a break no single finding explains: nothing to waive
        if any(self.counts(schema, f) for f in relevant):
            return status
        return COMPATIBLE

    def expired_problems(self) -> list[Problem]:
        return [Problem(GATE_WAIVER_EXPIRED,
                        f"waiver for {schema}: {where} expired on {w.expires} ({w.reason})",
                        schema=schema, severity=ERROR,
                        action="renew the waiver with a later expiry, or release the break as "
                               "a major version")
                for w, schema, where in dict.fromkeys(self.expired)]


def filter_ignored(result: ComparisonResult, config: Config) -> ComparisonResult:
    """The result without the findings of rules levelled ``ignore``."""
    from dataclasses import replace

    kept = tuple(f for f in result.findings if config.rule_level(f.rule) != "ignore")
    return replace(result, findings=kept) if len(kept) != len(result.findings) else result


# ---------------------------------------------------------------------------------- releases

FIRST_RELEASE, NEW_MAJOR, PASS, FAIL = "first release", "new major", "pass", "fail"


def declared_bump(old: semver.Version, new: semver.Version) -> str | None:
    """The bump from ``old`` to ``new`` (None when ``new`` is not greater)."""
    if new <= old:
        return None
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    return "patch"  # the patch, or only the pre-release or build part, moved


def next_version(old: semver.Version, bump: str) -> semver.Version:
    """The smallest version after ``old`` that declares ``bump``."""
    if bump == "major":
        return old.bump_major()
    if bump == "minor":
        return old.bump_minor()
    if bump == "patch":
        return old.bump_patch()
    return old


@dataclass(frozen=True)
class PolicyCheck:
    """One predecessor a release was checked against."""

    against: str
    backward: str
    forward: str
    satisfied: bool

    def to_json(self) -> dict[str, Any]:
        return {"against": self.against, "backward": self.backward, "forward": self.forward,
                "satisfied": self.satisfied}


@dataclass(frozen=True)
class ReleaseVersion:
    """A version of a schema as a release evaluation sees it."""

    label: str
    version: semver.Version | None
    file: str | None = None
    message_type: str | None = None


@dataclass(frozen=True)
class ReleaseEvaluation:
    """One release judged: its verdict, bumps, policy checks and the problems it has."""

    verdict: str  # FIRST_RELEASE | NEW_MAJOR | PASS | FAIL
    declared_bump: str | None
    required_bump: str | None
    checks: tuple[PolicyCheck, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def evaluate_release(schema: str, release: ReleaseVersion, earlier: Sequence[ReleaseVersion],
                     policy: str, pair: Callable[[ReleaseVersion], ComparisonResult],
                     accept: Acceptance) -> ReleaseEvaluation:
    """Judge ``release`` against ``earlier`` (the versions before it, oldest first), as both
    ``check`` and ``matrix`` do: its declared bump must be at least the one its change from
    the previous version needs under ``policy`` (waivers and rule levels applied), and within
    a major it must meet ``policy`` against its predecessor (every earlier release of the
    major for ``*_TRANSITIVE``). ``pair(older)`` compares ``older`` with ``release``."""
    if not earlier:
        return ReleaseEvaluation(FIRST_RELEASE, None, None)
    prev = earlier[-1]
    result = pair(prev)
    back = accept.effective(schema, result, "backward")
    fwd = accept.effective(schema, result, "forward")
    needed = required_bump(back, fwd, result.findings, policy)
    if (needed in ("none", "patch") and result.backward.status != COMPATIBLE) or (
            needed in ("none", "patch") and result.forward.status != COMPATIBLE):
        # A waiver accepts a break, not the change: other messages are valid now, which
        # a patch release never means.
        needed = "minor"
    declared = (declared_bump(prev.version, release.version)
                if prev.version is not None and release.version is not None else None)
    problems: list[Problem] = []

    def problem(problem_id: str, message: str, action: str,
                waivers: tuple[Waiver, ...] = ()) -> Problem:
        return Problem(problem_id, message, schema=schema, file=release.file, action=action,
                       version=str(release.version) if release.version else None,
                       waivers=waivers)

    protected = protected_directions(policy)

    if prev.version is not None and release.version is not None and declared is None:
        problems.append(problem(
            GATE_VERSION_NOT_GREATER, f"{schema} {release.version}: version must be greater "
            f"than {prev.version}", f"release it as {next_version(prev.version, needed)}"
            if needed != "none" else ""))
    elif declared is not None and BUMP_ORDER.index(declared) < BUMP_ORDER.index(needed):
        assert prev.version is not None
        # Only a major is needed because of breaks: waiving them all brings it down.
        waivers = accept.suggest(schema, result, protected) if needed == "major" else ()
        problems.append(problem(
            GATE_BUMP_TOO_SMALL,
            f"{schema} {prev.version} → {release.version}: declared {declared} bump, but the "
            f"change needs {needed} (policy {policy}; backward {back}, forward {fwd})",
            _release_action(schema, prev.version, needed, release, bool(waivers)), waivers))
    same_major = [e for e in earlier if _same_line(e, release)]
    if not same_major:
        return ReleaseEvaluation(NEW_MAJOR, declared, needed, (), tuple(problems))
    against = same_major if policy.endswith("_TRANSITIVE") else same_major[-1:]
    checks: list[PolicyCheck] = []
    for older in against if protected else ():
        other = result if older is prev else pair(older)
        if older is prev:
            statuses = {"backward": back, "forward": fwd}
        else:
            statuses = {d: accept.effective(schema, other, d) for d in ("backward", "forward")}
        satisfied = policy_satisfied(statuses["backward"], statuses["forward"], policy)
        checks.append(PolicyCheck(older.label, statuses["backward"], statuses["forward"],
                                  satisfied))
        if not satisfied:
            broken = [d for d in protected if statuses[d] != COMPATIBLE]
            waivers = accept.suggest(schema, other, broken)
            problems.append(problem(
                GATE_POLICY_VIOLATED,
                f"{schema} {release.version or release.label}: policy {policy} violated "
                f"against {older.version or older.label} "
                f"({', '.join(f'{d} {statuses[d]}' for d in broken)})",
                _major_action(schema, earlier[-1], release, bool(waivers)), waivers))
    verdict = PASS if all(c.satisfied for c in checks) else FAIL
    return ReleaseEvaluation(verdict, declared, needed, tuple(checks), tuple(problems))


def _same_line(a: ReleaseVersion, b: ReleaseVersion) -> bool:
    """Two versions of one major line (by version, else by ``type`` constant)."""
    if a.version is not None and b.version is not None:
        return a.version.major == b.version.major
    return (a.message_type or "") == (b.message_type or "")


def _type_for(schema: str, release: ReleaseVersion, major: int) -> str:
    """The ``type`` constant a release of ``major`` should carry, from the current one."""
    current = release.message_type
    if current and ".v" in current:
        return f"{current.rsplit('.v', 1)[0]}.v{major}"
    return ""


def _release_action(schema: str, prev: semver.Version, needed: str,
                    release: ReleaseVersion, waivable: bool = False) -> str:
    target = next_version(prev, needed)
    action = f"release it as {target}"
    if needed == "major":
        wanted = _type_for(schema, release, target.major)
        if wanted:
            action += f" with type {wanted!r}"
    return action + ", or waive the break (the waiver below)" if waivable else action


def _major_action(schema: str, prev: ReleaseVersion, release: ReleaseVersion,
                  waivable: bool) -> str:
    if prev.version is None:
        return "release it as a new major version" + (
            ", or waive the break (the waiver below)" if waivable else "")
    return _release_action(schema, prev.version, "major", release, waivable)


# ------------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Decision:
    """What a run concluded: its problems, and the exit code they give (0 passed, 1 failed)."""

    problems: tuple[Problem, ...]

    @property
    def failures(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "exit_code": self.exit_code,
                "problems": [p.to_json() for p in self.problems]}


def gated_directions(mode: str) -> tuple[str, ...]:
    """The directions a run gates on: ``backward``, ``forward``, ``full`` (both), ``none``.
    Anything else gates on both: an unrecognised mode must not let a break through."""
    mode = mode.lower()
    if mode in ("backward", "forward"):
        return (mode,)
    if mode == "none":
        return ()
    return ("backward", "forward")


def decide_diff(results: Iterable[ComparisonResult], mode: str) -> Decision:
    """``diff``'s decision: every schema that is not compatible in a gated direction."""
    gated = gated_directions(mode)
    problems = []
    for r in results:
        failing = [d for d in gated if r.direction(d).status != COMPATIBLE]
        if not failing:
            continue
        side = r.new or r.old
        witness = next((w for d in failing for w in r.direction(d).witnesses), None)
        status = "removed" if r.status == "removed" else ", ".join(
            f"{d} {r.direction(d).status}" for d in failing)
        problems.append(Problem(
            SCHEMA_REMOVED if r.status == "removed" else SCHEMA_INCOMPATIBLE,
            f"{r.schema}: {status}", schema=r.schema,
            version=side.version if side else None, file=side.source if side else None,
            witness=witness,
            action=f"release it as a {r.required_bump} version" if r.required_bump == "major"
            else ""))
    return Decision(tuple(problems))


__all__ = [
    "ERROR", "FAIL", "FIRST_RELEASE", "NEW_MAJOR", "PASS", "PROBLEM_KINDS", "WARNING",
    "Acceptance", "Decision", "PolicyCheck", "Problem", "ProblemKind", "ReleaseEvaluation",
    "ReleaseVersion", "decide_diff", "declared_bump", "evaluate_release", "filter_ignored",
    "gated_directions", "next_version",
]
