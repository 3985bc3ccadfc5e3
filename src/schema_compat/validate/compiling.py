"""Compiling the contracts: every schema version once, and the routing table by ``type``.

jsonschema-rs compiles each schema with formats asserted; a ``$ref`` resolves only to a schema
of the repository, by its ``$id`` or by its file. ``Compiled.failure`` turns a validator's
errors into issues in an order of their own, not the schema's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from ..errors import SchemaError
from ..loading import ContractsRepository, SchemaDocument
from .results import RawFailure, RawIssue, clip

if TYPE_CHECKING:
    from collections.abc import Sequence

# Keywords whose value is a single subschema: a false schema there is reported under the
# keyword itself (``items``); elsewhere (``properties/x: false``) under ``false``.
_SUBSCHEMA_KEYWORDS = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "else",
        "if",
        "items",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)


@dataclass(frozen=True, slots=True)
class Compiled:
    label: str
    validator: Any  # a jsonschema_rs validator (untyped extension)

    def failure(self, message: Any, line: int | None) -> RawFailure:
        """Every error of an invalid message, in a deterministic order."""
        issues: list[RawIssue] = []
        for err in self.validator.iter_errors(message):
            pointer = _pointer(err.instance_path)
            path = err.evaluation_path
            kind = err.kind
            name = kind.name
            if name == "falseSchema":
                keyword = path[-1] if path and path[-1] in _SUBSCHEMA_KEYWORDS else "false"
            elif path and isinstance(path[-1], str):
                keyword = path[-1]  # the real keyword: kind says `required` for dependentRequired
            else:
                keyword = name
            schema_path = _pointer(path)
            if name in ("additionalProperties", "unevaluatedProperties"):
                # One issue per unexpected property: each is its own defect, and a reader (or a
                # test) can see which property without parsing the message.
                label = "Additional" if name == "additionalProperties" else "Unevaluated"
                for prop in kind.unexpected:
                    text = f"{label} properties are not allowed ({prop!r} was unexpected)"
                    issues.append((pointer, keyword, schema_path, clip(text), str(prop)))
            elif name == "required":
                issues.append((pointer, keyword, schema_path, clip(err.message), kind.property))
            else:
                issues.append((pointer, keyword, schema_path, clip(err.message), None))
        # jsonschema-rs reports in schema order; sorting makes the report independent of it.
        issues.sort(key=lambda i: (i[0], i[2], i[4] or "", i[3]))
        return (line, self.label, tuple(issues))


def _pointer(parts: Sequence[str | int]) -> str:
    """RFC 6901 JSON pointer from path segments."""
    if not parts:
        return ""
    return "".join(
        "/" + (str(p).replace("~", "~0").replace("/", "~1") if isinstance(p, str) else str(p)) for p in parts
    )


def _file_uri(doc: SchemaDocument) -> str:
    path = doc.path if doc.path is not None else Path(doc.source)
    return path.resolve().as_uri()


def compile_all(repo: ContractsRepository) -> dict[str, Compiled]:
    """Compile every schema version once, with formats asserted.

    A ``$ref`` to another schema of the repository resolves (by its ``$id``, or by file for a
    schema without one); any other retrieval, from the network or from files outside the
    repository, is refused and names the schema that asked for it.
    """
    docs = [doc for name in repo.names() for doc in repo.versions(name)]
    ids: dict[str, list[SchemaDocument]] = {}
    for doc in docs:
        sid = _schema_id(doc)
        if sid is not None:
            ids.setdefault(sid, []).append(doc)
    # The catalog's documents where the repository has no schema of that URI: its own win.
    own = frozenset({_file_uri(doc) for doc in docs} | set(ids))
    known: dict[str, Any] = {} if repo.catalog is None else {
        uri: document for uri, document in repo.catalog.documents().items() if uri not in own}
    known.update({_file_uri(doc): doc.document for doc in docs})
    # An `$id` shared by two files (a copied schema whose `$id` was not bumped) is left out:
    # resolving it to either file could check messages against the wrong version.
    known.update({sid: group[0].document for sid, group in ids.items() if len(group) == 1})

    def retrieve(uri: str) -> Any:
        try:
            return known[uri.split("#", 1)[0]]
        except KeyError:
            if uri in ids:
                raise ValueError(f"$id {uri} is used by more than one schema") from None
            raise ValueError(f"{uri} is not a schema of this repository (not fetched)") from None

    compiled: dict[str, Compiled] = {}
    for doc in docs:
        try:
            validator = jsonschema_rs.validator_for(
                doc.document,
                validate_formats=True,
                retriever=retrieve,
                base_uri=None if _schema_id(doc) else _file_uri(doc),
                registry=None if repo.catalog is None else repo.catalog.rs_registry_for(
                    doc.document, _schema_id(doc) or _file_uri(doc), retrieve, own),
            )
        except jsonschema_rs.ValidationError as exc:
            where = _pointer(exc.instance_path)
            at = f" at {where}" if where else ""
            raise SchemaError(f"{doc.source}: invalid schema{at}: {_first_line(exc)}") from None
        except Exception as exc:  # e.g. a pattern the regex engine refuses
            raise SchemaError(f"{doc.source}: cannot compile schema: {_first_line(exc)}") from None
        compiled[doc.label] = Compiled(doc.label, validator)
    return compiled


def _schema_id(doc: SchemaDocument) -> str | None:
    sid = doc.document.get("$id") if isinstance(doc.document, dict) else None
    return sid.split("#", 1)[0] if isinstance(sid, str) and sid else None


def _first_line(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else str(exc)
    return (text.strip().splitlines() or [type(exc).__name__])[0]


def routing_table(repo: ContractsRepository) -> dict[str, SchemaDocument]:
    """Each ``type`` constant → the latest version declaring it.

    Two schema names declaring the same constant is an error: routing would be ambiguous.
    """
    table = repo.by_message_type()
    owners: dict[str, str] = {}
    for name in repo.names():
        for doc in repo.versions(name):
            mtype = doc.message_type
            if mtype is None:
                continue
            other = owners.setdefault(mtype, name)
            if other != name:
                raise SchemaError(
                    f"{doc.source}: message type {mtype!r} is declared by both {other!r} and "
                    f"{name!r}; routing by type would be ambiguous"
                )
    return table
