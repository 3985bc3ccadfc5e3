"""The attack on one pair: run the engine, then try to refute each verdict.

- ``compatible``: look for an instance valid under the source side and invalid under the
  target side by *both* judges: an UNSOUND verdict.
- ``breaking``: every witness (the verdict's and the findings') must be valid under the
  source side and invalid under the target side by both judges, else a BAD WITNESS.
- an exception out of the engine other than a clean ``SchemaError``/``LoadError``: a CRASH.
- ``unknown``: attacked too, for the record (a counterexample found there is not a bug).

Where the judges split on an instance that decides one of these questions, nothing is
claimed: it is a JUDGE DISAGREEMENT, reported with the construct behind it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import random
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from schema_compat._json import parse_json
from schema_compat.engine import Options, compare
from schema_compat.errors import LoadError, SchemaError
from schema_compat.findings import BREAKING, COMPATIBLE, UNKNOWN, ComparisonResult
from schema_compat.loading import SchemaDocument
from schema_compat.schema import load_root
from schema_compat.semantics import MISSING, Checker

from . import instances as I
from .grammar import Pair
from .judges import Bench
from .schemas import draft_of, families, keywords, subschemas

BACKWARD, FORWARD = "backward", "forward"
# Does the engine take a format mode (assert / annotation) per comparison?
ENGINE_FORMAT_MODES = "formats" in {f.name for f in dataclasses.fields(Options)}
DIRECTIONS = (BACKWARD, FORWARD)


@dataclass
class Settings:
    timeout: float = 2.0  # the engine's Options(timeout=...)
    # Format modes the pairs take in turn (pair i: formats[i % len]); the engine gets the
    # mode (Options.formats) and the judges assert formats exactly when it is "assert".
    formats: tuple[str, ...] = ("assert", "annotation")
    candidates: int = 400  # instances per pair, at most
    shrink_seconds: float = 30.0
    shrink: bool = True
    # hypothesis-jsonschema: seconds per draw of examples (0: not used). Its values come in a
    # fixed order, but how many fit in the time depends on the machine: a run that must be
    # exactly repeatable (the smoke test) goes without.
    hypothesis_seconds: float = 0.1
    # A grammar family drawn far more often (grammar.make_pair), or None.
    focus: str | None = None

    @property
    def mode(self) -> str:
        return self.formats[0]

    @property
    def assert_formats(self) -> bool:
        return self.mode == "assert"

    def for_pair(self, index: int) -> Settings:
        return dataclasses.replace(self, formats=(self.formats[index % len(self.formats)],))

    def options(self) -> Options:
        if ENGINE_FORMAT_MODES:
            return Options(timeout=self.timeout, formats=self.mode)  # type: ignore[call-arg]
        return Options(timeout=self.timeout)

    @property
    def overrun(self) -> float:
        """Past this, an engine call is stopped and reported: far beyond its own timeout."""
        return self.timeout * 5 + 10


@dataclass
class Problem:
    kind: str  # unsound | bad-witness | crash | overrun
    direction: str | None
    old: Any
    new: Any
    instance: Any = None
    detail: str = ""
    engine_input: str = "json"
    origin: str = ""
    index: int = -1
    mutations: list[str] = field(default_factory=list)
    shrunk: bool = False
    original: dict[str, Any] | None = None  # the pair before shrinking
    formats: str = "assert"  # the format mode of the comparison

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "direction": self.direction, "old": self.old,
                "new": self.new, "instance": self.instance, "detail": self.detail,
                "engine_input": self.engine_input, "formats": self.formats, "origin": self.origin,
                "index": self.index,
                "mutations": self.mutations, "shrunk": self.shrunk, "original": self.original}


@dataclass
class Disagreement:
    construct: str
    context: str  # counterexample | witness
    schema: Any
    instance: Any
    answers: dict[str, bool]

    def to_json(self) -> dict[str, Any]:
        return {"construct": self.construct, "context": self.context, "schema": self.schema,
                "instance": self.instance, "answers": self.answers}


@dataclass
class PairReport:
    index: int
    origin: str
    families: list[str]
    status: str = "ok"  # ok | skipped | crash | engine-refused | overrun
    formats: str = "assert"
    reason: str = ""
    verdicts: dict[str, str] = field(default_factory=dict)
    # The engine's reason for each direction it answered `unknown`.
    unknown_reasons: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    unknown_refuted: dict[str, Any] = field(default_factory=dict)
    candidates: int = 0
    unjudgeable: int = 0
    disputes: int = 0  # instances on which the judges split (the first few are kept)
    witnesses_checked: int = 0
    seconds: float = 0.0
    engine_seconds: float = 0.0


# -- the engine, run as a user would run it ---------------------------------------------------


class Overrun(BaseException):
    """An engine call went on far past its timeout (a BaseException: the engine's own
    ``except Exception`` must not swallow it)."""


_DEADLINES: list[float] = []


def _fire(signum: int, frame: Any) -> None:
    if _DEADLINES and time.monotonic() >= min(_DEADLINES) - 0.001:
        raise Overrun("stopped at its time limit")


def _arm() -> None:
    # The timer repeats: where the interruption lands in code that swallows it (a garbage
    # collector callback), the next one comes 50 ms later.
    if _DEADLINES:
        signal.setitimer(signal.ITIMER_REAL,
                         max(0.001, min(_DEADLINES) - time.monotonic()), 0.05)
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _quiet_unraisable(info: Any) -> None:
    if not isinstance(info.exc_value, Overrun):
        sys.__unraisablehook__(info)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread only; elsewhere: no limit). Limits
    nest: an inner block never lifts an outer one's."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = time.monotonic() + seconds
    if not _DEADLINES:
        signal.signal(signal.SIGALRM, _fire)
        sys.unraisablehook = _quiet_unraisable
    _DEADLINES.append(deadline)
    _arm()
    try:
        yield
    finally:
        _DEADLINES.remove(deadline)
        _arm()
        if not _DEADLINES:
            sys.unraisablehook = sys.__unraisablehook__


def _document(schema: Any, name: str) -> tuple[SchemaDocument, str]:
    """The engine's document: read from the JSON text through the loader (what every CLI
    user gets), or the Python value itself when the loader refuses the text (what a library
    caller can hand ``compare``)."""
    text = json.dumps(schema)
    try:
        return SchemaDocument(name="fuzz", version=None, source=name,
                              document=parse_json(text, name)), "json"
    except LoadError:
        return SchemaDocument(name="fuzz", version=None, source=name, document=schema), "object"


@dataclass
class EngineRun:
    result: ComparisonResult | None = None
    refused: str = ""
    crash: str = ""  # "<Type>: <message> [at file:line in function]"
    crash_where: str = ""
    traceback: str = ""
    overrun: str = ""
    engine_input: str = "json"
    seconds: float = 0.0


def run_engine(old: Any, new: Any, settings: Settings) -> EngineRun:
    (old_doc, m1), (new_doc, m2) = _document(old, "old.json"), _document(new, "new.json")
    run = EngineRun(engine_input="json" if m1 == m2 == "json" else "object")
    before = I.key([old, new])
    start = time.monotonic()
    try:
        with time_limit(settings.overrun):
            run.result = compare(old_doc, new_doc, settings.options())
    except (SchemaError, LoadError) as exc:
        run.refused = str(exc)
    except Overrun:
        run.overrun = (f"compare() still running after {settings.overrun:.0f} s with "
                       f"Options(timeout={settings.timeout:g}): stopped")
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        frames = [f for f in tb if "schema_compat" in f.filename] or list(tb)
        last = frames[-1] if frames else None
        run.crash_where = (f"{last.filename.rsplit('/', 1)[-1]}:{last.name}" if last else "?")
        run.crash = f"{type(exc).__name__}: {_line(str(exc))} [in {run.crash_where}]"
        run.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    run.seconds = time.monotonic() - start
    if not run.crash and I.key([old, new]) != before:
        run.crash = "InputModified: compare() changed the schema documents it was given [in engine]"
        run.crash_where = "engine"
    return run


def _line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:159] + "…"


def witnesses(result: ComparisonResult) -> list[tuple[str, Any]]:
    """Every (direction, instance) the result offers as proof, de-duplicated."""
    out: list[tuple[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    all_w = [*result.backward.witnesses, *result.forward.witnesses]
    for f in result.findings:
        all_w.extend(f.witnesses)
    for w in all_w:
        k = (w.direction, I.key(w.instance))
        if k not in seen:
            seen.add(k)
            out.append((w.direction, w.instance))
    return out


# -- judging --------------------------------------------------------------------------------


@dataclass
class Court:
    """Both judges of both sides, with per-instance answers cached."""

    old: Bench
    new: Bench

    @classmethod
    def of(cls, old: Any, new: Any, settings: Settings) -> Court:
        return cls(Bench(old, formats=settings.assert_formats),
                   Bench(new, formats=settings.assert_formats))

    @property
    def refused(self) -> str:
        if self.old.refused:
            return f"old: {self.old.refused}"
        if self.new.refused:
            return f"new: {self.new.refused}"
        return ""

    def sides(self, direction: str) -> tuple[Bench, Bench]:
        return (self.old, self.new) if direction == BACKWARD else (self.new, self.old)

    def agree(self, instance: Any) -> bool:
        """Do the judges agree on the instance under both schemas? A witness is called bad
        only then: not when each judge rejects it for another reason (one reads a
        pattern's ``\\p{L}`` as a letter, the other lacks a format's checker)."""
        k = I.key(instance)
        verdicts = [side.verdicts(instance, k) for side in self.sides(BACKWARD)]
        return all(v is not None and v[0] == v[1] for v in verdicts)

    def separates(self, direction: str, instance: Any) -> tuple[bool, bool] | None:
        """Per judge (rs, py): is ``instance`` valid under the source side and invalid under
        the target side of ``direction``? None when a judge cannot take it."""
        k = I.key(instance)
        src, dst = self.sides(direction)
        a, b = src.verdicts(instance, k), dst.verdicts(instance, k)
        if a is None or b is None:
            return None
        return (a[0] and not b[0], a[1] and not b[1])


JUDGES = ("jsonschema-rs", "python-jsonschema+regress")


_ESCAPES = (("\\b", "\\b / \\B"), ("\\B", "\\b / \\B"), ("\\p{", "\\p{..}"),
            ("\\P{", "\\p{..}"), ("\\u{", "\\u{..}"), ("(?<", "lookbehind / named group"),
            ("\\k<", "lookbehind / named group"), ("[^]", "[^] / []"), ("[]", "[^] / []"),
            ("\\c", "\\c escape"), ("\\0", "\\0 escape"), ("\\x", "\\x escape"),
            ("\\d", "\\d \\w \\s classes"), ("\\w", "\\d \\w \\s classes"),
            ("\\s", "\\d \\w \\s classes"), ("\\S", "\\d \\w \\s classes"),
            ("\\W", "\\d \\w \\s classes"), ("\\D", "\\d \\w \\s classes"))


def construct_of(schema: Any, instance: Any) -> str:
    """The construct a judge disagreement most likely comes from, read off a (small, shrunk)
    schema and the instance: the first that applies, in order of how specific it is."""
    used = keywords(schema)
    draft = draft_of(schema)
    patterns = I.patterns_of(schema)
    for needle, tag in _ESCAPES:
        if any(needle in p for p in patterns):
            return f"pattern: {tag}"
    if patterns and any(ord(c) > 0xFFFF for p in patterns for c in p):
        return "pattern: astral characters"
    if "format" in used:
        names = sorted({sub["format"] for _, sub in subschemas(schema)
                        if isinstance(sub, dict) and isinstance(sub.get("format"), str)})
        return "format: " + ", ".join(names)
    if used & {"contentEncoding", "contentMediaType", "contentSchema"}:
        return f"contentEncoding / contentMediaType ({DRAFT_LABEL[draft]})"
    if draft >= 2019 and "dependencies" in used:
        return "dependencies in 2019-09 / 2020-12"
    if draft < 2019 and used & {"dependentRequired", "dependentSchemas", "unevaluatedProperties",
                                "unevaluatedItems", "prefixItems", "minContains", "maxContains"}:
        return "a 2019-09 keyword in an older draft"
    if draft == 2020 and "additionalItems" in used:
        return "additionalItems in 2020-12"
    if draft == 4 and used & {"const", "contains", "propertyNames", "if"}:
        return "a later keyword in draft-04"
    if "multipleOf" in used and _decimal_multiple(schema):
        return "multipleOf with decimals" + (", big numbers" if _has_big_int(instance) else "")
    if "multipleOf" in used and (_has_big_int(instance) or _has_big_int(schema)):
        return "multipleOf, big numbers"
    if _has_big_int(schema) or _has_big_int(instance):
        return "integers beyond 64 bits"
    if used & {"unevaluatedProperties", "unevaluatedItems"}:
        return f"unevaluated* ({DRAFT_LABEL[draft]})"
    if patterns:
        return "pattern (other)"
    if used & {"$ref", "$recursiveRef", "$dynamicRef"}:
        return "references"
    return "other: " + ", ".join(sorted(used - {"$schema"})[:4])


DRAFT_LABEL = {4: "draft-04", 6: "draft-06", 7: "draft-07", 2019: "2019-09", 2020: "2020-12"}


def _decimal_multiple(schema: Any) -> bool:
    for _, sub in subschemas(schema):
        if isinstance(sub, dict):
            m = sub.get("multipleOf")
            if isinstance(m, float) and not m.is_integer():
                return True
    return False


def _disagreement(context: str, side: Bench, inst: Any, settings: Settings) -> Disagreement:
    from .shrink import shrink_disagreement

    schema, small = side.document, inst
    if settings.shrink:
        schema, small = shrink_disagreement(side.document, inst, settings)
    bench = Bench(schema, formats=settings.assert_formats)
    answers = bench.verdicts(small, I.key(small)) if not bench.refused else None
    return Disagreement(construct_of(schema, small), context, schema, small,
                        dict(zip(JUDGES, answers or (False, False))))


def _has_big_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= 2**63
    if isinstance(value, float):
        return abs(value) >= 2**63 and value.is_integer()
    if isinstance(value, dict):
        return any(_has_big_int(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_big_int(v) for v in value)
    return False


# -- the attack -----------------------------------------------------------------------------


class _Attack:
    def __init__(self, pair: Pair, court: Court, result: ComparisonResult, settings: Settings,
                 rng: random.Random, report: PairReport, seed: int) -> None:
        self.pair = pair
        self.court = court
        self.result = result
        self.settings = settings
        self.rng = rng
        self.report = report
        self.seed = seed
        self.pool = I.Pool(settings.candidates)
        self.judged = 0
        self.open = {d: result.direction(d).status for d in DIRECTIONS
                     if result.direction(d).status in (COMPATIBLE, UNKNOWN)}
        self.found: dict[str, Any] = {}
        self.disputes = 0

    def done(self) -> bool:
        return all(d in self.found for d in self.open)

    def judge_new(self) -> None:
        for inst in self.pool.items[self.judged:]:
            self.judged += 1
            for d in self.open:
                if d in self.found:
                    continue
                sep = self.court.separates(d, inst)
                if sep is None:
                    self.report.unjudgeable += 1
                    break
                if sep[0] and sep[1]:
                    self.found[d] = inst
                elif sep[0] != sep[1]:
                    self.dispute("counterexample", d, inst, sep)
            if self.done():
                return

    def dispute(self, context: str, direction: str, inst: Any, sep: tuple[bool, bool]) -> None:
        self.disputes += 1
        self.report.disputes += 1
        if self.disputes > 3:
            return  # the first few of a pair are shrunk and shown; the rest only counted
        src, dst = self.court.sides(direction)
        a = src.verdicts(inst, I.key(inst))
        # The side where the judges split is the one to show.
        side = src if a is not None and a[0] != a[1] else dst
        self.report.disagreements.append(_disagreement(context, side, inst, self.settings))

    def add(self, values: list[Any]) -> bool:
        self.pool.extend(v for v in values if I.small_enough(v))
        self.judge_new()
        return self.done() or self.pool.full

    def run(self) -> None:
        pair, rng = self.pair, self.rng
        names, lits = I.literals(pair.old, pair.new)
        edges = I.edge_pool(rng, lits)
        bases = self.engine_examples()
        if self.add(bases + lits + I.edge_pool(rng, [])):
            return
        patterns = I.patterns_of(pair.old, pair.new)
        strings = [t for p in patterns[:6] for t in I.pattern_strings(rng, p, 12)]
        keyed = [{t: rng.choice(edges)} for t in strings[:30]]
        if self.add(strings + keyed + I.structural(rng, names + strings[:10], edges + strings, 60)):
            return
        seeds = bases + [v for v in self.pool.items if isinstance(v, (dict, list)) and v]
        if self.add([I.mutate_instance(rng, rng.choice(seeds), edges, names)
                     for _ in range(60)] if seeds else []):
            return
        subs = edges + I.subschema_examples(pair.new, pair.mutated_paths) + \
            I.subschema_examples(pair.old, pair.mutated_paths)
        if self.add(I.embedded(rng, bases or [{}], pair.mutated_paths, subs, 60)):
            return
        # hypothesis-jsonschema, on the side each open direction starts from.
        for d in self.open:
            if d in self.found or self.settings.hypothesis_seconds <= 0:
                continue
            hrng = random.Random(f"{self.seed}:{self.report.index}:hypothesis:{d}")
            src, dst = (pair.old, pair.new) if d == BACKWARD else (pair.new, pair.old)
            if len(json.dumps(src)) > 20_000 or draft_of(src) not in (4, 6, 7):
                continue  # hypothesis-jsonschema knows drafts 4 to 7; large ones are slow
            seconds = self.settings.hypothesis_seconds
            drawn = I.hypothesis_examples(src, 12, self.seed, seconds)
            if I.ref_free(src) and I.ref_free(dst) and isinstance(src, dict):
                target = {k: v for k, v in dst.items() if k != "$schema"} \
                    if isinstance(dst, dict) else dst
                drawn += I.hypothesis_examples({"allOf": [src, {"not": target}]}, 8, self.seed,
                                               seconds)
            mutated = [I.mutate_instance(hrng, hrng.choice(drawn), edges, names)
                       for _ in range(30)] if drawn else []
            if self.add(drawn + mutated):
                return
        rest = self.settings.candidates - len(self.pool.items)
        if rest > 0 and seeds:
            self.add([I.mutate_instance(rng, rng.choice(seeds), edges, names)
                      for _ in range(rest)])

    def engine_examples(self) -> list[Any]:
        out: list[Any] = []
        try:
            with time_limit(5):
                old_root = load_root(copy.deepcopy(self.pair.old), "old")
                new_root = load_root(copy.deepcopy(self.pair.new), "new")
                for build in (lambda: Checker(max_steps=20_000).example(old_root),
                              lambda: Checker(max_steps=20_000).example(new_root),
                              lambda: Checker(max_steps=20_000).example_of(old_root, new_root)):
                    value = build()
                    if value is not MISSING:
                        out.append(value)
        except (Exception, Overrun):
            pass
        return out


def attack(pair: Pair, index: int, seed: int, settings: Settings,
           phase: Callable[[str], None] = lambda _: None) -> PairReport:
    """Everything the fuzzer learns from one pair."""
    start = time.monotonic()
    settings = settings.for_pair(index)
    report = PairReport(index, pair.origin, families(pair.old, pair.new), formats=settings.mode)
    shrinks = [3]  # at most this many problems of one pair are shrunk

    def shrinking() -> bool:
        shrinks[0] -= 1
        return settings.shrink and shrinks[0] >= 0

    phase("engine")
    run = run_engine(pair.old, pair.new, settings)
    report.engine_seconds = run.seconds
    phase("judges")
    court = Court.of(pair.old, pair.new, settings)
    if run.crash or run.overrun:
        # The engine failed on the pair itself: one problem, shrunk on the same failure.
        kind, detail = ("crash", run.crash) if run.crash else ("overrun", run.overrun)
        report.status, report.reason = kind, detail
        problem = Problem(kind, None, pair.old, pair.new, detail=detail,
                          engine_input=run.engine_input, origin=pair.origin, index=index,
                          mutations=pair.mutations)
        if settings.shrink:
            phase("shrink")
            from .shrink import shrink_crash, shrink_overrun
            if run.crash:
                shrink_crash(problem, run.crash_where, settings)
            else:
                shrink_overrun(problem, settings)
        report.problems.append(problem)
    elif court.refused:
        report.status = "skipped"
        report.reason = court.refused
    elif run.refused:
        report.status = "engine-refused"
        report.reason = run.refused
    if report.status != "ok" or run.result is None:
        report.seconds = time.monotonic() - start
        return _stamped(report, settings)

    refute(pair, run.result, court, report, seed, settings, shrinking, phase,
           engine_input=run.engine_input)
    report.seconds = time.monotonic() - start
    return _stamped(report, settings)


def _stamped(report: PairReport, settings: Settings) -> PairReport:
    for problem in report.problems:
        problem.formats = settings.mode
    return report


def refute(pair: Pair, result: ComparisonResult, court: Court, report: PairReport, seed: int,
           settings: Settings, shrinking: Callable[[], bool] = lambda: False,
           phase: Callable[[str], None] = lambda _: None, *, engine_input: str = "json") -> None:
    """Check ``result``'s witnesses and attack its ``compatible`` (and ``unknown``)
    verdicts; what is found goes into ``report``."""
    index = report.index
    report.verdicts = {d: result.direction(d).status for d in DIRECTIONS}
    report.unknown_reasons = {d: result.direction(d).reason or "" for d in DIRECTIONS
                              if result.direction(d).status == "unknown"}
    phase("witnesses")
    for direction, inst in witnesses(result):
        report.witnesses_checked += 1
        sep = court.separates(direction, inst)
        if sep is None:
            report.unjudgeable += 1
            continue
        if not sep[0] and not sep[1] and court.agree(inst):
            problem = Problem("bad-witness", direction, pair.old, pair.new, inst,
                              _answers(court, direction, inst), engine_input, pair.origin,
                              index, pair.mutations)
            if shrinking():
                phase("shrink")
                from .shrink import shrink_bad_witness
                shrink_bad_witness(problem, settings)
            report.problems.append(problem)
        elif sep[0] != sep[1] or not court.agree(inst):
            report.disputes += 1
            src, dst = court.sides(direction)
            a = src.verdicts(inst, I.key(inst))
            side = src if a is not None and a[0] != a[1] else dst
            report.disagreements.append(_disagreement("witness", side, inst, settings))

    phase("attack")
    rng = random.Random(f"{seed}:{index}:instances")
    atk = _Attack(pair, court, result, settings, rng, report, seed)
    try:
        with time_limit(max(60.0, settings.overrun)):
            atk.run()
    except Overrun:
        report.reason = "instance generation stopped after its time limit"
    report.candidates = len(atk.pool.items)
    for direction, inst in atk.found.items():
        if result.direction(direction).status == COMPATIBLE:
            problem = Problem("unsound", direction, pair.old, pair.new, inst,
                              _answers(court, direction, inst), engine_input, pair.origin,
                              index, pair.mutations)
            if shrinking():
                phase("shrink")
                from .shrink import shrink_unsound
                shrink_unsound(problem, settings)
            report.problems.append(problem)
        else:
            report.unknown_refuted[direction] = inst


def _answers(court: Court, direction: str, inst: Any) -> str:
    src, dst = court.sides(direction)
    k = I.key(inst)
    a, b = src.verdicts(inst, k), dst.verdicts(inst, k)
    source = "old" if direction == BACKWARD else "new"
    target = "new" if direction == BACKWARD else "old"

    def say(v: tuple[bool, ...] | None) -> str:
        if v is None:
            return "?"
        return "/".join("valid" if x else "invalid" for x in v)

    return (f"{source}: {say(a)}, {target}: {say(b)} "
            f"(jsonschema-rs/python-jsonschema+regress)")


__all__ = ["BREAKING", "Court", "PairReport", "Problem", "Settings", "attack", "run_engine"]
