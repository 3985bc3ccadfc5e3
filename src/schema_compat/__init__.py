"""schema-compat: JSON Schema evolution checks with proof, and message validation."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import ConfigError, LoadError, SchemaCompatError, SchemaError, UsageError
from .loading import ContractsRepository, SchemaDocument, load_repository, load_schema_file

try:
    __version__ = version("schema-compat")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "ConfigError",
    "ContractsRepository",
    "LoadError",
    "SchemaCompatError",
    "SchemaDocument",
    "SchemaError",
    "UsageError",
    "__version__",
    "load_repository",
    "load_schema_file",
]
