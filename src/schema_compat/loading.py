"""Load schemas: single files, contracts directories (``schemas/<name>/<semver>.json``).

Schema files are JSON, or YAML when their names end in ``.yaml`` or ``.yml`` (``_yaml.py``);
both are read into the same JSON values. A schema without ``$schema`` is read in the default
draft the caller names (2020-12 unless chosen otherwise: ``drafts.py``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import semver

from ._json import SCHEMA_SUFFIXES, json_value_problem, parse_document, read_document
from .drafts import DEFAULT_DRAFT, DRAFT4, DRAFT_NAMES, with_default_draft
from .errors import LoadError, SchemaError, UsageError

if TYPE_CHECKING:
    from .catalog import Catalog

_VERSION_IN_ID = re.compile(r"(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)")


@dataclass(frozen=True)
class SchemaDocument:
    """One version of one schema, as read from its source.

    ``default_draft`` is the draft a document without ``$schema`` is read in (2020-12 unless
    chosen otherwise). Any other choice is written into the document as its ``$schema`` when
    it is made, so that every stage that reads the document (the engine, the metaschema
    check, the witness oracle, message validation) reads the same draft; ``draft_defaulted``
    says the draft came from the default, not from the document.
    """

    name: str
    version: semver.Version | None
    source: str
    document: Any
    path: Path | None = None
    default_draft: int = DEFAULT_DRAFT
    draft_defaulted: bool = False

    def __post_init__(self) -> None:
        # Documents built in Python (the library API) get the checks files get when read.
        problem = json_value_problem(self.document)
        if problem is not None:
            raise LoadError(f"{self.source}: not JSON: {problem}")
        if not isinstance(self.document, (dict, bool)):
            raise LoadError(f"{self.source}: not a JSON Schema (expected an object or a boolean)")
        check_schema_uri(self.document, self.source)
        if self.default_draft not in DRAFT_NAMES:
            raise UsageError(f"default draft must be one of {', '.join(map(str, DRAFT_NAMES))}, "
                             f"got {self.default_draft!r}")
        if isinstance(self.document, dict) and "$schema" in self.document:
            return
        object.__setattr__(self, "draft_defaulted", True)
        if self.default_draft == DEFAULT_DRAFT:
            return  # read as it always was: no `$schema` means 2020-12 to every stage
        if isinstance(self.document, bool):
            if self.default_draft == DRAFT4:
                raise SchemaError(f"{self.source}: {json.dumps(self.document)} is not a draft-04 "
                                  "schema (draft-04 has no boolean schemas; the default draft "
                                  "is draft-04): write {} for true, {\"not\": {}} for false")
            return  # true and false mean the same in every later draft
        object.__setattr__(self, "document", with_default_draft(self.document, self.default_draft))

    @property
    def label(self) -> str:
        """``name@version`` (or just the name when the version is unknown)."""
        return f"{self.name}@{self.version}" if self.version else self.name

    @property
    def message_type(self) -> str | None:
        """The constant of the root ``type`` property (BACKBEAT's routing key), if any."""
        return message_type_of(self.document)


# The metaschema URIs of the five drafts, as schemas spell them: http or https, with or without
# the empty fragment (SchemaStore's schemas use six of these spellings). Any other `$schema` is
# refused: its meaning is not one of these drafts, and it is never fetched to find out.
_DRAFT_PATHS = ("json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema",
                "json-schema.org/draft-07/schema", "json-schema.org/draft/2019-09/schema",
                "json-schema.org/draft/2020-12/schema")
KNOWN_SCHEMA_URIS = frozenset(f"{scheme}://{path}{fragment}" for scheme in ("http", "https")
                              for path in _DRAFT_PATHS for fragment in ("", "#"))


def check_schema_uri(document: Any, source: str) -> None:
    """Refuse a root ``$schema`` that is not one of the five drafts' metaschema URIs."""
    if not isinstance(document, dict) or "$schema" not in document:
        return
    uri = document["$schema"]
    if not isinstance(uri, str):
        raise SchemaError(f"{source}: $schema must be a string, the URI of a draft's metaschema")
    if uri not in KNOWN_SCHEMA_URIS:
        raise SchemaError(f"{source}: unknown $schema URI {_quoted(uri)}; schema-compat reads "
                          "draft-04, -06, -07, 2019-09 and 2020-12 (for example "
                          "https://json-schema.org/draft/2020-12/schema)")


def _quoted(text: str, limit: int = 120) -> str:
    """``text`` quoted on one line (control characters escaped), cut to ``limit``."""
    return json.dumps(text if len(text) <= limit else text[:limit] + "…")


def message_type_of(document: Any) -> str | None:
    """The constant a message's ``type`` property must have under ``document``, if one."""
    if not isinstance(document, dict):
        return None
    props = document.get("properties")
    if not isinstance(props, dict):
        return None
    spec = props.get("type")
    if not isinstance(spec, dict):
        return None
    if isinstance(spec.get("const"), str):
        return str(spec["const"])
    enum = spec.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
        return enum[0]
    return None


def parse_version(text: str) -> semver.Version | None:
    """A strict semantic version, or None when ``text`` is not one."""
    try:
        return semver.Version.parse(text)
    except ValueError:
        return None


def version_from_id(document: Any) -> semver.Version | None:
    """The semantic version written in a schema's ``$id`` (last one wins), if any."""
    if not isinstance(document, dict) or not isinstance(document.get("$id"), str):
        return None
    found = _VERSION_IN_ID.findall(document["$id"])
    return parse_version(found[-1]) if found else None


def declared_version(document: Any) -> semver.Version | None:
    """The version a schema kept in one file declares: in its ``$id``, else in a root
    ``x-version`` or ``version`` string (as OpenAPI and AsyncAPI documents carry one)."""
    found = version_from_id(document)
    if found is None and isinstance(document, dict):
        for key in ("x-version", "version"):
            if isinstance(document.get(key), str):
                found = parse_version(document[key])
                if found is not None:
                    break
    return found


def load_schema_file(path: Path, *, name: str | None = None,
                     default_draft: int = DEFAULT_DRAFT) -> SchemaDocument:
    """Load one schema file; its name and version come from the path or its ``$id``.

    ``schemas/beatframe/1.2.0.json`` (or ``.yaml``, ``.yml``) is ``beatframe`` at 1.2.0; a lone
    ``foo.json`` is ``foo`` at the version its ``$id`` carries, if any.
    """
    document = read_document(path)
    inferred, version = _identify(path, document)
    return SchemaDocument(
        name=name or inferred, version=version, source=str(path), document=document, path=path,
        default_draft=default_draft,
    )


def schema_name(file_name: str) -> str:
    """The schema a file of one schema is named after: ``foo`` for ``foo.json``,
    ``foo.schema.json``, ``foo.yaml``, ``foo.schema.yml``..."""
    for suffix in SCHEMA_SUFFIXES:
        if file_name.endswith(suffix):
            file_name = file_name.removesuffix(suffix)
            break
    return file_name.removesuffix(".schema")


def _identify(path: Path, document: Any) -> tuple[str, semver.Version | None]:
    """Name and version from ``<name>/<semver>.json``, else from the file name and ``$id``."""
    version = parse_version(path.stem)
    if version is not None:
        return path.parent.name, version
    return schema_name(path.name), declared_version(document)


@dataclass
class ContractsRepository:
    """The schemas under one directory, grouped by name and ordered by version."""

    root: Path
    schemas: dict[str, list[SchemaDocument]] = field(default_factory=dict)
    # Local copies of the documents its schemas refer to by URL (catalog.py), if any.
    catalog: Catalog | None = None

    def names(self) -> list[str]:
        """Schema names, sorted."""
        return sorted(self.schemas)

    def versions(self, name: str) -> list[SchemaDocument]:
        """Every version of ``name``, oldest first."""
        return self.schemas.get(name, [])

    def get(self, name: str, version: str | None = None) -> SchemaDocument:
        """``name`` at ``version`` (the latest when None); LoadError when absent."""
        versions = self.schemas.get(name)
        if not versions:
            known = ", ".join(self.names()) or "none"
            raise LoadError(f"{self.root}: no schema named {name!r} (known: {known})")
        if version is None:
            return versions[-1]
        for doc in versions:
            if str(doc.version) == version:
                return doc
        known = ", ".join(str(d.version) for d in versions)
        raise LoadError(f"{self.root}: {name} has no version {version} (known: {known})")

    def by_message_type(self) -> dict[str, SchemaDocument]:
        """Routing table: each ``type`` constant to the latest schema version declaring it."""
        table: dict[str, SchemaDocument] = {}
        for name in self.names():
            for doc in self.versions(name):  # oldest first, so the latest wins
                mtype = doc.message_type
                if mtype is not None:
                    table[mtype] = doc
        return table


# ---------------------------------------------------------------------------------------------
# Paths: nothing is read outside the repository through a symbolic link.


def repository_root(start: Path | None = None) -> Path:
    """The top of the git work tree holding ``start`` (default: the working directory), else
    ``start`` itself; resolved."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def lexical(path: Path) -> Path:
    """``path`` made absolute and normalized as written (``..`` removed), links not followed."""
    return Path(os.path.abspath(path))  # noqa: PTH100 - Path.resolve() would follow links


def is_within(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or lies under it (both as given: resolve them first)."""
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def check_named_path(path: Path) -> None:
    """A path named by the user (command line, API): when it lies in the repository as written,
    it must still lie there once symbolic links are followed.

    A path the user names outside the repository is read: that is their choice. A link inside
    it that leads out is what a pull request could slip in, so it is refused.
    """
    if leads_outside_repository(path):
        raise LoadError(f"{path}: a symbolic link that leads outside the repository "
                        f"{repository_root()}; not read")


def leads_outside_repository(path: Path) -> bool:
    """Whether ``path`` lies in the repository as written but outside it once symbolic links
    are followed (see :func:`check_named_path`)."""
    repo = repository_root()
    return is_within(lexical(path), repo) and not is_within(path.resolve(), repo)


def walk_files(root: Path, suffixes: tuple[str, ...], *, what: str) -> list[Path]:
    """Files under ``root`` ending in one of ``suffixes``, sorted; hidden ones skipped.

    A symbolic link (to a file or a directory) that resolves outside ``root`` is refused with a
    LoadError: its content is never read. Links to directories inside ``root`` are not followed
    (no loops, no file seen twice).
    """
    real_root = root.resolve()
    found: list[Path] = []

    def refuse(path: Path) -> LoadError:
        return LoadError(f"{path}: a symbolic link that leads outside {root}; {what} files must "
                         f"lie under {root} (not read)")

    def stop(exc: OSError) -> None:
        raise LoadError(f"{exc.filename or root}: cannot read directory: {exc.strerror}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=stop):
        here = Path(dirpath)
        kept = []
        for name in dirnames:
            if name.startswith("."):
                continue
            sub = here / name
            if sub.is_symlink():
                if not is_within(sub.resolve(), real_root):
                    raise refuse(sub)
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if name.startswith(".") or not name.endswith(suffixes):
                continue
            path = here / name
            if path.is_symlink() and not is_within(path.resolve(), real_root):
                raise refuse(path)
            found.append(path)
    return sorted(found)


def _version_key(doc: SchemaDocument) -> tuple[int, semver.Version | str]:
    return (1, doc.version) if doc.version is not None else (0, doc.source)


def load_repository(root: Path, *, default_draft: int = DEFAULT_DRAFT,
                    allow_empty: bool = False) -> ContractsRepository:
    """Discover every schema under ``root`` (JSON and YAML files).

    Two layouts are understood, and may be mixed: ``<name>/<semver>.json`` (one file per
    version) and ``<name>.json`` (one file per schema); ``.yaml`` and ``.yml`` alike. An empty
    directory is an error unless ``allow_empty`` (the gate against a base: every schema
    removed is a finding, not a mistake on the command line).
    """
    if not root.exists():
        raise LoadError(f"{root}: schemas directory does not exist")
    if not root.is_dir():
        raise LoadError(f"{root}: not a directory")
    check_named_path(root)
    repo = ContractsRepository(root=root)
    for path in walk_files(root, SCHEMA_SUFFIXES, what="schema"):
        doc = load_schema_file(path, default_draft=default_draft)
        repo.schemas.setdefault(doc.name, []).append(doc)
    if not repo.schemas and not allow_empty:
        raise LoadError(f"{root}: no schemas ({_PATTERNS}) found")
    for name, docs in repo.schemas.items():
        docs.sort(key=_version_key)
        seen: set[str] = set()
        for doc in docs:
            key = str(doc.version)
            if doc.version is not None and key in seen:
                raise LoadError(f"{root}: {name} {key} is defined twice ({doc.source})")
            seen.add(key)
    return repo


# ---------------------------------------------------------------------------------------------
# Command-line inputs: files, directories, registry versions, git references.


@dataclass
class SchemaSet:
    """What one side of a ``diff`` names: one schema, or several by name."""

    label: str
    schemas: dict[str, SchemaDocument]
    single: bool
    every_version: tuple[SchemaDocument, ...] = ()

    def all_documents(self) -> tuple[SchemaDocument, ...]:
        """Every version read (directories and git trees), not only the latest of each."""
        return self.every_version or tuple(self.schemas.values())


_PATTERNS = ", ".join(f"*{suffix}" for suffix in SCHEMA_SUFFIXES)


def _doc_from_bytes(data: bytes, source: str, rel: str, default_draft: int) -> SchemaDocument:
    document = parse_document(data, source, name=rel)
    name, version = _identify(Path(rel), document)
    return SchemaDocument(name=name, version=version, source=source, document=document,
                          default_draft=default_draft)


def _latest(docs: list[SchemaDocument]) -> dict[str, SchemaDocument]:
    by_name: dict[str, list[SchemaDocument]] = {}
    for doc in docs:
        by_name.setdefault(doc.name, []).append(doc)
    return {name: sorted(group, key=_version_key)[-1] for name, group in by_name.items()}


def _from_git(ref: str, path: str, cwd: Path, default_draft: int) -> SchemaSet:
    from . import gitio

    label = f"git:{ref}:{path}"
    try:
        top = gitio.repo_root(cwd)
    except LoadError as exc:
        raise LoadError(f"{label}: {exc}") from None
    if ref.startswith("-"):  # git would read it as an option (--output=FILE writes a file)
        raise LoadError(f"{label}: {ref}: not a git reference (it starts with '-')")
    if not gitio.is_ref(ref, top):
        raise LoadError(f"{label}: {ref} is not a commit, branch or tag of {top} (a remote "
                        "branch or tag may need `git fetch` first)")
    # The path names a file of the commit, not of the work tree: made relative to the top of
    # the repository as written, without following the work tree's symbolic links.
    rel = os.path.relpath(lexical(cwd.resolve() / path), top.resolve()) if path else ""
    rel = "" if rel == "." else Path(rel).as_posix()
    if rel == ".." or rel.startswith("../"):
        raise LoadError(f"{label}: {path} lies outside the git repository {top}")
    kind = gitio.path_type(ref, rel or ".", top)
    if kind is None:
        raise LoadError(f"{label}: no such file or directory at {ref}")
    if kind == "blob":
        doc = _doc_from_bytes(gitio.read_file(ref, rel, top), label, rel, default_draft)
        return SchemaSet(label, {doc.name: doc}, single=True)
    docs = []
    for kind, f in gitio.list_files(ref, rel, top):
        if not f.endswith(SCHEMA_SUFFIXES) or any(p.startswith(".") for p in Path(f).parts):
            continue
        if kind != "file":
            # Never followed: its target is a name, possibly of a file outside the repository.
            raise LoadError(f"git:{ref}:{f}: a {'symbolic link' if kind == 'link' else kind} at "
                            f"{ref}; schema files must be regular files (not read)")
        docs.append(_doc_from_bytes(gitio.read_file(ref, f, top), f"git:{ref}:{f}", f,
                                    default_draft))
    if not docs:
        raise LoadError(f"{label}: no schemas ({_PATTERNS}) at {ref}")
    return SchemaSet(label, _latest(docs), single=False, every_version=tuple(docs))


def resolve_input(spec: str, *, schemas_dir: Path, cwd: Path | None = None,
                  all_versions: bool = False, default_draft: int = DEFAULT_DRAFT) -> SchemaSet:
    """Turn a command-line input into schemas.

    ``PATH`` (a file, or a directory of schemas: the latest version of each), ``NAME@VERSION``
    (a version under ``schemas_dir``), ``git:REF:PATH``, or a bare git reference (the
    ``schemas_dir`` tree as it was at that reference). Schemas without ``$schema`` are read in
    ``default_draft``.
    """
    cwd = cwd or Path.cwd()
    if spec.startswith("git:"):
        _, _, rest = spec.partition(":")
        ref, sep, inner = rest.partition(":")
        if not ref or not sep:
            raise LoadError(f"{spec}: expected git:REF:PATH")
        return _from_git(ref, inner, cwd, default_draft)
    path = Path(spec)
    if path.is_file():
        check_named_path(path)
        doc = load_schema_file(path, default_draft=default_draft)
        return SchemaSet(spec, {doc.name: doc}, single=True)
    if path.is_dir():
        repo = load_repository(path, default_draft=default_draft)
        every = tuple(d for n in repo.names() for d in repo.versions(n))
        return SchemaSet(spec, {n: repo.get(n) for n in repo.names()}, single=False,
                         every_version=every)
    if "@" in spec and "/" not in spec:
        name, _, version = spec.partition("@")
        repo = load_repository(schemas_dir, default_draft=default_draft)
        doc = repo.get(name, version or None)
        return SchemaSet(spec, {doc.name: doc}, single=True)
    from . import gitio

    if gitio.is_ref(spec, cwd):
        rel = schemas_dir.as_posix()
        found = _from_git(spec, rel, cwd, default_draft)
        if all_versions and found.single:
            raise LoadError(f"{spec}: {rel} is a file at that reference, expected a directory")
        return found
    if not gitio.in_repository(cwd):
        raise LoadError(f"{spec}: no such file, directory or NAME@VERSION (and {cwd} is not in "
                        "a git repository, where it could name a git reference)")
    raise LoadError(f"{spec}: no such file, directory, NAME@VERSION or git reference (a remote "
                    "branch or tag may need `git fetch` first)")
