"""``schema-compat validate`` and ``backbeat-validate``: the seed's validator flags, verbatim.

Thin: reading, routing and checking live in :mod:`schema_compat.validate`; this module only
turns flags into inputs and results into text or JSON. The library is imported when the
command runs, so other commands do not pay for the validator's start-up.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from ._options import CONFIG_HELP, DEFAULT_DRAFT_HELP, REF_DIR_HELP, chosen_draft, draft_callback
from ._partitioned import ENGINE_HELP, SCHEDULER_HELP, EngineName, make_engine, progress
from ._runner import version_option

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..partitions import Tally
    from ..validate import Batch, MessageInput, MessageValidator


# Typer's help keeps line breaks, so each paragraph is one string; no square brackets, which
# its rich help formatter would read as markup.
_HELP = "\n\n".join(
    [
        "Validate messages against the contracts in --schemas.",
        "Each message is routed by its `type` (e.g. backbeat.beatframe.v1) to the latest schema "
        "version declaring it, or checked against --schema NAME or NAME@VERSION. Formats are "
        "asserted and patterns are ECMA-262 regular expressions.",
        "Inputs: .json files hold one message each (a JSON array is one message, not a batch); "
        ".jsonl and .ndjson files hold one message per line (blank lines are skipped); either "
        "may be gzipped (.gz). --dir is walked recursively for those files. --dir and --file "
        "also take a glob pattern in quotes (archive/2025-06-*/*.jsonl.gz; ** crosses "
        "directories). --message takes one JSON document, or - for stdin (one document or JSON "
        "Lines). --dir, --file and --message may be combined and repeated.",
        "Archives: each file is a partition, streamed; --engine dask runs them as tasks on a "
        "Dask cluster, with the same report. --max-failures N lists the first N invalid "
        "messages of each schema version and counts the others, with the failing keywords.",
        "An input that cannot be read, is not JSON or has no known `type` is reported as an "
        "invalid message (keyword io, json or routing); the other messages are still checked. "
        "Exit status: 0; 1 with --exit-code when a message is invalid; 2 when the schemas or "
        "the command line are unusable.",
    ]
)


def validate_command(
    schemas: Annotated[
        Path,
        typer.Option("--schemas", metavar="DIR", help="Contracts directory: <name>/<semver>.json files."),
    ],
    dirs: Annotated[
        list[Path] | None,
        typer.Option("--dir", metavar="DIR", help="Directory of message files (recursive), or a glob pattern."),
    ] = None,
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", metavar="FILE", help="Message file (.json, .jsonl, .ndjson, .gz), or a glob pattern."),
    ] = None,
    messages: Annotated[
        list[str] | None,
        typer.Option("--message", metavar="JSON", help="A message as JSON text, or - for stdin."),
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            metavar="NAME@VERSION",
            help="Check every message against this schema instead of routing by `type`.",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable report on stdout.")] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when any message is invalid.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Processes, local or of the local Dask cluster (default: one per core).",
        ),
    ] = None,
    max_failures: Annotated[
        int | None,
        typer.Option(
            "--max-failures",
            min=0,
            metavar="N",
            help="List at most N invalid messages per schema version; count the others.",
        ),
    ] = None,
    engine: Annotated[EngineName, typer.Option("--engine", help=ENGINE_HELP)] = EngineName.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)
    ] = None,
    default_draft: Annotated[
        str | None,
        typer.Option("--default-draft", metavar="DRAFT", callback=draft_callback, help=DEFAULT_DRAFT_HELP),
    ] = None,
    ref_dir: Annotated[
        list[Path] | None, typer.Option("--ref-dir", metavar="DIR", help=REF_DIR_HELP)
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", metavar="FILE", help=CONFIG_HELP)
    ] = None,
    version: bool = version_option(),
) -> int:
    from ..config import load_config
    from ..errors import UsageError
    from ..loading import load_repository
    from ..partitions import Tally
    from ..validate import MessageValidator
    from ._options import catalog_for

    inputs = _inputs(dirs or [], files or [], messages or [])
    if not inputs:
        raise UsageError("nothing to validate: give --dir, --file or --message")
    runner = make_engine(engine, scheduler, workers)
    # The configuration is read for what is not given here: its default draft, its ref-dirs.
    config = (load_config(path=config_file)
              if default_draft is None or not ref_dir or config_file is not None else None)
    draft = chosen_draft(default_draft, config)
    repository = load_repository(schemas, default_draft=draft)
    repository.catalog = catalog_for(ref_dir, config)
    validator = MessageValidator(repository, schema=schema)
    tally = Tally(max_failures)
    try:
        with progress("validating") as tick:
            batches = validator.iter_batches(inputs, workers=workers, engine=runner,
                                             cap=max_failures, progress=tick)
            # The first batch before any output: a cluster that cannot be reached or started
            # is a one-line error, not a report cut short.
            first = next(batches, None)
            batches = itertools.chain([] if first is None else [first], batches)
            if json_output:
                invalid = _write_json(sys.stdout, validator, batches, tally)
            else:
                invalid = _write_text(sys.stdout, batches, tally)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 1 if exit_code and invalid else 0


validate_command.__doc__ = _HELP


def _inputs(dirs: list[Path], files: list[Path], messages: list[str]) -> list[MessageInput]:
    """Inputs in a fixed order: directories, then files, then messages."""
    from .._text import visible
    from ..errors import UsageError
    from ..loading import leads_outside_repository
    from ..partitions import expand_pattern, is_pattern
    from ..validate import MessageInput, discover_inputs

    inputs: list[MessageInput] = []
    # A directory or file named here that lies in the repository but is a link out of it is
    # not read: it is reported as an unreadable input, as a link found in a directory is.
    outside = "a symbolic link that leads outside the repository; not read"

    def named(item: MessageInput) -> MessageInput:
        if item.path is not None and leads_outside_repository(item.path):
            return MessageInput.failed(item.source, outside)
        return item

    for directory in dirs:
        if is_pattern(directory):
            inputs.extend(named(item) for item in expand_pattern(directory))
            continue
        if leads_outside_repository(directory):
            inputs.append(MessageInput.failed(str(directory), outside))
            continue
        found = discover_inputs(directory)
        if not found:
            print(visible(f"warning: {directory}: no message files (.json, .jsonl, .ndjson)"),
                  file=sys.stderr)
        inputs.extend(found)
    for path in files:
        if is_pattern(path):
            inputs.extend(named(item) for item in expand_pattern(path))
        else:
            inputs.append(named(MessageInput.file(path)))
    if messages.count("-") > 1:
        raise UsageError("--message - (stdin) given more than once")
    inline = [text for text in messages if text != "-"]
    for number, text in enumerate(messages, start=1):
        if text == "-":
            inputs.append(MessageInput.from_stream(sys.stdin.buffer, "<stdin>"))
        else:
            source = "<message>" if len(inline) == 1 else f"<message {number}>"
            inputs.append(MessageInput.inline(text, source))
    return inputs


def _summary(messages: int, invalid: int) -> str:
    noun = "message" if messages == 1 else "messages"
    return f"{messages} {noun}, {messages - invalid} valid, {invalid} invalid"


def _write_text(out: TextIO, batches: Iterator[Batch], tally: Tally) -> int:
    """One line per issue as results arrive, then the summary; returns the invalid count."""
    from .._text import visible

    for batch in batches:
        listed = tally.add(batch)
        if listed:
            # File names and property names come from the input: one line per issue, whatever
            # they hold (only failures pay for the escaping).
            out.write("".join(f"{visible(str(issue))}\n" for result in listed for issue in result.issues))
    if tally.unlisted:
        noun = "message" if tally.unlisted == 1 else "messages"
        out.write(f"... {tally.unlisted} more invalid {noun} not listed "
                  f"(--max-failures {tally.cap} per schema); failing keywords:\n")
        out.write("".join(visible(f"  {k.count} {k.keyword} [{k.schema or 'input'}]") + "\n"
                          for k in tally.keywords()))
    out.write(_summary(tally.messages, tally.invalid) + "\n")
    return tally.invalid


def _write_json(out: TextIO, validator: MessageValidator, batches: Iterator[Batch], tally: Tally) -> int:
    """The JSON report, streamed: keys in sorted order, so the invalid list can come first."""
    from .. import __version__
    from .._json import dumps  # sorted keys; raw controls and non-UTF-8 file names escaped

    out.write('{"command": "validate",\n "invalid": [')
    separator = "\n  "
    for batch in batches:
        for result in tally.add(batch):
            out.write(separator + dumps(result.to_dict()))
            separator = ",\n  "
    out.write("\n ]," if tally.listed else "],")
    keywords = [{"count": k.count, "keyword": k.keyword, "schema": k.schema} for k in tally.keywords()]
    schemas = [
        {
            "name": doc.name,
            "source": doc.source,
            "type": doc.message_type,
            "version": None if doc.version is None else str(doc.version),
        }
        for doc in validator.schemas
    ]
    summary = {"invalid": tally.invalid, "messages": tally.messages, "valid": tally.messages - tally.invalid}
    out.write(f'\n "keywords": {dumps(keywords)},')
    out.write(f'\n "schemas": {dumps(schemas)},')
    out.write(f'\n "summary": {dumps(summary)},')
    out.write(f'\n "tool": "schema-compat",\n "unlisted": {tally.unlisted},')
    out.write(f'\n "version": {dumps(__version__)}}}\n')
    return tally.invalid
