"""The oracle judges subschemas with jsonschema-rs where it can (a ``$ref`` into a registry
holding the document); python-jsonschema with ECMA-262 patterns has the last word elsewhere.
The two must agree wherever the fast path is taken, and the fast path must never be taken
where validation would reach a remote reference (which is never fetched).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from schema_compat import oracle
from schema_compat.errors import SchemaCompatError
from schema_compat.loading import SchemaDocument, load_schema_file
from schema_compat.normalize import prepare
from schema_compat.positions import positions
from schema_compat.schema import PYTHON_READING, RS_READING, load_root
from schema_compat.semantics import MISSING, Checker

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "schemas").rglob("*.json"))
VALUES: list[Any] = [None, True, 0, -1, 2.5, "", "x", "2026-01-01T00:00:00Z", [], [1, "a"], {},
                     {"type": "BeatFrame"}, "ab\n"]


@pytest.fixture(autouse=True)
def _fast_path_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry is built only once a document has been asked enough: here, at once.
    monkeypatch.setattr(oracle.fast, "QUESTIONS_BEFORE_REGISTRY", 0)


def _agree(node: Any) -> int:
    fast = oracle.subschema_validator(node)
    if fast is None:
        return 0
    example = Checker(max_steps=5_000).example(node)
    candidates = [*VALUES, *([] if example is MISSING else [example])]
    if isinstance(example, dict):
        for key in list(example)[:3]:
            candidates.append({k: v for k, v in example.items() if k != key})
            candidates.append({**example, key: None})
    for value in candidates:
        assert bool(fast.is_valid(value)) == bool(oracle.validator_for(node).is_valid(value)), (
            node.pointer, value)
    return len(candidates)


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_subschema_validators_agree_on_the_contracts(path: Path) -> None:
    root = prepare(load_schema_file(path))
    pos = positions(root)
    assert pos is not None
    checked = sum(_agree(node) for node in pos.nodes.values() if node is not root)
    assert checked > 0, "no subschema took the fast path"


CORPUS = Path(os.environ.get("SCHEMA_COMPAT_SHARED") or ROOT.parent / "shared") \
    / "corpus" / "schemastore" / "pairs"
CORPUS_SAMPLE = sorted(CORPUS.glob("*/*-new.json"))[::10]


@pytest.mark.skipif(not CORPUS_SAMPLE, reason="the SchemaStore corpus (../shared) is absent")
@pytest.mark.parametrize("path", CORPUS_SAMPLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_subschema_validators_agree_on_real_schemas(path: Path) -> None:
    """A sample of the corpus, remote references and all (the full differential, run once
    over every schema, is what the fast path was adopted on)."""
    try:
        root = prepare(load_schema_file(path))
    except SchemaCompatError:
        pytest.skip("the schema is refused with a one-line error")
    pos = positions(root)
    if pos is None:
        pytest.skip("keywords the engine does not model")
    for node in list(pos.nodes.values())[:100]:
        if node is not root:
            _agree(node)


@pytest.mark.parametrize("draft", ["draft-06", "draft-07"])
def test_content_keywords_are_annotations_whichever_validator_answers(draft: str) -> None:
    """jsonschema-rs asserts contentMediaType in drafts 6 and 7; the reference does not. A
    document holding it is never judged by jsonschema-rs: the fuzzer found a witness made of
    one side judged by each ("" valid under a side with a \\B pattern, so judged by
    python-jsonschema, and invalid under the other, judged by jsonschema-rs)."""
    schema = {"$schema": f"http://json-schema.org/{draft}/schema#",
              "contentMediaType": "application/json", "contentEncoding": "base64"}
    root = prepare(SchemaDocument("doc", None, "doc.json", schema))
    assert oracle.is_valid(root, "")
    assert oracle.is_valid(root, "not base64, not JSON")


@pytest.mark.parametrize("draft", ["2019-09", "2020-12"])
def test_a_document_read_as_one_validator_reads_it_is_judged_by_that_reading(
        draft: str) -> None:
    """`dependencies` after draft-07: python-jsonschema ignores it, jsonschema-rs applies it.
    Compared under one validator's reading (engine.py), every question about the document is
    answered in that reading, whichever validator answers it: a counterexample of one reading
    judged by the other was refused, and the verdict left unknown as if the validators
    disagreed on it."""
    schema = {"$schema": f"https://json-schema.org/draft/{draft}/schema",
              "properties": {"a": {"enum": [1, 2]}}, "dependencies": {"a": ["b"]}}
    doc = SchemaDocument("doc", None, "doc.json", schema)
    python = prepare(doc, reading=PYTHON_READING)
    rs = prepare(doc, reading=RS_READING)
    assert oracle.is_valid(python, {"a": 1})
    assert not oracle.is_valid(rs, {"a": 1})
    assert oracle.is_valid(rs, {"a": 1, "b": 0})
    # A value jsonschema-rs cannot take (beyond 64 bits): python-jsonschema answers, reading
    # the keyword as jsonschema-rs does.
    assert not oracle.is_valid(rs, {"a": 1, "c": 2**70})
    assert oracle.is_valid(rs, {"a": 1, "b": 2**70})
    assert oracle.is_valid(python, {"a": 1, "c": 2**70})


def test_subschemas_reaching_a_remote_ref_are_never_judged_fast() -> None:
    document = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://example.invalid/doc.json",
        "type": "object",
        "properties": {
            "local": {"$ref": "#/definitions/local"},
            "remote": {"$ref": "https://example.invalid/other.json#/definitions/thing"},
            "both": {"anyOf": [{"$ref": "#/definitions/local"},
                               {"$ref": "#/properties/remote"}]},
        },
        "definitions": {"local": {"type": "integer", "maximum": 3}},
    }
    root = prepare(SchemaDocument("doc", None, "doc.json", json.loads(json.dumps(document))))
    props = root.view.properties
    local, remote, both = props["local"], props["remote"], props["both"]
    assert oracle.subschema_validator(local) is not None
    assert oracle.is_valid(local, 2) and not oracle.is_valid(local, 4)
    for node in (remote, both):
        assert oracle.subschema_validator(node) is None
        with pytest.raises(oracle.Undecidable):
            oracle.is_valid(node, 4)


def test_the_fast_path_waits_until_a_document_is_asked_often(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oracle.fast, "QUESTIONS_BEFORE_REGISTRY", 3)
    root = prepare(SchemaDocument("doc", None, "doc.json", {
        "type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}}))
    n = root.view.properties["n"]
    answers = [oracle.is_valid(n, v) for v in (1, 4, 2, 5, 3)]
    assert answers == [True, False, True, False, True]
    assert n.__dict__.get("_fast_validator") is not None  # built after the third question


# --------------------------------------------------------------------------- the reference

D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def _root(document: Any) -> Any:
    return load_root(document, "<test>")


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    (r"[\uD800-\uDFFF]", "\ud800", True),
    (r"[\uD800-\uDFFF]", "\U0001f600", False),  # one code point, not two surrogates
    (r"^\uD83D", "\ud83d", True),
    (r"^\uD83D", "\ud83d\ude00", False),  # an unjoined pair is one code point in JSON
    (r"^\uD83D\uDE00$", "\ud83d\ude00", True),
    (r"\D83D\uDE00", "a83D\ude00", True),
    (r"^.$", "\udc00", True),
    (r"^[^a]$", "\ud800", True),
    ("^\ud800$", "\ud800", True),  # a pattern holding a lone surrogate itself
    ("^\\\ud800$", "\ud800", True),  # an identity escape of one
    ("^[\ud800-\udbff]$", "\udc00", False),
    ("^\ud800$", "a", False),
])
def test_lone_surrogates_are_code_points(pattern: str, text: str, expected: bool) -> None:
    assert oracle.ecma_search(pattern, text) is expected
    assert oracle.is_valid(_root({"type": "string", "pattern": pattern}), text) is expected


def test_a_pattern_the_automaton_cannot_read_on_a_lone_surrogate_is_undecidable() -> None:
    with pytest.raises(oracle.Undecidable):
        oracle.ecma_search(r"^(a)\1|\ud800", "\ud800")
    with pytest.raises(oracle.Undecidable):
        oracle.is_valid(_root({"patternProperties": {r"(a)\1|\w": {}}}), {"\ud800": 1})


def test_strings_are_read_as_json_delivers_them() -> None:
    root = _root({"type": "string", "maxLength": 1})
    assert oracle.is_valid(root, "\ud83d\ude00")  # written as two escapes, read as one
    assert not oracle.is_valid(root, "\ud83d\ud83d")
    assert oracle.is_valid(_root({"required": ["\U0001f600"]}), {"\ud83d\ude00": 0})


def test_case_insensitive_groups_where_letters_beyond_ascii_take_part_are_undecidable(
) -> None:
    # regress folds "ſ" to "s" and "ı" to "i", which ECMA-262 without the u flag does not.
    assert oracle.ecma_search("^(?i:s)$", "S")
    with pytest.raises(oracle.Undecidable):
        oracle.ecma_search("^(?i:s)$", "ſ")
    assert oracle.ecma_search("^(?-i:s)$|é", "é")
    # ASCII text is not enough: the group may hold a letter beyond ASCII, by escape too.
    for pattern in (r"^(?i:[\u017f])$", "^(?i:[^ſ])$", r"^(?i:[\x00-\u0100])$",
                    r"^(?i:\u{17F})$"):
        with pytest.raises(oracle.Undecidable):
            oracle.ecma_search(pattern, "s")
    assert not oracle.ecma_search(r"^(?i:\W)$", "s")  # no letter beyond ASCII named
    assert oracle.ecma_search("^(?i:[a-z]+)x$", "ABCx")
    with pytest.raises(oracle.Undecidable):  # conservative: any text beyond ASCII
        oracle.ecma_search("^(?i:a)é$", "Aé")


@pytest.mark.parametrize(("pattern", "exact"), [
    (r"^[0-9a-f]{4}$", True),
    (r"\\b", True),  # an escaped backslash, then the letter b
    (r"[\b]", True),  # backspace
    (r"^(?=a)\w+(?<!_)$", True),
    (r"x{,3}", True),  # jsonschema-rs refuses it: never judges
    (r"\b", False),
    (r"\\\B", False),
    (r"\p{L}", False),
    (r"[\p{L}]", False),
    (r"\Aa", False),
    (r"[\a]", False),
    (r"a{1, 2}", False),
    (r"(a)\1", False),
    (r"(?<n>a)\k<n>", False),
    (r"(?i:a)", False),
    ("(", False),
])
def test_patterns_jsonschema_rs_reads_as_ecma_262_are_found_by_parsing(
        pattern: str, exact: bool) -> None:
    assert oracle.rs_exact(pattern) is exact


def test_jsonschema_rs_never_judges_a_document_with_a_pattern_it_reads_otherwise() -> None:
    root = _root({"type": "object", "properties": {"w": {"pattern": r"^\bé"}}})
    assert oracle.document_validator(root) is None
    assert oracle.subschema_validator(root.view.properties["w"]) is None
    assert not oracle.is_valid(root, {"w": "é"})  # jsonschema-rs would say valid
    assert "jsonschema-rs finds it valid" in (oracle.disagreement(root, {"w": "é"}) or "")
    fine = _root({"type": "object", "properties": {"w": {"pattern": r"^\\bé"}}})
    assert oracle.document_validator(fine) is not None
    assert oracle.disagreement(fine, {"w": "\\bé"}) is None


def test_ref_to_a_resource_declaring_schema_keeps_ecma_patterns() -> None:
    # python-jsonschema picks the stock class of a `$schema` it meets: Python's `re`, which
    # cannot compile these and accepts "a\n" for "^a$".
    for pattern, good, bad in ((r"^(?<n>a)\k<n>$", "aa", "ab"), (r"^\p{L}$", "p{L}", "é"),
                               ("^a$", "a", "a\n")):
        root = _root({"$schema": D2020, "type": ["object", "string"], "pattern": pattern,
                      "properties": {"x": {"$ref": "#"}}})
        x = root.view.properties["x"]
        assert oracle._python_valid(x, good, oracle.REFERENCE)
        assert not oracle._python_valid(x, bad, oracle.REFERENCE)
        assert not oracle._python_valid(x, {"x": {"x": bad}}, oracle.REFERENCE)
        assert oracle.explain(x, {"x": bad})[0] == "/x"


def test_an_embedded_resource_is_judged_under_its_own_draft() -> None:
    root = _root({"$schema": D2020, "$ref": "t", "$defs": {"t": {
        "$id": "t", "$schema": D7, "items": [{"type": "object"}],
        "additionalItems": {"$ref": "#/definitions/s", "type": "integer"},
        "definitions": {"s": {"type": "string", "pattern": "^a$"}}}}})
    answers = {json.dumps(v): oracle._python_valid(root, v, oracle.REFERENCE)
               for v in ([{}], [1], [{}, "a"], [{}, 1], [{}, "a\n"], "x")}
    # Draft 7: tuple `items`, and `$ref` hides its sibling `type`.
    assert answers == {'[{}]': True, '[1]': False, '[{}, "a"]': True, '[{}, 1]': False,
                       '[{}, "a\\n"]': False, '"x"': True}
    assert [oracle.is_valid(root, v) for v in ([{}, "a"], [{}, 1])] == [True, False]


def test_a_ref_into_another_file_is_judged_under_that_files_draft(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text(json.dumps({"$schema": D7, "definitions": {
        "pair": {"items": [{"type": "object"}], "pattern": r"^(?<n>a)\k<n>$"},
        "hidden": {"$ref": "#/definitions/s", "type": "integer"},
        "s": {"type": "string"}}}))
    document = {"$schema": D2020, "properties": {
        "a": {"$ref": "other.json#/definitions/pair"},
        "b": {"$ref": "other.json#/definitions/hidden"}}}
    root = load_root(document, "main", path=tmp_path / "main.json", root_dir=tmp_path)
    cases = [({"a": [{}]}, True), ({"a": [1]}, False), ({"a": [{}, 1]}, True),
             ({"a": "aa"}, True), ({"a": "ab"}, False), ({"b": "s"}, True), ({"b": 1}, False)]
    assert [oracle.is_valid(root, v) for v, _ in cases] == [want for _, want in cases]
    target = root.view.properties["a"].view.ref
    assert target is not None and oracle.draft_of(target) == 7


@pytest.mark.parametrize("draft", [D2019, D2020])
def test_unevaluated_properties_reads_pattern_properties_as_ecma(draft: str) -> None:
    root = _root({"$schema": draft, "patternProperties": {"^a$": {}, r"^(?<n>b)\k<n>$": {}},
                  "unevaluatedProperties": False})
    assert [oracle.is_valid(root, v) for v in ({"a": 1}, {"bb": 1}, {"a\n": 1}, {"b": 1})] \
        == [True, True, False, False]


def test_a_document_invalid_under_its_draft_is_undecidable() -> None:
    # What measuring "drop $schema" alone makes of a 2019-09 document with tuple `items`.
    root = _root({"items": [{"type": "object"}]})
    with pytest.raises(oracle.Undecidable, match="not a valid schema"):
        oracle.is_valid(root, [[]])
    assert oracle.explain(root, [[]]) == ("", "")


@pytest.mark.parametrize(("step", "value", "expected"), [
    (0.01, 5.01, True), (0.01, 5.011, False), (0.1, 0.3, True), (0.1, 0.30000000000000004, False),
    (0.0001, 0.0003, True), (0.1, 3, True), (3, 1e300, True), (7, 1e300, False),
    (0.5, 2**70 + 1, True),
    (2**64 + 1, 2**65 + 2, True), (1e-300, 1.5, True),
])
def test_multiple_of_reads_the_decimals_written(step: Any, value: Any, expected: bool) -> None:
    root = _root({"multipleOf": step})
    assert oracle.is_valid(root, value) is expected
    assert oracle.is_valid(root, [value]) is True  # not a number: not constrained
    assert oracle.is_valid(_root({"items": {"multipleOf": step}}), [value]) is expected


def test_disagreement_names_the_validators_that_judge_otherwise() -> None:
    root = _root({"$schema": D7, "minimum": 5, "multipleOf": 0.01})
    assert oracle.disagreement(root, 5.01) == (
        "python-jsonschema's float multipleOf finds it invalid")
    assert not oracle.agreed(root, 5.01)
    assert oracle.agreed(root, 5) and oracle.agreed(root, 5.5) and oracle.agreed(root, "x")
    # From 2**53 on a float is read as its binary value, as both validators read it.
    assert oracle.agreed(_root({"multipleOf": 3}), 1e300)
    assert oracle.agreed(_root({"multipleOf": 7}), 1e300)
    surrogate = _root({"type": "string", "pattern": r"^\uD83D"})
    assert "refuses the schema" in (oracle.disagreement(surrogate, "\ud83d") or "")
    assert not oracle.agreed(surrogate, "\ud83d")
    assert oracle.disagreement(_root({"type": "string"}), "\ud800") is not None
    assert oracle.disagreement(_root({"type": "string"}), "a") is None
    assert oracle.agreed(_root({"type": "string"}), "a")


def test_a_ref_that_names_an_array_element_by_a_name_is_undecidable() -> None:
    # Found by the fuzzer: `items` turned into an array under a `$ref` that walks through it
    # by name. referencing raises ValueError for the token; the oracle has nothing to judge by.
    root = _root({"$schema": "http://json-schema.org/draft-07/schema#",
                  "definitions": {"u": {"items": [{"anyOf": [{"properties": {"d": {
                      "$ref": "#/definitions/u/items/properties/d"}}}]}]}},
                  "properties": {"x": {"$ref": "#/definitions/u"}}})
    with pytest.raises(oracle.Undecidable):
        oracle.is_valid(root, {"x": [{"d": 1}]})
