"""Validate messages against a contracts repository.

Each message is routed by its ``type`` property to the latest schema version declaring that
constant (``backbeat.beatframe.v1`` → the latest ``beatframe`` 1.x), or checked against one
schema named explicitly. Validation uses jsonschema-rs: ECMA-262 regular expressions (a trailing
newline does not match ``$``) and formats asserted, both of which python-jsonschema gets wrong or
leaves off by default.

Inputs are files (``.json``: one message per file; ``.jsonl``/``.ndjson``: one message per line;
either may be gzipped), inline text, or a binary stream (stdin). Large JSON Lines files are
split at line boundaries and checked by one worker process per core; results keep input order
and line numbers.

Problems with an input (unreadable file, not JSON, no routable ``type``) are reported as issues
of that message, with the keywords ``io``, ``json`` and ``routing``; the other messages are still
checked. Problems with the schemas are errors (:class:`~schema_compat.errors.SchemaError`).

One subject a module: ``validator`` (``MessageValidator``: routing by ``type`` and the public
calls), ``compiling`` (every schema compiled once; the routing table), ``inputs`` (files, text,
streams, directory walks), ``reading`` (JSON Lines block by block, documents, streams: the hot
loop), ``parallel`` (forked workers, results in input order), ``results`` (issues, results,
batches, and the raw form workers send them in) and ``base`` (what the parts expect of one
another). A limit is read in the module that defines it (``reading.BLOCK_BYTES``,
``parallel.PARALLEL_MIN_BYTES``): that is where to change it.
"""

from __future__ import annotations

from .inputs import LINES_SUFFIXES, MESSAGE_SUFFIXES, MessageInput, discover_inputs
from .results import IO, JSON, ROUTING, Batch, MessageResult, ValidationIssue, ValidationReport
from .validator import (
    Engine,
    MessageValidator,
    Progress,
    Rebuildable,
    ValidatorSpec,
    validate_message,
)

__all__ = [
    "IO",
    "JSON",
    "LINES_SUFFIXES",
    "MESSAGE_SUFFIXES",
    "ROUTING",
    "Batch",
    "Engine",
    "MessageInput",
    "MessageResult",
    "MessageValidator",
    "Progress",
    "Rebuildable",
    "ValidationIssue",
    "ValidationReport",
    "ValidatorSpec",
    "discover_inputs",
    "validate_message",
]
