"""Run the attack on many pairs: worker processes, a hard time limit per pair, the summary,
the Markdown report and the reproducer files.

Pair ``i`` of seed ``s`` is generated from ``(s, i)`` alone and results are gathered in
index order, so the set of pairs and the report's structure do not depend on scheduling.
Two things are measured in wall-clock time and may vary on a loaded machine: the engine's
own ``timeout`` (a verdict near it may turn ``unknown``) and, when used, the time given to
hypothesis-jsonschema for each draw (how many of its values fit). Without hypothesis
(``hypothesis_seconds=0``, as in the smoke run) and away from the engine's timeout, a run
is repeated exactly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import subprocess
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .attack import DIRECTIONS, Disagreement, PairReport, Problem, Settings, attack
from .grammar import CORPUS, corpus_files, make_pair
from .schemas import FAMILY_ORDER, draft_of, has_embedded_id, keywords

PHASES = ("idle", "generate", "engine", "judges", "witnesses", "attack", "shrink")
FAILING = ("unsound", "bad-witness", "crash")


def format_modes(wanted: str = "both") -> tuple[str, ...]:
    """The format modes to fuzz: ``wanted`` ("assert", "annotation" or "both") where the
    engine takes a mode per comparison; else the one it has, probed (adding ``format: ipv4``
    narrows the valid strings exactly when formats are asserted)."""
    from .attack import ENGINE_FORMAT_MODES, run_engine

    if ENGINE_FORMAT_MODES:
        return ("assert", "annotation") if wanted == "both" else (wanted,)
    run = run_engine({"type": "string"}, {"type": "string", "format": "ipv4"},
                     Settings(formats=("annotation",)))
    asserted = run.result is not None and run.result.backward.status == "breaking"
    return ("assert",) if asserted else ("annotation",)


def _worker(conn: Any, seed: int, settings: Settings, corpus: bool, phase: Any) -> None:
    def set_phase(name: str) -> None:
        phase.value = PHASES.index(name)

    while True:
        index = conn.recv()
        if index is None:
            return
        set_phase("generate")
        try:
            pair = make_pair(seed, index, corpus=corpus, focus=settings.focus)
            report = attack(pair, index, seed, settings, set_phase)
        except BaseException as exc:  # a bug of the fuzzer itself: reported, not hidden
            report = PairReport(index, "?", [], status="fuzzer-error",
                                reason="".join(traceback.format_exception_only(type(exc), exc)).strip())
            report.reason += "\n" + traceback.format_exc()
        set_phase("idle")
        conn.send(report)


@dataclass
class _Slot:
    process: Any
    conn: Any
    phase: Any
    index: int | None = None
    started: float = 0.0


def hard_limit(settings: Settings) -> float:
    # engine, attack, up to three shrinks (an overrun's takes four budgets), and a margin
    return settings.overrun + 60 + 5 * settings.shrink_seconds * 1.5 + 60


def run(seed: int, pairs: int, *, jobs: int = 1, settings: Settings | None = None,
        corpus: bool = True, start: int = 0,
        progress: Callable[[str], None] | None = None,
        max_seconds: float | None = None) -> list[PairReport]:
    """Attack pairs ``start .. start+pairs-1`` of ``seed``; reports in index order.

    With ``max_seconds``, no pair is started after that time: the reports then cover a
    prefix of the pairs (exactly, with one job) and the run is repeated by asking for that
    many pairs."""
    settings = settings or Settings()
    indices = list(range(start, start + pairs))
    if jobs <= 0:  # in this process (debugging)
        return [attack(make_pair(seed, i, corpus=corpus, focus=settings.focus), i, seed, settings) for i in indices]
    ctx = multiprocessing.get_context("spawn")
    limit = hard_limit(settings)
    results: dict[int, PairReport] = {}
    todo = list(reversed(indices))
    slots: list[_Slot] = []

    began = time.monotonic()

    def spawn() -> _Slot:
        parent, child = ctx.Pipe()
        phase = ctx.Value("i", 0)
        proc = ctx.Process(target=_worker, args=(child, seed, settings, corpus, phase),
                           daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent, phase)

    def feed(slot: _Slot) -> None:
        if max_seconds is not None and time.monotonic() - began > max_seconds:
            todo.clear()
        if todo:
            slot.index = todo.pop()
            slot.started = time.monotonic()
            slot.conn.send(slot.index)
        else:
            slot.index = None

    last_note = 0.0
    try:
        for _ in range(max(1, min(jobs, len(indices)))):
            slot = spawn()
            slots.append(slot)
            feed(slot)
        while any(s.index is not None for s in slots):
            busy = [s for s in slots if s.index is not None]
            ready = multiprocessing.connection.wait([s.conn for s in busy], timeout=1.0)
            now = time.monotonic()
            for slot in busy:
                if slot.conn in ready:
                    fresh = slot
                    try:
                        report = slot.conn.recv()
                    except EOFError:  # the worker died (e.g. killed by the OS)
                        report = _lost(slot, "worker process died", settings)
                        fresh = _replace(slots, slot, spawn)
                    results[report.index] = report
                    feed(fresh)
                elif now - slot.started > limit:
                    report = _lost(slot, f"no answer after {limit:.0f} s (phase: "
                                         f"{PHASES[slot.phase.value]})", settings)
                    results[report.index] = report
                    fresh = _replace(slots, slot, spawn)
                    feed(fresh)
            if progress and (now - last_note > 10 or len(results) == len(indices)):
                last_note = now
                progress(_progress_line(results, len(indices), now - began))
    finally:
        for slot in slots:
            with contextlib.suppress(BrokenPipeError, OSError):
                slot.conn.send(None)
        for slot in slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
    return [results[i] for i in indices if i in results]


def _lost(slot: _Slot, why: str, settings: Settings) -> PairReport:
    index = slot.index if slot.index is not None else -1
    report = PairReport(index, "?", [], status="hang", reason=why)
    report.problems.append(Problem("hang", None, None, None, detail=why, index=index))
    return report


def _replace(slots: list[_Slot], slot: _Slot, spawn: Callable[[], _Slot]) -> _Slot:
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join(timeout=5)
    fresh = spawn()
    slots[slots.index(slot)] = fresh
    return fresh


def _progress_line(results: dict[int, PairReport], total: int, elapsed: float) -> str:
    counts = Counter(p.kind for r in results.values() for p in r.problems)
    skipped = sum(1 for r in results.values() if r.status == "skipped")
    return (f"[{len(results)}/{total}] {elapsed:.0f} s — unsound {counts['unsound']}, "
            f"bad witness {counts['bad-witness']}, crash {counts['crash']}, "
            f"overrun {counts['overrun']}, hang {counts['hang']}, skipped {skipped}")


# -- summary and report ------------------------------------------------------------------------


def _abstract(value: Any, key: str | None = None) -> Any:
    """The shape of a schema, scalars reduced to their kind (``type``, ``format`` and the
    draft kept), for grouping reproducers that show the same bug."""
    if isinstance(value, dict):
        return {k: (draft_of({"$schema": v}) if k == "$schema" else _abstract(v, k))
                for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_abstract(v, key) for v in value]
    if key in ("type", "format") and isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "<bool>"
    if isinstance(value, int):
        return "<bigint>" if abs(value) >= 2**63 else "<int>"
    if isinstance(value, float):
        return "<float>"
    if isinstance(value, str):
        return "<str>"
    return "<null>"


def signature(problem: Problem) -> str:
    if problem.kind in ("crash", "hang"):
        detail = problem.detail.split(":", 1)[0]
        where = problem.detail.rsplit("[in ", 1)[-1].rstrip("]") if "[in " in problem.detail \
            else ""
        return f"{problem.kind} | {detail} | {where}"
    sides = sorted(json.dumps(_abstract(x), sort_keys=True) for x in (problem.old, problem.new))
    return f"{problem.kind} | {' ~ '.join(sides)}"


@dataclass
class ProblemClass:
    signature: str
    kind: str
    members: list[Problem] = field(default_factory=list)

    @property
    def representative(self) -> Problem:
        return min(self.members, key=lambda p: (not p.shrunk,
                                                len(dump([p.old, p.new, p.instance]))))


def classes(reports: list[PairReport]) -> list[ProblemClass]:
    found: dict[str, ProblemClass] = {}
    for r in reports:
        for p in r.problems:
            sig = signature(p)
            found.setdefault(sig, ProblemClass(sig, p.kind)).members.append(p)
    order = {"unsound": 0, "bad-witness": 1, "crash": 2, "hang": 3, "overrun": 4}
    return sorted(found.values(), key=lambda c: (order.get(c.kind, 9), -len(c.members),
                                                 c.signature))


def dump(value: Any) -> str:
    """JSON for the report: readable characters where the file can hold them, escapes for
    lone surrogates; integers exact (json, never orjson)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True)
    return text


def write_reproducers(reports: list[PairReport], out_dir: Path, seed: int) -> list[Path]:
    """One JSON file per problem class (its smallest member) and ``all.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.json"):
        if old.name != "run.json":  # the results the report is rendered from stay
            old.unlink()
    written: list[Path] = []
    for n, cls in enumerate(classes(reports), 1):
        rep = cls.representative
        path = out_dir / f"{cls.kind}-{n:03d}.json"
        data = {"seed": seed, "signature": cls.signature, "count": len(cls.members),
                **rep.to_json()}
        path.write_text(json.dumps(data, indent=1) + "\n")
        written.append(path)
    everything = [{"seed": seed, **p.to_json()} for r in reports for p in r.problems]
    (out_dir / "all.json").write_text(json.dumps(everything, indent=1) + "\n")
    disagreements = [{"seed": seed, "index": r.index, **d.to_json()} for r in reports
                     for d in r.disagreements]
    (out_dir / "disagreements.json").write_text(json.dumps(disagreements, indent=1) + "\n")
    return written


def save_run(path: Path, reports: list[PairReport], **meta: Any) -> None:
    """Everything a report is made of, so that it can be rendered again (``load_run``)."""
    data = {**meta, "settings": dataclasses.asdict(meta["settings"]),
            "reports": [dataclasses.asdict(r) for r in reports]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) + "\n")


def load_run(path: Path) -> tuple[list[PairReport], dict[str, Any]]:
    data = json.loads(path.read_text())
    settings = data.pop("settings")
    settings["formats"] = tuple(settings["formats"])
    meta = {**data, "settings": Settings(**settings)}
    reports = []
    for r in meta.pop("reports"):
        r["problems"] = [Problem(**p) for p in r["problems"]]
        r["disagreements"] = [Disagreement(**d) for d in r["disagreements"]]
        reports.append(PairReport(**r))
    return reports, meta


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except OSError:
        return "?"


def markdown(reports: list[PairReport], *, seed: int, jobs: int, settings: Settings,
             seconds: float, reproducers: Path | str | None = None, command: str = "",
             requested: int | None = None) -> str:
    lines: list[str] = []
    add = lines.append
    n = len(reports)
    origins = Counter("corpus" if r.origin.startswith("corpus") else
                      "grammar" if r.origin == "grammar" else "?" for r in reports)
    add("# Differential fuzzing of the comparison engine")
    add("")
    add("Generated by `bench/fuzz.py` (the fuzzer lives in `tests/fuzz/`). Each pair is a "
        "random schema and a mutated copy (grammar), or a one-keyword mutation of a real "
        "SchemaStore document (corpus); every `compatible` verdict is attacked with generated "
        "instances, every witness re-checked, by two judges: jsonschema-rs and "
        "python-jsonschema with ECMA-262 patterns (regress). A claim against the engine is "
        "made only when both judges agree.")
    add("")
    add(f"- command: `{command or f'bench/fuzz.py --pairs {n} --seed {seed} --jobs {jobs}'}`")
    add(f"- commit: `{_git('rev-parse', '--short', 'HEAD')}` (branch "
        f"`{_git('rev-parse', '--abbrev-ref', 'HEAD')}`)")
    first = min((r.index for r in reports), default=0)
    add(f"- pairs: {n} (indices {first}–{first + n - 1} of seed {seed}: {origins['grammar']} "
        f"from the grammar, {origins['corpus']} corpus mutations)")
    if requested is not None and requested > n:
        add(f"- stopped at the time limit after {n} of the {requested} pairs asked for; "
            f"`--seed {seed} --pairs {n}` repeats exactly this run")
    if not corpus_files():
        add(f"- corpus: **absent** ({CORPUS} not found): grammar pairs only")
    else:
        add(f"- corpus: {len(corpus_files())} SchemaStore documents of at most 64 kB without "
            "remote `$ref`s")
    modes = " and ".join(f"`{m}`" for m in settings.formats)
    add(f"- engine: `Options(timeout={settings.timeout:g})`; format mode{'s' if len(settings.formats) > 1 else ''} "
        f"{modes}{' (pair i takes mode i mod 2)' if len(settings.formats) > 1 else ''}; the "
        "judges assert formats exactly in `assert` mode")
    add(f"- wall time: {seconds:.0f} s with {jobs} job(s); instances tried per attacked pair: "
        f"up to {settings.candidates}; hypothesis-jsonschema: "
        + (f"{settings.hypothesis_seconds:g} s per draw (how many of its values fit varies "
           "with the machine's load)" if settings.hypothesis_seconds > 0 else "not used"))
    add("")

    statuses = Counter(r.status for r in reports)
    add("## Pairs")
    add("")
    add("| status | pairs |")
    add("|---|---:|")
    for status in ("ok", "skipped", "engine-refused", "crash", "overrun", "hang", "fuzzer-error"):
        if statuses.get(status):
            add(f"| {status} | {statuses[status]} |")
    add("")
    add("`skipped`: a judge refuses a schema of the pair (invalid under its metaschema, a "
        "pattern it cannot compile...); `engine-refused`: both judges accept both schemas but "
        "the engine refused one with a clean error.")
    add("")
    reasons = Counter(_reason_kind(r.reason) for r in reports if r.status == "skipped")
    if reasons:
        add("Skip reasons: " + "; ".join(f"{k} ({v})" for k, v in reasons.most_common(8)) + ".")
        add("")
    refusals = [r for r in reports if r.status == "engine-refused"]
    if refusals:
        add("Engine refusals of schemas both judges accept (first few):")
        add("")
        for reason, count in Counter(_reason_kind(r.reason, 140) for r in refusals).most_common(6):
            add(f"- {count} × {reason}")
        add("")

    add("## Verdicts")
    add("")
    add("| direction | compatible | breaking | unknown |")
    add("|---|---:|---:|---:|")
    for d in DIRECTIONS:
        c = Counter(r.verdicts.get(d) for r in reports if r.verdicts)
        add(f"| {d} | {c['compatible']} | {c['breaking']} | {c['unknown']} |")
    if len(settings.formats) > 1:
        for mode in settings.formats:
            for d in DIRECTIONS:
                c = Counter(r.verdicts.get(d) for r in reports if r.verdicts and r.formats == mode)
                add(f"| {d}, formats `{mode}` | {c['compatible']} | {c['breaking']} | "
                    f"{c['unknown']} |")
    add("")
    refuted = Counter(d for r in reports for d in r.unknown_refuted)
    if refuted:
        add(f"`unknown` verdicts for which the fuzzer found a counterexample (not a bug: the "
            f"engine did not claim `compatible`): backward {refuted['backward']}, forward "
            f"{refuted['forward']}.")
        add("")

    found = classes(reports)
    counts = Counter(p.kind for r in reports for p in r.problems)
    add("## Problems found")
    add("")
    themes = themed(found)
    add("| kind | occurrences | causes | shapes |")
    add("|---|---:|---:|---:|")
    for kind in ("unsound", "bad-witness", "crash", "overrun", "hang"):
        add(f"| {kind} | {counts.get(kind, 0)} | {sum(1 for t in themes if t[0] == kind)} | "
            f"{sum(1 for c in found if c.kind == kind)} |")
    add("")
    add("Reproducers are shrunk (keywords, subschemas and instance parts dropped while the "
        "failure persists). A *shape* groups problems whose shrunk schemas are the same up "
        "to their scalars (reduced to their kind); a *cause* groups shapes by what they have "
        "in common (big numbers in the schemas, mixed drafts, the exception and where it was "
        "raised, ...). Each cause shows its smallest reproducer, then one line per shape.")
    if reproducers is not None:
        add(f"Reproducers as JSON, one per shape: `{reproducers}/<kind>-<nnn>.json` (replay "
            "one with `bench/fuzz.py --replay FILE`).")
    add("")
    titles = {"unsound": "Unsound verdicts (`compatible` with a counterexample)",
              "bad-witness": "Bad witnesses", "crash": "Crashes",
              "overrun": "Overruns (the engine went on far past its timeout)",
              "hang": "Hangs (a pair that never answered: killed)"}
    for kind, title in titles.items():
        add(f"### {title}")
        add("")
        mine = [t for t in themes if t[0] == kind]
        if not mine:
            add("None found.")
            add("")
            continue
        for _, cause, group in mine:
            members = [m for c in group for m in c.members]
            rep = min((c.representative for c in group),
                      key=lambda p: (not p.shrunk, len(dump([p.old, p.new, p.instance]))))
            add(f"**{cause}** — {len(members)} occurrence(s), {len(group)} shape(s); first "
                f"at pair {min(m.index for m in members)}")
            add("")
            add(_reproducer(rep, kind))
            add("")
            if len(group) > 1:
                add(f"<details><summary>the {len(group)} shapes</summary>")
                add("")
                for cls in group:
                    r = cls.representative
                    tail = f"; `{dump(r.instance)}`" if kind in ("unsound", "bad-witness") else ""
                    add(f"- {kind}-{found.index(cls) + 1:03d} ({len(cls.members)}×): "
                        f"`{_cell(dump(r.old), 200)}` → `{_cell(dump(r.new), 200)}`"
                        f"{f', {r.direction}' if r.direction else ''}{tail}")
                add("")
                add("</details>")
                add("")
    add("## Judge disagreements")
    add("")
    dis = [d for r in reports for d in r.disagreements]
    if not dis:
        add("None.")
    else:
        add(f"{sum(r.disputes for r in reports)} instances on which the two judges split, "
            "where it decides a verdict check (a counterexample candidate or a witness): not "
            "counted as engine bugs. The first few of each pair are kept, schema and instance "
            f"shrunk while the judges still split ({len(dis)} kept), and grouped by the "
            "construct they involve.")
        add("")
        add("| construct | on counterexamples | on witnesses | example schema | instance | "
            "jsonschema-rs | python-jsonschema+regress |")
        add("|---|---:|---:|---|---|---|---|")
        by: dict[str, list[Any]] = defaultdict(list)
        for d in dis:
            by[d.construct].append(d)
        for construct, items in sorted(by.items(), key=lambda kv: -len(kv[1])):
            ex = min(items, key=lambda d: len(dump([d.schema, d.instance])))
            ctx = Counter(d.context for d in items)
            answers = [("valid" if v else "invalid") for v in ex.answers.values()]
            add(f"| {_cell(construct)} | {ctx['counterexample']} | {ctx['witness']} | "
                f"`{_cell(dump(ex.schema), 120)}` | `{_cell(dump(ex.instance), 60)}` | "
                f"{answers[0]} | {answers[1]} |")
    add("")
    add("## Unknown rate per keyword family")
    add("")
    add("A pair counts in every family whose keywords it contains (either side). Rate: "
        "directions answered `unknown` over directions answered, on pairs the engine "
        "answered. *Readings differ*: unknown directions whose answer depends on the "
        "validator (a keyword python-jsonschema and jsonschema-rs read differently, with the "
        "change breaking under one reading only): no tool could answer them for both; the "
        "last column leaves them out.")
    add("")
    add("| family | pairs | directions | unknown | rate | readings differ | rate without |")
    add("|---|---:|---:|---:|---:|---:|---:|")
    answered = [r for r in reports if r.verdicts]

    def row(name: str, members: list[PairReport]) -> str:
        total = 2 * len(members)
        unknown = [r.unknown_reasons.get(d, "") for r in members for d in DIRECTIONS
                   if r.verdicts.get(d) == "unknown"]
        split = sum(1 for why in unknown if READINGS_DIFFER in why)

        def pct(n: int, of: int) -> str:
            return f"{100 * n / of:.1f} %" if of else "—"
        return (f"| {name} | {len(members)} | {total} | {len(unknown)} | "
                f"{pct(len(unknown), total)} | {split} | "
                f"{pct(len(unknown) - split, total - split)} |")

    for fam in FAMILY_ORDER:
        add(row(fam, [r for r in answered if fam in r.families]))
    add(row("**all**", answered))
    add("")
    _unknown_reasons(add, answered)
    add("## Effort")
    add("")
    engine = sorted(r.engine_seconds for r in reports if r.verdicts)
    cands = [r.candidates for r in reports if r.verdicts]
    if engine:
        add(f"- engine time per pair: median {engine[len(engine) // 2] * 1000:.0f} ms, "
            f"max {engine[-1]:.1f} s")
    if cands:
        add(f"- instances per answered pair: mean {sum(cands) / len(cands):.0f}; witnesses "
            f"checked: {sum(r.witnesses_checked for r in reports)}; instances a judge could "
            f"not take (lone surrogates...): {sum(r.unjudgeable for r in reports)}")
    errors = [r for r in reports if r.status == "fuzzer-error"]
    if errors:
        add(f"- fuzzer errors (bugs of the fuzzer, not the engine): {len(errors)}; first: "
            f"`{_cell(errors[0].reason.splitlines()[0], 200)}`")
    add("")
    return "\n".join(lines)


# What an engine reason says when the answer depends on the validator's reading (engine.py).
READINGS_DIFFER = "the answer depends on the validator"


def _reason_class(reason: str) -> str:
    """A reason without the names and values it quotes, so that alike reasons count together."""
    reason = re.sub(r"'[^']*'|\"[^\"]*\"|https?://\S+|(?<![\w-])\d+(?![\w-])", "…", reason)
    return reason.split(" at ")[0].strip()[:110]


def _unknown_reasons(add: Any, answered: list[PairReport]) -> None:
    """The engine's most frequent reasons for `unknown`, overall and per family: where
    deciding more would settle the most verdicts."""
    overall: Counter[str] = Counter()
    per_family: dict[str, Counter[str]] = {}
    for r in answered:
        for d in DIRECTIONS:
            if r.verdicts.get(d) != "unknown":
                continue
            why = _reason_class(r.unknown_reasons.get(d, "")) or "(no reason recorded)"
            overall[why] += 1
            for fam in r.families:
                per_family.setdefault(fam, Counter())[why] += 1
    if not overall:
        return
    add("### Why `unknown`")
    add("")
    add("The engine's reasons (quoted names and numbers left out), most frequent first; per "
        "family, the three most frequent.")
    add("")
    add("| reason | directions |")
    add("|---|---:|")
    for why, n in overall.most_common(12):
        add(f"| {_cell(why, 110)} | {n} |")
    add("")
    add("| family | most frequent reasons |")
    add("|---|---|")
    for fam in FAMILY_ORDER:
        top = per_family.get(fam)
        if top:
            add(f"| {fam} | " + "; ".join(f"{_cell(w, 80)} ({n})" for w, n in top.most_common(3))
                + " |")
    add("")


def _reproducer(rep: Problem, kind: str) -> str:
    lines = [f"- origin: {rep.origin or '?'}, format mode `{rep.formats}`"
             + ("" if rep.shrunk else (" (not shrunk)" if kind in ("overrun", "hang")
                                       else " (shrinking stopped at its time limit)"))]
    if rep.old is not None:
        lines += [f"- OLD: `{dump(rep.old)}`", f"- NEW: `{dump(rep.new)}`"]
    if rep.direction:
        lines.append(f"- direction: {rep.direction}")
    if kind in ("unsound", "bad-witness"):
        lines.append(f"- instance: `{dump(rep.instance)}`")
    lines.append(f"- {'judges' if kind in ('unsound', 'bad-witness') else 'detail'}: "
                 f"{rep.detail}")
    if rep.engine_input != "json":
        lines.append("- engine input: the Python value (the JSON loader refuses this text)")
    return "\n".join(lines)


def cause(problem: Problem) -> str:
    """What a problem has in common with others of the same origin, as far as can be read
    off the reproducer."""
    if problem.kind == "overrun":
        return "compare() still running long after its timeout"
    if problem.kind in ("crash", "hang"):
        return problem.detail.split(": ", 1)[0] + (
            f" in {problem.detail.rsplit('[in ', 1)[-1].rstrip(']')}"
            if "[in " in problem.detail else "")
    if _big(problem.old) or _big(problem.new):
        return "integers beyond 2^53 in the schemas"
    if draft_of(problem.old) != draft_of(problem.new):
        return "mixed drafts"
    if has_embedded_id(problem.old) or has_embedded_id(problem.new):
        return "embedded $id"
    used = sorted((keywords(problem.old) | keywords(problem.new)) - {"$schema"})
    return "keywords: " + ", ".join(used[:6])


def _big(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) >= 2**53
    if isinstance(value, dict):
        return any(_big(v) for v in value.values())
    if isinstance(value, list):
        return any(_big(v) for v in value)
    return False


def themed(found: list[ProblemClass]) -> list[tuple[str, str, list[ProblemClass]]]:
    """(kind, cause, shapes), most frequent cause first within each kind."""
    groups: dict[tuple[str, str], list[ProblemClass]] = defaultdict(list)
    for cls in found:
        groups[cls.kind, cause(cls.representative)].append(cls)
    order = {"unsound": 0, "bad-witness": 1, "crash": 2, "hang": 3, "overrun": 4}
    return [(k, c, g) for (k, c), g in sorted(
        groups.items(), key=lambda kv: (order.get(kv[0][0], 9),
                                        -sum(len(x.members) for x in kv[1]), kv[0][1]))]


def _cell(text: str, limit: int = 400) -> str:
    text = text.replace("|", "\\|").replace("\n", " ").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason_kind(reason: str, limit: int = 70) -> str:
    text = reason.split("\n", 1)[0]
    for marker in (" at /", " at '", "(line"):
        text = text.split(marker, 1)[0]
    return _cell(text, limit)


def failures(reports: list[PairReport]) -> list[Problem]:
    return [p for r in reports for p in r.problems if p.kind in FAILING]


def describe(problem: Problem) -> str:
    """A reproducer as text, for a failing test's message."""
    return "\n".join([
        f"{problem.kind} (pair {problem.index}, {problem.origin}; mutations: "
        f"{'; '.join(problem.mutations)})",
        f"  OLD: {dump(problem.old)}",
        f"  NEW: {dump(problem.new)}",
        *([f"  direction: {problem.direction}"] if problem.direction else []),
        *([f"  instance: {dump(problem.instance)}"] if problem.kind != "crash" else []),
        f"  {problem.detail}",
    ])


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
