"""Random schema pairs: a base schema from a grammar of every keyword of every draft, and a
copy of it with one to three keyword-level mutations (or a one-keyword mutation of a real
SchemaStore document).

Everything is drawn from ``random.Random(f"{seed}:{index}")``: pair ``index`` of run
``seed`` is the same on every machine and in every worker, whatever the scheduling.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any
from urllib.parse import urldefrag, urljoin

from . import values as V
from .schemas import DRAFT_URIS, DRAFTS, Path, draft_of, get, instance_path, replace, subschemas

CORPUS = FsPath("/work/shared/corpus/schemastore")
# Real documents above this size make a pair take seconds (engine and judges alike); the
# long run's throughput matters more than the few large files.
CORPUS_MAX_BYTES = 64_000


@dataclass
class Pair:
    """One pair to attack. ``mutations`` says what was done, ``mutated_paths`` where."""

    old: Any
    new: Any
    origin: str  # "grammar" or "corpus:<file>"
    mutations: list[str] = field(default_factory=list)
    mutated_paths: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "origin": self.origin,
                "mutations": self.mutations}


def _defs_keyword(draft: int) -> str:
    return "definitions" if draft < 2019 else "$defs"


def _id_keyword(draft: int) -> str:
    return "id" if draft == 4 else "$id"


class Grammar:
    """Generates subschemas for one draft; definitions go to the root's $defs/definitions."""

    def __init__(self, rng: random.Random, draft: int) -> None:
        self.rng = rng
        self.draft = draft
        self.defs: dict[str, Any] = {}
        self.defs_kw = _defs_keyword(draft) if rng.random() < 0.9 else (
            "$defs" if draft < 2019 else "definitions")
        self.ids = 0
        self.inside_resource = False
        self.root_extra: dict[str, Any] = {}  # keywords only the root may carry

    # -- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Any) -> Any:
        return self.rng.choice(list(seq))

    def has(self, since: int, until: int = 2020) -> bool:
        """Is a keyword of drafts ``since``..``until`` available? (now and then: also when
        not, to check that keywords foreign to the draft are ignored)."""
        return since <= self.draft <= until or self.chance(0.06)

    def const(self) -> Any:
        return copy.deepcopy(self.pick(V.TRICKY_CONSTS))

    def number(self) -> Any:
        r = self.rng.random()
        if r < 0.55:
            return self.pick(V.INTS)
        if r < 0.85:
            return self.pick(V.DECIMALS)
        return self.pick(V.BIG_NUMBERS)

    def pattern(self) -> str:
        if self.chance(0.01):
            return str(self.pick(V.RARE_PATTERNS))
        return str(self.pick(V.PATTERNS))

    def name(self) -> str:
        return str(self.pick(V.NAMES))

    def names(self, lo: int, hi: int) -> list[str]:
        out: list[str] = []
        for _ in range(self.rng.randint(lo, hi)):
            n = self.name()
            if n not in out:
                out.append(n)
        return out

    def type_value(self) -> Any:
        if self.chance(0.25):
            return sorted(set(self.rng.sample(V.TYPES, self.rng.randint(1, 3))))
        return self.pick(V.TYPES)

    # -- schemas -------------------------------------------------------------------------

    def schema(self, depth: int) -> Any:
        if self.draft >= 6 and self.chance(0.07):
            return self.chance(0.6)
        if depth <= 0 or self.chance(0.25):
            return self.leaf()
        out: dict[str, Any] = {}
        for _ in range(self.rng.randint(1, 2)):
            for kw, value in self.fragment(depth).items():
                out.setdefault(kw, value)
        return out

    def leaf(self) -> Any:
        r = self.rng.random()
        if r < 0.3:
            return {"type": self.type_value()}
        if r < 0.45:
            return self.const_fragment()
        if r < 0.6:
            return {"type": "string", **self.string_keywords()}
        if r < 0.75:
            return {"type": self.pick(["integer", "number"]), **self.number_keywords()}
        if r < 0.85:
            return {}
        return self.pick([{"type": "object"}, {"type": "array"}, {"minLength": 1},
                          {"maximum": 3}, {"required": ["a"]}, {"minItems": 1}])

    FRAGMENT_WEIGHTS = (
        ("number", 10), ("string", 10), ("format", 4), ("array", 10), ("object", 14),
        ("propnames", 4), ("deps", 4), ("comb", 10), ("cond", 5), ("const", 9), ("ref", 6),
        ("recursion", 3), ("id", 3), ("uneval", 4), ("type", 6), ("annotation", 3),
        ("dynamic", 2),
    )

    # A family the run aims at (bench/fuzz.py --focus): its weight is multiplied by this.
    FOCUS_FACTOR = 12
    focus: str | None = None

    def fragment(self, depth: int) -> dict[str, Any]:
        names, weights = zip(*((n, w * self.FOCUS_FACTOR if n == self.focus else w)
                               for n, w in self.FRAGMENT_WEIGHTS))
        family = self.rng.choices(names, weights)[0]
        return dict(getattr(self, f"frag_{family}")(depth))

    def frag_type(self, depth: int) -> dict[str, Any]:
        return {"type": self.type_value()}

    def number_keywords(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _ in range(self.rng.randint(1, 2)):
            kw = self.pick(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                            "multipleOf"])
            if kw == "multipleOf":
                out[kw] = self.pick(V.MULTIPLES)
            elif kw.startswith("exclusive") and (self.draft == 4 or self.chance(0.03)):
                # draft 4: a boolean that qualifies minimum/maximum
                bound = "minimum" if kw == "exclusiveMinimum" else "maximum"
                out.setdefault(bound, self.number())
                out[kw] = self.chance(0.7)
            else:
                out[kw] = self.number()
        return out

    def frag_number(self, depth: int) -> dict[str, Any]:
        out = self.number_keywords()
        if self.chance(0.8):
            out["type"] = self.pick(["integer", "number", ["integer", "null"], ["number", "string"]])
        return out

    def string_keywords(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _ in range(self.rng.randint(1, 2)):
            kw = self.pick(["minLength", "maxLength", "pattern", "pattern"])
            out[kw] = self.pattern() if kw == "pattern" else self.rng.randint(0, 4)
        return out

    def frag_string(self, depth: int) -> dict[str, Any]:
        out = self.string_keywords()
        if self.chance(0.7):
            out["type"] = "string"
        return out

    def frag_format(self, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.pick(V.FORMATS)}
        if self.chance(0.6):
            out["type"] = "string"
        return out

    def frag_array(self, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.chance(0.7):
            out["type"] = "array"
        for _ in range(self.rng.randint(1, 3)):
            r = self.rng.random()
            if r < 0.25:
                out["items"] = self.schema(depth - 1)
            elif r < 0.45:
                tup = [self.schema(depth - 1) for _ in range(self.rng.randint(1, 3))]
                if self.draft >= 2020 and not self.chance(0.05):
                    out["prefixItems"] = tup
                    if self.chance(0.5):
                        out["items"] = self.schema(depth - 1) if self.chance(0.5) else False
                else:
                    out["items"] = tup
                    if self.chance(0.5):
                        out["additionalItems"] = (self.schema(depth - 1) if self.chance(0.5)
                                                  else False)
            elif r < 0.6 and self.has(6):
                out["contains"] = self.schema(depth - 1)
                if self.has(2019) and self.chance(0.5):
                    out[self.pick(["minContains", "maxContains"])] = self.rng.randint(0, 3)
            elif r < 0.72:
                out["uniqueItems"] = self.chance(0.8)
            elif r < 0.88:
                out[self.pick(["minItems", "maxItems"])] = self.rng.randint(0, 3)
            elif self.has(2019):
                out["unevaluatedItems"] = self.schema(depth - 1) if self.chance(0.4) else False
        return out

    def frag_object(self, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.chance(0.7):
            out["type"] = "object"
        props = {n: self.schema(depth - 1) for n in self.names(0, 3)}
        if props or self.chance(0.3):
            out["properties"] = props
        if self.chance(0.5):
            req = [n for n in props if self.chance(0.5)]
            if self.chance(0.2):
                req.append(self.name())
            req = list(dict.fromkeys(req))
            if req or self.draft >= 6:
                out["required"] = req
        r = self.rng.random()
        if r < 0.35:
            out["additionalProperties"] = False if self.chance(0.6) else self.schema(depth - 1)
        elif r < 0.45:
            out["patternProperties"] = {self.pattern(): self.schema(depth - 1)}
        if self.chance(0.2):
            out[self.pick(["minProperties", "maxProperties"])] = self.rng.randint(0, 3)
        return out

    def frag_propnames(self, depth: int) -> dict[str, Any]:
        if not self.has(6):
            return self.frag_object(depth)
        name_schema = self.pick([
            {"maxLength": self.rng.randint(0, 4)}, {"minLength": 1}, {"pattern": self.pattern()},
            {"enum": self.names(1, 3)}, {"const": self.name()}, {"format": self.pick(V.FORMATS)},
            False, True, {"not": {"const": "x"}}, {"type": "string"},
        ])
        out: dict[str, Any] = {"propertyNames": name_schema}
        if self.chance(0.5):
            out.update(self.frag_object(depth))
        return out

    def frag_deps(self, depth: int) -> dict[str, Any]:
        trigger = self.name()
        modern = self.draft >= 2019 if not self.chance(0.08) else self.draft < 2019
        out: dict[str, Any] = {}
        if self.chance(0.5):
            out["properties"] = {trigger: self.schema(depth - 1)}
        if modern:
            if self.chance(0.5):
                out["dependentRequired"] = {trigger: self.names(0, 2)}
            else:
                out["dependentSchemas"] = {trigger: self.schema(depth - 1)}
        else:
            dep = self.names(1, 2) if self.chance(0.5) else self.schema(depth - 1)
            if isinstance(dep, bool) and self.draft == 4:
                dep = {}
            out["dependencies"] = {trigger: dep}
        return out

    def frag_comb(self, depth: int) -> dict[str, Any]:
        kw = self.pick(["allOf", "anyOf", "oneOf", "not", "allOf", "anyOf", "oneOf"])
        if kw == "not":
            return {"not": self.schema(depth - 1)}
        return {kw: [self.schema(depth - 1) for _ in range(self.rng.randint(1, 3))]}

    def frag_cond(self, depth: int) -> dict[str, Any]:
        if not self.has(7):
            return self.frag_comb(depth)
        out = {"if": self.schema(depth - 1)}
        if self.chance(0.8):
            out["then"] = self.schema(depth - 1)
        if self.chance(0.6):
            out["else"] = self.schema(depth - 1)
        return out

    def const_fragment(self) -> dict[str, Any]:
        if self.has(6) and self.chance(0.5):
            return {"const": self.const()}
        members: list[Any] = []
        for _ in range(self.rng.randint(1, 4)):
            members.append(self.const())
        return {"enum": members}

    def frag_const(self, depth: int) -> dict[str, Any]:
        return self.const_fragment()

    def ref_to(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/{self.defs_kw}/{name}"}

    def frag_ref(self, depth: int) -> dict[str, Any]:
        if self.inside_resource:
            return self.frag_comb(depth)
        if self.defs and self.chance(0.4):
            name = self.pick(sorted(self.defs))
        else:
            name = f"d{len(self.defs)}"
            self.defs[name] = None  # reserved: a definition may refer to itself
            self.defs[name] = self.schema(depth - 1)
        out = self.ref_to(name)
        if self.chance(0.25):
            # Siblings of $ref: ignored before 2019-09, in force after.
            out.update(self.leaf())
        return out

    def frag_recursion(self, depth: int) -> dict[str, Any]:
        if self.inside_resource:
            return self.frag_comb(depth)
        name = f"r{len(self.defs)}"
        shape = self.rng.randint(0, 3)
        if shape == 0:
            self.defs[name] = {"type": "object",
                               "properties": {"v": self.leaf(), "next": self.ref_to(name)}}
        elif shape == 1:
            self.defs[name] = {"anyOf": [self.leaf(),
                                         {"type": "array", "items": self.ref_to(name)}]}
        elif shape == 2:
            self.defs[name] = {"type": ["object", "null"],
                               "additionalProperties": self.ref_to(name),
                               "maxProperties": self.rng.randint(1, 2)}
        else:
            return {"properties": {self.name(): {"$ref": "#"}}}
        return self.ref_to(name)

    def frag_id(self, depth: int) -> dict[str, Any]:
        """An embedded resource with its own definitions, next to the root's of the same
        name: which one ``#/$defs/x`` reaches depends on the ``$id``."""
        if self.inside_resource:
            return self.frag_comb(depth)
        self.ids += 1
        uri = f"http://example.com/fuzz/r{self.ids}.json"
        name = "x"
        self.inside_resource = True
        try:
            inner = self.schema(depth - 1)
        finally:
            self.inside_resource = False
        if name not in self.defs:
            self.defs[name] = self.schema(depth - 1)
        resource: dict[str, Any] = {_id_keyword(self.draft): uri,
                                    self.defs_kw: {name: inner}}
        anchored = None
        if self.draft >= 2019 and isinstance(inner, dict) and self.chance(0.3):
            inner["$anchor"] = "here"
            anchored = {"$ref": "#here"}
        elif self.draft in (6, 7) and isinstance(inner, dict) and self.chance(0.3):
            inner["$id"] = "#here"  # a plain-name fragment: the anchor of drafts 6 and 7
            anchored = {"$ref": "#here"}
        ref = anchored if anchored is not None and self.chance(0.6) else self.ref_to(name)
        if self.chance(0.6):
            resource["properties"] = {self.name(): ref}
        else:
            resource["allOf"] = [ref]
        r = self.rng.random()
        if r < 0.4:
            return {"properties": {self.name(): resource}}
        if r < 0.7:
            return {"allOf": [resource]}
        # Refer to the embedded resource by its URI from elsewhere.
        self.defs[f"e{self.ids}"] = resource
        return {"$ref": uri}

    def frag_annotation(self, depth: int) -> dict[str, Any]:
        """Keywords that change no valid value (what a change to them must be called)."""
        kw = self.pick(["title", "description", "default", "examples", "$comment",
                        "deprecated", "readOnly", "writeOnly", "contentMediaType",
                        "contentEncoding"])
        value: Any = {"title": "T", "description": "d", "default": self.const(),
                      "examples": [self.const()], "$comment": "c", "deprecated": True,
                      "readOnly": True, "writeOnly": False, "contentMediaType": "application/json",
                      "contentEncoding": "base64"}[kw]
        out: dict[str, Any] = {kw: value}
        if self.chance(0.5):
            out.update(self.leaf())
        return out

    def frag_dynamic(self, depth: int) -> dict[str, Any]:
        """Recursion through the dynamic scope: $recursiveRef (2019-09), $dynamicRef
        (2020-12), here with a root-level anchor so they resolve as ``#`` would."""
        if self.inside_resource or self.draft < 2019:
            return self.frag_recursion(depth)
        self.root_extra.update({"$recursiveAnchor": True} if self.draft == 2019
                               else {"$dynamicAnchor": "node"})
        ref = {"$recursiveRef": "#"} if self.draft == 2019 else {"$dynamicRef": "#node"}
        return self.pick([{"properties": {self.name(): ref}},
                          {"type": "array", "items": ref, "maxItems": 2},
                          {"anyOf": [self.leaf(), {"type": "array", "items": ref}]}])

    def frag_uneval(self, depth: int) -> dict[str, Any]:
        """``unevaluated*`` beside the subschemas that evaluate for it: in-place branches of
        every kind (``allOf``/``anyOf``/``oneOf``, ``if``/``then``/``else``,
        ``dependentSchemas``, ``$ref`` to an "extends" definition), nested ones, and
        ``contains`` for items: each shape the engine's rewrite has a case for."""
        if not self.has(2019):
            return self.frag_object(depth)
        if self.chance(0.6):
            return self._uneval_properties(depth)
        return self._uneval_items(depth)

    def _evaluating_object(self, depth: int) -> dict[str, Any]:
        """A subschema that evaluates some properties of the instance it applies to."""
        out: dict[str, Any] = {}
        r = self.rng.random()
        if r < 0.6 or depth <= 0:
            out["properties"] = {n: self.schema(depth - 1) for n in self.names(1, 2)}
            if self.chance(0.3):
                out["required"] = list(out["properties"])[:1]
        elif r < 0.75:
            out["patternProperties"] = {self.pattern(): self.schema(depth - 1)}
        elif r < 0.85:
            out["additionalProperties"] = self.chance(0.5) if self.chance(0.5) \
                else self.schema(depth - 1)
        else:
            out["unevaluatedProperties"] = self.chance(0.5)
        if self.chance(0.2) and depth > 0:
            out.update(self._uneval_properties(depth - 1, with_keyword=False))
        return out

    def _place(self, depth: int, make: Any) -> dict[str, Any]:
        """One in-place way of applying subschemas that ``make`` builds."""
        r = self.rng.random()
        if r < 0.25:
            return {"allOf": [make(depth) for _ in range(self.rng.randint(1, 2))]}
        if r < 0.45:
            return {self.pick(["anyOf", "oneOf"]): [make(depth)
                                                   for _ in range(self.rng.randint(1, 3))]}
        if r < 0.65 and self.has(7):
            out: dict[str, Any] = {"if": make(depth)}
            if self.chance(0.7):
                out["then"] = make(depth)
            if self.chance(0.6):
                out["else"] = make(depth)
            return out
        if r < 0.75:
            return {"dependentSchemas": {self.name(): make(depth)}}
        if r < 0.85:
            return {"not": make(depth)}
        if self.inside_resource:
            return {"allOf": [make(depth)]}
        name = f"d{len(self.defs)}"
        self.defs[name] = None  # reserved: a definition may refer to itself
        self.defs[name] = make(depth)
        return self.ref_to(name)

    def _uneval_properties(self, depth: int, with_keyword: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _ in range(self.rng.randint(1, 2)):
            for k, v in self._place(depth - 1, self._evaluating_object).items():
                out.setdefault(k, v)
        if self.chance(0.5):
            out["properties"] = {self.name(): self.schema(depth - 1)}
        if self.chance(0.15):
            out["patternProperties"] = {self.pattern(): self.schema(depth - 1)}
        if with_keyword:
            out["unevaluatedProperties"] = False if self.chance(0.6) else self.schema(depth - 1)
        return out

    def _evaluating_array(self, depth: int) -> dict[str, Any]:
        r = self.rng.random()
        tup = [self.schema(depth - 1) for _ in range(self.rng.randint(1, 2))]
        if r < 0.55:
            return {"prefixItems": tup} if self.draft >= 2020 else {"items": tup}
        if r < 0.75:
            return {"contains": self.schema(depth - 1)}
        if r < 0.85:
            return {"items": self.schema(depth - 1)}
        return {"unevaluatedItems": self.chance(0.5)}

    def _uneval_items(self, depth: int) -> dict[str, Any]:
        out = self._place(depth - 1, self._evaluating_array)
        if self.chance(0.3):
            out["contains"] = self.schema(depth - 1)
        out["unevaluatedItems"] = False if self.chance(0.6) else self.schema(depth - 1)
        return out

    # -- documents -----------------------------------------------------------------------

    def document(self, depth: int) -> Any:
        root = self.schema(depth)
        if isinstance(root, bool) and (self.defs or self.chance(0.7)):
            root = {"allOf": [root]} if self.draft >= 6 else {}
        if self.defs:
            defs = {k: v for k, v in self.defs.items() if v is not None}
            if isinstance(root, dict):
                root = {**root, self.defs_kw: {**root.get(self.defs_kw, {}), **defs}}
        if self.root_extra:
            if not isinstance(root, dict):
                root = {"allOf": [root]}
            root = {**root, **self.root_extra}
        if isinstance(root, dict) and (self.draft != 2020 or self.chance(0.7)):
            root = {"$schema": DRAFT_URIS[self.draft], **root}
        return root


# ---------------------------------------------------------------------------------------------
# Mutations: each takes (rng, document, path of a subschema) and returns the new document
# and a short description, or None when it does not apply there.


def _bound_step(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([-1, 1, 1, 2]) if rng.random() < 0.8 else float(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53 and rng.random() < 0.3:
            return int(value)
        return value + rng.choice([-0.5, 0.5, -1, 1, 0.01])
    return value


class Mutator:
    def __init__(self, rng: random.Random, document: Any) -> None:
        self.rng = rng
        self.draft = draft_of(document)
        self.grammar = Grammar(rng, self.draft)

    def operations(self) -> list[Any]:
        return [self.add_keyword, self.remove_keyword, self.change_keyword, self.step_bound,
                self.enum_member, self.const_lookalike, self.type_change, self.required_change,
                self.additional_change, self.wrap, self.behind_ref, self.inline_ref,
                self.change_draft, self.boolean, self.items_form, self.id_change,
                self.pattern_change, self.format_change, self.rename_property]

    def mutate(self, document: Any, path: Path) -> tuple[Any, str] | None:
        """One mutation at ``path``: the first of the operations, in random order, that
        applies there."""
        ops = self.operations()
        self.rng.shuffle(ops)
        for op in ops:
            doc = copy.deepcopy(document)
            done = op(doc, path)
            if done is not None:
                return done
        return None

    def mutate_anywhere(self, document: Any) -> tuple[Any, str, Path] | None:
        """One mutation: an operation drawn first (each as likely as the others, rare
        keywords' included), then a place where it applies."""
        locations = [p for p, _ in subschemas(document)]
        for _ in range(6):
            op = self.rng.choice(self.operations())
            for path in self.rng.sample(locations, min(len(locations), 12)):
                doc = copy.deepcopy(document)
                done = op(doc, path)
                if done is not None:
                    return done[0], done[1], path
        path = self.rng.choice(locations)
        done = self.mutate(document, path)
        return None if done is None else (done[0], done[1], path)

    def _node(self, doc: Any, path: Path) -> Any:
        return get(doc, path)

    def add_keyword(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        frag = self.grammar.fragment(2)
        self.grammar.defs.clear()  # fragments that need new definitions: skip those
        if not isinstance(node, dict) or "$ref" in json.dumps(frag):
            return None
        new = [k for k in frag if k not in node]
        if not new:
            return None
        kw = self.rng.choice(new)
        node[kw] = frag[kw]
        return doc, f"add {kw} at {_ptr(path)}"

    def remove_keyword(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        keys = [k for k in node if k != "$schema" or self.rng.random() < 0.2]
        if not keys:
            return None
        kw = self.rng.choice(keys)
        del node[kw]
        return doc, f"remove {kw} at {_ptr(path)}"

    def change_keyword(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict) or not node:
            return None
        kw = self.rng.choice(list(node))
        for _ in range(8):
            frag = self.grammar.fragment(2)
            self.grammar.defs.clear()
            if kw in frag and "$ref" not in json.dumps(frag[kw]) and frag[kw] != node[kw]:
                node[kw] = frag[kw]
                return doc, f"change {kw} at {_ptr(path)}"
        return None

    def step_bound(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        bounds = [k for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                              "minLength", "maxLength", "minItems", "maxItems", "minProperties",
                              "maxProperties", "minContains", "maxContains", "multipleOf")
                  if k in node and isinstance(node[k], (int, float))]
        if not bounds:
            return None
        kw = self.rng.choice(bounds)
        old = node[kw]
        if kw == "multipleOf" and not isinstance(old, bool):
            node[kw] = self.rng.choice([old * 2, old / 2, old + 1, 0.5, 0.01, 1.5])
        else:
            node[kw] = _bound_step(old, self.rng)
            if kw.startswith(("min", "max")) and kw not in ("minimum", "maximum") and (
                    not isinstance(node[kw], int) or node[kw] < 0):
                node[kw] = max(0, int(old) + 1)
        if node[kw] == old and type(node[kw]) is type(old):
            return None
        return doc, f"step {kw} {old!r}→{node[kw]!r} at {_ptr(path)}"

    def enum_member(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict) or not isinstance(node.get("enum"), list):
            return None
        members = node["enum"]
        r = self.rng.random()
        if r < 0.4 and len(members) > 1:
            members.pop(self.rng.randrange(len(members)))
            return doc, f"remove an enum member at {_ptr(path)}"
        if r < 0.6 and len(members) > 1:
            members.reverse()
            return doc, f"reorder enum at {_ptr(path)}"
        members.append(self.grammar.const())
        return doc, f"add an enum member at {_ptr(path)}"

    def const_lookalike(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        kw = "const" if "const" in node else "enum" if isinstance(node.get("enum"), list) and \
            node["enum"] else None
        if kw is None:
            return None
        value = node[kw] if kw == "const" else node[kw][0]
        twin = _lookalike(value, self.rng)
        if twin is None:
            return None
        if kw == "const":
            node[kw] = twin
        else:
            node[kw][0] = twin
        return doc, f"{kw} {value!r}→{twin!r} at {_ptr(path)}"

    def type_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        old = node.get("type")
        if old is None:
            node["type"] = self.grammar.type_value()
        elif isinstance(old, list):
            if len(old) > 1 and self.rng.random() < 0.5:
                node["type"] = old[1:] if self.rng.random() < 0.5 else old[0]
            else:
                node["type"] = sorted(set(old) | {self.rng.choice(V.TYPES)})
        elif old == "integer":
            node["type"] = self.rng.choice(["number", ["integer"], ["integer", "string"]])
        elif old == "number":
            node["type"] = self.rng.choice(["integer", ["number", "null"]])
        else:
            node["type"] = self.rng.choice([[old], [old, self.rng.choice(V.TYPES)],
                                            self.rng.choice(V.TYPES)])
        if node.get("type") == old:
            return None
        return doc, f"type {old!r}→{node['type']!r} at {_ptr(path)}"

    def required_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        req = node.get("required")
        props = list(node.get("properties", {})) if isinstance(node.get("properties"), dict) \
            else []
        if isinstance(req, list) and req and self.rng.random() < 0.5:
            gone = req.pop(self.rng.randrange(len(req)))
            if not req and self.draft == 4:
                del node["required"]
            return doc, f"unrequire {gone!r} at {_ptr(path)}"
        name = self.rng.choice(props) if props and self.rng.random() < 0.7 else \
            self.grammar.name()
        if isinstance(req, list):
            if name in req:
                return None
            req.append(name)
        else:
            node["required"] = [name]
        return doc, f"require {name!r} at {_ptr(path)}"

    def additional_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not isinstance(node, dict):
            return None
        kw = self.rng.choice(["additionalProperties", "additionalProperties", "unevaluatedProperties",
                              "additionalItems", "unevaluatedItems"])
        old = node.get(kw, "absent")
        choices: list[Any] = ["absent", False, True, {"type": "string"}, {"type": "integer"}]
        new = self.rng.choice([c for c in choices if c != old])
        if new == "absent":
            node.pop(kw, None)
        else:
            node[kw] = new
        return doc, f"{kw} {old!r}→{new!r} at {_ptr(path)}"

    def wrap(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = self._node(doc, path)
        if not path and isinstance(node, dict) and any(
                k in node for k in ("$schema", "$defs", "definitions", "$id", "id")):
            return None  # the root's identity keywords must stay at the root
        g = self.grammar
        how = self.rng.choice(["allOf", "anyOf", "oneOf", "notnot", "if", "allOf2"])
        if how == "allOf":
            new: Any = {"allOf": [node]}
        elif how == "allOf2":
            new = {"allOf": [node, g.leaf()]}
        elif how == "anyOf":
            new = {"anyOf": [node, g.leaf()]}
        elif how == "oneOf":
            new = {"oneOf": [node]}
        elif how == "notnot":
            new = {"not": {"not": node}}
        else:
            new = {"if": g.leaf(), "then": node, "else": node}
        return replace(doc, path, new), f"wrap {_ptr(path)} in {how}"

    def behind_ref(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        if not path or not isinstance(doc, dict) or path[0] in ("$defs", "definitions"):
            return None
        if any(isinstance(get(doc, path[:i]), dict) and
               any(k in get(doc, path[:i]) for k in ("$id", "id")) for i in range(1, len(path))):
            return None  # a base URI change on the way: "#/..." would not reach the root
        node = get(doc, path)
        defs_kw = "$defs" if "$defs" in doc or (self.draft >= 2019 and "definitions" not in doc) \
            else "definitions"
        defs = doc.setdefault(defs_kw, {})
        name = f"m{len(defs)}"
        defs[name] = node
        replace(doc, path, {"$ref": f"#/{defs_kw}/{name}"})
        return doc, f"move {_ptr(path)} behind $ref"

    def inline_ref(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str) \
                or not node["$ref"].startswith("#/"):
            return None
        parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in node["$ref"][2:].split("/"))
        try:
            target = copy.deepcopy(get(doc, parts))
        except (KeyError, IndexError, TypeError):
            return None
        if node["$ref"] in json.dumps(target):
            return None  # recursive
        rest = {k: v for k, v in node.items() if k != "$ref"}
        new = target if not rest else {"allOf": [target], **rest}
        replace(doc, path, new)
        return doc, f"inline $ref at {_ptr(path)}"

    def change_draft(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        if not isinstance(doc, dict):
            return None
        old = doc.get("$schema")
        choice = self.rng.choice([*DRAFTS, None])
        new = DRAFT_URIS[choice] if choice is not None else None
        if new == old:
            return None
        if new is None:
            doc.pop("$schema")
        else:
            doc["$schema"] = new
            doc.update({"$schema": new})
        return doc, f"$schema {old}→{new}"

    def boolean(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        if not path:
            return None
        new = self.rng.choice([True, False, {}, {"not": {}}])
        if get(doc, path) == new:
            return None
        return replace(doc, path, new), f"{_ptr(path)} → {json.dumps(new)}"

    def items_form(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict):
            return None
        if isinstance(node.get("items"), list):
            tup = node.pop("items")
            if self.rng.random() < 0.5:
                node["prefixItems"] = tup
            else:
                node["items"] = tup[0] if tup else {}
            return doc, f"items tuple rewritten at {_ptr(path)}"
        if "prefixItems" in node:
            node["items"] = node.pop("prefixItems")
            return doc, f"prefixItems→items at {_ptr(path)}"
        if "items" in node and not isinstance(node["items"], list):
            node["items"] = [node["items"]]
            return doc, f"items→[items] at {_ptr(path)}"
        return None

    def id_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict) or not path:
            return None
        key = "id" if self.draft == 4 else "$id"
        if key in node:
            if self.rng.random() < 0.5:
                del node[key]
                return doc, f"remove {key} at {_ptr(path)}"
            node[key] = f"http://example.com/fuzz/moved{self.rng.randint(0, 9)}.json"
            return doc, f"change {key} at {_ptr(path)}"
        if not any(k in node for k in ("$defs", "definitions")):
            return None  # a new base URI matters where "#/..." references resolve below it
        node[key] = f"http://example.com/fuzz/added{self.rng.randint(0, 9)}.json"
        return doc, f"add {key} at {_ptr(path)}"

    def pattern_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict) or not isinstance(node.get("pattern"), str):
            return None
        p = node["pattern"]
        options = [p.lstrip("^"), "^" + p, p + "$", p.rstrip("$"), self.grammar.pattern(),
                   f"(?:{p})|z", f"{p}|^$"]
        new = self.rng.choice([o for o in options if o != p] or [self.grammar.pattern()])
        node["pattern"] = new
        return doc, f"pattern {p!r}→{new!r} at {_ptr(path)}"

    def format_change(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict) or node.get("type") != "string":
            return None
        old = node.get("format")
        new = self.rng.choice([f for f in V.FORMATS if f != old])
        node["format"] = new
        return doc, f"format {old!r}→{new!r} at {_ptr(path)}"

    def rename_property(self, doc: Any, path: Path) -> tuple[Any, str] | None:
        node = get(doc, path)
        if not isinstance(node, dict) or not isinstance(node.get("properties"), dict) \
                or not node["properties"]:
            return None
        old = self.rng.choice(list(node["properties"]))
        new = self.grammar.name()
        if new in node["properties"]:
            return None
        node["properties"] = {new if k == old else k: v for k, v in node["properties"].items()}
        return doc, f"rename property {old!r}→{new!r} at {_ptr(path)}"


def _lookalike(value: Any, rng: random.Random) -> Any:
    """A value that is easy to confuse with ``value`` (equal or not, by JSON Schema rules)."""
    if isinstance(value, bool):
        return rng.choice([int(value), float(value), [value]])
    if isinstance(value, int):
        return rng.choice([float(value) if abs(value) < 2**63 else value + 1, value == 1 or None,
                           value + 1, value - 1, [value]])
    if isinstance(value, float):
        return rng.choice([int(value) if value.is_integer() and abs(value) < 1e300 else value / 2,
                           -value, value + 0.5])
    if isinstance(value, list):
        return [_lookalike(v, rng) for v in value] if value else [[]]
    if isinstance(value, dict):
        return {k: _lookalike(v, rng) for k, v in value.items()} if value else {"a": None}
    if isinstance(value, str):
        return rng.choice([value + "\n", value.upper(), value + "😀", ""])
    return rng.choice([0, False, ""])


def _ptr(path: Path) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


# ---------------------------------------------------------------------------------------------


def mutate(rng: random.Random, document: Any, count: int) -> tuple[Any, list[str], list[Path]]:
    doc = copy.deepcopy(document)
    done: list[str] = []
    paths: list[Path] = []
    for _ in range(count * 3):
        if len(done) >= count:
            break
        result = Mutator(rng, doc).mutate_anywhere(doc)
        if result is None:
            continue
        doc, what, path = result
        done.append(what)
        paths.append(path)
    return doc, done, paths


def grammar_pair(rng: random.Random, focus: str | None = None) -> Pair:
    draft = rng.choice(DRAFTS)
    grammar = Grammar(rng, draft)
    grammar.focus = focus
    base = grammar.document(rng.choice([1, 2, 2, 3, 3]))
    count = rng.choice([1, 1, 2, 3])
    new, what, paths = mutate(rng, base, count)
    if rng.random() < 0.08 and isinstance(new, dict):
        # The other side in another draft, the keywords unchanged.
        other = rng.choice([d for d in DRAFTS if d != draft])
        new = {**new, "$schema": DRAFT_URIS[other]}
        what.append(f"$schema → {DRAFT_URIS[other]}")
    pair = Pair(base, new, "grammar", what, paths)
    if rng.random() < 0.5:
        pair.old, pair.new = pair.new, pair.old
        pair.mutations = [f"(reversed) {m}" for m in pair.mutations]
    return pair


_CORPUS_FILES: list[FsPath] | None = None


def corpus_files() -> list[FsPath]:
    """The corpus documents worth fuzzing, sorted: both sides of every pair, at most
    CORPUS_MAX_BYTES, and without ``$ref``s to other documents (never fetched: the judges
    could not judge what depends on them)."""
    global _CORPUS_FILES
    if _CORPUS_FILES is None:
        found: set[FsPath] = set()
        manifest = CORPUS / "manifest.json"
        if manifest.exists():
            for entry in json.loads(manifest.read_text())["pairs"]:
                for key in ("old_file", "new_file"):
                    path = CORPUS / entry[key]
                    if path.exists() and path.stat().st_size <= CORPUS_MAX_BYTES \
                            and not _remote_refs(_read(path)):
                        found.add(path)
        _CORPUS_FILES = sorted(found)
    return _CORPUS_FILES


def _read(path: FsPath) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))  # json keeps big integers exact


def _remote_refs(document: Any) -> bool:
    base = ""
    if isinstance(document, dict):
        ident = document.get("$id", document.get("id"))
        base = ident if isinstance(ident, str) else ""
    for _, sub in subschemas(document):
        ref = sub.get("$ref") if isinstance(sub, dict) else None
        if isinstance(ref, str) and not ref.startswith("#") \
                and urldefrag(urljoin(base, ref))[0] != urldefrag(base)[0]:
            return True
    return False


def corpus_pair(rng: random.Random) -> Pair | None:
    files = corpus_files()
    if not files:
        return None
    path = rng.choice(files)
    document = _read(path)
    result = Mutator(rng, document).mutate_anywhere(document)
    if result is None:
        return None
    new, what, target = result
    pair = Pair(document, new, f"corpus:{path.relative_to(CORPUS)}", [what], [target])
    if rng.random() < 0.5:
        pair.old, pair.new = pair.new, pair.old
        pair.mutations = [f"(reversed) {what}"]
    return pair


CORPUS_SHARE = 0.15


def make_pair(seed: int, index: int, *, corpus: bool = True, focus: str | None = None) -> Pair:
    """Pair ``index`` of the run ``seed``: the same on every machine and in every worker.
    ``focus`` names a grammar family (``Grammar.FRAGMENT_WEIGHTS``) drawn far more often;
    a focused run has grammar pairs only."""
    rng = random.Random(f"{seed}:{index}" if focus is None else f"{seed}:{focus}:{index}")
    if corpus and focus is None and rng.random() < CORPUS_SHARE:
        pair = corpus_pair(rng)
        if pair is not None:
            return pair
    return grammar_pair(rng, focus)


__all__ = ["CORPUS", "Pair", "corpus_files", "instance_path", "make_pair"]
