"""How a comparison runs (shared by the engine and the per-change measure)."""

from __future__ import annotations

from dataclasses import dataclass

from .formats import DEFAULT_FORMAT_MODE
from .verdict import DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Options:
    """How a comparison runs. ``timeout`` bounds one pair; past it, open answers are unknown."""

    timeout: float = DEFAULT_TIMEOUT
    policy: str = "BACKWARD"
    max_steps: int = 400_000
    # "assert": `format` narrows the valid strings, as the repository's validator reads it;
    # "annotation": it changes nothing valid (formats.py).
    formats: str = DEFAULT_FORMAT_MODE
