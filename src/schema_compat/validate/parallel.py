"""Large inputs on forked workers, with results in input order.

Large plain JSON Lines files are cut at line boundaries into byte ranges, other large files
are a task each, and small files are grouped; a pool of forked workers, which inherit the
compiled schemas, checks the tasks, and results come back in input order. Below
``PARALLEL_MIN_BYTES`` one process is faster. Under a cap on listed failures, shared flags tell
the workers which schemas' lists are full, so they stop sending detail that would only be
counted.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import reading
from .base import ValidatorBase
from .inputs import MessageInput, is_lines_file
from .results import Batch, Collector, RawChunk, Trimmer, make_batch

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing.pool import Pool

# Below this many bytes of splittable JSON Lines, one process is faster than starting workers
# (a fork pool costs ~30 ms; 4 MiB is ~20k BACKBEAT lines, ~80 ms on one core).
PARALLEL_MIN_BYTES = 4 << 20
# Each worker task covers at most this much of a file, so results stream back in order and the
# parent never holds more than a few tasks' failures.
_TASK_MAX_BYTES = 4 << 20
# Small files are grouped into tasks of this many, so per-task overhead stays small.
_FILES_PER_TASK = 128

Task = tuple[Path, int, "int | None"]  # path, start byte, end byte (None: to the end)
_WORKER: ParallelMixin | None = None
_CAP: int | None = None
_FULL: tuple[Any, dict[str | None, int]] | None = None  # shared flags: schema's list is full

# A gzipped JSON Lines file holds about this many times its size (BACKBEAT traffic: 6-9×):
# what its share of the work is judged by when tasks are planned.
_GZIP_RATIO = 8


class ParallelMixin(ValidatorBase):
    """Inputs checked in this process or, when large enough to pay, by forked workers."""

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

    def _run_task(self, task: Task, cap: int | None = None,
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


def _run_job(job: list[Task]) -> list[RawChunk]:
    """Worker side: check each task of a job with the validator inherited at fork."""
    assert _WORKER is not None, "worker started without a validator"
    elsewhere = None
    if _FULL is not None:
        flags, labels = _FULL

        def elsewhere(schema: str | None) -> bool:
            index = labels.get(schema)
            return index is not None and flags[index] == 1

    return [_WORKER._run_task(task, _CAP, elsewhere) for task in job]


def default_workers() -> int:
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


def _plan_jobs(paths: list[Path], workers: int) -> list[list[Task]]:
    """Cut files into jobs: large plain JSON Lines files into line-aligned byte ranges, each
    other large file (gzipped partitions of an archive) a job of its own, small files grouped
    up to about one range's worth, so that every worker stays busy and results come back in
    input order."""
    jobs: list[list[Task]] = []
    small: list[Task] = []
    weight = 0
    for path in paths:
        size = _splittable_size(path)
        work = size or _work_size(path)
        # The reader's block size, read at each call: the planner and the reader share one value.
        if work < 2 * reading.BLOCK_BYTES:
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


def _split_ranges(path: Path, size: int, pieces: int) -> list[Task]:
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
    tasks: list[Task] = [(path, a, b) for a, b in itertools.pairwise(bounds)]
    # The last range runs to the end of file, whatever its size is by then.
    tasks[-1] = (path, tasks[-1][1], None)
    return tasks
