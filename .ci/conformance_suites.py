"""Assemble the upstream conformance suites where the tests look for them.

    python .ci/conformance_suites.py DEST            # clone upstream (network), assemble DEST
    export SCHEMA_COMPAT_SHARED=DEST                 # then: pytest runs them

Confluent Schema Registry's JSON Schema compatibility cases (draft-07, and the later draft
2020-12 files) and the SchemaStore corpus (521 version pairs, and the catalog of documents
they reference) are not copied into this repository. ``tests/conformance/upstream.json`` pins every file by its git blob id: git
checks the content against the id as it reads it, so what the tests run is exactly what
their tables were written against, whichever commit upstream is at. The clones are blobless
(history without file contents); only the pinned blobs are fetched.

``--objects DIR`` reads the blobs from files under DIR instead of cloning (any file whose
git blob id is pinned is used): the test suite checks the assembly that way, offline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

PINS = Path(__file__).resolve().parents[1] / "tests" / "conformance" / "upstream.json"


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what ``git hash-object`` prints)."""
    # SHA-1 because git names blobs by it; this is an id to compare, not a protection.
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Missing(SystemExit):
    """A pinned blob the objects directory does not hold (fatal unless its group is
    optional)."""


def _from_git(repository: str, workdir: Path) -> Callable[[str], bytes]:
    clone = workdir / repository.rstrip("/").rsplit("/", 1)[-1]
    if not clone.is_dir():
        subprocess.run(["git", "clone", "--quiet", "--filter=blob:none", "--no-checkout",
                        repository, str(clone)], check=True)

    def read(sha: str) -> bytes:
        # A missing blob is fetched from the promisor remote; git verifies it against `sha`.
        return subprocess.run(["git", "-C", str(clone), "cat-file", "blob", sha],
                              check=True, capture_output=True).stdout

    return read


def _from_files(root: Path) -> Callable[[str], bytes]:
    by_id = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        by_id.setdefault(blob_id(data), data)

    def read(sha: str) -> bytes:
        if sha not in by_id:
            raise Missing(f"no file with git blob id {sha} under {root}")
        return by_id[sha]

    return read


def _write(path: Path, data: bytes, sha: str) -> None:
    if blob_id(data) != sha:
        raise SystemExit(f"{path}: content does not match its pinned blob id {sha}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def assemble(dest: Path, source: Callable[[str, str], bytes]) -> None:
    """Write the suites under ``dest``; ``source(repository, blob_id)`` gives a blob."""
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    for group in ("confluent", "confluent-2020-12"):
        confluent = pins[group]
        for name, sha in confluent["files"].items():
            try:
                data = source(confluent["repository"], sha)
            except Missing:
                if confluent.get("required", True):
                    raise
                print(f"{group}: {name} ({sha}) not among the objects: not assembled")
                continue
            _write(dest / "peer-suites" / "confluent" / name, data, sha)
    store = pins["schemastore"]
    corpus = dest / "corpus" / "schemastore"
    pairs = []
    for schema, nn, old_blob, new_blob, change_class in store["pairs"]:
        old_file, new_file = f"pairs/{schema}/{nn}-old.json", f"pairs/{schema}/{nn}-new.json"
        _write(corpus / old_file, source(store["repository"], old_blob), old_blob)
        _write(corpus / new_file, source(store["repository"], new_blob), new_blob)
        pairs.append({"schema": schema, "nn": nn, "old_file": old_file, "new_file": new_file,
                      "old_blob": old_blob, "new_blob": new_blob, "change_class": change_class})
    manifest = {"source": {"repository": store["repository"], "head_commit": store["commit"]},
                "pairs": pairs}
    (corpus / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    documents = []
    for uri, aliases, file, sha in store["catalog"]:
        _write(corpus / "catalog" / file, source(store["repository"], sha), sha)
        documents.append({"uri": uri, "aliases": aliases, "file": file, "git_blob": sha})
    (corpus / "catalog" / "index.json").write_text(
        json.dumps({"source": manifest["source"], "documents": documents}, indent=1),
        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--objects", type=Path, help="read blobs from files under this directory")
    args = parser.parse_args(argv)
    if args.objects is not None:
        read = _from_files(args.objects)
        assemble(args.dest, lambda _repository, sha: read(sha))
        return 0
    with tempfile.TemporaryDirectory() as work:
        readers: dict[str, Callable[[str], bytes]] = {}

        def source(repository: str, sha: str) -> bytes:
            if repository not in readers:
                readers[repository] = _from_git(repository, Path(work))
            return readers[repository](sha)

        assemble(args.dest, source)
    print(f"conformance suites in {args.dest}: export SCHEMA_COMPAT_SHARED={args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
