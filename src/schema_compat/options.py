"""How a comparison runs (shared by the engine and the per-change measure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .formats import DEFAULT_FORMAT_MODE
from .verdict import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from .catalog import Catalog


@dataclass(frozen=True)
class Options:
    """How a comparison runs. ``timeout`` bounds one pair; past it, open answers are unknown."""

    timeout: float = DEFAULT_TIMEOUT
    policy: str = "BACKWARD"
    max_steps: int = 400_000
    # "assert": `format` narrows the valid strings, as the repository's validator reads it;
    # "annotation": it changes nothing valid (formats.py).
    formats: str = DEFAULT_FORMAT_MODE
    # Local copies of the documents schemas refer to by URL (catalog.py), the same for both
    # sides of every comparison; None: such references stay unresolved (unknown).
    catalog: Catalog | None = None
