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

import jsonschema_rs
import orjson

from .._json import (
    MAX_DOCUMENT_BYTES,
    exact_again,
    exact_loads,
    integers_matter,
    long_integer_offsets,
    non_finite_number,
)
from ..errors import LoadError, SchemaError, UsageError
from ..loading import ContractsRepository, SchemaDocument, load_repository

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from multiprocessing.pool import Pool

#: Issue keywords that are not schema keywords: the message could not be checked at all.
IO, JSON, ROUTING = "io", "json", "routing"

#: File name suffixes (before an optional ``.gz``) of JSON Lines inputs.
LINES_SUFFIXES = (".jsonl", ".ndjson")
#: File name suffixes a directory walk picks up.
MESSAGE_SUFFIXES = (".json", *LINES_SUFFIXES)

# A single JSON Lines line longer than this is reported and skipped instead of being buffered:
# memory stays bounded whatever the input holds.
MAX_LINE_BYTES = MAX_DOCUMENT_BYTES
# Messages quote the offending value; a huge value must not make a huge report line.
MAX_MESSAGE_CHARS = 300

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

# Keywords whose value is a single subschema: a false schema there is reported under the
# keyword itself (``items``); elsewhere (``properties/x: false``) under ``false``.
_SUBSCHEMA_KEYWORDS = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "else",
        "if",
        "items",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)


# --------------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One reason a message is invalid.

    ``keyword`` is the schema keyword that failed (``pattern``, ``required``...) or, when the
    message could not be checked, ``io``, ``json`` or ``routing``. ``pointer`` is the JSON
    pointer of the failing value in the message (``""`` is the whole message); for
    ``required`` and ``additionalProperties`` the property concerned is ``property_name``.
    ``schema_path`` is the JSON pointer of the keyword in the schema, through ``$ref``s.
    """

    source: str
    line: int | None
    pointer: str
    keyword: str
    schema_path: str
    message: str
    schema: str | None
    property_name: str | None = None

    @property
    def where(self) -> str:
        """``source:line``, or ``source`` for a whole-document message."""
        return self.source if self.line is None else f"{self.source}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        """The issue as JSON-ready data (every key always present)."""
        return {
            "keyword": self.keyword,
            "message": self.message,
            "pointer": self.pointer,
            "property": self.property_name,
            "schema": self.schema,
            "schema_path": self.schema_path,
        }

    def __str__(self) -> str:
        # Input problems have no location in the message and no schema; say only what failed.
        if self.schema is None:
            return f"{self.where}: {self.keyword}: {self.message}"
        pointer = self.pointer or "/"
        return f"{self.where}: {pointer}: {self.keyword}: {self.message} [{self.schema}]"


@dataclass(frozen=True, slots=True)
class MessageResult:
    """The verdict on one message: valid when ``issues`` is empty."""

    source: str
    line: int | None
    schema: str | None
    issues: tuple[ValidationIssue, ...]

    @property
    def valid(self) -> bool:
        """True when the message passed."""
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "errors": [issue.to_dict() for issue in self.issues],
            "line": self.line,
            "schema": self.schema,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Batch:
    """A slice of the input: how many messages it held and its invalid ones, in input order.

    When a cap on listed failures was asked for (``iter_batches(cap=N)``), the worker that
    checked the slice may have kept only the first N invalid messages of each schema in
    ``failures``; the others are counted in ``unlisted`` (schema label → count, None for input
    problems) and their issues in ``unlisted_keywords`` ((schema, keyword) → count).
    """

    messages: int
    failures: tuple[MessageResult, ...]
    unlisted: tuple[tuple[str | None, int], ...] = ()
    unlisted_keywords: tuple[tuple[str | None, str, int], ...] = ()


@dataclass(frozen=True)
class ValidationReport:
    """Every message of a run: counts, and the invalid messages in input order."""

    messages: int
    failures: tuple[MessageResult, ...]

    @property
    def invalid(self) -> int:
        """Number of invalid messages."""
        return len(self.failures)

    @property
    def valid(self) -> int:
        """Number of valid messages."""
        return self.messages - len(self.failures)

    @property
    def ok(self) -> bool:
        """True when every message is valid."""
        return not self.failures

    @property
    def issues(self) -> list[ValidationIssue]:
        """Every issue of every invalid message, in order."""
        return [issue for result in self.failures for issue in result.issues]


# ---------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class MessageInput:
    """Where messages come from: a file, inline text, or a binary stream such as stdin.

    Files ending in ``.jsonl``/``.ndjson`` (optionally ``.gz``) hold one message per line;
    other files hold one message. Text and streams hold one JSON document or JSON Lines.
    """

    source: str
    path: Path | None = None
    text: str | None = None
    stream: BinaryIO | None = None
    error: str | None = None

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> MessageInput:
        """A message file."""
        return cls(source=str(path), path=Path(path))

    @classmethod
    def inline(cls, text: str, source: str = "<message>") -> MessageInput:
        """A message given as text."""
        return cls(source=source, text=text)

    @classmethod
    def from_stream(cls, stream: BinaryIO, source: str = "<stdin>") -> MessageInput:
        """Messages read from a binary stream."""
        return cls(source=source, stream=stream)

    @classmethod
    def failed(cls, source: str, error: str) -> MessageInput:
        """An input that could not be opened: it reports ``error`` as an ``io`` issue."""
        return cls(source=source, error=error)


def _is_lines_file(path: Path) -> tuple[bool, bool]:
    """(one message per line?, gzipped?) from the file name."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return name.endswith(LINES_SUFFIXES), gz


def discover_inputs(directory: str | os.PathLike[str], *, strict: bool = False) -> list[MessageInput]:
    """The message files under ``directory``, recursively, sorted by path.

    Picks up ``.json``, ``.jsonl`` and ``.ndjson`` files and their ``.gz``; skips hidden files
    and directories; does not follow symbolic links to directories (no loops). A symbolic link
    that leads outside ``directory`` is never read: it becomes an input that reports ``io``, or
    with ``strict`` (examples of a contracts repository) a
    :class:`~schema_compat.errors.LoadError`. A subdirectory that cannot be read becomes an
    input that reports ``io``. A missing ``directory`` is a
    :class:`~schema_compat.errors.UsageError`.
    """
    root = os.fspath(directory)
    if not Path(root).exists():
        raise UsageError(f"{root}: messages directory does not exist")
    if not Path(root).is_dir():
        raise UsageError(f"{root}: not a directory (use --file for a single file)")
    found: list[tuple[tuple[str, ...], MessageInput]] = []
    cut = len(root.rstrip(os.sep)) + 1
    real_root = os.path.realpath(root)

    def parts(path: str) -> tuple[str, ...]:
        rel = path[cut:]
        return tuple(rel.split(os.sep)) if rel else ()  # noqa: PTH206 - see the walk below

    def outside(path: str) -> bool:
        target = os.path.realpath(path)
        return target != real_root and not target.startswith(real_root.rstrip(os.sep) + os.sep)

    # Plain strings and directory entries until the end: a walk over thousands of files should
    # not cost more than checking them (an entry says whether it is a link without a system call).
    pending = [root]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as exc:
            name = os.fspath(exc.filename or here)
            found.append((parts(name), MessageInput.failed(name, f"cannot read directory: {exc.strerror or exc}")))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_symlink():
                if outside(entry.path):
                    if strict:
                        raise LoadError(f"{entry.path}: a symbolic link that leads outside {root}; "
                                        f"examples must lie under {root} (not read)")
                    text = f"a symbolic link that leads outside {root}; not read"
                    found.append((parts(entry.path), MessageInput.failed(entry.path, text)))
                    continue
                if entry.is_dir():
                    continue  # not followed: no loops, no file read twice
            elif entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
                continue
            if name.lower().removesuffix(".gz").endswith(MESSAGE_SUFFIXES):
                found.append((parts(entry.path), MessageInput(entry.path, Path(entry.path))))
    # Sort by path components, so that `a/b.json` < `a-b.json` on every system.
    found.sort(key=lambda item: item[0])
    return [item for _, item in found]


# ------------------------------------------------------------------------- raw results
# Workers send failures back as plain tuples (cheap to pickle); the parent numbers lines and
# builds the dataclasses. Line numbers in raw failures count from the start of their range.

_RawIssue = tuple[str, str, str, str, "str | None"]  # pointer, keyword, schema_path, message, prop
_RawFailure = tuple["int | None", "str | None", tuple[_RawIssue, ...]]  # line, schema, issues


@dataclass(frozen=True, slots=True)
class _RawChunk:
    messages: int
    lines: int  # physical lines consumed, to number the lines of the next range
    failures: list[_RawFailure]
    # Failures left out of ``failures`` by a cap (see Batch): per schema, per (schema, keyword).
    unlisted: dict[str | None, int] | None = None
    unlisted_keywords: dict[tuple[str | None, str], int] | None = None


class _Collector:
    """Adds up the chunks of one task, keeping the first ``cap`` failures of each schema (all
    with None) and counting the rest, so a task's result stays small whatever it read.
    ``listed_elsewhere(schema)``: the run has already listed ``cap`` failures of that schema
    in earlier tasks, so none of this task's would be listed either."""

    __slots__ = ("cap", "failures", "keywords", "lines", "listed_elsewhere", "messages", "seen", "unlisted")

    def __init__(self, cap: int | None, listed_elsewhere: Callable[[str | None], bool] | None = None) -> None:
        self.cap = cap
        self.listed_elsewhere = listed_elsewhere
        self.messages = self.lines = 0
        self.failures: list[_RawFailure] = []
        self.seen: dict[str | None, int] = {}
        self.unlisted: dict[str | None, int] = {}
        self.keywords: dict[tuple[str | None, str], int] = {}

    def add(self, chunk: _RawChunk) -> None:
        self.messages += chunk.messages
        self.lines += chunk.lines
        cap = self.cap
        if cap is None:
            self.failures.extend(chunk.failures)
            return
        seen, elsewhere = self.seen, self.listed_elsewhere
        for raw in chunk.failures:
            schema = raw[1]
            count = seen.get(schema, 0) + 1
            seen[schema] = count
            if count <= cap and not (elsewhere is not None and elsewhere(schema)):
                self.failures.append(raw)
            else:
                self._fold(raw)
        if chunk.unlisted:
            self._merge(chunk.unlisted, chunk.unlisted_keywords or {})

    def _fold(self, raw: _RawFailure) -> None:
        schema = raw[1]
        self.unlisted[schema] = self.unlisted.get(schema, 0) + 1
        for issue in raw[2]:
            key = (schema, issue[1])
            self.keywords[key] = self.keywords.get(key, 0) + 1

    def _merge(self, unlisted: dict[str | None, int], keywords: dict[tuple[str | None, str], int]) -> None:
        for schema, count in unlisted.items():
            self.unlisted[schema] = self.unlisted.get(schema, 0) + count
            self.seen[schema] = self.seen.get(schema, 0) + count
        for key, count in keywords.items():
            self.keywords[key] = self.keywords.get(key, 0) + count

    def chunk(self) -> _RawChunk:
        return _RawChunk(self.messages, self.lines, self.failures, self.unlisted or None,
                         self.keywords or None)


class _Trimmer:
    """The client's side of a cap: results arrive in input order, and once ``cap`` failures of
    a schema were listed, later ones are only counted: they are not even turned into results.
    ``on_full(schema)`` is told when a schema's list is full (workers stop keeping its detail)."""

    def __init__(self, cap: int | None, on_full: Callable[[str | None], None] | None = None) -> None:
        self.cap = cap
        self.on_full = on_full
        self.seen: dict[str | None, int] = {}

    def trim(self, chunk: _RawChunk) -> _RawChunk:
        cap = self.cap
        if cap is None:
            return chunk
        seen = self.seen
        out = _Collector(None)
        out.messages, out.lines = chunk.messages, chunk.lines
        for raw in chunk.failures:
            schema = raw[1]
            count = seen.get(schema, 0) + 1
            seen[schema] = count
            if count <= cap:
                out.failures.append(raw)
                if count == cap and self.on_full is not None:
                    self.on_full(schema)
            else:
                out._fold(raw)
        for schema, count in (chunk.unlisted or {}).items():
            before = seen.get(schema, 0)
            seen[schema] = before + count
            if before < cap <= before + count and self.on_full is not None:
                self.on_full(schema)
        out._merge(chunk.unlisted or {}, chunk.unlisted_keywords or {})
        out.seen = {}
        return out.chunk()


def _pointer(parts: Sequence[str | int]) -> str:
    """RFC 6901 JSON pointer from path segments."""
    if not parts:
        return ""
    return "".join(
        "/" + (str(p).replace("~", "~0").replace("/", "~1") if isinstance(p, str) else str(p)) for p in parts
    )


def _clip(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def _input_failure(keyword: str, message: str, line: int | None = None) -> _RawFailure:
    return (line, None, (("", keyword, "", _clip(message), None),))


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


# ------------------------------------------------------------------------------ compiling


@dataclass(frozen=True, slots=True)
class _Compiled:
    label: str
    validator: Any  # a jsonschema_rs validator (untyped extension)

    def failure(self, message: Any, line: int | None) -> _RawFailure:
        """Every error of an invalid message, in a deterministic order."""
        issues: list[_RawIssue] = []
        for err in self.validator.iter_errors(message):
            pointer = _pointer(err.instance_path)
            path = err.evaluation_path
            kind = err.kind
            name = kind.name
            if name == "falseSchema":
                keyword = path[-1] if path and path[-1] in _SUBSCHEMA_KEYWORDS else "false"
            elif path and isinstance(path[-1], str):
                keyword = path[-1]  # the real keyword: kind says `required` for dependentRequired
            else:
                keyword = name
            schema_path = _pointer(path)
            if name in ("additionalProperties", "unevaluatedProperties"):
                # One issue per unexpected property: each is its own defect, and a reader (or a
                # test) can see which property without parsing the message.
                label = "Additional" if name == "additionalProperties" else "Unevaluated"
                for prop in kind.unexpected:
                    text = f"{label} properties are not allowed ({prop!r} was unexpected)"
                    issues.append((pointer, keyword, schema_path, _clip(text), str(prop)))
            elif name == "required":
                issues.append((pointer, keyword, schema_path, _clip(err.message), kind.property))
            else:
                issues.append((pointer, keyword, schema_path, _clip(err.message), None))
        # jsonschema-rs reports in schema order; sorting makes the report independent of it.
        issues.sort(key=lambda i: (i[0], i[2], i[4] or "", i[3]))
        return (line, self.label, tuple(issues))


def _file_uri(doc: SchemaDocument) -> str:
    path = doc.path if doc.path is not None else Path(doc.source)
    return path.resolve().as_uri()


def _compile_all(repo: ContractsRepository) -> dict[str, _Compiled]:
    """Compile every schema version once, with formats asserted.

    A ``$ref`` to another schema of the repository resolves (by its ``$id``, or by file for a
    schema without one); any other retrieval, from the network or from files outside the
    repository, is refused and names the schema that asked for it.
    """
    docs = [doc for name in repo.names() for doc in repo.versions(name)]
    ids: dict[str, list[SchemaDocument]] = {}
    for doc in docs:
        sid = _schema_id(doc)
        if sid is not None:
            ids.setdefault(sid, []).append(doc)
    known: dict[str, Any] = {_file_uri(doc): doc.document for doc in docs}
    # An `$id` shared by two files (a copied schema whose `$id` was not bumped) is left out:
    # resolving it to either file could check messages against the wrong version.
    known.update({sid: group[0].document for sid, group in ids.items() if len(group) == 1})

    def retrieve(uri: str) -> Any:
        try:
            return known[uri.split("#", 1)[0]]
        except KeyError:
            if uri in ids:
                raise ValueError(f"$id {uri} is used by more than one schema") from None
            raise ValueError(f"{uri} is not a schema of this repository (not fetched)") from None

    compiled: dict[str, _Compiled] = {}
    for doc in docs:
        try:
            validator = jsonschema_rs.validator_for(
                doc.document,
                validate_formats=True,
                retriever=retrieve,
                base_uri=None if _schema_id(doc) else _file_uri(doc),
            )
        except jsonschema_rs.ValidationError as exc:
            where = _pointer(exc.instance_path)
            at = f" at {where}" if where else ""
            raise SchemaError(f"{doc.source}: invalid schema{at}: {_first_line(exc)}") from None
        except Exception as exc:  # e.g. a pattern the regex engine refuses
            raise SchemaError(f"{doc.source}: cannot compile schema: {_first_line(exc)}") from None
        compiled[doc.label] = _Compiled(doc.label, validator)
    return compiled


def _schema_id(doc: SchemaDocument) -> str | None:
    sid = doc.document.get("$id") if isinstance(doc.document, dict) else None
    return sid.split("#", 1)[0] if isinstance(sid, str) and sid else None


def _first_line(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else str(exc)
    return (text.strip().splitlines() or [type(exc).__name__])[0]


def _routing_table(repo: ContractsRepository) -> dict[str, SchemaDocument]:
    """Each ``type`` constant → the latest version declaring it.

    Two schema names declaring the same constant is an error: routing would be ambiguous.
    """
    table = repo.by_message_type()
    owners: dict[str, str] = {}
    for name in repo.names():
        for doc in repo.versions(name):
            mtype = doc.message_type
            if mtype is None:
                continue
            other = owners.setdefault(mtype, name)
            if other != name:
                raise SchemaError(
                    f"{doc.source}: message type {mtype!r} is declared by both {other!r} and "
                    f"{name!r}; routing by type would be ambiguous"
                )
    return table


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
        self._compiled = _compile_all(repository)
        # Whether the schemas could judge an integer beyond 64 bits differently from the double
        # orjson reads it as: if not, JSON Lines blocks are not scanned for one (it is read
        # exactly only in what is reported about an invalid message).
        self._integers_matter = integers_matter(
            [doc.document for name in repository.names() for doc in repository.versions(name)])
        self._fixed: _Compiled | None = None
        self._routes: dict[str, _Compiled] = {}
        if schema is not None:
            name, _, version = schema.partition("@")
            if not name:
                raise UsageError(f"--schema {schema!r}: expected NAME or NAME@VERSION")
            doc = repository.get(name, version or None)
            self._fixed = self._compiled[doc.label]
            self.schemas: tuple[SchemaDocument, ...] = (doc,)
        else:
            table = _routing_table(repository)
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
            return _materialize(source, 0, _input_failure(JSON, f"not JSON: {problem}", line))
        compiled = self._route(message)
        if compiled is None:
            raw = self._routing_failure(message, line)
        elif compiled.validator.is_valid(message):
            return MessageResult(source, line, compiled.label, ())
        else:
            raw = compiled.failure(message, line)
        return _materialize(source, 0, raw)

    def _route(self, message: object) -> _Compiled | None:
        if self._fixed is not None:
            return self._fixed
        try:
            return self._routes[message["type"]]  # type: ignore[index]
        except (KeyError, TypeError, IndexError):
            return None

    def _routing_failure(self, message: object, line: int | None) -> _RawFailure:
        if not isinstance(message, dict):
            text = f"message is {_describe_value(message)}, not an object; cannot route it by type"
        elif "type" not in message:
            text = f'message has no "type" property; known types: {self._known_types}'
        elif not isinstance(message["type"], str):
            text = f'"type" is {_describe_value(message["type"])}, not a string'
        else:
            shown = _clip(orjson.dumps(message["type"]).decode())
            text = f"unknown message type {shown}; known types: {self._known_types}"
        return _input_failure(ROUTING, text, line)

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
            yield _batch(item.source, 0, _RawChunk(1, 0, [_input_failure(IO, item.error)]))
        elif item.path is not None:
            lines, gz = _is_lines_file(item.path)
            if lines:
                for chunk in self._scan_file_lines(item.path, gz, 0, None):
                    yield _batch(item.source, 0, chunk)
            else:
                yield _batch(item.source, 0, self._check_document_file(item.path, gz))
        elif item.text is not None:
            data = item.text.encode("utf-8", "surrogatepass")
            for chunk in self._scan_stream(io.BytesIO(data)):
                yield _batch(item.source, 0, chunk)
        elif item.stream is not None:
            for chunk in self._scan_stream(item.stream):
                yield _batch(item.source, 0, chunk)

    # -- the hot loop

    def _check_lines(self, lines: list[bytes], first: int, exact: bool = True) -> _RawChunk:
        """Parse, route and check raw lines numbered from ``first``; blank lines are skipped.

        Only failures allocate anything: a valid line costs one parse, one dict lookup and one
        ``is_valid`` call. ``exact=False``: orjson's reading of every line is taken for
        validating (no line holds an integer it reads inexactly, or none that the schemas
        could tell from its double: the caller knows); an invalid message is reported as read
        exactly all the same.
        """
        loads = exact_loads if exact else orjson.loads
        decode_error = orjson.JSONDecodeError
        failures: list[_RawFailure] = []
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
            return _RawChunk(len(lines) - blank, len(lines), failures)
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
        return _RawChunk(len(lines) - blank, len(lines), failures)

    @staticmethod
    def _bad_line(raw: bytes, exc: orjson.JSONDecodeError, line: int, failures: list[_RawFailure]) -> int:
        """Record a line that is not JSON; returns 1 when it was only blank (not a message)."""
        if not raw.strip():
            return 1
        failures.append(_input_failure(JSON, _json_error_text(exc, whole_document=False), line))
        return 0

    def _scan_lines(
        self, stream: _Reader, remaining: int | None, *, at_start: bool = True
    ) -> Iterator[_RawChunk]:
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
                           had_tail: bool) -> _RawChunk:
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
        failures: list[_RawFailure] = []
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
        return _RawChunk(messages, total, failures)

    def _overlong(self, line: int) -> _RawChunk:
        text = f"line is longer than {MAX_LINE_BYTES >> 20} MiB; not checked"
        return _RawChunk(1, 1, [_input_failure(IO, text, line)])

    def _scan_file_lines(self, path: Path, gz: bool, start: int, end: int | None) -> Iterator[_RawChunk]:
        """Check the JSON Lines of ``path`` (the byte range ``start``..``end`` when plain)."""
        try:
            with _open(path, gz) as stream:
                if start:
                    stream.seek(start)
                remaining = None if end is None else end - start
                yield from self._scan_lines(stream, remaining, at_start=start == 0)
        except (OSError, EOFError, zlib.error) as exc:
            # Lines already checked stand; the unreadable rest is one more failure.
            yield _RawChunk(1, 0, [_input_failure(IO, _io_error_text(exc))])

    def _check_document_file(self, path: Path, gz: bool) -> _RawChunk:
        """Check a file holding one JSON document."""
        try:
            data = _read_document(path, gz)
        except (OSError, EOFError, zlib.error) as exc:
            return _RawChunk(1, 0, [_input_failure(IO, _io_error_text(exc))])
        if data is None:
            text = (
                f"file is larger than {MAX_DOCUMENT_BYTES >> 20} MiB; not checked "
                "(use .jsonl for many messages)"
            )
            return _RawChunk(1, 0, [_input_failure(IO, text)])
        return self._check_document(data)

    def _check_document(self, data: bytes) -> _RawChunk:
        if data.startswith(_BOM):
            data = data[len(_BOM) :]
        try:
            message = exact_loads(data)
        except orjson.JSONDecodeError as exc:
            text = _json_error_text(exc, whole_document=True)
            return _RawChunk(1, 0, [_input_failure(JSON, text)])
        return self._check_parsed(message)

    def _check_parsed(self, message: Any) -> _RawChunk:
        """Check one whole-document message (no line number)."""
        compiled = self._route(message)
        if compiled is None:
            failure = self._routing_failure(message, None)
            if isinstance(message, list):
                # A JSON array file is one message, not a batch: say how to send a batch.
                line, schema, ((pointer, keyword, path, text, prop),) = failure
                text += " (a .json file holds one message; put many in a .jsonl file)"
                failure = (line, schema, ((pointer, keyword, path, text, prop),))
            return _RawChunk(1, 0, [failure])
        if compiled.validator.is_valid(message):
            return _RawChunk(1, 0, [])
        return _RawChunk(1, 0, [compiled.failure(message, None)])

    def _scan_stream(self, stream: BinaryIO) -> Iterator[_RawChunk]:
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
                yield _RawChunk(1, 0, [_input_failure(JSON, text)])
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

        trimmer = _Trimmer(_CAP, full)
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
                        yield current, _batch(str(task[0]), base, trimmer.trim(chunk))
                        base += chunk.lines
        finally:
            _WORKER, _FULL = None, None
            if pool is not None:
                pool.terminate()  # results are all consumed; terminate also ends an abort
                pool.join()

    def _run_task(self, task: _Task, cap: int | None = None,
                  listed_elsewhere: Callable[[str | None], bool] | None = None) -> _RawChunk:
        """Check one file, or one byte range of a JSON Lines file: its counts, and its first
        ``cap`` failures of each schema (all with None)."""
        path, start, end = task
        lines, gz = _is_lines_file(path)
        collector = _Collector(cap, listed_elsewhere)
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


def _run_job(job: list[_Task]) -> list[_RawChunk]:
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
    lines, gz = _is_lines_file(path)
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


def _materialize(source: str, base: int, raw: _RawFailure) -> MessageResult:
    line, schema, issues = raw
    if line is not None:
        line += base
    return MessageResult(
        source,
        line,
        schema,
        tuple(
            ValidationIssue(source, line, pointer, keyword, path, message, schema, prop)
            for pointer, keyword, path, message, prop in issues
        ),
    )


def _batch(source: str, base: int, chunk: _RawChunk) -> Batch:
    failures = tuple(_materialize(source, base, raw) for raw in chunk.failures)
    if chunk.unlisted is None:
        return Batch(chunk.messages, failures)
    keywords = chunk.unlisted_keywords or {}
    return Batch(chunk.messages, failures, tuple(chunk.unlisted.items()),
                 tuple((schema, keyword, n) for (schema, keyword), n in keywords.items()))


# ---------------------------------------------------------------------------- one call


def validate_message(
    message: object, schemas: str | os.PathLike[str], *, schema: str | None = None
) -> list[ValidationIssue]:
    """Every issue of one parsed message under the contracts in ``schemas`` (empty: valid).

    This compiles the schemas on each call; a service should build a
    :class:`MessageValidator` once and call its :meth:`~MessageValidator.validate`.
    """
    return MessageValidator.from_directory(schemas, schema=schema).validate(message)
