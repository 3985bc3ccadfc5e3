"""Lockstep walk of two schema documents: every keyword that differs, with both locations.

The walk pairs subschemas the way a reviewer would: properties and definitions by name,
tuple items by position, ``anyOf``/``oneOf``/``allOf`` branches by best match (equal branches
first, then the most similar), so reordering branches is not a change. It yields raw
``KeywordChange``s; the rules name them and the engine measures their effect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from . import keywords
from .schema import detect_draft, escape_token, json_equal, json_key, split_pointer

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "<absent>"})()

# What each keyword's value is comes from the vocabulary (keywords.py).
SUBSCHEMA_KEYWORDS = keywords.SUBSCHEMA_KEYWORDS
SCHEMA_MAP_KEYWORDS = keywords.SCHEMA_MAP_KEYWORDS
SCHEMA_LIST_KEYWORDS = keywords.SCHEMA_LIST_KEYWORDS
SET_KEYWORDS = keywords.SET_KEYWORDS
_DEPENDENCIES = keywords.names(shape=keywords.DEPENDENCIES)
_SCHEMA_OR_LIST = keywords.names(shape=keywords.SCHEMA_OR_LIST)


@dataclass(frozen=True)
class KeywordChange:
    """One difference between the old and the new document.

    ``old_path``/``new_path`` are JSON pointers to the keyword (or to the element of a set
    keyword) on each side; the side where it is absent points at the enclosing subschema.
    ``member`` names the property, branch or set element concerned, when there is one.
    """

    keyword: str
    old_path: str | None
    new_path: str | None
    old: Any
    new: Any
    old_schema_path: str
    new_schema_path: str
    member: Any = ABSENT

    @property
    def added(self) -> bool:
        return self.old is ABSENT and self.new is not ABSENT

    @property
    def removed(self) -> bool:
        return self.new is ABSENT and self.old is not ABSENT


def _join(path: str, *segments: Any) -> str:
    return path + "".join("/" + escape_token(str(s)) for s in segments)


def diff_documents(old: Any, new: Any) -> Iterator[KeywordChange]:
    """Every keyword-level difference between two schema documents."""
    old_draft, new_draft = detect_draft(old), detect_draft(new)
    yield from _diff(old, new, "", "", old_draft, new_draft)


def _similarity(a: Any, b: Any) -> float:
    """How alike two subschemas look (0..1): shared keyword/value pairs over all keywords."""
    if json_equal(a, b):
        return 1.0
    if not isinstance(a, dict) or not isinstance(b, dict):
        return 0.0
    keys = set(a) | set(b)
    if not keys:
        return 1.0
    score = 0.0
    for k in keys:
        if k in a and k in b:
            score += 1.0 if json_equal(a[k], b[k]) else 0.5 * _similarity(a[k], b[k]) + 0.25
    return score / len(keys)


def match_branches(old: list[Any], new: list[Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair list elements: equal ones first, then greedily by similarity (above 0.3)."""
    pairs: list[tuple[int, int]] = []
    free_old = list(range(len(old)))
    free_new = list(range(len(new)))
    for i in list(free_old):
        for j in free_new:
            if json_equal(old[i], new[j]):
                pairs.append((i, j))
                free_old.remove(i)
                free_new.remove(j)
                break
    scored = sorted((-_similarity(old[i], new[j]), i, j) for i in free_old for j in free_new)
    for neg, i, j in scored:
        if -neg < 0.3:
            break
        if i in free_old and j in free_new:
            pairs.append((i, j))
            free_old.remove(i)
            free_new.remove(j)
    return sorted(pairs), free_old, free_new


def _diff(old: Any, new: Any, op: str, np_: str, od: int, nd: int) -> Iterator[KeywordChange]:
    if json_equal(old, new) and od == nd:
        return
    if not isinstance(old, dict) or not isinstance(new, dict):
        # At least one side is a boolean schema: the whole subschema changed.
        yield KeywordChange("<schema>", op, np_, old, new, op, np_)
        return
    if "$schema" in new and isinstance(new["$schema"], str):
        nd = detect_draft(new, nd)
    if "$schema" in old and isinstance(old["$schema"], str):
        od = detect_draft(old, od)
    conditional = _diff_conditional(old, new, op, np_)
    if conditional is not None:
        yield conditional
        old = {k: v for k, v in old.items() if k not in _CONDITIONAL}
        new = {k: v for k, v in new.items() if k not in _CONDITIONAL}
    for kw in sorted(set(old) | set(new)):
        yield from _diff_keyword(kw, old.get(kw, ABSENT), new.get(kw, ABSENT), op, np_, od, nd)


_CONDITIONAL = ("if", "then", "else")


def _diff_conditional(old: dict[str, Any], new: dict[str, Any], op: str,
                      np_: str) -> KeywordChange | None:
    """The one change for if/then/else when ``if`` appears or vanishes; None otherwise."""
    if (("if" in old) != ("if" in new)) and any(k in old or k in new for k in _CONDITIONAL):
        # A condition appearing or vanishing changes the meaning of then/else too: one change.
        o_part = {k: old[k] for k in _CONDITIONAL if k in old} or ABSENT
        n_part = {k: new[k] for k in _CONDITIONAL if k in new} or ABSENT
        return KeywordChange("if", _join(op, "if") if "if" in old else None,
                             _join(np_, "if") if "if" in new else None, o_part, n_part, op, np_,
                             member="<conditional>")
    return None


def _diff_keyword(kw: str, o: Any, n: Any, op: str, np_: str, od: int,
                  nd: int) -> Iterator[KeywordChange]:
    """The changes of one keyword: added, removed, or compared by what its value holds."""
    if o is not ABSENT and n is not ABSENT and json_equal(o, n):
        return
    okp = _join(op, kw) if o is not ABSENT else None
    nkp = _join(np_, kw) if n is not ABSENT else None
    if o is ABSENT or n is ABSENT:
        yield KeywordChange(kw, okp, nkp, o, n, op, np_)
        return
    assert okp is not None and nkp is not None
    if kw in SUBSCHEMA_KEYWORDS and _is_schema(o) and _is_schema(n):
        yield from _diff(o, n, okp, nkp, od, nd)
    elif kw in _SCHEMA_OR_LIST and isinstance(o, list) and isinstance(n, list):
        yield from _diff_list(kw, o, n, okp, nkp, op, np_, od, nd, positional=True)
    elif (kw in SCHEMA_MAP_KEYWORDS or kw in _DEPENDENCIES) and isinstance(o, dict) \
            and isinstance(n, dict):
        yield from _diff_map(kw, o, n, okp, nkp, op, np_, od, nd)
    elif kw in SCHEMA_LIST_KEYWORDS and isinstance(o, list) and isinstance(n, list):
        yield from _diff_list(kw, o, n, okp, nkp, op, np_, od, nd,
                              positional=kw == "prefixItems")
    elif kw in SET_KEYWORDS and isinstance(o, (list, str)) and isinstance(n, (list, str)):
        yield from _diff_set(kw, o, n, okp, nkp, op, np_)
    else:
        yield KeywordChange(kw, okp, nkp, o, n, op, np_)


def _is_schema(value: Any) -> bool:
    return isinstance(value, (dict, bool))


def _diff_map(kw: str, o: dict[str, Any], n: dict[str, Any], okp: str, nkp: str, op: str,
              np_: str, od: int, nd: int) -> Iterator[KeywordChange]:
    for name in sorted(set(o) | set(n)):
        ov, nv = o.get(name, ABSENT), n.get(name, ABSENT)
        if ov is ABSENT:
            yield KeywordChange(kw, None, _join(nkp, name), ABSENT, nv, op, np_, member=name)
        elif nv is ABSENT:
            yield KeywordChange(kw, _join(okp, name), None, ov, ABSENT, op, np_, member=name)
        elif _is_schema(ov) and _is_schema(nv):
            yield from _diff(ov, nv, _join(okp, name), _join(nkp, name), od, nd)
        elif not json_equal(ov, nv):
            yield KeywordChange(kw, _join(okp, name), _join(nkp, name), ov, nv, op, np_,
                                member=name)


def _diff_list(kw: str, o: list[Any], n: list[Any], okp: str, nkp: str, op: str, np_: str,
               od: int, nd: int, *, positional: bool) -> Iterator[KeywordChange]:
    if positional:
        pairs = [(i, i) for i in range(min(len(o), len(n)))]
        gone, new = list(range(len(n), len(o))), list(range(len(o), len(n)))
    else:
        pairs, gone, new = match_branches(o, n)
    for i, j in pairs:
        yield from _diff(o[i], n[j], _join(okp, i), _join(nkp, j), od, nd)
    for i in gone:
        yield KeywordChange(kw, _join(okp, i), None, o[i], ABSENT, op, np_, member=i)
    for j in new:
        yield KeywordChange(kw, None, _join(nkp, j), ABSENT, n[j], op, np_, member=j)


def _diff_set(kw: str, o: list[Any] | str, n: list[Any] | str, okp: str, nkp: str, op: str,
              np_: str) -> Iterator[KeywordChange]:
    ol = [o] if isinstance(o, str) else list(o)
    nl = [n] if isinstance(n, str) else list(n)
    if kw == "enum":
        old_keys, new_keys = {json_key(x) for x in ol}, {json_key(y) for y in nl}
        removed = [x for x in ol if json_key(x) not in new_keys]
        added = [x for x in nl if json_key(x) not in old_keys]
        if removed:
            yield KeywordChange(kw, okp, nkp, removed, ABSENT, op, np_, member="removed")
        if added:
            yield KeywordChange(kw, okp, nkp, ABSENT, added, op, np_, member="added")
        return
    for i, x in enumerate(ol):
        if not any(json_equal(x, y) for y in nl):
            path = okp if isinstance(o, str) else _join(okp, i)
            yield KeywordChange(kw, path, nkp, x, ABSENT, op, np_, member=x)
    for j, y in enumerate(nl):
        if not any(json_equal(x, y) for x in ol):
            path = nkp if isinstance(n, str) else _join(nkp, j)
            yield KeywordChange(kw, okp, path, ABSENT, y, op, np_, member=y)


@dataclass
class References:
    """Where a document's references can lead, as far as the text tells."""

    base: str  # the root's $id, without fragment ("" when it has none)
    pointers: list[list[str]] = field(default_factory=list)  # in this document, from its root
    absolute: set[str] = field(default_factory=set)  # documents named by absolute URI
    relative: bool = False  # a relative file reference: it resolves against some $id or path
    opaque: bool = False  # an anchor, or a reference resolved inside an embedded resource

    def names(self, ident: Any) -> bool:
        """Could a reference resolve to the resource this ``$id`` names?"""
        return self.relative or self.opaque or (
            isinstance(ident, str) and urldefrag(urljoin(self.base, ident)).url in self.absolute)


def references(schema: Any) -> References:
    """The references of a document, sorted by where they can lead (see ``References``)."""
    root_id = schema.get("$id", schema.get("id")) if isinstance(schema, dict) else None
    refs = References(urldefrag(root_id).url if isinstance(root_id, str) else "")
    if not isinstance(schema, dict):
        return refs
    for ref, embedded in _references(schema):
        uri, fragment = urldefrag(ref)
        if uri and "://" not in uri and not uri.startswith("urn:"):
            refs.relative = True
            refs.opaque = refs.opaque or embedded
            continue
        if uri:
            target = urldefrag(urljoin(refs.base, uri)).url
            refs.absolute.add(target)
            if not refs.base or target != refs.base:
                continue  # another document
        elif embedded:
            refs.opaque = True
            continue
        if not fragment:
            continue
        try:
            if not fragment.startswith("/"):
                raise ValueError(fragment)
            refs.pointers.append(split_pointer(unquote(fragment)))
        except ValueError:
            refs.opaque = True  # an anchor (or no pointer at all)
    return refs


def skeleton(schema: Any, *, relative_refs_alike: bool = False) -> Any:
    """The schema with every annotation removed: what validation depends on, and only that;
    None where no skeleton can stand for the document.

    Two documents with equal skeletons (compared with ``json_equal``) accept exactly the same
    messages. That holds only where every reference resolves alike on both sides, so the
    skeleton keeps what references can see:

    - an ``$id`` (the root's often carries the version) only where a reference can name it:
      an absolute reference to it, or any relative file reference;
    - whatever a JSON-pointer reference points at, annotation or not (``#/components/X``,
      ``#/properties/a/default``), read as the schema it is used as.

    None (no shortcut) for references it cannot follow: a relative file reference unless
    ``relative_refs_alike`` (both documents in the same directory, so it names the same
    file), an anchor, and a reference other than an absolute one inside an embedded resource
    (its ``$id`` is the base it resolves against).
    """
    if not isinstance(schema, dict):
        return schema
    refs = references(schema)
    if refs.opaque or (refs.relative and not relative_refs_alike):
        return None
    kept: dict[Any, Any] = {}  # a trie of the JSON pointers references point at
    for tokens in refs.pointers:
        here = kept
        for token in tokens:
            here = here.setdefault(token, {})
        here[_TARGET] = True
    top = {k: v for k, v in schema.items() if k not in ("$id", "id") or refs.names(v)}
    return _skeleton(top, refs.names, kept)


def _references(document: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """Every reference in the document, and whether it stands inside an embedded resource
    (below an ``$id`` other than the root's; one in a non-schema value counts too, which
    only makes the analysis more careful)."""
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        item, embedded = stack.pop()
        if isinstance(item, dict):
            embedded = embedded or (item is not document
                                    and isinstance(item.get("$id", item.get("id")), str))
            for kw in ("$ref", "$dynamicRef", "$recursiveRef"):
                ref = item.get(kw)
                if isinstance(ref, str):
                    yield ref, embedded
            stack.extend((v, embedded) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, embedded) for v in item)


_TARGET: Any = object()  # marks a trie node that a reference points at
_NOTHING: dict[Any, Any] = {}


def _skeleton(schema: Any, keep_ids: Callable[[Any], bool], kept: dict[Any, Any]) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for kw, value in schema.items():
        below = kept.get(kw, _NOTHING)
        if kw not in keywords.ASSERTING or (kw in ("$id", "id") and not keep_ids(value)):
            if below is not _NOTHING:
                out[kw] = _on_the_way(value, below, keep_ids)
            continue
        if (kw in SCHEMA_LIST_KEYWORDS or kw in _SCHEMA_OR_LIST) and isinstance(value, list):
            out[kw] = [_skeleton(v, keep_ids, below.get(str(i), _NOTHING))
                       for i, v in enumerate(value)]
        elif kw in SUBSCHEMA_KEYWORDS:
            out[kw] = _skeleton(value, keep_ids, below)
        elif (kw in SCHEMA_MAP_KEYWORDS or kw in _DEPENDENCIES) and isinstance(value, dict):
            out[kw] = {k: _skeleton(v, keep_ids, below.get(k, _NOTHING))
                       for k, v in value.items()}
        else:
            out[kw] = value
    return out


def _on_the_way(value: Any, kept: dict[Any, Any], keep_ids: Callable[[Any], bool]) -> Any:
    """What a skeleton keeps of a value outside the schema keywords that a reference points
    into: the members on the way, and the target read as the schema it is used as."""
    if _TARGET in kept:
        return _skeleton(value, keep_ids, kept)
    if isinstance(value, dict):
        return {k: _on_the_way(value[k], kept[k], keep_ids) for k in sorted(kept, key=str)
                if k in value}
    if isinstance(value, list):
        return [_on_the_way(v, kept[str(i)], keep_ids) if str(i) in kept else None
                for i, v in enumerate(value)]
    return value
