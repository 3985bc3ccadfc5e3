"""What ``validate`` and ``replay`` share for large inputs: the engine flags and the progress
line. Dask and rich are imported only when asked for (``--engine dask``, a terminal)."""

from __future__ import annotations

import enum
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..validate import Engine, Progress

ENGINE_HELP = ("Where files are checked: local (this machine's processes) or dask (each file a "
               "task on a dask.distributed cluster; needs the dask extra).")
SCHEDULER_HELP = ("With --engine dask: the address of a running Dask scheduler "
                  "(tcp://HOST:8786); without it, a local cluster of --workers processes is "
                  "started for the run.")


class EngineName(str, enum.Enum):
    local = "local"
    dask = "dask"


def make_engine(engine: EngineName, scheduler: str | None, workers: int | None) -> Engine | None:
    """The engine the flags ask for (None: the local one); a usage error when they conflict."""
    from ..errors import UsageError

    if engine is EngineName.local:
        if scheduler is not None:
            raise UsageError("--scheduler needs --engine dask")
        return None
    from ..dask_engine import EXTRA_HINT, DaskEngine, dask_available

    if not dask_available():
        raise UsageError(f"--engine dask: dask.distributed is not installed; {EXTRA_HINT}")
    if scheduler is not None and workers is not None:
        raise UsageError("--workers sizes the local cluster started without --scheduler; a running "
                         "cluster has the workers it has")
    return DaskEngine(scheduler=scheduler, workers=workers, on_dashboard=_show_dashboard)


def _show_dashboard(link: str) -> None:
    if sys.stderr.isatty():
        from .._text import visible

        print(f"Dask dashboard: {visible(link)}", file=sys.stderr)


def progress(what: str) -> AbstractContextManager[Progress | None]:
    """A live line on stderr when a person is watching (files done of all, messages, messages
    per second); nothing otherwise."""
    if not sys.stderr.isatty():
        return nullcontext(None)
    return _Live(what)


class _Live:
    def __init__(self, what: str) -> None:
        self.what = what
        self.start = time.perf_counter()

    def __enter__(self) -> Progress:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn(f"{self.what}:"), BarColumn(),
                            TextColumn("{task.fields[done]:,}/{task.fields[files]:,} files · "
                                       "{task.fields[messages]:,} messages · {task.fields[rate]:,.0f}/s"),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task(self.what, total=None, done=0, files=0, messages=0, rate=0.0)
        self.last = 0.0
        return self.tick

    def tick(self, done: int, total: int, messages: int) -> None:
        now = time.perf_counter()
        if now - self.last < 0.1 and done < total:
            return  # a few updates a second are enough
        self.last = now
        rate = messages / max(now - self.start, 1e-9)
        self.bar.update(self.task, completed=done, total=total, done=done, files=total,
                        messages=messages, rate=rate)

    def __exit__(self, *exc: object) -> Any:
        self.bar.__exit__(None, None, None)
        return None
