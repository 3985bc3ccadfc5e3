"""Errors the user sees: one line each, naming the input and the problem."""

from __future__ import annotations


class SchemaCompatError(Exception):
    """Base of every error reported to the user; ``str(err)`` is the one-line message."""

    exit_code = 2


class LoadError(SchemaCompatError):
    """An input could not be read or parsed (not JSON, too large, too deep, missing)."""


class SchemaError(SchemaCompatError):
    """A schema is not usable: fails its metaschema, bad ``$ref``, bad pattern."""


class ConfigError(SchemaCompatError):
    """The configuration (policies, waivers) is invalid."""


class UsageError(SchemaCompatError):
    """The command line asks for something inconsistent."""
