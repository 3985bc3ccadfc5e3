"""Load schemas: single files, contracts directories (``schemas/<name>/<semver>.json``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import semver

from ._json import read_json_file
from .errors import LoadError

_VERSION_IN_ID = re.compile(r"(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)")


@dataclass(frozen=True)
class SchemaDocument:
    """One version of one schema, as read from its source."""

    name: str
    version: semver.Version | None
    source: str
    document: Any
    path: Path | None = None

    @property
    def label(self) -> str:
        """``name@version`` (or just the name when the version is unknown)."""
        return f"{self.name}@{self.version}" if self.version else self.name

    @property
    def message_type(self) -> str | None:
        """The constant of the root ``type`` property (BACKBEAT's routing key), if any."""
        return message_type_of(self.document)


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


def load_schema_file(path: Path, *, name: str | None = None) -> SchemaDocument:
    """Load one schema file; its name and version come from the path or its ``$id``.

    ``schemas/beatframe/1.2.0.json`` is ``beatframe`` at 1.2.0; a lone ``foo.json`` is ``foo``
    at the version its ``$id`` carries, if any.
    """
    document = read_json_file(path)
    if not isinstance(document, (dict, bool)):
        raise LoadError(f"{path}: not a JSON Schema (expected an object or a boolean)")
    version = parse_version(path.stem)
    if version is not None:
        inferred = path.parent.name
    else:
        inferred = path.name.removesuffix(".json").removesuffix(".schema")
        version = version_from_id(document)
    return SchemaDocument(
        name=name or inferred, version=version, source=str(path), document=document, path=path
    )


@dataclass
class ContractsRepository:
    """The schemas under one directory, grouped by name and ordered by version."""

    root: Path
    schemas: dict[str, list[SchemaDocument]] = field(default_factory=dict)

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


def _version_key(doc: SchemaDocument) -> tuple[int, semver.Version | str]:
    return (1, doc.version) if doc.version is not None else (0, doc.source)


def load_repository(root: Path) -> ContractsRepository:
    """Discover every schema under ``root``.

    Two layouts are understood, and may be mixed: ``<name>/<semver>.json`` (one file per
    version) and ``<name>.json`` (one file per schema).
    """
    if not root.exists():
        raise LoadError(f"{root}: schemas directory does not exist")
    if not root.is_dir():
        raise LoadError(f"{root}: not a directory")
    repo = ContractsRepository(root=root)
    for path in sorted(root.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        doc = load_schema_file(path)
        repo.schemas.setdefault(doc.name, []).append(doc)
    if not repo.schemas:
        raise LoadError(f"{root}: no schemas (*.json) found")
    for name, docs in repo.schemas.items():
        docs.sort(key=_version_key)
        seen: set[str] = set()
        for doc in docs:
            key = str(doc.version)
            if doc.version is not None and key in seen:
                raise LoadError(f"{root}: {name} {key} is defined twice ({doc.source})")
            seen.add(key)
    return repo
