"""schema-compat: JSON Schema evolution checks with proof, and message validation.

The public API, imported lazily so that ``backbeat-validate`` starts fast::

    from schema_compat import diff, validate_message, MessageValidator

    (result,) = diff("schemas/beatframe/1.1.0.json", "schemas/beatframe/2.0.0.json")
    result.backward.status            # "breaking"
    result.backward.witnesses[0]      # a message 1.1.0 accepts and 2.0.0 rejects

    validator = MessageValidator.from_directory("schemas")   # compile once
    validator.validate({"type": "backbeat.beatframe.v2", ...})  # [] when valid
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, LoadError, SchemaCompatError, SchemaError, UsageError

if TYPE_CHECKING:
    __version__: str
    from .api import check, diff
    from .catalog import Catalog, load_catalog
    from .engine import Options, compare
    from .findings import ComparisonResult, Finding, Witness
    from .loading import ContractsRepository, SchemaDocument, load_repository, load_schema_file
    from .matrix import MatrixReport, build_matrix
    from .validate import MessageValidator, ValidationIssue, validate_message

_LAZY = {
    "diff": "api", "check": "api",
    "Catalog": "catalog", "load_catalog": "catalog",
    "Options": "engine", "compare": "engine",
    "ComparisonResult": "findings", "Finding": "findings", "Witness": "findings",
    "ContractsRepository": "loading", "SchemaDocument": "loading",
    "load_repository": "loading", "load_schema_file": "loading",
    "MessageValidator": "validate", "ValidationIssue": "validate",
    "build_matrix": "matrix", "MatrixReport": "matrix",
    "validate_message": "validate",
}


def _version() -> str:
    # importlib.metadata costs tens of milliseconds: only reports need the version.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("schema-compat")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'schema_compat' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "Catalog",
    "ComparisonResult",
    "ConfigError",
    "ContractsRepository",
    "Finding",
    "LoadError",
    "MatrixReport",
    "MessageValidator",
    "Options",
    "SchemaCompatError",
    "SchemaDocument",
    "SchemaError",
    "UsageError",
    "ValidationIssue",
    "Witness",
    "__version__",
    "build_matrix",
    "check",
    "compare",
    "diff",
    "load_catalog",
    "load_repository",
    "load_schema_file",
    "validate_message",
]
