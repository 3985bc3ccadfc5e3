"""Robustness on real schema histories: the SchemaStore corpus (shared/corpus/schemastore).

521 consecutive-version pairs of 80 popular schemas (draft-04/06/07, up to 457 KB, recursive,
remote ``$ref``s that are never fetched). Each pair runs in a worker process of a pool of 2
with ``Options(timeout=5)``; the parent kills a worker that overruns 30 s. Checked per pair:

- the comparison completes: a result, or a ``SchemaCompatError`` whose message is one line
  naming the input (a genuinely unusable schema); never another exception, never the kill;
- it respects its time limit (within a grace for a loaded machine and work past the deadline);
- an "annotation-only" pair (equal once descriptions, titles, defaults… are stripped) is FULL
  with required bump patch (or none);
- every ``breaking`` verdict's witness is valid under the source side and invalid under the
  other, by the oracle.

To stay fast enough for CI, the test takes every annotation-only pair and every 3rd other
pair (deterministic); ``SCHEMA_COMPAT_CORPUS_FULL=1`` runs all 521. bench/bench_diff.py
always runs them all.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import pytest

try:
    import fcntl
except ImportError:  # Windows: without the lock both xdist workers may run the corpus
    fcntl = None  # type: ignore[assignment]


def _shared_dir() -> Path:
    env = os.environ.get("SCHEMA_COMPAT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


CORPUS = _shared_dir() / "corpus" / "schemastore"
if not (CORPUS / "manifest.json").is_file():
    pytest.skip(f"SchemaStore corpus not found under {CORPUS}", allow_module_level=True)

TIMEOUT = 5.0  # Options(timeout=...) per pair
GRACE = 10.0  # allowed overrun: loaded CI machines (-n 2 beside the pool), work past deadline
HARD_LIMIT = 30.0  # the parent kills a worker past this
PROCESSES = 2
EVERY_NTH_OTHER = 3


@dataclass(frozen=True)
class Pair:
    """One manifest entry."""

    id: str
    old: Path
    new: Path
    change_class: str


def _load_pairs() -> list[Pair]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [Pair(f"{p['schema']}/{p['nn']}", CORPUS / p["old_file"], CORPUS / p["new_file"],
                 p["change_class"]) for p in manifest["pairs"]]


ALL_PAIRS = _load_pairs()


def _select(pairs: list[Pair]) -> list[Pair]:
    """Every annotation-only pair and every 3rd other pair, in manifest order."""
    if os.environ.get("SCHEMA_COMPAT_CORPUS_FULL") == "1":
        return pairs
    others = [p for p in pairs if p.change_class != "annotation-only"]
    keep = {p.id for p in others[::EVERY_NTH_OTHER]}
    return [p for p in pairs if p.change_class == "annotation-only" or p.id in keep]


PAIRS = _select(ALL_PAIRS)


# ------------------------------------------------------------------------- worker (child side)


def _check_witnesses(result: Any, old_doc: Any, new_doc: Any) -> list[str]:
    """Problems with the witnesses of breaking verdicts (empty when all are confirmed)."""
    from schema_compat import oracle
    from schema_compat.normalize import prepare

    problems: list[str] = []
    roots: dict[str, Any] = {}
    for direction, src_name, dst_name in (("backward", "old", "new"), ("forward", "new", "old")):
        verdict = result.direction(direction)
        if verdict.status != "breaking":
            continue
        if not verdict.witnesses:
            problems.append(f"{direction}: breaking without a witness")
            continue
        if not roots:
            roots = {"old": prepare(old_doc), "new": prepare(new_doc)}
        w = verdict.witnesses[0].instance
        try:
            src_ok = oracle.is_valid(roots[src_name], w)
            dst_ok = oracle.is_valid(roots[dst_name], w)
        except Exception as exc:  # the oracle itself failed: report, don't hide
            problems.append(f"{direction}: oracle raised {type(exc).__name__}: {exc}"[:300])
            continue
        if not src_ok or dst_ok:
            problems.append(f"{direction}: witness {json.dumps(w)[:200]} valid under "
                            f"{src_name}={src_ok}, under {dst_name}={dst_ok}")
    return problems


def _run_pair(old_path: str, new_path: str, timeout: float) -> dict[str, Any]:
    """Compare one pair in this process; every outcome is data."""
    from schema_compat.engine import Options, compare
    from schema_compat.errors import SchemaCompatError
    from schema_compat.loading import load_schema_file

    out: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        old_doc, new_doc = load_schema_file(Path(old_path)), load_schema_file(Path(new_path))
        loaded = time.perf_counter()
        result = compare(old_doc, new_doc, Options(timeout=timeout))
        out.update(status="ok", compare_s=time.perf_counter() - loaded,
                   backward=result.backward.status, forward=result.forward.status,
                   level=result.level, bump=result.required_bump,
                   reasons=[result.backward.reason, result.forward.reason],
                   witness_problems=_check_witnesses(result, old_doc, new_doc))
    except SchemaCompatError as exc:
        out.update(status="schema-error", error=str(exc))
    except Exception as exc:
        # Some messages embed a whole schema: keep the head, and where it was raised.
        frames = [f"{Path(f.filename).name}:{f.lineno} {f.name}"
                  for f in traceback.extract_tb(exc.__traceback__)
                  if "schema_compat" in f.filename]
        out.update(status="crash", error=f"{type(exc).__name__}: {str(exc)[:300]}",
                   where=" < ".join(reversed(frames[-4:])))
    out["total_s"] = time.perf_counter() - start
    return out


def _worker(conn: Connection, fn: Callable[[str, str, float], dict[str, Any]]) -> None:
    """Child loop: receive (old, new, timeout), send ``fn``'s outcome; None ends it."""
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(fn(*task))


def _sleep_pair(old_path: str, new_path: str, timeout: float) -> dict[str, Any]:
    """A task that overruns any limit (to test the parent's kill)."""
    time.sleep(3600)
    return {"status": "ok"}


# ------------------------------------------------------------------------- pool (parent side)


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: int | None = None
    started: float = 0.0


def run_pool(pairs: list[Pair], *, processes: int = PROCESSES, timeout: float = TIMEOUT,
             hard_limit: float = HARD_LIMIT,
             fn: Callable[[str, str, float], dict[str, Any]] = _run_pair,
             ) -> list[dict[str, Any]]:
    """Run every pair in ``processes`` workers; a worker over ``hard_limit`` is killed and
    replaced (the pair counts as "killed"), one that dies counts as "crash"."""
    # spawn, not fork: a fresh interpreter per worker, no inherited threads or state.
    ctx = multiprocessing.get_context("spawn")

    def start() -> _Slot:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, fn), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def retire(slot: _Slot, *, kill: bool) -> None:
        if kill:
            slot.process.kill()
        slot.process.join(5)
        slot.conn.close()

    results: dict[int, dict[str, Any]] = {}
    todo = list(range(len(pairs)))
    slots = [start() for _ in range(min(processes, len(pairs)))]
    try:
        while todo or any(s.task is not None for s in slots):
            for s in slots:
                if s.task is None and todo:
                    s.task, s.started = todo.pop(0), time.monotonic()
                    pair = pairs[s.task]
                    s.conn.send((str(pair.old), str(pair.new), timeout))
            busy = [s for s in slots if s.task is not None]
            ready = wait([s.conn for s in busy], timeout=0.5)
            for i, s in enumerate(slots):
                if s.task is None:
                    continue
                if s.conn in ready:
                    try:
                        results[s.task] = s.conn.recv()
                        s.task = None
                        continue
                    except EOFError:  # the worker died (e.g. killed by the OS for memory)
                        results[s.task] = {"status": "crash", "error": "worker process died"}
                        retire(s, kill=False)
                elif time.monotonic() - s.started > hard_limit:
                    results[s.task] = {"status": "killed", "total_s": hard_limit}
                    retire(s, kill=True)
                else:
                    continue
                slots[i] = start()
    finally:
        for s in slots:
            if s.task is None:
                with contextlib.suppress(OSError):  # already gone; retire() reaps it
                    s.conn.send(None)
            retire(s, kill=s.task is not None)
    return [results[i] for i in range(len(pairs))]


# ------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every selected pair's outcome, computed once per test run.

    Under pytest-xdist (CI runs ``-n 2``) the per-pair tests land on both workers; the first
    to get here runs the pool, the other waits on the lock and reads its results, so the
    corpus never runs twice at once (which would also skew the time checks).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run only
    cache = root / "corpus-outcomes.json"
    with (root / "corpus-outcomes.lock").open("w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if cache.exists():
            data: dict[str, dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
            return data
        data = {p.id: o for p, o in zip(PAIRS, run_pool(PAIRS))}
        cache.write_text(json.dumps(data), encoding="utf-8")
        return data


def test_selection() -> None:
    """The manifest is the expected corpus and the subset is what the docstring says."""
    assert len(ALL_PAIRS) == 521
    annotation = [p for p in ALL_PAIRS if p.change_class == "annotation-only"]
    assert len(annotation) == 86
    assert {p.id for p in annotation} <= {p.id for p in PAIRS}


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_pair_completes(pair: Pair, outcomes: dict[str, dict[str, Any]]) -> None:
    """A result or a one-line error naming the input; no other exception, no kill."""
    o = outcomes[pair.id]
    assert o["status"] in ("ok", "schema-error"), (
        f"{o['status']}: {o.get('error')} (at {o.get('where')})")
    if o["status"] == "schema-error":
        message = o["error"]
        assert message and "\n" not in message, repr(message)
        assert str(pair.old) in message or str(pair.new) in message, message


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_pair_within_time_limit(pair: Pair, outcomes: dict[str, dict[str, Any]]) -> None:
    """The comparison honours Options(timeout) (within a grace)."""
    o = outcomes[pair.id]
    if o["status"] != "ok":
        pytest.skip(f"no result ({o['status']})")
    assert o["compare_s"] <= TIMEOUT + GRACE, f"{o['compare_s']:.1f} s"


ANNOTATION_PAIRS = [p for p in PAIRS if p.change_class == "annotation-only"]


@pytest.mark.parametrize("pair", ANNOTATION_PAIRS, ids=[p.id for p in ANNOTATION_PAIRS])
def test_annotation_only_pair_is_full_patch(pair: Pair,
                                            outcomes: dict[str, dict[str, Any]]) -> None:
    """Equal assertions, so FULL and at most a patch: no noise on documentation edits."""
    o = outcomes[pair.id]
    assert o["status"] == "ok", o.get("error")
    assert (o["level"], o["bump"]) in (("FULL", "patch"), ("FULL", "none")), (
        f"level {o['level']}, bump {o['bump']}; backward {o['backward']}, forward "
        f"{o['forward']}; reasons {o['reasons']}")


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_breaking_witness_confirmed(pair: Pair, outcomes: dict[str, dict[str, Any]]) -> None:
    """Every breaking verdict carries a witness the oracle confirms."""
    o = outcomes[pair.id]
    if o["status"] != "ok":
        pytest.skip(f"no result ({o['status']})")
    assert o["witness_problems"] == []


def test_pool_enforces_hard_limit() -> None:
    """The parent really kills a worker that overruns, and goes on with a fresh one."""
    started = time.monotonic()
    outcomes = run_pool(ALL_PAIRS[:2], processes=1, hard_limit=3.0, fn=_sleep_pair)
    assert [o["status"] for o in outcomes] == ["killed", "killed"]
    assert time.monotonic() - started < 30
