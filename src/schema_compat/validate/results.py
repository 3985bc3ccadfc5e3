"""What a run reports: issues, results and batches, and the compact form workers send them in.

Workers send failures back as plain tuples (``RawFailure``: cheap to pickle) in ``RawChunk``s;
the parent numbers their lines (raw line numbers count from the start of their range) and
builds the dataclasses (``make_batch``). A cap on listed failures is kept by each task
(``Collector``) and, across tasks in input order, by the client (``Trimmer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Issue keywords that are not schema keywords: the message could not be checked at all.
IO, JSON, ROUTING = "io", "json", "routing"

# Messages quote the offending value; a huge value must not make a huge report line.
MAX_MESSAGE_CHARS = 300


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


RawIssue = tuple[str, str, str, str, "str | None"]  # pointer, keyword, schema_path, message, prop
RawFailure = tuple["int | None", "str | None", tuple[RawIssue, ...]]  # line, schema, issues


@dataclass(frozen=True, slots=True)
class RawChunk:
    messages: int
    lines: int  # physical lines consumed, to number the lines of the next range
    failures: list[RawFailure]
    # Failures left out of ``failures`` by a cap (see Batch): per schema, per (schema, keyword).
    unlisted: dict[str | None, int] | None = None
    unlisted_keywords: dict[tuple[str | None, str], int] | None = None


class Collector:
    """Adds up the chunks of one task, keeping the first ``cap`` failures of each schema (all
    with None) and counting the rest, so a task's result stays small whatever it read.
    ``listed_elsewhere(schema)``: the run has already listed ``cap`` failures of that schema
    in earlier tasks, so none of this task's would be listed either."""

    __slots__ = ("cap", "failures", "keywords", "lines", "listed_elsewhere", "messages", "seen", "unlisted")

    def __init__(self, cap: int | None, listed_elsewhere: Callable[[str | None], bool] | None = None) -> None:
        self.cap = cap
        self.listed_elsewhere = listed_elsewhere
        self.messages = self.lines = 0
        self.failures: list[RawFailure] = []
        self.seen: dict[str | None, int] = {}
        self.unlisted: dict[str | None, int] = {}
        self.keywords: dict[tuple[str | None, str], int] = {}

    def add(self, chunk: RawChunk) -> None:
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

    def _fold(self, raw: RawFailure) -> None:
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

    def chunk(self) -> RawChunk:
        return RawChunk(self.messages, self.lines, self.failures, self.unlisted or None,
                         self.keywords or None)


class Trimmer:
    """The client's side of a cap: results arrive in input order, and once ``cap`` failures of
    a schema were listed, later ones are only counted: they are not even turned into results.
    ``on_full(schema)`` is told when a schema's list is full (workers stop keeping its detail)."""

    def __init__(self, cap: int | None, on_full: Callable[[str | None], None] | None = None) -> None:
        self.cap = cap
        self.on_full = on_full
        self.seen: dict[str | None, int] = {}

    def trim(self, chunk: RawChunk) -> RawChunk:
        cap = self.cap
        if cap is None:
            return chunk
        seen = self.seen
        out = Collector(None)
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


def clip(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def input_failure(keyword: str, message: str, line: int | None = None) -> RawFailure:
    return (line, None, (("", keyword, "", clip(message), None),))


def materialize(source: str, base: int, raw: RawFailure) -> MessageResult:
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


def make_batch(source: str, base: int, chunk: RawChunk) -> Batch:
    failures = tuple(materialize(source, base, raw) for raw in chunk.failures)
    if chunk.unlisted is None:
        return Batch(chunk.messages, failures)
    keywords = chunk.unlisted_keywords or {}
    return Batch(chunk.messages, failures, tuple(chunk.unlisted.items()),
                 tuple((schema, keyword, n) for (schema, keyword), n in keywords.items()))
