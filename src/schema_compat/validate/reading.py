"""Reading inputs: JSON Lines block by block, whole documents, streams; the hot loop.

A JSON Lines file is read in blocks of ``BLOCK_BYTES`` and checked line by line: a valid line
costs one parse, one lookup and one ``is_valid`` call, and only failures allocate. Memory stays
bounded whatever the input holds: a line longer than ``MAX_LINE_BYTES`` or a document larger
than ``MAX_DOCUMENT_BYTES`` is reported, not held. A stream (stdin) is told to be one document
or JSON Lines by its first lines. Integers beyond 64 bits are read exactly wherever the schemas
could tell them from the double orjson makes of them.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import orjson

from .._json import MAX_DOCUMENT_BYTES, exact_again, exact_loads, long_integer_offsets
from .base import ValidatorBase
from .inputs import MessageInput, is_lines_file
from .results import IO, JSON, Batch, RawChunk, RawFailure, input_failure, make_batch

if TYPE_CHECKING:
    from collections.abc import Iterator

# A single JSON Lines line longer than this is reported and skipped instead of being buffered:
# memory stays bounded whatever the input holds.
MAX_LINE_BYTES = MAX_DOCUMENT_BYTES

BLOCK_BYTES = 1 << 20  # read size: large enough that per-block overhead is negligible
_BOM = b"\xef\xbb\xbf"


class ReadingMixin(ValidatorBase):
    """Inputs read and checked in this process: files, text and streams."""

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
            size = BLOCK_BYTES if remaining is None else min(BLOCK_BYTES, remaining)
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


def _json_error_text(exc: orjson.JSONDecodeError, *, whole_document: bool) -> str:
    msg = exc.msg
    if "recursion" in msg.lower():
        return "not valid JSON: nested more than 1024 levels deep"
    if whole_document:
        return f"not valid JSON: {msg} (line {exc.lineno}, column {exc.colno})"
    return f"not valid JSON: {msg} (column {exc.colno})"


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
