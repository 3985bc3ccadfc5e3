"""Minimize a failing pair: drop keywords, subschemas, list members and instance parts while
the failure persists, so each reported reproducer is small.

Greedy passes over candidate edits, biggest first (the root's keywords before their
subschemas'), each edit tried on both sides at once, then on each side alone; a time budget
bounds the whole (large real documents may end partly shrunk: the report says so).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from typing import Any

from schema_compat.findings import BREAKING, COMPATIBLE

from . import instances as I
from .attack import Court, Problem, Settings, run_engine, witnesses
from .schemas import Path, subschemas

Edit = tuple[str, Path, Any]


def _edits(doc: Any) -> Iterator[Edit]:
    subs = sorted(subschemas(doc), key=lambda ps: len(ps[0]))
    for path, sub in subs:
        if path:
            yield ("drop", path, None)
            yield ("set", path, True)
            yield ("set", path, {})
        if isinstance(sub, dict):
            for kw in list(sub):
                yield ("drop", (*path, kw), None)
            for kw, value in sub.items():
                if kw in ("enum", "required", "type", "allOf", "anyOf", "oneOf", "prefixItems",
                          "items") and isinstance(value, list) and len(value) > 1:
                    for i in range(len(value)):
                        yield ("drop", (*path, kw, i), None)
                if kw in ("enum", "const") or (kw == "type" and isinstance(value, list)):
                    if isinstance(value, list) and len(value) == 1 and kw == "type":
                        yield ("set", (*path, kw), value[0])


def _apply(doc: Any, edit: Edit) -> Any | None:
    op, path, value = edit
    out = copy.deepcopy(doc)
    try:
        if not path:
            return None
        parent = out
        for seg in path[:-1]:
            parent = parent[seg]
        last = path[-1]
        if op == "drop":
            if isinstance(parent, dict) and last in parent:
                del parent[last]
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent.pop(last)
            else:
                return None
        else:
            if (isinstance(parent, dict) and last in parent) or \
                    (isinstance(parent, list) and isinstance(last, int) and last < len(parent)):
                if parent[last] == value and type(parent[last]) is type(value):
                    return None
                parent[last] = copy.deepcopy(value)
            else:
                return None
    except (KeyError, IndexError, TypeError):
        return None
    return out


def _instance_edits(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _instance_edits(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _instance_edits(v, (*path, i))


def _instance_variants_at(inst: Any, path: tuple[Any, ...]) -> Iterator[Any]:
    # The path was planned on an earlier state: where a container has since become a
    # string, indexing would still work (a character) but dropping from it would not.
    try:
        here = inst
        for seg in path:
            if not isinstance(here, (dict, list)):
                return
            here = here[seg]
    except (KeyError, IndexError, TypeError):
        return
    if path:
        dropped = copy.deepcopy(inst)
        parent = dropped
        for seg in path[:-1]:
            parent = parent[seg]
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
        yield dropped
    simpler: list[Any] = [None, 0, "", {}, []]
    if isinstance(here, (dict, list)) and here:
        simpler.insert(0, next(iter(here.values())) if isinstance(here, dict) else here[0])
    for s in simpler:
        if I.key(s) != I.key(here):
            placed = I.place(inst, path, s)
            if placed is not None:
                yield placed


def _minimize(state: dict[str, Any], still: Callable[[dict[str, Any]], bool],
              deadline: float, instance: bool) -> bool:
    """Greedy passes until a pass removes nothing or time is up; returns whether it
    finished. Within a pass, each edit (planned on the state the pass started from) is tried
    on the current state, and kept when the failure persists."""
    while True:
        changed = False
        seen: set[str] = set()
        for edit in _plan(state, instance):
            for candidate in _tries(state, edit):
                if time.monotonic() >= deadline:
                    return False
                k = I.key([candidate["old"], candidate["new"], candidate.get("instance")])
                if k in seen:
                    continue
                seen.add(k)
                if _size(candidate) < _size(state) and still(candidate):
                    state.clear()
                    state.update(candidate)
                    changed = True
                    break
        if not changed:
            return True


def _size(state: dict[str, Any]) -> int:
    """What shrinking must decrease at every step (so it ends)."""
    return len(I.key([state["old"], state["new"], state.get("instance")]))


def _plan(state: dict[str, Any], instance: bool) -> list[tuple[str, Any]]:
    plan: list[tuple[str, Any]] = []
    keys: set[str] = set()
    for edit in [*_edits(state["old"]), *_edits(state["new"])]:
        k = repr(edit)
        if k not in keys:
            keys.add(k)
            plan.append(("schema", edit))
    if instance:
        plan.extend(("instance", path) for path in _instance_edits(state["instance"]))
    return plan


def _tries(state: dict[str, Any], planned: tuple[str, Any]) -> Iterator[dict[str, Any]]:
    what, edit = planned
    if what == "instance":
        for variant in _instance_variants_at(state["instance"], edit):
            yield {**state, "instance": variant}
        return
    old, new = state["old"], state["new"]
    both_old, both_new = _apply(old, edit), _apply(new, edit)
    if both_old is not None and both_new is not None:
        yield {**state, "old": both_old, "new": both_new}
    if both_old is not None:
        yield {**state, "old": both_old}
    if both_new is not None:
        yield {**state, "new": both_new}


def _finish(problem: Problem, state: dict[str, Any], finished: bool, original: Any) -> None:
    if I.key([state["old"], state["new"], state.get("instance")]) != original:
        problem.original = {"old": problem.old, "new": problem.new, "instance": problem.instance}
    problem.old, problem.new = state["old"], state["new"]
    problem.instance = state.get("instance", problem.instance)
    problem.shrunk = finished


def shrink_unsound(problem: Problem, settings: Settings) -> None:
    direction = problem.direction or "backward"
    state = {"old": problem.old, "new": problem.new, "instance": problem.instance}
    original = I.key([problem.old, problem.new, problem.instance])

    def still(s: dict[str, Any]) -> bool:
        court = Court.of(s["old"], s["new"], settings)
        if court.refused:
            return False
        sep = court.separates(direction, s["instance"])
        if sep is None or not (sep[0] and sep[1]):
            return False
        run = run_engine(s["old"], s["new"], settings)
        return run.result is not None and run.result.direction(direction).status == COMPATIBLE

    finished = _minimize(state, still, time.monotonic() + settings.shrink_seconds, True)
    _finish(problem, state, finished, original)
    court = Court.of(problem.old, problem.new, settings)
    from .attack import _answers
    problem.detail = _answers(court, direction, problem.instance)


def shrink_bad_witness(problem: Problem, settings: Settings) -> None:
    direction = problem.direction or "backward"
    state = {"old": problem.old, "new": problem.new, "instance": problem.instance}
    original = I.key([problem.old, problem.new, problem.instance])

    def still(s: dict[str, Any]) -> bool:
        court = Court.of(s["old"], s["new"], settings)
        if court.refused:
            return False
        run = run_engine(s["old"], s["new"], settings)
        if run.result is None or run.result.direction(direction).status != BREAKING:
            return False
        for d, inst in witnesses(run.result):
            sep = court.separates(d, inst) if d == direction else None
            if sep is not None and not sep[0] and not sep[1] and court.agree(inst):
                s["instance"] = inst
                return True
        return False

    finished = _minimize(state, still, time.monotonic() + settings.shrink_seconds, False)
    _finish(problem, state, finished, original)


def shrink_crash(problem: Problem, where: str, settings: Settings) -> None:
    kind = problem.detail.split(":", 1)[0]
    state = {"old": problem.old, "new": problem.new}
    original = I.key([problem.old, problem.new, None])
    valid = not Court.of(problem.old, problem.new, settings).refused

    def still(s: dict[str, Any]) -> bool:
        if valid and Court.of(s["old"], s["new"], settings).refused:
            return False
        run = run_engine(s["old"], s["new"], settings)
        if run.crash and run.crash_where == where and run.crash.split(":", 1)[0] == kind:
            s["detail"] = run.crash
            return True
        return False

    finished = _minimize(state, still, time.monotonic() + settings.shrink_seconds, False)
    problem.detail = state.pop("detail", problem.detail)
    _finish(problem, state, finished, original)


def shrink_disagreement(schema: Any, instance: Any, settings: Settings,
                        seconds: float = 2.0) -> tuple[Any, Any]:
    """The smallest schema and instance (within ``seconds``) on which the judges still
    split: cheap (no engine), and it shows the construct behind the split."""
    from .judges import Bench

    def still(s: dict[str, Any]) -> bool:
        bench = Bench(s["old"], formats=settings.assert_formats)
        if bench.refused:
            return False
        answers = bench.verdicts(s["instance"], I.key(s["instance"]))
        return answers is not None and answers[0] != answers[1]

    state = {"old": schema, "new": True, "instance": instance}
    _minimize_one(state, still, time.monotonic() + seconds)
    return state["old"], state["instance"]


def _minimize_one(state: dict[str, Any], still: Callable[[dict[str, Any]], bool],
                  deadline: float) -> None:
    while True:
        changed = False
        plan: list[tuple[str, Any]] = [("schema", e) for e in _edits(state["old"])]
        plan.extend(("instance", p) for p in _instance_edits(state["instance"]))
        for what, edit in plan:
            if what == "schema":
                changed_doc = _apply(state["old"], edit)
                tries = [] if changed_doc is None else [{**state, "old": changed_doc}]
            else:
                tries = [{**state, "instance": v}
                         for v in _instance_variants_at(state["instance"], edit)]
            for candidate in tries:
                if time.monotonic() >= deadline:
                    return
                if _size(candidate) < _size(state) and still(candidate):
                    state.clear()
                    state.update(candidate)
                    changed = True
                    break
        if not changed:
            return


def shrink_overrun(problem: Problem, settings: Settings) -> None:
    """Smaller pairs on which the engine still goes on well past its timeout. Each try may
    take ``3 × timeout + 2`` seconds, so the budget is four times the usual one."""
    import dataclasses

    limit = settings.timeout * 3 + 2
    quick = _QuickOverrun(**{f.name: getattr(settings, f.name)
                             for f in dataclasses.fields(settings)})
    quick.limit = limit
    state = {"old": problem.old, "new": problem.new}
    original = I.key([problem.old, problem.new, None])

    def still(s: dict[str, Any]) -> bool:
        return bool(run_engine(s["old"], s["new"], quick).overrun)

    finished = _minimize(state, still, time.monotonic() + 4 * settings.shrink_seconds, False)
    _finish(problem, state, finished, original)
    if I.key([problem.old, problem.new, None]) != original:
        problem.detail += f" (shrunk on the criterion: still running after {limit:g} s)"


class _QuickOverrun(Settings):
    limit: float = 8.0

    @property
    def overrun(self) -> float:
        return self.limit
