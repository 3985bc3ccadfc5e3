"""From per-direction verdicts to a compatibility level and the semantic-version bump."""

from __future__ import annotations

from collections.abc import Sequence

from .findings import BREAKING, COMPATIBLE, UNKNOWN, Finding

#: Seconds one schema pair may take before the questions still open are answered unknown.
DEFAULT_TIMEOUT = 10.0
BUMP_ORDER = ("none", "patch", "minor", "major")
POLICIES = ("NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE",
            "FORWARD_TRANSITIVE", "FULL_TRANSITIVE")


def compatibility_level(backward: str, forward: str) -> str:
    """The strongest guarantee shown: FULL, BACKWARD, FORWARD, NONE, or UNKNOWN."""
    if backward == COMPATIBLE and forward == COMPATIBLE:
        return "FULL"
    if backward == COMPATIBLE:
        return "BACKWARD"
    if forward == COMPATIBLE:
        return "FORWARD"
    if backward == BREAKING and forward == BREAKING:
        return "NONE"
    return "UNKNOWN"


def protected_directions(policy: str) -> tuple[str, ...]:
    """The directions a policy protects (``BACKWARD_TRANSITIVE`` protects backward, etc.)."""
    base = policy.removesuffix("_TRANSITIVE")
    return {"NONE": (), "BACKWARD": ("backward",), "FORWARD": ("forward",),
            "FULL": ("backward", "forward")}[base]


def required_bump(backward: str, forward: str, findings: Sequence[Finding],
                  policy: str = "BACKWARD") -> str:
    """The bump semantic versioning asks for.

    MAJOR when a direction the policy protects is not shown compatible (``unknown`` fails
    closed); MINOR when the set of valid messages changed otherwise; PATCH when only
    annotations (or refactors that keep the same meaning) changed; none when nothing did.
    """
    verdicts = {"backward": backward, "forward": forward}
    if any(verdicts[d] in (BREAKING, UNKNOWN) for d in protected_directions(policy)):
        return "major"
    if backward != COMPATIBLE or forward != COMPATIBLE:
        return "minor"
    if findings:
        return "patch"
    return "none"


def policy_satisfied(backward: str, forward: str, policy: str) -> bool:
    """Whether a pair of verdicts meets a policy (unknown does not)."""
    verdicts = {"backward": backward, "forward": forward}
    return all(verdicts[d] == COMPATIBLE for d in protected_directions(policy))
