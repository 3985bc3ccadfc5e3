"""The validator: contracts compiled once, messages routed by ``type``, and the public calls.

``MessageValidator`` is built once (compiling is the expensive part) and checks single parsed
messages (``check``, ``validate``, ``is_valid``) or inputs slice by slice (``iter_batches``):
read in this process (reading.py), by forked workers (parallel.py), or by an ``Engine`` such
as the Dask one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from .._json import integers_matter, non_finite_number
from ..errors import UsageError
from ..loading import ContractsRepository, SchemaDocument, load_repository
from .compiling import Compiled, compile_all, routing_table
from .inputs import MessageInput
from .parallel import ParallelMixin, default_workers
from .reading import ReadingMixin
from .results import (
    JSON,
    ROUTING,
    Batch,
    MessageResult,
    RawFailure,
    ValidationIssue,
    ValidationReport,
    clip,
    input_failure,
    materialize,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class MessageValidator(ReadingMixin, ParallelMixin):
    """Messages against a contracts repository, each schema compiled once.

    Build it once (``MessageValidator.from_directory("schemas")``) and reuse it: compiling is
    the expensive part. Without ``schema``, messages are routed by their ``type``; with
    ``schema="beatframe@1.1.0"`` (or ``"beatframe"`` for the latest) every message is checked
    against that schema.
    """

    def __init__(self, repository: ContractsRepository, *, schema: str | None = None) -> None:
        self.repository = repository
        self._compiled = compile_all(repository)
        # Whether the schemas could judge an integer beyond 64 bits differently from the double
        # orjson reads it as: if not, JSON Lines blocks are not scanned for one (it is read
        # exactly only in what is reported about an invalid message).
        self._integers_matter = integers_matter(
            [doc.document for name in repository.names() for doc in repository.versions(name)])
        self._fixed: Compiled | None = None
        self._routes: dict[str, Compiled] = {}
        if schema is not None:
            name, _, version = schema.partition("@")
            if not name:
                raise UsageError(f"--schema {schema!r}: expected NAME or NAME@VERSION")
            doc = repository.get(name, version or None)
            self._fixed = self._compiled[doc.label]
            self.schemas: tuple[SchemaDocument, ...] = (doc,)
        else:
            table = routing_table(repository)
            if not table:
                raise UsageError(
                    f"{repository.root}: no schema has a `type` constant to route messages by; "
                    "name one with --schema NAME[@VERSION]"
                )
            self._routes = {mtype: self._compiled[doc.label] for mtype, doc in table.items()}
            self.schemas = tuple(table[mtype] for mtype in sorted(table))
        # The hot loop's routing table: type → bound `is_valid`, one lookup per message.
        self._checks: dict[str, Any] = {mtype: c.validator.is_valid for mtype, c in self._routes.items()}
        self._known_types = ", ".join(sorted(self._routes))

    @classmethod
    def from_directory(cls, root: str | os.PathLike[str], *, schema: str | None = None) -> MessageValidator:
        """Load and compile every schema under ``root`` (``<name>/<semver>.json``)."""
        return cls(load_repository(Path(root)), schema=schema)

    @property
    def routes(self) -> dict[str, str]:
        """The routing table: message ``type`` → ``name@version`` (empty with a fixed schema)."""
        return {mtype: compiled.label for mtype, compiled in sorted(self._routes.items())}

    # -- single messages

    def is_valid(self, message: object) -> bool:
        """True when ``message`` routes to a schema and is valid under it (a JSON value:
        NaN and infinities make it invalid, as they are not JSON)."""
        compiled = self._route(message)
        return (compiled is not None and non_finite_number(message) is None
                and bool(compiled.validator.is_valid(message)))

    def validate(
        self, message: object, *, source: str = "<message>", line: int | None = None
    ) -> list[ValidationIssue]:
        """Every issue of one parsed message (empty when valid)."""
        return list(self.check(message, source=source, line=line).issues)

    def check(self, message: object, *, source: str = "<message>", line: int | None = None) -> MessageResult:
        """The verdict on one parsed message, naming the schema it was checked against.

        A message built in Python that holds NaN or an infinity is not JSON: it is invalid
        (keyword ``json``), not read as jsonschema-rs would read it (NaN as null).
        """
        problem = non_finite_number(message)
        if problem is not None:
            return materialize(source, 0, input_failure(JSON, f"not JSON: {problem}", line))
        compiled = self._route(message)
        if compiled is None:
            raw = self._routing_failure(message, line)
        elif compiled.validator.is_valid(message):
            return MessageResult(source, line, compiled.label, ())
        else:
            raw = compiled.failure(message, line)
        return materialize(source, 0, raw)

    def _route(self, message: object) -> Compiled | None:
        if self._fixed is not None:
            return self._fixed
        try:
            return self._routes[message["type"]]  # type: ignore[index]
        except (KeyError, TypeError, IndexError):
            return None

    def _routing_failure(self, message: object, line: int | None) -> RawFailure:
        if not isinstance(message, dict):
            text = f"message is {_describe_value(message)}, not an object; cannot route it by type"
        elif "type" not in message:
            text = f'message has no "type" property; known types: {self._known_types}'
        elif not isinstance(message["type"], str):
            text = f'"type" is {_describe_value(message["type"])}, not a string'
        else:
            shown = clip(orjson.dumps(message["type"]).decode())
            text = f"unknown message type {shown}; known types: {self._known_types}"
        return input_failure(ROUTING, text, line)

    # -- streams of messages

    def validate_inputs(self, inputs: Iterable[MessageInput], *, workers: int | None = 1) -> ValidationReport:
        """Check every message of ``inputs``; failures are kept in memory (see iter_batches)."""
        messages = 0
        failures: list[MessageResult] = []
        for batch in self.iter_batches(inputs, workers=workers):
            messages += batch.messages
            failures.extend(batch.failures)
        return ValidationReport(messages, tuple(failures))

    def iter_batches(self, inputs: Iterable[MessageInput], *, workers: int | None = 1,
                     engine: Engine | None = None, cap: int | None = None,
                     progress: Progress | None = None) -> Iterator[Batch]:
        """Check every message of ``inputs``, yielding results slice by slice in input order.

        Memory is bounded by a slice, not by the input: consume the batches as they come.
        ``workers`` is the number of processes for large or many message files; None means one
        per available core. The default, 1, never forks: forking a multi-threaded service is
        unsafe, so a library caller opts in (the command line does, by default).

        ``engine`` runs the files elsewhere (e.g. :class:`schema_compat.dask_engine.DaskEngine`:
        each file a task on a Dask cluster); the batches are the same, in the same order.
        ``cap``: workers may keep only the first ``cap`` invalid messages of each schema of a
        slice in detail and count the others (see :class:`Batch`). ``progress`` is called
        with (inputs done, inputs in all, messages so far) as batches come.
        """
        items = list(inputs)
        if engine is not None:
            indexed = engine.run(self, items, cap=cap)
        else:
            indexed = self._iter_local(items, default_workers() if workers is None else max(1, workers), cap)
        if progress is None:
            yield from (batch for _, batch in indexed)
            return
        total, messages, current = len(items), 0, 0
        progress(0, total, 0)
        for index, batch in indexed:
            messages += batch.messages
            current = index
            progress(current, total, messages)
            yield batch
        progress(total, total, messages)

    def spec(self) -> Rebuildable:
        """What another process needs to build this validator again (picklable: documents
        and options, not the compiled schemas)."""
        label = self._fixed.label if self._fixed is not None else None
        return ValidatorSpec(self.repository, label)


def _describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


class Rebuildable(Protocol):
    """A validator as data (picklable), to be built again in another process."""

    def build(self) -> MessageValidator:
        """The validator, compiled in this process."""
        ...


@dataclass(frozen=True)
class ValidatorSpec:
    """A :class:`MessageValidator` as data: sent to other processes, built there once."""

    repository: ContractsRepository
    schema: str | None = None

    def build(self) -> MessageValidator:
        return MessageValidator(self.repository, schema=self.schema)


class Engine(Protocol):
    """Runs the inputs of :meth:`MessageValidator.iter_batches` somewhere else."""

    def run(self, validator: MessageValidator, items: list[MessageInput], *,
            cap: int | None) -> Iterator[tuple[int, Batch]]:
        """(index of the input, batch) for every input, in input order."""
        ...


#: Called with (inputs done, inputs in all, messages so far).
Progress = Callable[[int, int, int], None]


def validate_message(
    message: object, schemas: str | os.PathLike[str], *, schema: str | None = None
) -> list[ValidationIssue]:
    """Every issue of one parsed message under the contracts in ``schemas`` (empty: valid).

    This compiles the schemas on each call; a service should build a
    :class:`MessageValidator` once and call its :meth:`~MessageValidator.validate`.
    """
    return MessageValidator.from_directory(schemas, schema=schema).validate(message)
