"""A local catalog of referenced documents: vendored copies of the schemas a contract names
by URL in a ``$ref``, read from directories the user names (``--ref-dir``, or ``ref-dirs``
in the configuration). Nothing is ever fetched: a reference resolves from the catalog when
the catalog lists its exact URI, and is otherwise as unresolved as before (``unknown``).

A directory is read one of two ways:

- with an ``index.json`` (the format of the SchemaStore catalog: ``{"documents": [{"uri":
  ..., "aliases": [...], "file": ...}]}``, other members ignored), each listed file is
  registered under its ``uri`` and every alias, and nothing else in the directory is read;
- without one, every ``*.json`` file under it (sorted, hidden ones skipped) is registered
  under its own ``$id`` (``id`` in draft 4), which it must have.

A file's place in the directory is never a URI: references are matched against what the
index lists or what the documents declare, never guessed from names. What is refused, with
one line naming the file (exit 2): a directory or file that is not there, a symbolic link that
leads out of the directory, a file over the loader's size limit, what is not JSON or not a
schema of one of the five drafts, a malformed index, a URI registered twice, a document whose
``$id`` is not among the URIs it is listed under, and a document whose relative references
would name other documents depending on which of its listed URIs it was reached by (python-
jsonschema resolves them against that URI, jsonschema-rs against the document's ``$id``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from ._json import read_json_file
from .errors import LoadError

INDEX = "index.json"

# Metaschemas are built in (and `$schema` is read by name, never resolved): a catalog cannot
# replace them.
_METASCHEMA_HOSTS = ("json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema",
                     "json-schema.org/draft-07/schema", "json-schema.org/draft/2019-09/schema",
                     "json-schema.org/draft/2020-12/schema")


@dataclass(frozen=True, eq=False)
class CatalogEntry:
    """One referenced document and the URIs it is registered under (``uri`` first)."""

    uri: str
    names: tuple[str, ...]
    source: str
    contents: Any
    draft: int
    # The absolute base its own `$id` gives it (None: it declares none).
    own_id: str | None = None


@dataclass(eq=False)
class Catalog:
    """The documents of every catalog directory, by each URI they are registered under.

    Built once per run and shared by both sides of every comparison, so that a reference to
    an unchanged catalog document names the very same subschemas on both sides.
    """

    directories: tuple[str, ...]
    entries: tuple[CatalogEntry, ...]
    by_name: dict[str, CatalogEntry]
    # Resources declared inside catalog documents (`$id` below the root), by absolute URI.
    embedded: dict[str, CatalogEntry] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # Registries and validators built from it stay in the process that built them.
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def entry(self, uri: str) -> CatalogEntry | None:
        """The catalog document ``uri`` (fragment ignored) names, registered or embedded."""
        uri = urldefrag(uri)[0]
        return self.by_name.get(uri) or self.embedded.get(uri)

    def documents(self) -> dict[str, Any]:
        """Every registered URI and the document it names (for message validation)."""
        return {name: entry.contents for name, entry in self.by_name.items()}

    def registry(self) -> Any:
        """A ``referencing`` registry holding every catalog document under each of its URIs,
        crawled once (embedded resources and anchors found), retrieving nothing."""
        found = self._cache.get("registry")
        if found is None:
            from referencing import Registry

            from .schema import resource_for

            registered: list[tuple[str, Any]] = []
            for entry in self.entries:
                # One resource per document, under every name: its subschemas are the same
                # objects whichever URI reached it.
                resource = resource_for(entry.contents, entry.draft)
                registered.extend((name, resource) for name in entry.names)
            empty: Registry[Any] = Registry()
            found = self._cache["registry"] = empty.with_resources(registered).crawl()
        return found

    def reachable(self, document: Any, base: str, draft: int) -> tuple[CatalogEntry, ...]:
        """The catalog documents a document's references may lead to, directly or through
        other catalog documents (a superset: every ``$ref`` string counts), sorted by URI."""
        seen: dict[str, CatalogEntry] = {}
        todo = [e for e in map(self.entry, _targets(document, base, draft)) if e is not None]
        while todo:
            entry = todo.pop()
            if entry.uri in seen:
                continue
            seen[entry.uri] = entry
            todo.extend(e for e in map(self.entry, self._entry_targets(entry)) if e is not None)
        return tuple(seen[uri] for uri in sorted(seen))

    def _entry_targets(self, entry: CatalogEntry) -> frozenset[str]:
        key = ("targets", entry.uri)
        found: frozenset[str] | None = self._cache.get(key)
        if found is None:
            # Reached by any of its names, a relative reference is relative to that name (or
            # to the document's own `$id`): every reading counts.
            bases = tuple(dict.fromkeys((entry.own_id or entry.uri, *entry.names)))
            targets: set[str] = set()
            for value, _, chain, here, _ in _walk(entry):
                ref = value.get("$ref")
                if not isinstance(ref, str):
                    continue
                if chain is None or urlsplit(ref).scheme:
                    targets.add(urldefrag(urljoin(here, ref))[0])
                    continue
                for base in bases:
                    for ident in chain:
                        base = urljoin(base, ident)
                    targets.add(urldefrag(urljoin(base, ref))[0])
            found = self._cache[key] = frozenset(targets)
        return found

    def rs_registry(self, entries: Sequence[CatalogEntry], retriever: Any,
                    exclude: frozenset[str] = frozenset()) -> Any:
        """A jsonschema-rs registry of ``entries`` under all their URIs but ``exclude`` (None
        when it cannot take them), kept for the next validator that needs the same ones."""
        key = ("rs", tuple(e.uri for e in entries), retriever, exclude)
        if key not in self._cache:
            import jsonschema_rs

            try:
                # Each document in the draft its `$schema` names, 2020-12 without one (as
                # the engine reads it): a `draft` given here would override `$schema`.
                self._cache[key] = jsonschema_rs.Registry(
                    [(name, e.contents) for e in entries for name in e.names
                     if name not in exclude],
                    retriever=retriever)
            except Exception:
                # A document it leads to refers to one the catalog does not hold: jsonschema-rs
                # resolves every reference up front, and cannot take these documents.
                self._cache[key] = None
        return self._cache[key]

    def rs_registry_for(self, document: Any, base: str, retriever: Any,
                        exclude: frozenset[str] = frozenset()) -> Any:
        """A jsonschema-rs registry of the catalog documents ``document`` (read at ``base``)
        may lead to, under their URIs but ``exclude`` (which ``retriever`` answers); None
        when it leads to none, or jsonschema-rs cannot take them."""
        from .schema import detect_draft

        entries = self.reachable(document, base, detect_draft(document))
        return self.rs_registry(entries, retriever, exclude) if entries else None


# --------------------------------------------------------------------------- reading


def load_catalog(directories: Iterable[Path]) -> Catalog | None:
    """Read every catalog directory, in the order given (None when there is none)."""
    dirs = list(directories)
    if not dirs:
        return None
    entries: list[CatalogEntry] = []
    by_name: dict[str, CatalogEntry] = {}
    for directory in dirs:
        for entry in _read_directory(directory):
            for name in entry.names:
                other = by_name.get(name)
                if other is not None:
                    raise LoadError(f"{entry.source}: URI {_q(name)} is already registered by "
                                    f"{other.source}; a URI names one document")
                by_name[name] = entry
            entries.append(entry)
    catalog = Catalog(tuple(str(d) for d in dirs), tuple(entries), by_name)
    for entry in entries:
        _register_embedded(catalog, entry)
    for entry in entries:
        _check_relative_refs(catalog, entry)
    return catalog


def _q(text: str) -> str:
    return json.dumps(text if len(text) <= 200 else text[:200] + "…")


def _read_directory(directory: Path) -> list[CatalogEntry]:
    if not directory.exists():
        raise LoadError(f"{directory}: catalog directory does not exist")
    if not directory.is_dir():
        raise LoadError(f"{directory}: not a directory (a catalog is a directory of documents)")
    index = directory / INDEX
    if index.exists() or index.is_symlink():
        return _read_index(directory, index)
    from .loading import walk_files

    entries = []
    for path in walk_files(directory, (".json",), what="catalog"):
        contents, draft = _read_document(path)
        own = _own_id(contents, draft, None)
        if own is None:
            raise LoadError(f"{path}: no absolute $id to register it by; give it one, or list "
                            f"it in {directory / INDEX}")
        _check_uri(own, f"{path}: $id")
        entries.append(CatalogEntry(own, (own,), str(path), contents, draft, own))
    return entries


def _read_index(directory: Path, index: Path) -> list[CatalogEntry]:
    from .loading import is_within

    root = directory.resolve()
    if not is_within(index.resolve(), root):
        raise LoadError(f"{index}: a symbolic link that leads outside {directory}; not read")
    data = read_json_file(index)
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise LoadError(f"{index}: expected an object with a \"documents\" array "
                        "(each {\"uri\": ..., \"aliases\": [...], \"file\": ...})")
    entries: list[CatalogEntry] = []
    files: dict[Path, str] = {}
    for i, item in enumerate(documents):
        where = f"{index}: documents[{i}]"
        if not isinstance(item, dict):
            raise LoadError(f"{where}: expected an object with \"uri\" and \"file\"")
        uri, file, aliases = item.get("uri"), item.get("file"), item.get("aliases", [])
        if not isinstance(uri, str):
            raise LoadError(f"{where}.uri: expected a string, the URI the document is referred by")
        if not isinstance(file, str) or not file:
            raise LoadError(f"{where}.file: expected a string, a path under {directory}")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise LoadError(f"{where}.aliases: expected an array of strings")
        names = tuple(dict.fromkeys(_strip_empty_fragment(n) for n in (uri, *aliases)))
        for name in names:
            _check_uri(name, f"{where}")
        if len(names) != 1 + len(aliases):
            raise LoadError(f"{where}: URI {_q(uri)} is listed twice in the same entry")
        path = directory / file
        if Path(file).is_absolute() or ".." in Path(file).parts or "\\" in file:
            raise LoadError(f"{where}.file: {_q(file)} is not a path under {directory}")
        if not is_within(path.resolve(), root):
            raise LoadError(f"{path}: a symbolic link that leads outside {directory}; catalog "
                            f"files must lie under {directory} (not read)")
        if not path.is_file():
            raise LoadError(f"{path}: listed in {index} but not a file")
        real = path.resolve()
        if real in files:
            raise LoadError(f"{where}: {file} is listed again (first as {_q(files[real])}); "
                            "list its other URIs as aliases")
        files[real] = uri
        contents, draft = _read_document(path)
        own = _own_id(contents, draft, names[0])
        if own is not None and own not in names:
            raise LoadError(f"{path}: declares $id {_q(own)}, which {index} does not list for "
                            f"it (uri {_q(names[0])}); add it to its aliases, or fix the uri")
        entries.append(CatalogEntry(names[0], names, str(path), contents, draft, own))
    return entries


def _read_document(path: Path) -> tuple[Any, int]:
    from .loading import SchemaDocument
    from .normalize import check_metaschema
    from .schema import detect_draft

    contents = read_json_file(path)
    # The checks every schema gets: JSON values only, an object or a boolean, a known
    # `$schema`, valid against its draft's metaschema.
    doc = SchemaDocument(path.stem, None, str(path), contents, path)
    draft = detect_draft(contents)
    check_metaschema(doc, draft)
    return contents, draft


def _strip_empty_fragment(uri: str) -> str:
    return uri[:-1] if uri.endswith("#") else uri


def _check_uri(uri: str, where: str) -> None:
    parts = urlsplit(uri)
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.netloc):
        raise LoadError(f"{where}: {_q(uri)} is not an absolute URI")
    if parts.fragment:
        raise LoadError(f"{where}: {_q(uri)} has a fragment; register the document, then "
                        "refer into it with the fragment")
    if parts.scheme == "file":
        raise LoadError(f"{where}: {_q(uri)} is a file URI; files next to a schema are read "
                        "as such, the catalog holds documents named by URL or URN")
    if any(uri.split("://", 1)[-1].startswith(m) for m in _METASCHEMA_HOSTS):
        raise LoadError(f"{where}: {_q(uri)} is a draft's metaschema, which is built in")


def _id_key(draft: int) -> str:
    return "id" if draft == 4 else "$id"


def _own_id(contents: Any, draft: int, base: str | None) -> str | None:
    """The absolute URI a document's root ``$id`` gives it (resolved against ``base``)."""
    if not isinstance(contents, dict):
        return None
    ident = contents.get(_id_key(draft))
    if not isinstance(ident, str) or not ident or ident.startswith("#"):
        return None
    absolute = _strip_empty_fragment(urljoin(base or "", ident))
    return absolute if urlsplit(absolute).scheme else None


# --------------------------------------------------------------------------- references


def _children(value: Any, draft: int) -> Iterable[tuple[str, Any, int]]:
    from .schema import detect_draft

    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v, detect_draft(v, draft) if isinstance(v, dict) else draft
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield str(i), v, detect_draft(v, draft) if isinstance(v, dict) else draft


def _targets(document: Any, base: str, draft: int) -> set[str]:
    """Every URI (without fragment) a ``$ref`` string in ``document`` names, each resolved
    against the base in force where it stands (``$id``s below the root move it)."""
    found: set[str] = set()
    stack: list[tuple[Any, str, int]] = [(document, base, draft)]
    while stack:
        value, here, d = stack.pop()
        if isinstance(value, dict):
            ident = value.get(_id_key(d))
            if isinstance(ident, str) and ident and not ident.startswith("#"):
                here = urljoin(here, ident)
            ref = value.get("$ref")
            if isinstance(ref, str):
                found.add(urldefrag(urljoin(here, ref))[0])
            stack.extend((v, here, vd) for _, v, vd in _children(value, d))
        elif isinstance(value, list):
            stack.extend((v, here, d) for v in value)
    return found


def _walk(entry: CatalogEntry) -> Iterable[tuple[dict[str, Any], str, tuple[str, ...] | None, str, int]]:
    """Every object of a catalog document: (object, pointer, the relative ``$id``s in force
    since the root, None once an absolute one is, the absolute base from its canonical URI,
    draft)."""
    stack: list[tuple[Any, str, tuple[str, ...] | None, str, int]] = [
        (entry.contents, "", (), entry.own_id or entry.uri, entry.draft)]
    while stack:
        value, pointer, chain, here, d = stack.pop()
        if isinstance(value, list):
            stack.extend((v, f"{pointer}/{i}", chain, here, d) for i, v in enumerate(value))
            continue
        if not isinstance(value, dict):
            continue
        ident = value.get(_id_key(d))
        if pointer and isinstance(ident, str) and ident and not ident.startswith("#"):
            here = _strip_empty_fragment(urljoin(here, ident))
            chain = None if urlsplit(ident).scheme or chain is None else (*chain, ident)
        yield value, pointer, chain, here, d
        stack.extend((v, f"{pointer}/{_escape(k)}", chain, here, vd)
                     for k, v, vd in _children(value, d))


def _register_embedded(catalog: Catalog, entry: CatalogEntry) -> None:
    """Resources declared below a document's root are found by their ``$id`` too: none may
    take a URI another document (or resource) has."""
    for value, pointer, _, here, d in _walk(entry):
        ident = value.get(_id_key(d))
        if not pointer or not isinstance(ident, str) or not ident or ident.startswith("#"):
            continue
        other = catalog.by_name.get(here) or catalog.embedded.get(here)
        if other is not None:
            raise LoadError(f"{entry.source}: the resource at {pointer} declares $id {_q(here)}, "
                            f"a URI {other.source} already has; a URI names one document")
        catalog.embedded[here] = entry


def _check_relative_refs(catalog: Catalog, entry: CatalogEntry) -> None:
    """Relative references name the same documents whichever listed URI the document is
    reached by."""
    if entry.own_id is None or entry.names == (entry.own_id,):
        return
    for value, pointer, chain, _, _ in _walk(entry):
        ref = value.get("$ref")
        if isinstance(ref, str) and chain is not None and not urlsplit(ref).scheme \
                and not ref.startswith("#"):
            _same_target(catalog, entry, pointer, chain, ref)


def _same_target(catalog: Catalog, entry: CatalogEntry, pointer: str, chain: tuple[str, ...],
                 ref: str) -> None:
    def target(base: str) -> CatalogEntry | None:
        for ident in chain:
            base = urljoin(base, ident)
        return catalog.entry(urljoin(base, ref))

    assert entry.own_id is not None
    expected = target(entry.own_id)
    if expected is None:
        return  # nothing read through its $id: at most unresolved (unknown) through a name
    for name in entry.names:
        found = target(name) if name != entry.own_id else expected
        # Unresolved through one spelling is only unknown there; another document is not.
        if found is not None and found is not expected:
            raise LoadError(
                f"{entry.source}: $ref {_q(ref)} at {pointer or '/'} names another document "
                f"when reached as {_q(name)} than as its $id {_q(entry.own_id)} (validators "
                "differ on which applies); list the documents it names under both spellings")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
