"""The soundness rule, property-tested: when the tool says ``compatible``, no instance valid
under one side is invalid under the other.

Hypothesis builds pairs of related schemas (a base and a mutation of it, so that both
verdicts occur) and a pool of instances; every ``compatible`` verdict is checked against all
of them with the oracle, and every ``breaking`` witness is re-checked too.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema_compat import oracle
from schema_compat.changes import diff_documents
from schema_compat.counterfactual import apply_change as change_alone  # what "this change alone" means
from schema_compat.engine import Options, compare
from schema_compat.loading import SchemaDocument
from schema_compat.rules import classify
from schema_compat.schema import load_root
from schema_compat.semantics import Checker, Term

NAMES = ["a", "b", "c"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -1.5, 2.0]),
    st.sampled_from(["", "a", "ab", "abc", "b1"]),
)
instances = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(NAMES + ["x_1", "zz"]), inner, max_size=3),
    ),
    max_leaves=6,
)


def leaf_schema() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda t: {"type": t},
            st.sampled_from(["string", "integer", "number", "boolean", "null", "array", "object"]),
        ),
        st.builds(lambda lo: {"type": "integer", "minimum": lo}, st.integers(-2, 2)),
        st.builds(lambda hi: {"type": "number", "exclusiveMaximum": hi}, st.integers(-2, 2)),
        st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 3)),
        st.builds(lambda n: {"type": "string", "minLength": n}, st.integers(0, 3)),
        st.builds(
            lambda p: {"type": "string", "pattern": p},
            st.sampled_from(["^a", "b$", "^[ab]+$", "\\d", "^.{2}$"]),
        ),
        st.builds(lambda vs: {"enum": vs}, st.lists(scalars, min_size=1, max_size=3)),
        st.builds(lambda m: {"type": "integer", "multipleOf": m}, st.sampled_from([1, 2, 3])),
        st.builds(lambda hi, m: {"type": "integer", "maximum": hi, "multipleOf": m},
                  st.integers(-4, 2), st.sampled_from([1, 2, 3])),
        st.builds(lambda hi: {"type": "integer", "maximum": hi}, st.integers(-4, 2)),
        st.just({}),
        st.just(False),
    )


schemas = st.recursive(
    leaf_schema(),
    lambda inner: st.one_of(
        st.builds(
            lambda props, req, add: {
                "type": "object",
                "properties": props,
                "required": sorted(set(req) & set(props)),
                **({} if add is None else {"additionalProperties": add}),
            },
            st.dictionaries(st.sampled_from(NAMES), inner, max_size=2),
            st.lists(st.sampled_from(NAMES), max_size=2),
            st.one_of(st.none(), st.booleans(), inner),
        ),
        st.builds(
            lambda items, mx, uniq: {
                "type": "array",
                "items": items,
                **({} if mx is None else {"maxItems": mx}),
                **({"uniqueItems": True} if uniq else {}),
            },
            inner,
            st.one_of(st.none(), st.integers(0, 2)),
            st.booleans(),
        ),
        st.builds(lambda bs: {"anyOf": bs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda bs: {"oneOf": bs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda bs: {"allOf": bs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda n: {"not": n}, inner),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
    ),
    max_leaves=5,
)
# References only at the root, where "#/$defs/d" resolves.
documents = st.one_of(
    schemas,
    st.builds(
        lambda d, extra: {"$defs": {"d": d}, "$ref": "#/$defs/d", **extra},
        schemas,
        st.sampled_from([{}, {"type": "object"}, {"maxProperties": 1}]),
    ),
)


def _doc(schema: Any, name: str) -> SchemaDocument:
    return SchemaDocument(name="s", version=None, source=name, document=schema)


def _check(old: Any, new: Any, pool: list[Any]) -> None:
    result = compare(_doc(old, "old"), _doc(new, "new"), Options(timeout=5, max_steps=50_000))
    old_node, new_node = load_root(old, "old"), load_root(new, "new")
    for inst in pool:
        in_old, in_new = oracle.is_valid(old_node, inst), oracle.is_valid(new_node, inst)
        if result.backward.status == "compatible":
            assert not (in_old and not in_new), ("backward claimed compatible", old, new, inst)
        if result.forward.status == "compatible":
            assert not (in_new and not in_old), ("forward claimed compatible", old, new, inst)
    for w in (*result.backward.witnesses, *result.forward.witnesses):
        src, dst = (old_node, new_node) if w.direction == "backward" else (new_node, old_node)
        assert oracle.is_valid(src, w.instance) and not oracle.is_valid(dst, w.instance)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, documents, st.lists(instances, min_size=5, max_size=25))
def test_compatible_means_no_counterexample(old: Any, new: Any, pool: list[Any]) -> None:
    _check(old, new, pool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, st.data())
def test_mutations_of_one_schema(base: Any, data: st.DataObject) -> None:
    """Pairs that share most of their structure, where verdicts are most often subtle."""
    wrapped = {"type": "object", "properties": {"a": base, "b": {"type": "string"}}}
    mutated = data.draw(
        st.sampled_from(
            [
                {**wrapped, "required": ["a"]},
                {**wrapped, "additionalProperties": False},
                {
                    "type": "object",
                    "properties": {"a": data.draw(schemas), "b": {"type": "string"}},
                },
                {"anyOf": [wrapped, {"type": "integer"}]},
                {"oneOf": [wrapped, {"type": "object", "required": ["b"]}]},
            ]
        )
    )
    pool = data.draw(st.lists(instances, min_size=5, max_size=25))
    pool += [{"a": x} for x in data.draw(st.lists(instances, max_size=10))]
    _check(wrapped, mutated, pool)


# A definition used in places of every polarity: findings inside it are measured locally only
# where that is sound (see positions.py), and each ``ok`` effect is checked against the change
# made alone (the counterfactual document) here. Where the whole verdict is ``compatible``,
# every effect is ``ok`` by definition (the versions differ in no message), so those are not
# the changes measured.
CONTEXTS = [
    {"$ref": "#/$defs/d"},
    {"not": {"$ref": "#/$defs/d"}},
    {"oneOf": [{"$ref": "#/$defs/d"}, {"type": "object", "required": ["b"]}]},
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/d"},
                                      "b": {"not": {"$ref": "#/$defs/d"}}}},
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/d"},
                                      "c": {"type": "array", "items": {"$ref": "#"}}}},
    {"if": {"$ref": "#/$defs/d"}, "then": {"required": ["a"]}},
    {"type": "array", "contains": {"$ref": "#/$defs/d"}, "maxContains": 1},
    # Equal text with the reference under oneOf: its target must mean the same on both sides.
    {"type": "object", "properties": {"a": {"oneOf": [{"$ref": "#/$defs/d"},
                                                      {"type": "string"}]}}},
    # A sibling of $ref: applied from 2019-09 on, ignored before.
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/d", "maxLength": 1,
                                            "type": "string"}}},
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, st.sampled_from(CONTEXTS), st.data())
def test_finding_effects_hold_for_the_change_alone(d: Any, context: Any,
                                                   data: st.DataObject) -> None:
    d2 = data.draw(st.one_of(schemas, st.just({"type": "object", "properties": {"a": d}})))
    old = {"$defs": {"d": d}, **context}
    new = {"$defs": {"d": d2}, **context}
    if data.draw(st.booleans()):
        # Draft 7, where a $ref's siblings are ignored: the same documents, read the old way.
        old, new = _draft7(old), _draft7(new)
    pool = data.draw(st.lists(instances, min_size=5, max_size=25))
    pool += [{"a": x, "b": y} for x, y in data.draw(st.lists(st.tuples(instances, instances),
                                                             max_size=8))]
    pool += [[x] for x in pool[:10]]
    old_doc, new_doc = _doc(old, "old"), _doc(new, "new")
    result = compare(old_doc, new_doc, Options(timeout=5, max_steps=50_000))
    old_node = load_root(old, "old")
    by_key: dict[Any, list[Any]] = {}
    for c in diff_documents(old, new):
        by_key.setdefault((classify(c)[0].id, c.old_path, c.new_path), []).append(c)
    for f in result.findings:
        candidates = by_key.get((f.rule, f.old_path, f.new_path), [])
        if len(candidates) != 1 or f.annotation or "ok" not in (f.backward, f.forward):
            continue
        (change,) = candidates
        try:
            alone = change_alone(old_doc, old_node, change, new_doc)
        except Exception:
            continue  # not measurable alone (e.g. a dangling reference): nothing to check
        for inst in pool:
            try:
                in_old, in_alone = oracle.is_valid(old_node, inst), oracle.is_valid(alone, inst)
            except oracle.Undecidable:
                continue
            if f.backward == "ok" and result.backward.status != "compatible":
                assert not (in_old and not in_alone), ("backward ok", f.rule, old, new, inst)
            if f.forward == "ok" and result.forward.status != "compatible":
                assert not (in_alone and not in_old), ("forward ok", f.rule, old, new, inst)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, st.sampled_from(CONTEXTS), st.data())
def test_verdicts_over_a_changed_definition(d: Any, context: Any, data: st.DataObject) -> None:
    """The same text around a changed definition: equal subschemas that refer to it are
    compared through their references, which is only sound where these are positive."""
    # Widened and narrowed definitions too, so that the polarity of each place matters.
    d2 = data.draw(st.one_of(schemas, st.builds(lambda o: {"anyOf": [d, o]}, schemas),
                             st.builds(lambda o: {"allOf": [d, o]}, schemas)))
    old = {"$defs": {"d": d}, **context}
    new = {"$defs": {"d": d2}, **context}
    if data.draw(st.booleans()):
        old, new = _draft7(old), _draft7(new)
    base = data.draw(st.lists(instances, min_size=5, max_size=20))
    pool = [*base, *([x] for x in base), *({"a": x} for x in base), *({"b": x} for x in base)]
    _check(old, new, pool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf_schema(), leaf_schema(), schemas, schemas, schemas, st.data())
def test_a_combinator_both_sides_share(a: Any, b: Any, x: Any, y: Any, z: Any,
                                       data: st.DataObject) -> None:
    """Both versions apply the same combinator beside different keywords: it may be set
    aside (A ∧ C ⊆ B ∧ C when A ⊆ B), whatever the combinator. Sometimes one part of it
    differs (``z`` for ``y``), and then it may not."""
    def combinator(first: Any, second: Any) -> list[dict[str, Any]]:
        return [{"oneOf": [first, second]}, {"anyOf": [first, second]},
                {"allOf": [first, second]}, {"not": second},
                {"if": first, "then": second}, {"if": first, "else": second}]

    which = data.draw(st.integers(0, 5))
    shared = combinator(x, y)[which]
    other = combinator(x, z)[which] if data.draw(st.booleans()) else shared
    old = {**a, **shared} if isinstance(a, dict) else {"allOf": [a], **shared}
    new = {**b, **other} if isinstance(b, dict) else {"allOf": [b], **other}
    if data.draw(st.booleans()):
        old, new = _draft7(old), _draft7(new)
    pool = data.draw(st.lists(instances, min_size=10, max_size=30))
    _check(old, new, pool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas, st.lists(instances, min_size=10, max_size=30), st.data())
def test_disjoint_means_no_common_value(x: Any, y: Any, pool: list[Any],
                                        data: st.DataObject) -> None:
    """``oneOf`` proofs rest on disjointness: when the checker says two subschemas share no
    value, none of the pool is valid under both. Tagged unions (a required property of
    different consts) are drawn on purpose: they are the disjointness real schemas use."""
    if data.draw(st.booleans()):
        tag = st.sampled_from(["a", "b", 1])
        x = {"type": "object", "required": ["k"], "properties": {"k": {"const": data.draw(tag)},
                                                                 "v": x}}
        y = {"type": "object", "required": ["k"], "properties": {"k": {"enum": [data.draw(tag)]},
                                                                 "v": y}}
        pool += [{"k": k, "v": v} for k in ("a", "b", 1) for v in pool[:5]]
        pool += [{"k": k} for k in ("a", "b", 1)]
    doc = load_root({"$defs": {"x": x, "y": y}}, "doc")
    nx, ny = doc.resolve("#/$defs/x"), doc.resolve("#/$defs/y")
    if Checker(max_steps=50_000)._disjoint(Term((nx,)), ny, witness=False).yes:
        for inst in pool:
            assert not (oracle.is_valid(nx, inst) and oracle.is_valid(ny, inst)), (x, y, inst)


def _draft7(document: Any) -> Any:
    text = json.dumps(document).replace("#/$defs/", "#/definitions/")
    out = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    return {"$schema": "http://json-schema.org/draft-07/schema#", **out}
