"""The validator: messages against a contracts repository, every schema compiled once."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import stat
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import orjson

from .._json import (
    MAX_DOCUMENT_BYTES,
    exact_again,
    exact_loads,
    integers_matter,
    long_integer_offsets,
    non_finite_number,
)
from ..errors import UsageError
from ..loading import ContractsRepository, SchemaDocument, load_repository
from .compiling import Compiled, compile_all, routing_table
from .inputs import MessageInput, is_lines_file
from .results import (
    IO,
    JSON,
    ROUTING,
    Batch,
    Collector,
    MessageResult,
    RawChunk,
    RawFailure,
    Trimmer,
    ValidationIssue,
    ValidationReport,
    clip,
    input_failure,
    make_batch,
    materialize,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from multiprocessing.pool import Pool


# A single JSON Lines line longer than this is reported and skipped instead of being buffered:
# memory stays bounded whatever the input holds.
MAX_LINE_BYTES = MAX_DOCUMENT_BYTES

_BLOCK_BYTES = 1 << 20  # read size: large enough that per-block overhead is negligible
_BOM = b"\xef\xbb\xbf"

# Below this many bytes of splittable JSON Lines, one process is faster than starting workers
# (a fork pool costs ~30 ms; 4 MiB is ~20k BACKBEAT lines, ~80 ms on one core).
PARALLEL_MIN_BYTES = 4 << 20
# Each worker task covers at most this much of a file, so results stream back in order and the
# parent never holds more than a few tasks' failures.
_TASK_MAX_BYTES = 4 << 20
# Small files are grouped into tasks of this many, so per-task overhead stays small.
_FILES_PER_TASK = 128


def _json_error_text(exc: orjson.JSONDecodeError, *, whole_document: bool) -> str:
    msg = exc.msg
    if "recursion" in msg.lower():
        return "not valid JSON: nested more than 1024 levels deep"
    if whole_document:
        return f"not valid JSON: {msg} (line {exc.lineno}, column {exc.colno})"
    return f"not valid JSON: {msg} (column {exc.colno})"


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


# ------------------------------------------------------------------------------ validator


class MessageValidator:
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
            indexed = self._iter_local(items, _default_workers() if workers is None else max(1, workers), cap)
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

    def _iter_local(self, items: list[MessageInput], count: int, cap: int | None) -> Iterator[tuple[int, Batch]]:
        """(index of the input, batch) in input order, in this process or a pool of ``count``."""
        global _CAP
        if count > 1 and _parallel_worthwhile(items):
            _CAP = cap  # read by the forked workers
            try:
                yield from self._iter_parallel(items, count)
            finally:
                _CAP = None
            return
        for index, item in enumerate(items):
            for batch in self._iter_input(item):
                yield index, batch

    def spec(self) -> Rebuildable:
        """What another process needs to build this validator again (picklable: documents
        and options, not the compiled schemas)."""
        label = self._fixed.label if self._fixed is not None else None
        return ValidatorSpec(self.repository, label)

    def _iter_input(self, item: MessageInput) -> Iterator[Batch]:
        if item.error is not None:
            yield make_batch(item.source, 0, RawChunk(1, 0, [input_failure(IO, item.error)]))
        elif item.path is not None:
            lines, gz = is_lines_file(item.path)
            if lines:
                for chunk in self._scan_file_lines(item.path, gz, 0, None):
                    yield make_batch(item.source, 0, chunk)
            else:
                yield make_batch(item.source, 0, self._check_document_file(item.path, gz))
        elif item.text is not None:
            data = item.text.encode("utf-8", "surrogatepass")
            for chunk in self._scan_stream(io.BytesIO(data)):
                yield make_batch(item.source, 0, chunk)
        elif item.stream is not None:
            for chunk in self._scan_stream(item.stream):
                yield make_batch(item.source, 0, chunk)

    # -- the hot loop

    def _check_lines(self, lines: list[bytes], first: int, exact: bool = True) -> RawChunk:
        """Parse, route and check raw lines numbered from ``first``; blank lines are skipped.

        Only failures allocate anything: a valid line costs one parse, one dict lookup and one
        ``is_valid`` call. ``exact=False``: orjson's reading of every line is taken for
        validating (no line holds an integer it reads inexactly, or none that the schemas
        could tell from its double: the caller knows); an invalid message is reported as read
        exactly all the same.
        """
        loads = exact_loads if exact else orjson.loads
        decode_error = orjson.JSONDecodeError
        failures: list[RawFailure] = []
        blank = 0
        if self._fixed is not None:
            compiled = self._fixed
            is_valid = compiled.validator.is_valid
            for index, raw in enumerate(lines):
                try:
                    message = loads(raw)
                except decode_error as exc:
                    blank += self._bad_line(raw, exc, first + index, failures)
                    continue
                if not is_valid(message):
                    failures.append(compiled.failure(exact_again(raw, message), first + index))
            return RawChunk(len(lines) - blank, len(lines), failures)
        checks = self._checks
        for index, raw in enumerate(lines):
            try:
                message = loads(raw)
            except decode_error as exc:
                blank += self._bad_line(raw, exc, first + index, failures)
                continue
            try:
                is_valid = checks[message["type"]]
            except (KeyError, TypeError, IndexError):  # not an object, no type, unknown type
                failures.append(self._routing_failure(message, first + index))
                continue
            if not is_valid(message):
                failures.append(self._routes[message["type"]].failure(exact_again(raw, message),
                                                                      first + index))
        return RawChunk(len(lines) - blank, len(lines), failures)

    @staticmethod
    def _bad_line(raw: bytes, exc: orjson.JSONDecodeError, line: int, failures: list[RawFailure]) -> int:
        """Record a line that is not JSON; returns 1 when it was only blank (not a message)."""
        if not raw.strip():
            return 1
        failures.append(input_failure(JSON, _json_error_text(exc, whole_document=False), line))
        return 0

    def _scan_lines(
        self, stream: _Reader, remaining: int | None, *, at_start: bool = True
    ) -> Iterator[RawChunk]:
        """Check JSON Lines read block by block from ``stream`` (at most ``remaining`` bytes).

        Lines are numbered from 1 at the stream's position; a byte order mark is skipped only
        at the start of a file (``at_start``), not at the start of a worker's range. A line
        longer than MAX_LINE_BYTES is reported and skipped without being held in memory.
        """
        tail = b""
        line_no = 1
        first_block = at_start
        skipping = False  # inside an overlong line: drop bytes until its newline
        while True:
            size = _BLOCK_BYTES if remaining is None else min(_BLOCK_BYTES, remaining)
            block = stream.read(size) if size > 0 else b""
            if not block:
                break
            if remaining is not None:
                remaining -= len(block)
            if first_block:
                first_block = False
                if block.startswith(_BOM):
                    block = block[len(_BOM) :]
            if skipping:
                cut = block.find(b"\n")
                if cut < 0:
                    continue
                yield self._overlong(line_no)
                line_no += 1
                skipping = False
                block = block[cut + 1 :]
            lines = block.split(b"\n")
            had_tail = bool(tail)
            if had_tail:
                lines[0] = tail + lines[0]
            tail = lines.pop()
            if lines:
                chunk = self._check_block_lines(block, lines, line_no, had_tail)
                line_no += chunk.lines
                yield chunk
            if len(tail) > MAX_LINE_BYTES:
                tail = b""
                skipping = True
        if skipping:
            yield self._overlong(line_no)
        elif tail:
            yield self._check_lines([tail], line_no, bool(long_integer_offsets(tail)))

    def _check_block_lines(self, block: bytes, lines: list[bytes], first: int,
                           had_tail: bool) -> RawChunk:
        """Check the complete ``lines`` of ``block`` (the first one began in an earlier block
        when ``had_tail``), reading integers exactly.

        orjson reads an integer beyond 64 bits as a double. When the schemas could tell the
        two apart (see :func:`~schema_compat._json.integers_matter`; the BACKBEAT contracts
        cannot), one scan of the block finds the lines that may hold one (an integer token of
        19 digits or more, which almost no block has): only those are parsed again by the
        standard library; every other line takes the hot loop as it is.
        """
        if not self._integers_matter:
            return self._check_lines(lines, first, exact=False)
        hits = {block.count(b"\n", 0, at) for at in long_integer_offsets(block)}
        if had_tail and long_integer_offsets(lines[0]):
            hits.add(0)
        hits.discard(len(lines))  # the unfinished last line: checked when it is complete
        if not hits:
            return self._check_lines(lines, first, exact=False)
        messages = total = 0
        failures: list[RawFailure] = []
        start = 0
        for index in sorted(hits):
            for part, exact in ((lines[start:index], False), (lines[index : index + 1], True)):
                if part:
                    chunk = self._check_lines(part, first + start, exact)
                    messages, total = messages + chunk.messages, total + chunk.lines
                    failures.extend(chunk.failures)
                    start += len(part)
        if start < len(lines):
            chunk = self._check_lines(lines[start:], first + start, exact=False)
            messages, total = messages + chunk.messages, total + chunk.lines
            failures.extend(chunk.failures)
        return RawChunk(messages, total, failures)

    def _overlong(self, line: int) -> RawChunk:
        text = f"line is longer than {MAX_LINE_BYTES >> 20} MiB; not checked"
        return RawChunk(1, 1, [input_failure(IO, text, line)])

    def _scan_file_lines(self, path: Path, gz: bool, start: int, end: int | None) -> Iterator[RawChunk]:
        """Check the JSON Lines of ``path`` (the byte range ``start``..``end`` when plain)."""
        try:
            with _open(path, gz) as stream:
                if start:
                    stream.seek(start)
                remaining = None if end is None else end - start
                yield from self._scan_lines(stream, remaining, at_start=start == 0)
        except (OSError, EOFError, zlib.error) as exc:
            # Lines already checked stand; the unreadable rest is one more failure.
            yield RawChunk(1, 0, [input_failure(IO, _io_error_text(exc))])

    def _check_document_file(self, path: Path, gz: bool) -> RawChunk:
        """Check a file holding one JSON document."""
        try:
            data = _read_document(path, gz)
        except (OSError, EOFError, zlib.error) as exc:
            return RawChunk(1, 0, [input_failure(IO, _io_error_text(exc))])
        if data is None:
            text = (
                f"file is larger than {MAX_DOCUMENT_BYTES >> 20} MiB; not checked "
                "(use .jsonl for many messages)"
            )
            return RawChunk(1, 0, [input_failure(IO, text)])
        return self._check_document(data)

    def _check_document(self, data: bytes) -> RawChunk:
        if data.startswith(_BOM):
            data = data[len(_BOM) :]
        try:
            message = exact_loads(data)
        except orjson.JSONDecodeError as exc:
            text = _json_error_text(exc, whole_document=True)
            return RawChunk(1, 0, [input_failure(JSON, text)])
        return self._check_parsed(message)

    def _check_parsed(self, message: Any) -> RawChunk:
        """Check one whole-document message (no line number)."""
        compiled = self._route(message)
        if compiled is None:
            failure = self._routing_failure(message, None)
            if isinstance(message, list):
                # A JSON array file is one message, not a batch: say how to send a batch.
                line, schema, ((pointer, keyword, path, text, prop),) = failure
                text += " (a .json file holds one message; put many in a .jsonl file)"
                failure = (line, schema, ((pointer, keyword, path, text, prop),))
            return RawChunk(1, 0, [failure])
        if compiled.validator.is_valid(message):
            return RawChunk(1, 0, [])
        return RawChunk(1, 0, [compiled.failure(message, None)])

    def _scan_stream(self, stream: BinaryIO) -> Iterator[RawChunk]:
        """One JSON document or JSON Lines from a stream, told apart by the first lines.

        If the first non-blank line is JSON on its own, the stream is JSON Lines (streamed, any
        size), unless it is the only line: then it is one document, reported without a line
        number. Otherwise the stream is read whole (up to MAX_DOCUMENT_BYTES) as one
        document; if that fails too and it has several lines, it is checked as JSON Lines so
        that one bad line does not hide the others.
        """
        head: list[bytes] = []
        first = b""
        while not first:
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return  # empty or blank: no messages
            if not head:
                line = line.removeprefix(_BOM)
            head.append(line)
            if line.strip():
                first = line
        try:
            message = exact_loads(first)
        except orjson.JSONDecodeError:
            pass
        else:
            while True:  # look ahead for a second message
                line = stream.readline(MAX_LINE_BYTES + 1)
                if not line:
                    yield self._check_parsed(message)
                    return
                head.append(line)
                if line.strip():
                    break
            yield from self._scan_lines(_Chained(b"".join(head), stream), None)
            return
        rest = stream.read(MAX_DOCUMENT_BYTES + 1)
        data = b"".join(head) + rest
        if len(rest) > MAX_DOCUMENT_BYTES:
            # Too large to be one message: it can only be JSON Lines with a bad first line.
            yield from self._scan_lines(_Chained(data, stream), None)
            return
        try:
            message = exact_loads(data)
        except orjson.JSONDecodeError as exc:
            if data.strip().count(b"\n"):
                yield from self._scan_lines(io.BytesIO(data), None)
            else:
                text = _json_error_text(exc, whole_document=True)
                yield RawChunk(1, 0, [input_failure(JSON, text)])
            return
        yield self._check_parsed(message)

    # -- parallel

    def _iter_parallel(self, items: list[MessageInput], count: int) -> Iterator[tuple[int, Batch]]:
        """Files through a pool of ``count`` forked workers (each task keeps the first
        ``_CAP`` failures of each schema); other inputs in this process."""
        global _WORKER
        import multiprocessing  # only parallel runs pay for it

        global _FULL
        ctx = multiprocessing.get_context("fork")
        _WORKER = self  # forked workers inherit the compiled validators: no recompiling
        # Which schemas already have their `cap` failures listed, shared with the workers so
        # they stop sending detail that would only be counted.
        labels: dict[str | None, int] = {label: i for i, label in enumerate([None, *sorted(self._compiled)])}
        flags = ctx.RawArray("b", len(labels))
        _FULL = (flags, labels)

        def full(schema: str | None) -> None:
            if schema in labels:
                flags[labels[schema]] = 1

        trimmer = Trimmer(_CAP, full)
        pool: Pool | None = None
        try:
            pool = ctx.Pool(count)
            for group in _group_inputs(list(enumerate(items))):
                if group[0][1].path is None:
                    for index, item in group:
                        for batch in self._iter_input(item):
                            yield index, batch
                    continue
                indices = iter([index for index, item in group if item.path is not None])
                jobs = _plan_jobs([item.path for _, item in group if item.path is not None], count)
                current, base = -1, 0
                # Large files are cut into several jobs, small ones grouped: one job per task
                # keeps results flowing back in input order while every worker is busy. Tasks
                # come in input order, and each file's first one starts at byte 0: that is
                # where its lines are numbered from 1 again (a file named twice included).
                for job, results in zip(jobs, pool.imap(_run_job, jobs), strict=True):
                    for task, chunk in zip(job, results, strict=True):
                        if task[1] == 0:
                            current, base = next(indices), 0
                        yield current, make_batch(str(task[0]), base, trimmer.trim(chunk))
                        base += chunk.lines
        finally:
            _WORKER, _FULL = None, None
            if pool is not None:
                pool.terminate()  # results are all consumed; terminate also ends an abort
                pool.join()

    def _run_task(self, task: _Task, cap: int | None = None,
                  listed_elsewhere: Callable[[str | None], bool] | None = None) -> RawChunk:
        """Check one file, or one byte range of a JSON Lines file: its counts, and its first
        ``cap`` failures of each schema (all with None)."""
        path, start, end = task
        lines, gz = is_lines_file(path)
        collector = Collector(cap, listed_elsewhere)
        if not lines:
            collector.add(self._check_document_file(path, gz))
            return collector.chunk()
        for chunk in self._scan_file_lines(path, gz, start, end):
            collector.add(chunk)
        return collector.chunk()


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


# --------------------------------------------------------------------- parallel plumbing

_Task = tuple[Path, int, "int | None"]  # path, start byte, end byte (None: to the end)
_WORKER: MessageValidator | None = None
_CAP: int | None = None
_FULL: tuple[Any, dict[str | None, int]] | None = None  # shared flags: schema's list is full

# A gzipped JSON Lines file holds about this many times its size (BACKBEAT traffic: 6-9×):
# what its share of the work is judged by when tasks are planned.
_GZIP_RATIO = 8


def _run_job(job: list[_Task]) -> list[RawChunk]:
    """Worker side: check each task of a job with the validator inherited at fork."""
    assert _WORKER is not None, "worker started without a validator"
    elsewhere = None
    if _FULL is not None:
        flags, labels = _FULL

        def elsewhere(schema: str | None) -> bool:
            index = labels.get(schema)
            return index is not None and flags[index] == 1

    return [_WORKER._run_task(task, _CAP, elsewhere) for task in job]


def _default_workers() -> int:
    if not sys.platform.startswith("linux"):
        # Workers inherit the compiled schemas by fork, which is only dependable on Linux.
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _splittable_size(path: Path) -> int:
    lines, gz = is_lines_file(path)
    if not lines or gz:
        return 0
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _work_size(path: Path) -> int:
    """About how many bytes of messages ``path`` holds (a gzipped file: its size × the usual
    ratio); 0 when it cannot be read (its task reports that)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    return size * _GZIP_RATIO if path.name.lower().endswith(".gz") else size


def _parallel_worthwhile(items: list[MessageInput]) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    total = 0
    for item in items:
        if item.path is not None:
            total += _work_size(item.path)
            if total >= PARALLEL_MIN_BYTES:
                return True
    return False


_Indexed = tuple[int, MessageInput]


def _group_inputs(items: list[_Indexed]) -> Iterator[list[_Indexed]]:
    """Consecutive runs of file inputs and of other inputs, in order."""
    group: list[_Indexed] = []
    for item in items:
        if group and (group[0][1].path is None) != (item[1].path is None):
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def _plan_jobs(paths: list[Path], workers: int) -> list[list[_Task]]:
    """Cut files into jobs: large plain JSON Lines files into line-aligned byte ranges, each
    other large file (gzipped partitions of an archive) a job of its own, small files grouped
    up to about one range's worth, so that every worker stays busy and results come back in
    input order."""
    jobs: list[list[_Task]] = []
    small: list[_Task] = []
    weight = 0
    for path in paths:
        size = _splittable_size(path)
        work = size or _work_size(path)
        if work < 2 * _BLOCK_BYTES:
            small.append((path, 0, None))
            weight += work
            if len(small) >= _FILES_PER_TASK or weight >= _TASK_MAX_BYTES:
                jobs.append(small)
                small, weight = [], 0
            continue
        if small:
            jobs.append(small)
            small, weight = [], 0
        if not size:  # gzipped or one document: read whole by one worker
            jobs.append([(path, 0, None)])
            continue
        # Several ranges per worker, so a slow range does not leave the other cores idle.
        pieces = max(workers, min(-(-size // _TASK_MAX_BYTES), 64), workers * 4)
        jobs.extend([task] for task in _split_ranges(path, size, pieces))
    if small:
        jobs.append(small)
    return jobs


def _split_ranges(path: Path, size: int, pieces: int) -> list[_Task]:
    """Byte ranges of ``path`` that start at line starts and together cover the file."""
    bounds = [0]
    try:
        with path.open("rb") as stream:
            for i in range(1, pieces):
                target = size * i // pieces
                if target <= bounds[-1]:
                    continue
                stream.seek(target - 1)
                stream.readline()  # to just after the newline ending the line at target - 1
                cut = stream.tell()
                if bounds[-1] < cut < size:
                    bounds.append(cut)
    except OSError:
        return [(path, 0, None)]  # the worker reports the read error
    bounds.append(size)
    tasks: list[_Task] = [(path, a, b) for a, b in itertools.pairwise(bounds)]
    # The last range runs to the end of file, whatever its size is by then.
    tasks[-1] = (path, tasks[-1][1], None)
    return tasks


# ------------------------------------------------------------------------------- helpers


def _open(path: Path, gz: bool) -> BinaryIO:
    if gz:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _read_document(path: Path, gz: bool) -> bytes | None:
    """A whole file, or None when it is larger than MAX_DOCUMENT_BYTES."""
    if gz:
        with gzip.open(path, "rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    else:
        # Unbuffered, sized by fstat: a small file costs one open, one stat and one read.
        with open(path, "rb", buffering=0) as raw:  # noqa: PTH123 - os-level speed matters here
            info = os.fstat(raw.fileno())
            if stat.S_ISREG(info.st_mode):
                if info.st_size > MAX_DOCUMENT_BYTES:
                    return None
                data = raw.readall()
            else:  # a pipe or device: read no more than the limit
                data = raw.read(MAX_DOCUMENT_BYTES + 1) or b""
    return None if len(data) > MAX_DOCUMENT_BYTES else data


def _io_error_text(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "cannot read: no such file"
    if isinstance(exc, IsADirectoryError):
        return "cannot read: is a directory (use --dir)"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"cannot read: corrupt or truncated gzip data ({exc})".replace(" ()", "")
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    return f"cannot read: {exc}"


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Chained:
    """Bytes already read, then the rest of a stream: re-reads a peeked head."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                data, self._head = self._head, b""
            else:
                data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


# ---------------------------------------------------------------------------- one call


def validate_message(
    message: object, schemas: str | os.PathLike[str], *, schema: str | None = None
) -> list[ValidationIssue]:
    """Every issue of one parsed message under the contracts in ``schemas`` (empty: valid).

    This compiles the schemas on each call; a service should build a
    :class:`MessageValidator` once and call its :meth:`~MessageValidator.validate`.
    """
    return MessageValidator.from_directory(schemas, schema=schema).validate(message)
