"""Where messages come from: files, inline text, a binary stream, or a directory walk.

A file's name says how it is read: ``.jsonl``/``.ndjson`` hold one message per line, any other
file one message, and either may be gzipped. A directory walk never reads through a link that
leads out of the directory: such a link becomes an input that reports ``io``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import LoadError, UsageError

#: File name suffixes (before an optional ``.gz``) of JSON Lines inputs.
LINES_SUFFIXES = (".jsonl", ".ndjson")
#: File name suffixes a directory walk picks up.
MESSAGE_SUFFIXES = (".json", *LINES_SUFFIXES)


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


def is_lines_file(path: Path) -> tuple[bool, bool]:
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
