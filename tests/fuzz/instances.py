"""Instances to attack a verdict with: hand-picked edge values, values built from what the
schemas name (property names, constants, bounds), the engine's own examples, hypothesis-
jsonschema's, and mutations of all of those placed where the mutated subschema applies.

Every source is deterministic given the ``random.Random`` it is handed.
"""

from __future__ import annotations

import copy
import json
import random
import time
import warnings
from collections.abc import Iterable
from typing import Any

from . import values as V
from .schemas import Path, instance_path, subschemas


def key(value: Any) -> str:
    """A canonical text for a JSON value that keeps 1, 1.0 and true apart."""
    return json.dumps(value, sort_keys=True)


class Pool:
    """An ordered, de-duplicated list of candidate instances with a cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[Any] = []
        self.keys: set[str] = set()

    def add(self, value: Any) -> bool:
        if len(self.items) >= self.cap:
            return False
        try:
            k = key(value)
        except (TypeError, ValueError, RecursionError):
            return True
        if k not in self.keys:
            self.keys.add(k)
            self.items.append(value)
        return True

    def extend(self, values: Iterable[Any]) -> None:
        for v in values:
            if not self.add(v):
                return

    @property
    def full(self) -> bool:
        return len(self.items) >= self.cap


# -- what the schemas name -----------------------------------------------------------------


def literals(*documents: Any) -> tuple[list[str], list[Any]]:
    """Property names and literal values (constants, bounds and their neighbours) the
    documents mention."""
    names: list[str] = []
    found: list[Any] = []

    def name(n: Any) -> None:
        if isinstance(n, str) and n not in names:
            names.append(n)

    for doc in documents:
        for _, sub in subschemas(doc):
            if not isinstance(sub, dict):
                continue
            for kw, value in sub.items():
                if kw in ("properties", "dependentSchemas", "dependentRequired", "dependencies") \
                        and isinstance(value, dict):
                    for n, dep in value.items():
                        name(n)
                        if isinstance(dep, list):
                            for d in dep:
                                name(d)
                elif kw == "required" and isinstance(value, list):
                    for n in value:
                        name(n)
                elif kw == "const":
                    found.append(copy.deepcopy(value))
                elif kw == "enum" and isinstance(value, list):
                    found.extend(copy.deepcopy(value[:20]))
                elif kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") \
                        and isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.extend(_around(value))
                elif kw == "multipleOf" and isinstance(value, (int, float)) \
                        and not isinstance(value, bool):
                    found.extend([value, value * 2, value * 3, -value, value / 2, value * 1.5])
                elif kw in ("minLength", "maxLength") and isinstance(value, int) \
                        and not isinstance(value, bool) and 0 <= value < 100:
                    found.extend(["a" * max(0, value - 1), "a" * value, "a" * (value + 1),
                                  "😀" * value, "😀" * (value + 1)])
                elif kw in ("minItems", "maxItems", "minContains", "maxContains") \
                        and isinstance(value, int) and not isinstance(value, bool) \
                        and 0 <= value < 20:
                    found.extend([[1] * value, [1] * (value + 1), list(range(value + 1))])
                elif kw in ("minProperties", "maxProperties") and isinstance(value, int) \
                        and not isinstance(value, bool) and 0 <= value < 20:
                    found.append({f"p{i}": 1 for i in range(value + 1)})
                elif kw == "examples" and isinstance(value, list):
                    found.extend(copy.deepcopy(value[:5]))
                elif kw == "default":
                    found.append(copy.deepcopy(value))
    return names, found


def _around(value: int | float) -> list[Any]:
    out: list[Any] = [value, value + 1, value - 1]
    if isinstance(value, int) and abs(value) < 2**53:
        out += [float(value), value + 0.5, value - 0.5]
    elif isinstance(value, float):
        out += [value + 0.5, value - 0.5, value + 0.01, value - 0.01]
        if value.is_integer() and abs(value) < 1e300:
            out.append(int(value))
    return out


# -- strings for patterns --------------------------------------------------------------------

_CLASS_SAMPLES = {"d": "05", "D": "a-", "w": "a_Z9", "W": " -é", "s": " \t\n\u00a0", "S": "a1",
                  "b": "", "B": "", "n": "\n", "t": "\t"}


def pattern_alphabet(pattern: str) -> str:
    """Characters worth building strings from for ``pattern``: its literals, samples of its
    escapes and classes (both ends of ranges), and a few outsiders."""
    chars: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            chars.extend(_CLASS_SAMPLES.get(pattern[i + 1], pattern[i + 1]))
            i += 2
            continue
        if c == "-" and 0 < i < len(pattern) - 1:
            chars.extend((pattern[i - 1], pattern[i + 1]))
        elif c not in "^$()[]{}|?*+.":
            chars.append(c)
        elif c == ".":
            chars.extend("x😀")
        i += 1
    chars.extend("a0 😀\n")
    return "".join(dict.fromkeys(chars))


def pattern_strings(rng: random.Random, pattern: str, count: int) -> list[str]:
    """Strings over the pattern's alphabet, of lengths 0..6, with junk around some."""
    alphabet = pattern_alphabet(pattern)
    out: list[str] = []
    for _ in range(count):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        r = rng.random()
        if r < 0.15:
            text += "\n"
        elif r < 0.25:
            text = "x" + text
        elif r < 0.35:
            text = text * 2
        out.append(text)
    return out


def patterns_of(*documents: Any) -> list[str]:
    found: list[str] = []
    for doc in documents:
        for _, sub in subschemas(doc):
            if not isinstance(sub, dict):
                continue
            if isinstance(sub.get("pattern"), str):
                found.append(sub["pattern"])
            if isinstance(sub.get("patternProperties"), dict):
                found.extend(p for p in sub["patternProperties"] if isinstance(p, str))
            names = sub.get("propertyNames")
            if isinstance(names, dict) and isinstance(names.get("pattern"), str):
                found.append(names["pattern"])
    return list(dict.fromkeys(found))


# -- mutation of instances -------------------------------------------------------------------


def _locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_locations(v, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_locations(v, (*path, i)))
    return out


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def place(base: Any, where: tuple[Any, ...], value: Any) -> Any | None:
    """A copy of ``base`` with ``value`` at ``where`` (containers created on the way)."""
    if not where:
        return copy.deepcopy(value)
    out = copy.deepcopy(base)
    if not isinstance(out, (dict, list)):
        out = {} if isinstance(where[0], str) else []
    node = out
    for i, seg in enumerate(where):
        last = i == len(where) - 1
        if isinstance(seg, str):
            if not isinstance(node, dict):
                return None
            if last:
                node[seg] = copy.deepcopy(value)
            else:
                nxt = where[i + 1]
                if not isinstance(node.get(seg), (dict, list)):
                    node[seg] = {} if isinstance(nxt, str) else []
                node = node[seg]
        else:
            if not isinstance(node, list):
                return None
            while len(node) < seg:
                node.append(None)
            if last:
                if seg == len(node):
                    node.append(copy.deepcopy(value))
                else:
                    node[seg] = copy.deepcopy(value)
            else:
                nxt = where[i + 1]
                if seg == len(node):
                    node.append({} if isinstance(nxt, str) else [])
                elif not isinstance(node[seg], (dict, list)):
                    node[seg] = {} if isinstance(nxt, str) else []
                node = node[seg]
    return out


def mutate_instance(rng: random.Random, value: Any, edges: list[Any], names: list[str]) -> Any:
    """One small change: a sub-value replaced by an edge value, a key added or dropped, an
    item appended or duplicated, 1 ↔ 1.0 ↔ true."""
    out = copy.deepcopy(value)
    where = rng.choice(_locations(out))
    here = _get(out, where)
    r = rng.random()
    if r < 0.35:
        return place(out, where, rng.choice(edges))
    if r < 0.55 and isinstance(here, dict):
        here[rng.choice([*names, "zz", "é", ""]) if names and rng.random() < 0.7 else "zz_undeclared"] \
            = rng.choice(edges)
        return out
    if r < 0.65 and isinstance(here, dict) and here:
        del here[rng.choice(list(here))]
        return out
    if r < 0.75 and isinstance(here, list):
        if here and rng.random() < 0.5:
            here.append(copy.deepcopy(rng.choice(here)))
        else:
            here.append(rng.choice(edges))
        return out
    if r < 0.8 and isinstance(here, list) and here:
        here.pop(rng.randrange(len(here)))
        return out
    twin = _twin(here)
    if twin is not None:
        return place(out, where, twin)
    return place(out, where, rng.choice(edges))


def _twin(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return float(value) if abs(value) < 2**63 else value + 1
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e300:
        return int(value)
    if isinstance(value, str):
        return value + "\n"
    return None


# -- hypothesis-jsonschema -------------------------------------------------------------------


def _install_many_more() -> None:
    """hypothesis-jsonschema 0.23 draws objects with ``many(...).more()``, which newer
    Hypothesis releases replaced by iteration; give ``many`` its old method back."""
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more"):
        return

    def more(self: Any) -> bool:
        it = self.__dict__.get("_fuzz_iter")
        if it is None:
            self.__enter__()
            it = self.__dict__["_fuzz_iter"] = iter(self)
        try:
            next(it)
        except StopIteration:
            self.__exit__(None)
            return False
        return True

    cu.many.more = more


class _Enough(Exception):
    pass


def hypothesis_examples(schema: Any, count: int, seed: int, seconds: float = 0.1) -> list[Any]:
    """Up to ``count`` values hypothesis-jsonschema draws for ``schema`` (not necessarily
    valid: the judges decide), deterministically for ``seed``; [] when it cannot. Drawing
    stops after ``seconds`` (unconstrained subschemas make large values, slowly): which
    values come first is deterministic, how many fit in the time is not quite."""
    try:
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings
        from hypothesis import seed as hseed
        from hypothesis_jsonschema import from_schema
    except ImportError:
        return []
    _install_many_more()
    out: list[Any] = []
    stop = time.monotonic() + seconds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # hypothesis-jsonschema rewrites the schema it is given (references resolved in
            # place): it gets a copy.
            strategy = from_schema(copy.deepcopy(schema))

            @hseed(seed)
            @settings(database=None, max_examples=count, phases=[Phase.generate], deadline=None,
                      suppress_health_check=list(HealthCheck), derandomize=False,
                      report_multiple_bugs=False, verbosity=Verbosity.quiet)
            @given(strategy)
            def collect(value: Any) -> None:
                if len(out) < count:
                    out.append(value)
                if time.monotonic() > stop:
                    raise _Enough

            from .attack import Overrun, time_limit

            with time_limit(seconds * 1.5):
                collect()
        except (Exception, Overrun):
            pass
    return out


def ref_free(document: Any) -> bool:
    text = json.dumps(document)
    return '"$ref"' not in text and '"$recursiveRef"' not in text and '"$dynamicRef"' not in text


# -- the candidate list ----------------------------------------------------------------------


def structural(rng: random.Random, names: list[str], edges: list[Any], count: int) -> list[Any]:
    """Objects over the names the schemas use, and arrays, holding edge values."""
    out: list[Any] = []
    for _ in range(count):
        r = rng.random()
        if r < 0.55 and names:
            chosen = rng.sample(names, rng.randint(1, min(len(names), 4)))
            obj = {n: rng.choice(edges) for n in chosen}
            if rng.random() < 0.3:
                obj["zz_undeclared"] = rng.choice(edges)
            out.append(obj)
        elif r < 0.8:
            out.append([rng.choice(edges) for _ in range(rng.randint(0, 4))])
        else:
            inner = {n: rng.choice(edges) for n in names[:3]} if names else {"a": 1}
            out.append(rng.choice([[inner], {"a": inner}, [inner, inner]]))
    return out


def embedded(rng: random.Random, bases: list[Any], paths: list[Path], sub_values: list[Any],
             count: int) -> list[Any]:
    """Values placed where the mutated subschemas apply, inside whole messages."""
    out: list[Any] = []
    wheres = [w for w in (instance_path(p) for p in paths) if w]
    if not wheres or not bases:
        return out
    for _ in range(count):
        where = rng.choice(wheres)
        placed = place(rng.choice(bases), tuple(where), rng.choice(sub_values))
        if placed is not None:
            out.append(placed)
    return out


def small_enough(value: Any) -> bool:
    try:
        return len(json.dumps(value)) < 200_000
    except (TypeError, ValueError, RecursionError):
        return False


def edge_pool(rng: random.Random, extra: list[Any]) -> list[Any]:
    edges = V.edge_values()
    edges.extend(e for e in extra if small_enough(e))
    return edges


def subschema_examples(document: Any, paths: list[Path]) -> list[Any]:
    """The engine's example builder's values for the mutated subschemas themselves (to be
    placed where those subschemas apply)."""
    from schema_compat.schema import load_root
    from schema_compat.semantics import MISSING, Checker

    out: list[Any] = []
    try:
        root = load_root(copy.deepcopy(document), "fuzz")
    except Exception:
        return out
    for path in paths[:3]:
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
        try:
            node = root.resolve("#" + pointer) if pointer else root
            value = Checker(max_steps=5_000).example(node)
        except Exception:
            continue
        if value is not MISSING:
            out.append(value)
    return out


__all__ = ["Pool", "edge_pool", "embedded", "hypothesis_examples", "key", "literals",
           "mutate_instance", "place", "ref_free", "structural", "subschema_examples"]
