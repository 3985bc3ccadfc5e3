"""Archives of recorded messages as partitions, and the tally of a run over them.

An archive is files of messages (``.jsonl``, ``.ndjson`` or ``.json``, each possibly gzipped),
typically one per hour or day: named one by one, by directory, or by glob pattern
(``archive/2025-06-*/*.jsonl.gz``; ``**`` crosses directories). Each file is a *partition*:
checked on its own, streamed (never read whole), in whichever process or cluster worker runs
it. Partitions come in a fixed order (sorted by path), and a run's results are tallied in that
order, so the report is the same whichever engine ran it and however its work was cut.

:class:`Tally` is that merge: counts, the first N failures of each schema in input order, and
a histogram of the failing keywords. It consumes :class:`~schema_compat.validate.Batch`es,
whether a batch holds every failure of a slice (one process) or only the first N of each
schema with the others counted (workers of a pool or of a Dask cluster).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .validate import MESSAGE_SUFFIXES, Batch, MessageInput, MessageResult, discover_inputs

__all__ = ["Tally", "expand_pattern", "is_pattern"]

_MAGIC = frozenset("*?[")


def is_pattern(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a glob pattern rather than a path (a path that exists as written
    is a path, whatever characters it holds)."""
    name = os.fspath(text)
    return any(c in _MAGIC for c in name) and not Path(name).exists()


def _is_message_file(name: str) -> bool:
    return name.lower().removesuffix(".gz").endswith(MESSAGE_SUFFIXES)


def _key(path: str) -> tuple[str, ...]:
    # Path components, so that `a/b.json` sorts before `a-b.json` on every system (as a walk).
    return tuple(path.split(os.sep))  # noqa: PTH206 - strings, as discover_inputs sorts


def expand_pattern(pattern: str | os.PathLike[str]) -> list[MessageInput]:
    """The message files a glob pattern names, sorted by path: matched files with a message
    suffix, and the message files under matched directories. Hidden files are left out, as
    by a directory walk. A pattern that matches nothing is a
    :class:`~schema_compat.errors.UsageError` (a typo must not pass as an empty archive)."""
    text = os.fspath(pattern)
    files: list[str] = []
    inputs: list[MessageInput] = []
    for match in glob.glob(text, recursive=True):  # noqa: PTH207 - absolute patterns too
        if Path(match).is_dir():
            inputs.extend(discover_inputs(match))
        elif _is_message_file(match):
            files.append(match)
    if not files and not inputs:
        raise UsageError(f"{text}: no message files (.json, .jsonl, .ndjson, or .gz) match this pattern")
    inputs.extend(MessageInput.file(path) for path in files)
    # A file matched both directly and under a matched directory is one partition.
    unique = {item.source: item for item in inputs}
    return [unique[source] for source in sorted(unique, key=_key)]


@dataclass(frozen=True)
class KeywordCount:
    """How many issues of failing messages had ``keyword``, under ``schema`` (None: the
    message could not be checked: ``io``, ``json``, ``routing``)."""

    schema: str | None
    keyword: str
    count: int


class Tally:
    """The merge of a run: fed batches in input order, it keeps counts, the first ``cap``
    failures of each schema (every failure with None), and the failing keywords.

    :meth:`add` returns the failures of a batch that make the list, so a report can be written
    as the batches come; the result does not depend on how the input was cut into batches,
    nor on how many failures each batch already left out (see
    :class:`~schema_compat.validate.Batch`).
    """

    def __init__(self, cap: int | None = None) -> None:
        self.cap = cap
        self.messages = 0
        self.invalid = 0
        self.listed = 0
        self.by_schema: dict[str | None, int] = {}
        self._keywords: dict[tuple[str | None, str], int] = {}

    def add(self, batch: Batch) -> list[MessageResult]:
        """Count ``batch``; its failures that are listed, in order."""
        self.messages += batch.messages
        cap, seen, keywords = self.cap, self.by_schema, self._keywords
        listed: list[MessageResult] = []
        for result in batch.failures:
            count = seen.get(result.schema, 0) + 1
            seen[result.schema] = count
            for issue in result.issues:
                key = (result.schema, issue.keyword)
                keywords[key] = keywords.get(key, 0) + 1
            if cap is None or count <= cap:
                listed.append(result)
        for schema, count in batch.unlisted:
            seen[schema] = seen.get(schema, 0) + count
        for schema, keyword, count in batch.unlisted_keywords:
            keywords[(schema, keyword)] = keywords.get((schema, keyword), 0) + count
        self.invalid += len(batch.failures) + sum(count for _, count in batch.unlisted)
        self.listed += len(listed)
        return listed

    @property
    def unlisted(self) -> int:
        """Failures counted but not listed (beyond the cap)."""
        return self.invalid - self.listed

    def keywords(self) -> list[KeywordCount]:
        """The failing keywords, sorted by schema (input problems first) then keyword."""
        return [KeywordCount(schema, keyword, count) for (schema, keyword), count
                in sorted(self._keywords.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))]
