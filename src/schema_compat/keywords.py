"""The keyword vocabulary: every keyword of every supported draft, in one table.

Each stage asks this table rather than keeping a list of its own: the diff (which values are
subschemas, maps or lists of them, sets), the normalized view (which keywords constrain
which kind of value), the engine (which keywords name resources or read their siblings),
the annotation shortcut and the rules (which keywords never take part in validation).
Adding a keyword means a row here, its rule and its semantics; tests/test_keywords.py checks
the table against the metaschemas of drafts 4, 6, 7, 2019-09 and 2020-12.

A keyword nobody knows (``x-...``, ``markdownDescription``) takes part in no validation:
validators ignore it, so it is an annotation too (``asserting`` is False for it).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFTS = (4, 6, 7, 2019, 2020)

# What a keyword's value is.
SCHEMA = "schema"  # one subschema
SCHEMA_MAP = "schema-map"  # names to subschemas
SCHEMA_LIST = "schema-list"  # a list of subschemas
SCHEMA_OR_LIST = "schema-or-list"  # one subschema, or a list of them (items before 2020-12)
DEPENDENCIES = "dependencies"  # names to a subschema or a list of names
SET = "set"  # a list whose order means nothing (required, enum; type may be one string)
VALUE = "value"  # anything else

# What a keyword does.
ASSERTION = "assertion"  # constrains the instance itself
APPLICATOR = "applicator"  # applies subschemas to the instance or its parts
REFERENCE = "reference"  # applies the subschema a URI names
IDENTIFIER = "identifier"  # names a resource or selects a dialect: references resolve by it
CONTAINER = "container"  # holds subschemas for references, applies nothing itself
ANNOTATION = "annotation"  # describes; validators never read it


@dataclass(frozen=True)
class Keyword:
    """One keyword: its value's shape, what it does, the kind of instance it constrains
    (``any`` for applicators), the rule family that names its changes, and its drafts."""

    name: str
    shape: str
    role: str
    kind: str
    family: str
    drafts: frozenset[int]

    @property
    def asserting(self) -> bool:
        """Does validation depend on it (a reference, an identifier, a container included)?"""
        return self.role != ANNOTATION


def _k(name: str, shape: str, role: str, kind: str, family: str, drafts: tuple[int, ...]) -> Keyword:
    return Keyword(name, shape, role, kind, family, frozenset(drafts))


_ALL = DRAFTS
_D6 = (6, 7, 2019, 2020)
_D7 = (7, 2019, 2020)
_D2019 = (2019, 2020)

VOCABULARY: dict[str, Keyword] = {k.name: k for k in (
    # core: identifiers, references, containers
    _k("$schema", VALUE, IDENTIFIER, "any", "reference", _ALL),
    _k("id", VALUE, IDENTIFIER, "any", "annotation", (4,)),
    _k("$id", VALUE, IDENTIFIER, "any", "annotation", _D6),
    _k("$anchor", VALUE, IDENTIFIER, "any", "annotation", _D2019),
    _k("$dynamicAnchor", VALUE, IDENTIFIER, "any", "annotation", (2020,)),
    _k("$recursiveAnchor", VALUE, IDENTIFIER, "any", "annotation", _D2019),
    _k("$vocabulary", VALUE, IDENTIFIER, "any", "reference", _D2019),
    _k("$ref", VALUE, REFERENCE, "any", "reference", _ALL),
    _k("$dynamicRef", VALUE, REFERENCE, "any", "reference", (2020,)),
    _k("$recursiveRef", VALUE, REFERENCE, "any", "reference", _D2019),
    _k("$defs", SCHEMA_MAP, CONTAINER, "any", "reference", _D2019),
    _k("definitions", SCHEMA_MAP, CONTAINER, "any", "reference", _ALL),
    _k("$comment", VALUE, ANNOTATION, "any", "annotation", _D7),
    # applicators
    _k("allOf", SCHEMA_LIST, APPLICATOR, "any", "composition", _ALL),
    _k("anyOf", SCHEMA_LIST, APPLICATOR, "any", "composition", _ALL),
    _k("oneOf", SCHEMA_LIST, APPLICATOR, "any", "composition", _ALL),
    _k("not", SCHEMA, APPLICATOR, "any", "composition", _ALL),
    _k("if", SCHEMA, APPLICATOR, "any", "composition", _D7),
    _k("then", SCHEMA, APPLICATOR, "any", "composition", _D7),
    _k("else", SCHEMA, APPLICATOR, "any", "composition", _D7),
    _k("items", SCHEMA_OR_LIST, APPLICATOR, "array", "array", _ALL),
    _k("additionalItems", SCHEMA, APPLICATOR, "array", "array", (4, 6, 7, 2019)),
    _k("prefixItems", SCHEMA_LIST, APPLICATOR, "array", "array", (2020,)),
    _k("contains", SCHEMA, APPLICATOR, "array", "array", _D6),
    _k("unevaluatedItems", SCHEMA, APPLICATOR, "array", "array", _D2019),
    _k("properties", SCHEMA_MAP, APPLICATOR, "object", "object", _ALL),
    _k("patternProperties", SCHEMA_MAP, APPLICATOR, "object", "object", _ALL),
    _k("additionalProperties", SCHEMA, APPLICATOR, "object", "object", _ALL),
    _k("propertyNames", SCHEMA, APPLICATOR, "object", "object", _D6),
    _k("dependencies", DEPENDENCIES, APPLICATOR, "object", "object", _ALL),
    _k("dependentSchemas", SCHEMA_MAP, APPLICATOR, "object", "object", _D2019),
    _k("unevaluatedProperties", SCHEMA, APPLICATOR, "object", "object", _D2019),
    # assertions
    _k("type", SET, ASSERTION, "any", "scalar", _ALL),
    _k("enum", SET, ASSERTION, "any", "scalar", _ALL),
    _k("const", VALUE, ASSERTION, "any", "scalar", _D6),
    _k("multipleOf", VALUE, ASSERTION, "number", "scalar", _ALL),
    _k("maximum", VALUE, ASSERTION, "number", "scalar", _ALL),
    _k("exclusiveMaximum", VALUE, ASSERTION, "number", "scalar", _ALL),
    _k("minimum", VALUE, ASSERTION, "number", "scalar", _ALL),
    _k("exclusiveMinimum", VALUE, ASSERTION, "number", "scalar", _ALL),
    _k("maxLength", VALUE, ASSERTION, "string", "scalar", _ALL),
    _k("minLength", VALUE, ASSERTION, "string", "scalar", _ALL),
    _k("pattern", VALUE, ASSERTION, "string", "scalar", _ALL),
    # Asserted or not by the repository's choice (formats.py); a string constraint either way.
    _k("format", VALUE, ASSERTION, "string", "scalar", _ALL),
    _k("maxItems", VALUE, ASSERTION, "array", "array", _ALL),
    _k("minItems", VALUE, ASSERTION, "array", "array", _ALL),
    _k("uniqueItems", VALUE, ASSERTION, "array", "array", _ALL),
    _k("maxContains", VALUE, ASSERTION, "array", "array", _D2019),
    _k("minContains", VALUE, ASSERTION, "array", "array", _D2019),
    _k("maxProperties", VALUE, ASSERTION, "object", "object", _ALL),
    _k("minProperties", VALUE, ASSERTION, "object", "object", _ALL),
    _k("required", SET, ASSERTION, "object", "object", _ALL),
    _k("dependentRequired", VALUE, ASSERTION, "object", "object", _D2019),
    # annotations
    _k("title", VALUE, ANNOTATION, "any", "annotation", _ALL),
    _k("description", VALUE, ANNOTATION, "any", "annotation", _ALL),
    _k("default", VALUE, ANNOTATION, "any", "annotation", _ALL),
    _k("examples", VALUE, ANNOTATION, "any", "annotation", _D6),
    _k("deprecated", VALUE, ANNOTATION, "any", "annotation", _D2019),
    _k("readOnly", VALUE, ANNOTATION, "any", "annotation", _D7),
    _k("writeOnly", VALUE, ANNOTATION, "any", "annotation", _D2019),
    _k("contentEncoding", VALUE, ANNOTATION, "string", "scalar", _D7),
    _k("contentMediaType", VALUE, ANNOTATION, "string", "scalar", _D7),
    _k("contentSchema", SCHEMA, ANNOTATION, "string", "scalar", _D2019),
)}


def keyword(name: str) -> Keyword | None:
    """The keyword called ``name`` in any draft, or None for one no draft defines."""
    return VOCABULARY.get(name)


def asserting(name: str) -> bool:
    """Does validation depend on ``name`` in some draft? (Unknown keywords: no.)"""
    k = VOCABULARY.get(name)
    return k is not None and k.asserting


def names(*, shape: str | None = None, role: str | None = None, kind: str | None = None,
          family: str | None = None) -> frozenset[str]:
    """The keywords with these properties (any draft)."""
    return frozenset(k.name for k in VOCABULARY.values()
                     if (shape is None or k.shape == shape) and (role is None or k.role == role)
                     and (kind is None or k.kind == kind) and (family is None or k.family == family))


def constrains(name: str, draft: int | None = None) -> bool:
    """Does ``name`` constrain the instance (an assertion, an applicator, a reference), in
    ``draft`` if given? Identifiers, containers, annotations and keywords of other drafts
    (draft 4's ``const``) do not: a subschema of only those accepts every value."""
    k = VOCABULARY.get(name)
    return k is not None and k.role in (ASSERTION, APPLICATOR, REFERENCE) and (
        draft is None or draft in k.drafts)


# The sets the stages ask for most, computed once.
# Keywords whose value is one subschema (``items`` too: before 2020-12 it may be a list).
SUBSCHEMA_KEYWORDS = names(shape=SCHEMA) | names(shape=SCHEMA_OR_LIST)
SCHEMA_MAP_KEYWORDS = names(shape=SCHEMA_MAP)
SCHEMA_LIST_KEYWORDS = names(shape=SCHEMA_LIST)
SET_KEYWORDS = names(shape=SET)
ASSERTING = frozenset(k.name for k in VOCABULARY.values() if k.asserting)
ANNOTATIONS = names(role=ANNOTATION)
IDENTIFIERS = names(role=IDENTIFIER)
APPLICATORS = names(role=APPLICATOR)
CONTAINERS = names(role=CONTAINER)
# Identifiers whose string value names something a reference can resolve to.
RESOURCE_NAMES = frozenset({"$id", "id", "$anchor", "$dynamicAnchor"})
# Keywords whose meaning reads what their sibling subschemas evaluated.
EVALUATION_DEPENDENT = frozenset({"unevaluatedProperties", "unevaluatedItems"})
