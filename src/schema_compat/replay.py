"""Replay recorded messages against two versions of a schema: which change verdict?

A message valid under the old version and invalid under the new one is a *backward*
transition: real evidence that consumers upgraded to the new version would reject data the old
producers sent, exactly like a witness. The reverse is a *forward* transition.

The replay reuses the validator's streaming and parallel machinery (``validate/``): every
message is parsed once and checked against both versions in the same hot loop; only the
transitions allocate anything, so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ._json import exact_again, exact_loads
from .errors import LoadError, UsageError
from .findings import BACKWARD, FORWARD, ReplayChange, ReplaySummary
from .loading import ContractsRepository, SchemaDocument, check_named_path, is_within
from .partitions import Tally, expand_pattern, is_pattern
from .validate import (
    Engine,
    MessageInput,
    MessageValidator,
    Progress,
    Rebuildable,
    discover_inputs,
)
from .validate.results import RawChunk, RawFailure

if TYPE_CHECKING:
    from .catalog import Catalog

#: Transitions kept in detail per direction; beyond that they are only counted.
MAX_DETAILED = 1000


@dataclass(frozen=True)
class _PairSpec:
    """The two versions, as data: built into a pair validator in another process."""

    old: SchemaDocument
    new: SchemaDocument
    catalog: Catalog | None = None

    def build(self) -> _PairValidator:
        return _PairValidator(self.old, self.new, self.catalog)


class _PairValidator(MessageValidator):
    """Checks each message against two compiled schemas; its "failures" are transitions."""

    def __init__(self, old: SchemaDocument, new: SchemaDocument,
                 catalog: Catalog | None = None) -> None:
        if old.label == new.label:
            old = replace(old, name=f"{old.name} (old)")
            new = replace(new, name=f"{new.name} (new)")
        schemas: dict[str, list[SchemaDocument]] = {}
        for doc in (old, new):
            schemas.setdefault(doc.name, []).append(doc)
        root = old.path.parent if old.path else Path.cwd()
        super().__init__(ContractsRepository(root=root, schemas=schemas, catalog=catalog),
                         schema=new.label)
        self._old = self._compiled[old.label]
        self._new = self._compiled[new.label]
        self.new_label = new.label
        self.old_label = old.label
        self._sides = (old, new)
        self._catalog = catalog

    def spec(self) -> Rebuildable:
        return _PairSpec(*self._sides, self._catalog)

    def _transition(self, message: Any, line: int | None) -> RawFailure | None:
        was, now = self._old.validator.is_valid(message), self._new.validator.is_valid(message)
        if was == now:
            return None
        # The error comes from the side that rejects it.
        return (self._new if was else self._old).failure(message, line)

    def _check_lines(self, lines: list[bytes], first: int, exact: bool = True) -> RawChunk:
        # The hot loop, inlined like the validator's own: one parse and two checks per message
        # (integers exact: see MessageValidator._check_lines).
        loads = exact_loads if exact else orjson.loads
        decode_error = orjson.JSONDecodeError
        old_ok = self._old.validator.is_valid
        new_ok = self._new.validator.is_valid
        failures: list[RawFailure] = []
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
        return RawChunk(len(lines) - blank, len(lines), failures)

    def _check_parsed(self, message: Any) -> RawChunk:
        change = self._transition(message, None)
        return RawChunk(1, 0, [change] if change is not None else [])


def _inputs(examples: Path | str, schema_name: str) -> list[MessageInput]:
    if is_pattern(examples):
        found = expand_pattern(examples)
        for item in found:
            assert item.path is not None
            check_named_path(item.path)
        return found
    examples = Path(examples)
    check_named_path(examples)
    if not examples.exists():
        raise UsageError(f"{examples}: no such file or directory")
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


@dataclass(frozen=True)
class ReplayRun(ReplaySummary):
    """A replay's summary, with what a large corpus also needs: the failing keywords of the
    transitions by direction, the messages that could not be read (the first ones, with the
    file and line: an unreadable partition is one), and the number of input files."""

    keywords: tuple[tuple[str, str, int], ...] = ()  # (direction or "unreadable", keyword, count)
    errors: tuple[tuple[str, str], ...] = ()  # (where, what), the first MAX_DETAILED
    partitions: int = 0

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["keywords"] = [{"direction": d, "keyword": k, "count": n} for d, k, n in self.keywords]
        data["errors"] = [{"example": where, "error": error} for where, error in self.errors]
        data["partitions"] = self.partitions
        return data


def replay(old: SchemaDocument, new: SchemaDocument,
           examples: Path | str | Sequence[Path | str] | Iterable[MessageInput], *,
           workers: int | None = None, engine: Engine | None = None,
           progress: Progress | None = None, catalog: Catalog | None = None) -> ReplayRun:
    """Every message under ``examples`` against ``old`` and ``new``.

    ``examples`` is a file (``.json``, ``.jsonl``, ``.ndjson``, ``.gz``), a directory (walked;
    for an examples tree, the subtree of the schema's name), a glob pattern
    (``archive/*/*.jsonl.gz``), a list of those, or prepared inputs: each file is a partition.
    ``workers``: processes of the local engine (None: one per core); ``engine``: run the files
    elsewhere instead (:class:`~schema_compat.dask_engine.DaskEngine`), with the same result.
    ``progress`` is called with (files done, files in all, messages so far). ``catalog``:
    local copies of the documents the schemas refer to by URL (never fetched).
    """
    pair = _PairValidator(old, new, catalog)
    inputs = _collect(examples, new.name)
    direction_of = {pair.new_label: BACKWARD, pair.old_label: FORWARD}
    tally = Tally(MAX_DETAILED)
    changed: list[ReplayChange] = []
    errors: list[tuple[str, str]] = []
    for batch in pair.iter_batches(inputs, workers=workers, engine=engine, cap=MAX_DETAILED,
                                   progress=progress):
        for result in tally.add(batch):
            issue = result.issues[0]
            where = result.source if result.line is None else f"{result.source}:{result.line}"
            if result.schema is None:  # not JSON, unreadable: nothing to compare
                errors.append((where, f"{issue.keyword}: {issue.message}"))
                continue
            direction = direction_of[result.schema]
            changed.append(ReplayChange(
                example=where, direction=direction, old_valid=direction == BACKWARD,
                new_valid=direction == FORWARD,
                error=f"{issue.pointer or '/'}: {issue.keyword}: {issue.message}"))
    counts = tally.by_schema
    keywords = tuple((direction_of.get(k.schema, "unreadable") if k.schema else "unreadable",
                      k.keyword, k.count) for k in tally.keywords())
    return ReplayRun(examples=tally.messages, changed=tuple(changed),
                     backward=counts.get(pair.new_label, 0), forward=counts.get(pair.old_label, 0),
                     unreadable=counts.get(None, 0), keywords=keywords, errors=tuple(errors),
                     partitions=sum(1 for item in inputs if item.path is not None))


def _collect(examples: Path | str | Sequence[Path | str] | Iterable[MessageInput],
             schema_name: str) -> list[MessageInput]:
    if isinstance(examples, (str, os.PathLike)):
        return _inputs(examples, schema_name)
    items = list(examples)
    if all(isinstance(item, MessageInput) for item in items):
        return [item for item in items if isinstance(item, MessageInput)]
    found: list[MessageInput] = []
    for item in items:
        if isinstance(item, MessageInput):
            found.append(item)
        else:
            found.extend(_inputs(item, schema_name))
    return found
