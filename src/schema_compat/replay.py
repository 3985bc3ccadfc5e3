"""Replay recorded messages against two versions of a schema: which change verdict?

A message valid under the old version and invalid under the new one is a *backward*
transition: real evidence that consumers upgraded to the new version would reject data the old
producers sent, exactly like a witness. The reverse is a *forward* transition.

The replay reuses the validator's streaming and parallel machinery (``validate.py``): every
message is parsed once and checked against both versions in the same hot loop; only the
transitions allocate anything, so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from ._json import exact_again, exact_loads
from .errors import LoadError
from .findings import BACKWARD, FORWARD, ReplayChange, ReplaySummary
from .loading import ContractsRepository, SchemaDocument, check_named_path, is_within
from .validate import (
    MessageInput,
    MessageValidator,
    _RawChunk,
    _RawFailure,
    discover_inputs,
)

#: Transitions kept in detail per direction; beyond that they are only counted.
MAX_DETAILED = 1000


class _PairValidator(MessageValidator):
    """Checks each message against two compiled schemas; its "failures" are transitions."""

    def __init__(self, old: SchemaDocument, new: SchemaDocument) -> None:
        if old.label == new.label:
            old = replace(old, name=f"{old.name} (old)")
            new = replace(new, name=f"{new.name} (new)")
        schemas: dict[str, list[SchemaDocument]] = {}
        for doc in (old, new):
            schemas.setdefault(doc.name, []).append(doc)
        root = old.path.parent if old.path else Path.cwd()
        super().__init__(ContractsRepository(root=root, schemas=schemas), schema=new.label)
        self._old = self._compiled[old.label]
        self._new = self._compiled[new.label]
        self.new_label = new.label

    def _transition(self, message: Any, line: int | None) -> _RawFailure | None:
        was, now = self._old.validator.is_valid(message), self._new.validator.is_valid(message)
        if was == now:
            return None
        # The error comes from the side that rejects it.
        return (self._new if was else self._old).failure(message, line)

    def _check_lines(self, lines: list[bytes], first: int, exact: bool = True) -> _RawChunk:
        # The hot loop, inlined like the validator's own: one parse and two checks per message
        # (integers exact: see MessageValidator._check_lines).
        loads = exact_loads if exact else orjson.loads
        decode_error = orjson.JSONDecodeError
        old_ok = self._old.validator.is_valid
        new_ok = self._new.validator.is_valid
        failures: list[_RawFailure] = []
        blank = 0
        for index, raw in enumerate(lines):
            try:
                message = loads(raw)
            except decode_error as exc:
                blank += self._bad_line(raw, exc, first + index, failures)
                continue
            was = old_ok(message)
            if was != new_ok(message):
                failures.append((self._new if was else self._old).failure(
                    exact_again(raw, message), first + index))
        return _RawChunk(len(lines) - blank, len(lines), failures)

    def _check_parsed(self, message: Any) -> _RawChunk:
        change = self._transition(message, None)
        return _RawChunk(1, 0, [change] if change is not None else [])


def _inputs(examples: Path, schema_name: str) -> list[MessageInput]:
    check_named_path(examples)
    if examples.is_file():
        return [MessageInput.file(examples)]
    # An examples tree (examples/<name>/<version>/...): only this schema's messages. Nothing
    # is read through a symbolic link that leads out of it.
    scoped = examples / schema_name
    if not scoped.is_dir():
        return discover_inputs(examples, strict=True)
    if not is_within(scoped.resolve(), examples.resolve()):
        raise LoadError(f"{scoped}: a symbolic link that leads outside {examples}; examples must "
                        f"lie under {examples} (not read)")
    return discover_inputs(scoped, strict=True)


def replay(old: SchemaDocument, new: SchemaDocument, examples: Path | Iterable[MessageInput], *,
           workers: int | None = None,
           progress: Callable[[int], None] | None = None) -> ReplaySummary:
    """Every message under ``examples`` against ``old`` and ``new``.

    ``examples`` is a file (``.json``, ``.jsonl``, ``.gz``), a directory (walked; for an
    examples tree, the subtree of the schema's name), or prepared inputs. ``workers``: processes
    for large files (None: one per core). ``progress`` is called with the running message count.
    """
    pair = _PairValidator(old, new)
    inputs = _inputs(examples, new.name) if isinstance(examples, (str, os.PathLike)) else list(examples)
    total = 0
    counts = {BACKWARD: 0, FORWARD: 0}
    unreadable = 0
    changed: list[ReplayChange] = []
    for batch in pair.iter_batches(inputs, workers=workers):
        total += batch.messages
        for result in batch.failures:
            if result.schema is None:  # not JSON, unreadable: nothing to compare
                unreadable += 1
                continue
            direction = BACKWARD if result.schema == pair.new_label else FORWARD
            counts[direction] += 1
            if counts[direction] <= MAX_DETAILED:
                issue = result.issues[0]
                where = result.source if result.line is None else f"{result.source}:{result.line}"
                changed.append(ReplayChange(
                    example=where, direction=direction, old_valid=direction == BACKWARD,
                    new_valid=direction == FORWARD,
                    error=f"{issue.pointer or '/'}: {issue.keyword}: {issue.message}"))
        if progress is not None:
            progress(total)
    return ReplaySummary(examples=total, changed=tuple(changed), backward=counts[BACKWARD],
                         forward=counts[FORWARD], unreadable=unreadable)
