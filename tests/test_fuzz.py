"""Differential fuzzing of the engine (tests/fuzz/): the smoke run, and checks of the fuzzer.

The smoke run compares a fixed set of random schema pairs (seed SMOKE_SEED, pairs
0..SMOKE_PAIRS-1: a fixed number, not a time budget, so the run is the same everywhere) and
fails on any unsound ``compatible`` verdict, bad witness or crash, printing each shrunk
reproducer. It runs in one worker process with a hard time limit per pair, without
hypothesis-jsonschema (whose output depends on timing); the long run (bench/fuzz.py) uses it.

The checks of the fuzzer itself make sure it can see each class of bug the engine has been
known to have: handed a verdict of ``compatible`` for pairs that are not, it must find the
counterexample; handed a witness that proves nothing, it must say so.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fuzz import runner
from fuzz.attack import Court, PairReport, Settings, attack, refute
from fuzz.grammar import Pair, corpus_files, make_pair
from fuzz.schemas import FAMILY_ORDER, draft_of, families
from schema_compat.findings import (
    BREAKING,
    COMPATIBLE,
    UNKNOWN,
    ComparisonResult,
    DirectionVerdict,
    Witness,
)

SMOKE_SEED = 20_260_801
SMOKE_PAIRS = 3_000

class EngineProblems(AssertionError):
    """Unsound verdicts, bad witnesses or crashes found in the engine (a failure of the
    fuzzer itself is reported apart)."""


def test_smoke_run_finds_no_unsound_verdict_bad_witness_or_crash() -> None:
    settings = Settings(timeout=2.0, formats=runner.format_modes(), hypothesis_seconds=0.0,
                        shrink_seconds=5.0)
    reports = runner.run(SMOKE_SEED, SMOKE_PAIRS, jobs=1, settings=settings)
    errors = [r for r in reports if r.status == "fuzzer-error"]
    assert not errors, f"the fuzzer itself failed:\n{errors[0].reason}"
    hangs = [r for r in reports if r.status == "hang"]
    assert not hangs, "pairs that never answered: " + ", ".join(
        f"{r.index} ({r.reason})" for r in hangs)
    problems = runner.failures(reports)
    shown = [c.representative for c in runner.classes(reports) if c.kind in runner.FAILING]
    if problems:
        raise EngineProblems(
            f"{len(problems)} problem(s) in {len(shown)} class(es); one shrunk reproducer per "
            "class:\n\n" + "\n\n".join(runner.describe(p) for p in shown))


# -- the fuzzer's own checks ---------------------------------------------------------------------

SETTINGS = Settings(timeout=2.0, hypothesis_seconds=0.0, shrink=False)


def test_pairs_are_deterministic() -> None:
    for index in range(40):
        a, b = make_pair(5, index), make_pair(5, index)
        assert json.dumps(a.to_json()) == json.dumps(b.to_json())
    assert json.dumps(make_pair(5, 1).to_json()) != json.dumps(make_pair(5, 2).to_json())


def test_grammar_reaches_every_family_and_draft() -> None:
    seen_families: set[str] = set()
    drafts: set[int] = set()
    for index in range(400):
        pair = make_pair(11, index, corpus=False)
        seen_families.update(families(pair.old, pair.new))
        drafts.update((draft_of(pair.old), draft_of(pair.new)))
    assert set(FAMILY_ORDER) <= seen_families, set(FAMILY_ORDER) - seen_families
    assert drafts == {4, 6, 7, 2019, 2020}


def test_corpus_mutations_when_the_corpus_is_there() -> None:
    if not corpus_files():
        pytest.skip("the SchemaStore corpus (/work/shared/corpus/schemastore) is absent")
    origins = [make_pair(3, i).origin for i in range(200)]
    assert any(o.startswith("corpus:") for o in origins)
    assert any(o == "grammar" for o in origins)


def _claim(old: Any, new: Any, backward: DirectionVerdict,
           forward: DirectionVerdict) -> PairReport:
    """What the attack finds when the engine's answer is the one given."""
    pair = Pair(old, new, "test")
    result = ComparisonResult("t", None, None, backward, forward, "FULL", "none")
    report = PairReport(0, "test", families(old, new))
    refute(pair, result, Court.of(old, new, SETTINGS), report, 1, SETTINGS)
    return report


OK = DirectionVerdict(COMPATIBLE)

# Each a class of bug the engine has had: (old, new, the directions that are not compatible).
NOT_COMPATIBLE = [
    pytest.param({"const": 1}, {"const": True}, {"backward", "forward"}, id="1-vs-true"),
    pytest.param({"enum": [0, "a"]}, {"enum": [False, "a"]}, {"backward", "forward"},
                 id="0-vs-false"),
    pytest.param({"const": 18446744073709551617}, {"const": 18446744073709551616},
                 {"backward", "forward"}, id="integers-beyond-64-bits"),
    pytest.param({"type": "object", "properties": {"id": {"type": "string"}},
                  "additionalProperties": False, "propertyNames": {"maxLength": 4}},
                 {"type": "object", "properties": {"id": {"type": "string"}},
                  "propertyNames": {"maxLength": 4}}, {"forward"}, id="propertyNames"),
    pytest.param({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"},
                 {"type": "integer"}, {"forward"}, id="draft-04-integer"),
    pytest.param({"$defs": {"x": {"type": "string"}},
                  "properties": {"p": {"$id": "http://example.com/p.json",
                                       "$defs": {"x": {"type": "integer"}},
                                       "$ref": "#/$defs/x"}}},
                 {"$defs": {"x": {"type": "string"}},
                  "properties": {"p": {"$defs": {"x": {"type": "integer"}},
                                       "$ref": "#/$defs/x"}}},
                 {"backward", "forward"}, id="embedded-id"),
    # ECMA-262's $ does not match before a final newline: "abcd\n" is no counterexample
    # forward (Python's re would say it is).
    pytest.param({"type": "string", "maxLength": 4}, {"type": "string", "pattern": "^[0-9a-f]{4}$"},
                 {"backward"}, id="ecma-dollar"),
    pytest.param({"type": "array", "items": {"type": "integer"}, "uniqueItems": True},
                 {"type": "array", "items": {"type": "integer"}}, {"forward"},
                 id="uniqueItems"),
]


@pytest.mark.parametrize(("old", "new", "broken"), NOT_COMPATIBLE)
def test_attack_finds_the_counterexample(old: Any, new: Any, broken: set[str]) -> None:
    report = _claim(old, new, OK, OK)
    found = {p.direction for p in report.problems if p.kind == "unsound"}
    assert found == broken, [(p.direction, p.instance, p.detail) for p in report.problems]


def test_attack_keeps_quiet_on_equivalent_schemas() -> None:
    report = _claim({"type": "integer", "exclusiveMinimum": 0},
                    {"type": "integer", "minimum": 1}, OK, OK)
    assert not report.problems


def test_a_witness_that_proves_nothing_is_reported() -> None:
    old, new = {"type": "integer", "maximum": 10}, {"type": "integer", "maximum": 5}
    good = DirectionVerdict(BREAKING, (Witness("backward", 7),))
    assert not _claim(old, new, good, OK).problems
    bad = DirectionVerdict(BREAKING, (Witness("backward", 3),))
    (problem,) = _claim(old, new, bad, OK).problems
    assert (problem.kind, problem.direction, problem.instance) == ("bad-witness", "backward", 3)


def test_a_witness_each_judge_rejects_for_another_reason_is_a_dispute() -> None:
    """Bad only when the judges agree under both schemas: here jsonschema-rs reads \\p{L} as
    a letter (the new side rejects "é": "a") and python-jsonschema with ECMA-262 patterns
    reads it as the letters p{L} (the new side accepts it); the reference reads it as a
    break."""
    old = {"properties": {"é": {"format": "json-pointer"}}}
    new = {"patternProperties": {"^\\p{L}+$": {"type": "boolean"}}}
    witness = DirectionVerdict(BREAKING, (Witness("forward", {"é": "a"}),))
    report = _claim(old, new, DirectionVerdict(UNKNOWN), witness)
    assert not report.problems
    assert report.disputes >= 1


def test_a_witness_each_judge_accepts_for_another_reason_is_a_dispute() -> None:
    """Found by the long run of seed 2033: "a" under the new side is valid for jsonschema-rs
    (\\p{L} a letter) and was valid for python-jsonschema, which skipped json-pointer for
    want of the jsonpointer package: both accepted the witness, each by another branch. The
    python judge now checks such a format as jsonschema-rs does (the engine's assert mode),
    rejects it in the first branch, accepts it in none: the judges split, a dispute."""
    old: dict[str, Any] = {}
    new = {"anyOf": [{"format": "json-pointer"}, {"oneOf": [{"pattern": "^\\p{L}+$"}]}]}
    witness = DirectionVerdict(BREAKING, (Witness("backward", "a"),))
    report = _claim(old, new, witness, DirectionVerdict(COMPATIBLE))
    assert not report.problems
    assert report.disputes >= 1


def test_an_engine_exception_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import fuzz.attack

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(fuzz.attack, "compare", broken)
    report = attack(Pair({"type": "string"}, {"type": "integer"}, "test"), 0, 1,
                    Settings(hypothesis_seconds=0.0, shrink=False))
    assert report.status == "crash"
    assert report.problems[0].kind == "crash"
    assert report.problems[0].detail.startswith("KeyError")


def test_shrinking_an_instance_never_drops_from_a_string() -> None:
    # A path planned when /a was a list, tried after /a became a string: no variant, no error.
    from fuzz.shrink import _instance_variants_at

    assert list(_instance_variants_at({"a": "xyz"}, ("a", 0))) == []
    assert {"a": ["y"]} in list(_instance_variants_at({"a": ["x", "y"]}, ("a", 0)))


def test_the_backtracking_judge_is_not_given_long_strings_on_nested_repetition() -> None:
    # regress took minutes on such a string under composer's package-name pattern.
    from fuzz.judges import Bench

    bench = Bench({"type": "string", "pattern": "^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z]+$"},
                  formats=False)
    assert bench.verdicts("a" * 40 + "!", "long") is None  # not judged: skipped, not a claim
    assert bench.verdicts("ab/cd", "short") == (True, True)
