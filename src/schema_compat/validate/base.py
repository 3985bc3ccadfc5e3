"""What the validator's parts expect of one another.

``MessageValidator`` (validator.py) is routing and the public calls, plus two mixins: reading
(reading.py) and parallel running (parallel.py), each a subclass of ``ValidatorBase``. The base
names the state they read, which ``MessageValidator.__init__`` sets, and declares abstract the
methods one part calls and another defines, so that each module type-checks on its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .compiling import Compiled
from .inputs import MessageInput
from .results import Batch, RawChunk, RawFailure


class ValidatorBase(ABC):
    """The compiled schemas and routes the parts read, and the methods they share."""

    _compiled: dict[str, Compiled]
    _integers_matter: bool
    _fixed: Compiled | None
    _routes: dict[str, Compiled]
    _checks: dict[str, Any]

    @abstractmethod
    def _route(self, message: object) -> Compiled | None:
        """The compiled schema ``message`` is checked against, or None (validator.py)."""

    @abstractmethod
    def _routing_failure(self, message: object, line: int | None) -> RawFailure:
        """Why ``message`` could not be routed (validator.py)."""

    @abstractmethod
    def _iter_input(self, item: MessageInput) -> Iterator[Batch]:
        """The batches of one input, read in this process (reading.py)."""

    @abstractmethod
    def _scan_file_lines(self, path: Path, gz: bool, start: int, end: int | None) -> Iterator[RawChunk]:
        """The JSON Lines of ``path`` in the byte range, checked (reading.py)."""

    @abstractmethod
    def _check_document_file(self, path: Path, gz: bool) -> RawChunk:
        """A file holding one JSON document, checked (reading.py)."""
