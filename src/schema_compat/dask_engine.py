"""Partitions as tasks on a ``dask.distributed`` cluster (``--engine dask``).

Needs the ``dask`` extra (``pip install 'schema-compat[dask]'``); nothing else in the package
imports this module, so the core install never loads Dask.

How a run goes:

- The client sends the validator as data (:meth:`MessageValidator.spec`: the schema documents
  and options, a few kB) in one task of its own; every partition task depends on it. A worker
  compiles the schemas the first time it runs a partition of the run and keeps the compiled
  validator for the life of its process (keyed by a digest of the documents), so a worker
  compiles once, not once per task, and a second run with the same schemas does not compile
  again.
- Each file is one task (a *partition*). A task returns the partition's counts, its first N
  failures of each schema with file and line, and the rest as counts by schema and keyword:
  small, whatever the partition holds. Inputs that are not files (``--message``, stdin) are
  checked on the client, in their place.
- The client keeps a bounded window of tasks in flight and merges results in input order, so
  the report is the one the local engine writes, and the client holds at most a window of
  results, whatever the archive's size.
- Faults: a worker that dies is the scheduler's business (it runs the task again elsewhere); a
  task's result is counted once, when the client receives it, so nothing is counted twice. A
  partition that cannot be read is that partition's ``io`` failure (as locally). A partition
  on which workers died too often (``KilledWorker``) or whose task failed is reported the same
  way, and the run goes on. When the client stops early (Ctrl-C, an error, a reader that went
  away), the tasks still pending are cancelled and a cluster it started is closed.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import pickle
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from .errors import SchemaCompatError, UsageError
from .validate import (
    IO,
    Batch,
    MessageInput,
    MessageValidator,
    Rebuildable,
)
from .validate.parallel import Task, default_workers
from .validate.results import RawChunk, Trimmer, input_failure, make_batch

__all__ = ["DaskEngine", "dask_available"]

#: How long to keep trying to reach a running scheduler.
CONNECT_TIMEOUT = "10s"

EXTRA_HINT = "install the dask extra: pip install 'schema-compat[dask]'"


class ClusterError(SchemaCompatError):
    """The Dask cluster could not be started or used (one line, exit 2)."""


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported (without importing it)."""
    return find_spec("distributed") is not None


def _distributed() -> Any:
    # Imported by name: the module types as Any, and mypy needs no Dask installed.
    try:
        return import_module("distributed")
    except ImportError as exc:
        raise UsageError(f"--engine dask needs dask.distributed ({exc}); {EXTRA_HINT}") from None


# ------------------------------------------------------------------------ worker side

_COMPILED: dict[str, MessageValidator] = {}
_COMPILED_LOCK = threading.Lock()
#: How many times this process compiled a validator (read by tests through ``Client.run``).
COMPILATIONS = 0
_KEEP = 4  # compiled validators kept per process (one per recent run's schemas)


def _spec_value(spec: Rebuildable) -> Rebuildable:
    """The task that holds the validator's data on the cluster (recomputed if lost)."""
    return spec


def _validator(digest: str, spec: Rebuildable) -> MessageValidator:
    global COMPILATIONS
    with _COMPILED_LOCK:  # a worker with several threads compiles once all the same
        validator = _COMPILED.get(digest)
        if validator is None:
            validator = spec.build()
            COMPILATIONS += 1
            while len(_COMPILED) >= _KEEP:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[digest] = validator
        return validator


def check_partition(task: Task, digest: str, spec: Rebuildable, cap: int | None,
                    full: frozenset[str | None] = frozenset()) -> RawChunk:
    """Worker side: one partition (a file), with the validator compiled once per process.
    ``full``: schemas whose first ``cap`` failures the client already has (only counted)."""
    return _validator(digest, spec)._run_task(task, cap, full.__contains__ if full else None)


def compilations() -> int:
    """This process's count of compilations (``Client.run(compilations)`` asks every worker)."""
    return COMPILATIONS


def digest_of(spec: Rebuildable) -> str:
    """A name for the validator's data: equal documents and options, equal name."""
    return hashlib.sha256(pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()[:20]


# ------------------------------------------------------------------------ client side


@dataclass
class DaskEngine:
    """Run partitions on a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``), or
    a ``LocalCluster`` of ``workers`` processes (None: one per core) started for the run and
    closed after it. ``on_dashboard`` is called once with the dashboard's address when the
    cluster serves one. ``window``: tasks in flight per worker thread."""

    scheduler: str | None = None
    workers: int | None = None
    on_dashboard: Callable[[str], None] | None = None
    window: int = 4

    def run(self, validator: MessageValidator, items: list[MessageInput], *,
            cap: int | None) -> Iterator[tuple[int, Batch]]:
        distributed = _distributed()
        client, cluster = self._connect(distributed)
        pending: dict[int, Any] = {}
        try:
            self._dashboard(client)
            spec = validator.spec()
            digest = digest_of(spec)
            run = uuid.uuid4().hex[:12]
            spec_future = client.submit(_spec_value, spec, key=f"schema-compat-spec-{digest}", pure=False)
            threads = max(1, sum(client.nthreads().values()))
            window = max(8, self.window * threads)
            files = [(index, item) for index, item in enumerate(items) if item.path is not None]
            queue = iter(files)
            # Detail beyond the cap is counted, not turned into results; and a task submitted
            # once a schema's list is full does not send that schema's detail at all.
            trimmer = Trimmer(cap)
            done = distributed.as_completed(loop=client.loop)
            results: dict[int, Any] = {}
            # One task per file, in input order; other inputs are checked here in their turn.

            def submit_next() -> None:
                for index, item in queue:
                    assert item.path is not None
                    full = frozenset(s for s, n in trimmer.seen.items() if cap is not None and n >= cap)
                    future = client.submit(check_partition, (item.path, 0, None), digest, spec_future, cap, full,
                                           key=f"schema-compat-partition-{run}-{index}",
                                           pure=False, retries=0)
                    pending[index] = future
                    done.add(future)
                    return

            for _ in range(window):
                submit_next()
            for index, item in enumerate(items):
                if item.path is None:
                    for batch in validator._iter_input(item):
                        yield index, batch
                    continue
                while index not in results:
                    future = next(done)
                    finished = next(i for i, f in pending.items() if f is future)
                    results[finished] = _outcome(distributed, future)
                    del pending[finished]
                    future.release()
                    submit_next()
                yield index, _to_batch(item, results.pop(index), trimmer)
        finally:
            if pending:
                client.cancel(list(pending.values()), force=True)
            client.close()
            if cluster is not None:
                cluster.close()

    def _connect(self, distributed: Any) -> tuple[Any, Any]:
        if self.scheduler is not None:
            try:
                return distributed.Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False), None
            except OSError as exc:
                raise UsageError(f"--scheduler {self.scheduler}: cannot reach the Dask scheduler ({exc})") from None
        count = self.workers or default_workers()
        import logging

        dask = import_module("dask")
        # Everything on loopback, the scheduler's web server (dashboard when bokeh is there,
        # health and metrics otherwise) included, on a free port: never 0.0.0.0:8787.
        # Measured costs for the workers, turned off: the statistical profiler (a stack sample
        # every 10 ms: 7-13% more CPU per partition) and the nanny's MALLOC_TRIM_THRESHOLD_
        # (a fixed threshold stops glibc from raising its mmap threshold, so every 1 MiB read
        # block is mapped and unmapped again: 3-5%). Memory stays flat without it: a task holds
        # a block and a capped result, whatever the partition's size.
        environ = {key: value for key, value
                   in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
                   if key != "MALLOC_TRIM_THRESHOLD_"}
        settings: dict[str, Any] = {"distributed.worker.profile.enabled": False,
                                    "distributed.nanny.pre-spawn-environ": environ}
        if "forkserver" in multiprocessing.get_all_start_methods():
            # Workers forked from a server that has imported Dask once, rather than each
            # started afresh: about half a CPU-second less per worker at start-up.
            settings["distributed.worker.multiprocessing-method"] = "forkserver"
        try:
            with dask.config.set(settings):
                cluster = distributed.LocalCluster(
                    n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR)
        except Exception as exc:
            raise ClusterError(f"cannot start a local Dask cluster of {count} workers: "
                               f"{type(exc).__name__}: {exc}") from None
        try:
            return distributed.Client(cluster, set_as_default=False), cluster
        except BaseException:
            cluster.close()
            raise

    def _dashboard(self, client: Any) -> None:
        if self.on_dashboard is None:
            return
        services = client.scheduler_info().get("services", {})
        if "dashboard" in services and client.run_on_scheduler(_serves_dashboard):
            self.on_dashboard(client.dashboard_link)


def _serves_dashboard() -> bool:
    """On the scheduler: whether its web server has the dashboard (bokeh is installed)."""
    return find_spec("bokeh") is not None


def _outcome(distributed: Any, future: Any) -> RawChunk | str:
    """A partition's result, or why there is none (said as its ``io`` failure)."""
    try:
        result: RawChunk = future.result()
    except distributed.KilledWorker:
        return "not checked: the Dask workers running it died too many times (KilledWorker)"
    except Exception as exc:
        return f"not checked: its task failed on the Dask cluster ({type(exc).__name__}: {exc})"
    return result


def _to_batch(item: MessageInput, outcome: RawChunk | str, trimmer: Trimmer) -> Batch:
    if isinstance(outcome, str):
        outcome = RawChunk(1, 0, [input_failure(IO, outcome)])
    return make_batch(item.source, 0, trimmer.trim(outcome))
