"""The keyword vocabulary (keywords.py) against the metaschemas of every supported draft."""

from __future__ import annotations

from urllib.parse import urljoin

import jsonschema_specifications
import pytest

from schema_compat import keywords
from schema_compat.schema import METASCHEMA_URIS


def _metaschema_keywords(uri: str, seen: set[str] | None = None) -> set[str]:
    """The property names a draft's metaschema (and its vocabularies') describe."""
    seen = set() if seen is None else seen
    if uri in seen:
        return set()
    seen.add(uri)
    document = jsonschema_specifications.REGISTRY.contents(uri)
    found = set(document.get("properties", {}))
    for part in document.get("allOf", []):
        if isinstance(part, dict) and isinstance(part.get("$ref"), str):
            found |= _metaschema_keywords(urljoin(uri, part["$ref"]), seen)
    return found


@pytest.mark.parametrize("draft", keywords.DRAFTS)
def test_every_keyword_of_the_metaschema_and_no_other(draft: int) -> None:
    described = _metaschema_keywords(METASCHEMA_URIS[draft])
    if draft == 4:
        described.add("$ref")  # a JSON Reference in draft 4, which its metaschema leaves out
    ours = {k.name for k in keywords.VOCABULARY.values() if draft in k.drafts}
    assert ours == described, (sorted(ours - described), sorted(described - ours))


def test_shapes_and_roles_are_consistent() -> None:
    for k in keywords.VOCABULARY.values():
        if k.role in (keywords.APPLICATOR, keywords.CONTAINER):
            assert k.shape in (keywords.SCHEMA, keywords.SCHEMA_MAP, keywords.SCHEMA_LIST,
                               keywords.SCHEMA_OR_LIST, keywords.DEPENDENCIES), k
        assert k.kind in ("any", "number", "string", "array", "object"), k


def test_unknown_keywords_take_part_in_no_validation() -> None:
    assert not keywords.asserting("markdownDescription")
    assert not keywords.asserting("x-internal")
    assert keywords.asserting("format") and keywords.asserting("$ref")


def test_every_keyword_has_a_rule_of_its_family() -> None:
    from schema_compat.rules import RULES

    covered: dict[str, set[str]] = {}
    for rule in RULES.values():
        for name in rule.keywords:
            covered.setdefault(name, set()).add(rule.family)
    for k in keywords.VOCABULARY.values():
        assert covered.get(k.name) == {k.family}, (k.name, covered.get(k.name))
    # Rules may name keywords no draft defines (SchemaStore's markdownDescription) only as
    # annotations: validators ignore them.
    for name, families in covered.items():
        if name not in keywords.VOCABULARY and name != "<schema>":
            assert families == {"annotation"} and not keywords.asserting(name), name
