"""The rule registry: each rule names one kind of change and says what it usually breaks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..changes import ABSENT, KeywordChange

Classifier = Callable[[KeywordChange], "str | None"]

#: Typical effect of a rule, per direction, for the docs. The engine measures the real effect
#: of every finding on the instance sets; this is what a reader can expect.
TYPICAL = ("breaking", "ok", "depends", "none")


@dataclass(frozen=True)
class Rule:
    """A named kind of change. ``classify`` returns the finding's message, or None."""

    id: str
    family: str
    keywords: tuple[str, ...]
    summary: str
    backward: str
    forward: str
    classify: Classifier
    annotation: bool = False
    deprecated: bool = False


RULES: dict[str, Rule] = {}
_BY_KEYWORD: dict[str, list[Rule]] = {}
_FALLBACK: list[Rule] = []


def rule(rule_id: str, *, family: str, keywords: tuple[str, ...], summary: str,
         backward: str, forward: str, annotation: bool = False) -> Callable[[Classifier], Classifier]:
    """Register ``fn`` as the classifier of rule ``rule_id`` (``keywords=()``: any keyword)."""
    if backward not in TYPICAL or forward not in TYPICAL:
        raise ValueError(f"{rule_id}: effects must be one of {TYPICAL}")

    def register(fn: Classifier) -> Classifier:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        r = Rule(rule_id, family, keywords, summary, backward, forward, fn, annotation)
        RULES[rule_id] = r
        if keywords:
            for kw in keywords:
                _BY_KEYWORD.setdefault(kw, []).append(r)
        else:
            _FALLBACK.append(r)
        return fn

    return register


def classify(change: KeywordChange) -> tuple[Rule, str]:
    """The first rule that recognises ``change``, with its message."""
    for r in (*_BY_KEYWORD.get(change.keyword, ()), *_FALLBACK):
        message = r.classify(change)
        if message is not None:
            return r, message
    raise LookupError(f"no rule for change of {change.keyword!r}")  # the fallback takes all


def show(value: Any, limit: int = 60) -> str:
    """A JSON value, short, for messages."""
    import json

    if value is ABSENT:
        return "nothing"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(change: KeywordChange) -> str:
    """The subschema a change is in, for messages ("at /properties/x")."""
    path = change.new_schema_path or change.old_schema_path
    return f"at {path}" if path else "at the root"
