"""Conformance against Confluent's JSON Schema compatibility suite (BACKWARD compatibility).

The 132 cases of Confluent Schema Registry's ``diff-schema-examples.json`` and
``diff-combined-schema-examples.json`` (copied into ``shared/peer-suites/confluent``) each give
an original schema, an update and whether the update is BACKWARD compatible. Confluent reads
them as draft-07, so ``$schema`` draft-07 is added to each side that has none. The 118 cases
of the later ``*-2020-12.json`` files (every side names draft 2020-12) run where they are
present (``.ci/conformance_suites.py`` assembles them from their pins).

Our answer for a case is ``result.backward.status == "compatible"``; ``unknown`` never agrees.
Every case where we disagree is listed in ``DISAGREEMENTS`` (data, checked against what the
engine says) and carries proof of the truth: a witness confirmed by two validators, or (for a
compatible truth) no counterexample among generated instances. ``docs/conformance.md`` gives
the arguments. Every verdict of every case is also checked, in both directions: each
``breaking`` witness by both validators, each ``compatible`` claim against generated instances.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema_compat import oracle
from schema_compat.engine import Options, compare
from schema_compat.findings import ComparisonResult
from schema_compat.loading import SchemaDocument
from schema_compat.normalize import prepare


def _shared_dir() -> Path:
    env = os.environ.get("SCHEMA_COMPAT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


SUITE_DIR = _shared_dir() / "peer-suites" / "confluent"
SUITE_FILES = ("diff-schema-examples.json", "diff-combined-schema-examples.json")
if not all((SUITE_DIR / f).is_file() for f in SUITE_FILES):
    pytest.skip(f"Confluent suite not found under {SUITE_DIR}", allow_module_level=True)
# The later draft 2020-12 files (tests/conformance/upstream.json), run where present; the
# terminal summary says so in one line where they are not (conftest.LATER_SUITES).
SUITE_FILES_2020 = ("diff-schema-examples-2020-12.json",
                    "diff-combined-schema-examples-2020-12.json")
WITH_2020 = all((SUITE_DIR / f).is_file() for f in SUITE_FILES_2020)

DRAFT7 = "http://json-schema.org/draft-07/schema#"
THRESHOLD = 0.98


@dataclass(frozen=True)
class Disagreement:
    """One case where our verdict is not Confluent's label, and what is true there."""

    description: str
    ours: str  # our backward verdict: compatible | breaking | unknown
    truth: str  # compatible | breaking: what ⟦original⟧ ⊆ ⟦update⟧ really is
    # For a breaking truth the engine did not show: a hand-made witness, checked below.
    witness: Any = None


# Every case where our backward verdict differs from Confluent's label (unknown counts as a
# disagreement). Keyed "<file stem>#<index in file>": descriptions repeat in the suite.
DISAGREEMENTS: dict[str, Disagreement] = {
    # Confluent is wrong: {"type": "string"} and {"type": "number"} as the schema of a
    # dependency on "foo" both reject every object that has "foo": the two sets are equal.
    "diff-schema-examples#51": Disagreement(
        "Detect incompatible changes to dependencies schemas", ours="compatible",
        truth="compatible"),
    # Confluent is wrong: "bar" becomes required, so {"foo": ""} is rejected by the update.
    "diff-schema-examples#55": Disagreement(
        "Detect required array to be changed", ours="breaking", truth="breaking"),
    # Confluent is wrong: additionalItems is ignored when items is not an array (draft-07
    # §6.4.2), so both sides accept every value.
    "diff-schema-examples#87": Disagreement(
        "Detect removed boolean additional items", ours="compatible", truth="compatible"),
    "diff-schema-examples#88": Disagreement(
        "Detect changes to additional items schema", ours="compatible", truth="compatible"),
    # The draft 2020-12 file. Confluent is wrong: oneOf and allOf of the one subschema
    # accept the same values.
    "diff-schema-examples-2020-12#44": Disagreement(
        "Detect changes to validation criteria in composed schema type", ours="compatible",
        truth="compatible"),
    # As #51 of the draft-07 file, with dependentSchemas.
    "diff-schema-examples-2020-12#48": Disagreement(
        "Detect incompatible changes to dependencies schemas", ours="compatible",
        truth="compatible"),
    # As #55 of the draft-07 file.
    "diff-schema-examples-2020-12#52": Disagreement(
        "Detect required array to be changed", ours="breaking", truth="breaking"),
}


@dataclass(frozen=True)
class Case:
    """One suite case, with ``$schema`` draft-07 on both sides where the file gives none."""

    id: str
    description: str
    original: Any
    update: Any
    compatible: bool


def _as_draft7(schema: Any) -> Any:
    if isinstance(schema, dict) and "$schema" not in schema:
        return {"$schema": DRAFT7, **schema}
    return schema


def _lenient_json(text: str) -> Any:
    """JSON as Jackson reads Confluent's files: a comma before a closing bracket is allowed
    (the 2020-12 file has one)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for name in SUITE_FILES + (SUITE_FILES_2020 if WITH_2020 else ()):
        stem = name.removesuffix(".json")
        raw = _lenient_json((SUITE_DIR / name).read_text(encoding="utf-8"))
        for i, c in enumerate(raw):
            cases.append(Case(f"{stem}#{i}", c["description"], _as_draft7(c["original_schema"]),
                              _as_draft7(c["update_schema"]), bool(c["compatible"])))
    return cases


CASES = _load_cases()
BY_ID = {c.id: c for c in CASES}


@cache
def _result(case_id: str) -> ComparisonResult:
    case = BY_ID[case_id]
    old = SchemaDocument("original", None, f"{case_id}/original", case.original)
    new = SchemaDocument("update", None, f"{case_id}/update", case.update)
    return compare(old, new, Options(timeout=10))


def _agrees(case: Case) -> bool:
    return _result(case.id).backward.status == ("compatible" if case.compatible else "breaking")


def _label_wrong(case: Case) -> bool:
    row = DISAGREEMENTS.get(case.id)
    return row is not None and (row.truth == "compatible") != case.compatible


# ---------------------------------------------------------------------------------- validators


class Judge:
    """Validity under one schema by both the oracle (python-jsonschema + ECMA regex) and
    jsonschema-rs (the case's draft, formats as annotations); the two must never disagree."""

    def __init__(self, schema: Any, label: str) -> None:
        self.node = prepare(SchemaDocument(label, None, label, schema))
        self.rs = jsonschema_rs.validator_for(schema, validate_formats=False)
        self.label = label

    def valid(self, instance: Any) -> bool:
        by_oracle = oracle.is_valid(self.node, instance)
        by_rs = self.rs.is_valid(instance)
        assert by_oracle == by_rs, (
            f"validators disagree on {json.dumps(instance)} under {self.label}: "
            f"oracle={by_oracle} jsonschema_rs={by_rs}")
        return by_oracle


@cache
def _judges(case_id: str) -> tuple[Judge, Judge]:
    case = BY_ID[case_id]
    return Judge(case.original, f"{case_id}/original"), Judge(case.update, f"{case_id}/update")


# ---------------------------------------------------------------------------------- instances

_NUMBERS: tuple[Any, ...] = (0, 1, -1, 2, 0.5, -0.5, 2.5, 10, 10.5, 100)
_STRINGS = ("", "a", "x", "red", "foo", "bar", "2020-01-01T00:00:00Z", "1")
_SMALL: tuple[Any, ...] = (None, True, 0, 0.5, "", "x", 10)
_BOUND_KEYWORDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
_SIZE_KEYWORDS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties",
                  "maxProperties"}


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@dataclass
class Pool:
    """The values a schema pair mentions, and their neighbours: where its boundaries lie."""

    atoms: list[Any]
    names: list[str]
    sizes: list[int]


def harvest(*schemas: Any) -> Pool:
    """Collect numbers (±1, ±0.5, halves, doubles), strings, enum/const values, property
    names and length bounds from anywhere in ``schemas``."""
    numbers: dict[str, Any] = {_key(n): n for n in _NUMBERS}
    strings: set[str] = set(_STRINGS)
    literals: dict[str, Any] = {}
    names: set[str] = {"foo", "bar", "extra"}
    sizes: set[int] = {0, 1, 2, 3}

    def add_number(x: float) -> None:
        for y in (x, x - 1, x + 1, x - 0.5, x + 0.5, x * 2, -x, x / 2):
            if isinstance(y, float) and y.is_integer():
                y = int(y)
            numbers[_key(y)] = y

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("properties", "patternProperties", "dependencies") and isinstance(v, dict):
                    names.update(v)
                elif k == "enum" and isinstance(v, list):
                    literals.update((_key(e), e) for e in v)
                elif k == "const":
                    literals[_key(v)] = v
                elif k == "required" and isinstance(v, list):
                    names.update(x for x in v if isinstance(x, str))
                elif k in _SIZE_KEYWORDS and isinstance(v, int) and not isinstance(v, bool):
                    sizes.update({max(v - 1, 0), v, v + 1})
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            strings.add(node)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            add_number(node)

    for schema in schemas:
        walk(schema)
    strings.update("x" * n for n in sizes if n <= 64)
    atoms = [None, True, False, *numbers.values(), *sorted(strings), *literals.values()]
    return Pool(atoms, sorted(names), sorted(sizes))


def systematic_instances(*schemas: Any, limit: int = 4000) -> list[Any]:
    """A deterministic set of small instances built from the pool: every atom, short arrays
    and tuples, objects over one to three of the named properties, one level of nesting."""
    pool = harvest(*schemas)
    seen: set[str] = set()
    out: list[Any] = []

    def emit(value: Any) -> None:
        k = _key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)

    texts = [a for a in pool.atoms if isinstance(a, str)][:6]
    for a in pool.atoms:
        emit(a)
        emit([a])
    emit([])
    emit({})
    for a, b in itertools.product((*_SMALL, *texts), repeat=2):
        emit([a, b])
    for a, b, c in itertools.product(("", 0, 0.5, True, None), repeat=3):
        emit([a, b, c])
    for n in pool.sizes:
        if n <= 8:
            for a in _SMALL:
                emit([a] * n)
    for name in pool.names:
        for a in (*pool.atoms, [], {}, [0], [""]):
            emit({name: a})
        for other in pool.names:
            for a in _SMALL:
                emit({name: {other: a}})
    for n, m in itertools.combinations(pool.names, 2):
        for a, b in itertools.product(_SMALL, repeat=2):
            emit({n: a, m: b})
    for combo in itertools.combinations(pool.names, 3):
        for a in _SMALL:
            emit(dict.fromkeys(combo, a))
    for a in ("", 0):
        emit(dict.fromkeys(pool.names, a))
    return out[:limit]


def instance_strategy(*schemas: Any) -> st.SearchStrategy[Any]:
    """Random JSON values over the same pool, nested a few levels (for what the systematic
    set does not reach: longer arrays, deeper and wider objects)."""
    pool = harvest(*schemas)
    leaves = st.sampled_from(pool.atoms)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=5)
        | st.dictionaries(st.sampled_from(pool.names), inner, max_size=5),
        max_leaves=12,
    )


@cache
def _systematic_table(case_id: str) -> list[tuple[Any, bool, bool]]:
    """Each systematic instance with its validity under the original and the update."""
    case = BY_ID[case_id]
    original, update = _judges(case_id)
    return [(v, original.valid(v), update.valid(v))
            for v in systematic_instances(case.original, case.update)]


def counterexamples(case_id: str, direction: str, values: list[Any] | None = None) -> list[Any]:
    """The values (by default the systematic ones) valid under the direction's source and
    invalid under its target."""
    if values is None:
        table = _systematic_table(case_id)
    else:
        original, update = _judges(case_id)
        table = [(v, original.valid(v), update.valid(v)) for v in values]
    if direction == "backward":
        return [v for v, old_ok, new_ok in table if old_ok and not new_ok]
    return [v for v, old_ok, new_ok in table if new_ok and not old_ok]


# ---------------------------------------------------------------------------------- tests

DIRECTIONS = ("backward", "forward")


def _status(case_id: str, direction: str) -> str:
    """The engine's verdict, or "error" (reported by its own test) so collection survives."""
    try:
        return _result(case_id).direction(direction).status
    except Exception:  # test_engine_answers_every_case shows the error
        return "error"


def _claims(status: str) -> list[tuple[str, str]]:
    return [(c.id, d) for c in CASES for d in DIRECTIONS if _status(c.id, d) == status]


def test_suite_is_the_expected_one() -> None:
    """The suite has the 132 cases this file's table was written against (and 118 in the
    draft 2020-12 files, where present)."""
    assert len(CASES) == 132 + (118 if WITH_2020 else 0)
    for case_id, row in DISAGREEMENTS.items():
        assert case_id in BY_ID or (not WITH_2020 and "-2020-12#" in case_id), case_id
        if case_id in BY_ID:
            assert BY_ID[case_id].description == row.description, case_id


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_engine_answers_every_case(case_id: str) -> None:
    """No case raises, and none has to wait for the time limit."""
    result = _result(case_id)
    for direction in DIRECTIONS:
        assert "time limit" not in result.direction(direction).reason


def test_every_disagreement_is_listed() -> None:
    """The table is exactly the set of cases where we differ from Confluent's label."""
    actual = {c.id: _status(c.id, "backward") for c in CASES if not _agrees(c)}
    listed = {case_id: row.ours for case_id, row in DISAGREEMENTS.items() if case_id in BY_ID}
    assert actual == listed


def test_agreement_threshold() -> None:
    """At least 98% agreement on the cases whose label is not proven wrong."""
    subset = [c for c in CASES if not _label_wrong(c)]
    agreed = sum(_agrees(c) for c in subset)
    assert agreed / len(subset) >= THRESHOLD, f"{agreed}/{len(subset)}"


@pytest.mark.parametrize("case_id", sorted(c for c in DISAGREEMENTS if c in BY_ID))
def test_disagreement_is_proven(case_id: str) -> None:
    """Each listed disagreement matches the engine, and its stated truth is proven."""
    row = DISAGREEMENTS[case_id]
    result = _result(case_id)
    assert result.backward.status == row.ours
    original, update = _judges(case_id)
    if row.truth == "breaking":
        if row.ours == "breaking":
            witness = result.backward.witnesses[0].instance
        else:
            assert row.witness is not None, "a breaking truth needs a witness"
            witness = row.witness
        assert original.valid(witness)
        assert not update.valid(witness)
    else:
        assert row.witness is None
        found = counterexamples(case_id, "backward")
        assert found == [], f"generated counterexamples {found[:3]}"
        _random_check(case_id, "backward")


@pytest.mark.parametrize(("case_id", "direction"), _claims("breaking"))
def test_breaking_witness_confirmed(case_id: str, direction: str) -> None:
    """A breaking verdict's witness is valid under the source and invalid under the target,
    for both the oracle and jsonschema-rs."""
    verdict = _result(case_id).direction(direction)
    assert verdict.witnesses, "a breaking verdict must carry a witness"
    witness = verdict.witnesses[0].instance
    original, update = _judges(case_id)
    src, dst = (original, update) if direction == "backward" else (update, original)
    assert src.valid(witness)
    assert not dst.valid(witness)


@pytest.mark.parametrize(("case_id", "direction"), _claims("compatible"))
def test_compatible_claim_survives_generated_instances(case_id: str, direction: str) -> None:
    """No systematically generated instance refutes a compatible verdict (soundness)."""
    found = counterexamples(case_id, direction)
    assert found == [], f"{direction} claimed compatible; counterexamples {found[:3]}"


def _random_check(case_id: str, direction: str) -> None:
    """Random nested instances (hypothesis, derandomized for CI): none is a counterexample."""
    case = BY_ID[case_id]

    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(instance_strategy(case.original, case.update))
    def check(instance: Any) -> None:
        assert counterexamples(case_id, direction, [instance]) == []

    check()


@pytest.mark.parametrize(("case_id", "direction"), _claims("compatible"))
def test_compatible_claim_survives_random_instances(case_id: str, direction: str) -> None:
    """Random instances do not refute a compatible verdict either."""
    _random_check(case_id, direction)


def test_generator_finds_known_breaks() -> None:
    """The generated instances have teeth: on their own (without the engine's witness) they
    refute at least 95% of the breaking verdicts, so an empty result above means something."""
    claims = _claims("breaking")
    refuted = sum(bool(counterexamples(case_id, d)) for case_id, d in claims)
    assert len(claims) >= 100
    assert refuted / len(claims) >= 0.95, f"{refuted}/{len(claims)}"
