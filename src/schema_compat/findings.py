"""The results of a comparison: plain frozen dataclasses that reporters render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMPATIBLE, BREAKING, UNKNOWN = "compatible", "breaking", "unknown"
OK = "ok"
BACKWARD, FORWARD = "backward", "forward"
LEVELS = ("FULL", "BACKWARD", "FORWARD", "NONE", "UNKNOWN")
BUMPS = ("none", "patch", "minor", "major")


@dataclass(frozen=True)
class Witness:
    """A message that proves a break: valid under one side, invalid under the other.

    ``direction`` is ``backward`` (valid under old, invalid under new) or ``forward`` (the
    reverse). ``error`` is the validator's first complaint on the side that rejects it.
    ``caveat`` says which validators would judge it otherwise, when some would.
    """

    direction: str
    instance: Any
    error: str = ""
    source: str = "engine"
    # Where a mainstream validator would judge the witness otherwise than the reference
    # (docs/conformance.md, "Which validator is the reference"): which one, and how.
    caveat: str = ""

    def to_json(self) -> dict[str, Any]:
        data = {"direction": self.direction, "instance": self.instance, "error": self.error,
                "source": self.source}
        if self.caveat:
            data["caveat"] = self.caveat
        return data


@dataclass(frozen=True)
class Finding:
    """One change that matters, named by a rule, with its measured effect per direction."""

    rule: str
    old_path: str | None
    new_path: str | None
    backward: str
    forward: str
    message: str
    annotation: bool = False
    witnesses: tuple[Witness, ...] = ()
    reason: str = ""

    @property
    def breaking(self) -> bool:
        return BREAKING in (self.backward, self.forward)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule, "old_path": self.old_path, "new_path": self.new_path,
            "backward": self.backward, "forward": self.forward, "message": self.message,
        }
        if self.witnesses:
            data["witness"] = self.witnesses[0].to_json()
            data["witnesses"] = [w.to_json() for w in self.witnesses]
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Side:
    """Where one side of a comparison came from."""

    source: str
    version: str | None = None
    draft: str | None = None
    # Where the draft came from: "$schema" (the document names it) or "default" (it names
    # none: the default draft, 2020-12 unless --default-draft or `default-draft` say otherwise).
    draft_from: str = "$schema"

    @property
    def label(self) -> str:
        """How a report names this side: its version, else where it was read."""
        return self.version or self.source

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "version": self.version, "draft": self.draft,
                "draft_from": self.draft_from}


@dataclass(frozen=True)
class DirectionVerdict:
    """``compatible``, ``breaking`` (with witnesses) or ``unknown`` (with the reason)."""

    status: str
    witnesses: tuple[Witness, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ReplayChange:
    """An example whose verdict differs between the two versions."""

    example: str
    direction: str
    old_valid: bool
    new_valid: bool
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"example": self.example, "direction": self.direction,
                "old_valid": self.old_valid, "new_valid": self.new_valid, "error": self.error}


@dataclass(frozen=True)
class ReplaySummary:
    """Examples replayed against both versions, and those whose verdict changed."""

    examples: int = 0
    changed: tuple[ReplayChange, ...] = ()
    backward: int = 0  # counts of all transitions (``changed`` keeps the first ones in detail)
    forward: int = 0
    unreadable: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"examples": self.examples, "changed": [c.to_json() for c in self.changed],
                "backward": self.backward, "forward": self.forward,
                "unreadable": self.unreadable}


@dataclass(frozen=True)
class ComparisonResult:
    """Everything known about one schema's change from ``old`` to ``new``."""

    schema: str
    old: Side | None
    new: Side | None
    backward: DirectionVerdict
    forward: DirectionVerdict
    level: str
    required_bump: str
    findings: tuple[Finding, ...] = ()
    replay: ReplaySummary | None = None
    status: str = "changed"  # changed | unchanged | added | removed
    notes: tuple[str, ...] = field(default_factory=tuple)
    formats: str = "assert"  # how `format` was read: "assert" or "annotation" (formats.py)
    default_draft: str = "2020-12"  # the draft of a schema without `$schema` (drafts.py)
    policy: str = "BACKWARD"  # the compatibility policy the required bump was computed under

    def direction(self, name: str) -> DirectionVerdict:
        return self.backward if name == BACKWARD else self.forward

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "status": self.status,
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "backward": self.backward.status,
            "forward": self.forward.status,
            "backward_reason": self.backward.reason or None,
            "forward_reason": self.forward.reason or None,
            "witnesses": [w.to_json() for w in (*self.backward.witnesses,
                                                 *self.forward.witnesses)],
            "level": self.level,
            "required_bump": self.required_bump,
            "findings": [f.to_json() for f in self.findings],
            "replay": (self.replay or ReplaySummary()).to_json(),
            "notes": list(self.notes),
            "formats": self.formats,
            "default_draft": self.default_draft,
            "policy": self.policy,
        }
