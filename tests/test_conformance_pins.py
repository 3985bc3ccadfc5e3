"""The upstream suites are pinned by content (tests/conformance/upstream.json) and assembled
by .ci/conformance_suites.py in the layout the conformance tests read.

Needs a copy of the suites to assemble from (SCHEMA_COMPAT_SHARED, else ../shared); skips
otherwise, as the conformance tests themselves do."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONFORMANCE_SUITES, REPO, shared_dir

SHARED = shared_dir()
if not all((SHARED / marker).is_file() for marker in CONFORMANCE_SUITES.values()):
    pytest.skip(f"conformance suites not under {SHARED}", allow_module_level=True)


def test_pins_assemble_the_suites_the_tests_were_written_against(tmp_path: Path) -> None:
    dest = tmp_path / "shared"
    subprocess.run([sys.executable, str(REPO / ".ci" / "conformance_suites.py"), str(dest),
                    "--objects", str(SHARED)], check=True, timeout=300)
    for sub in ("peer-suites/confluent", "corpus/schemastore/pairs"):
        cmp = filecmp.dircmp(SHARED / sub, dest / sub)
        stack = [cmp]
        while stack:
            d = stack.pop()
            assert not (d.left_only or d.right_only or d.diff_files), (sub, d.left_only,
                                                                     d.right_only, d.diff_files)
            stack.extend(d.subdirs.values())
    ours = json.loads((dest / "corpus/schemastore/manifest.json").read_text(encoding="utf-8"))
    theirs = json.loads((SHARED / "corpus/schemastore/manifest.json").read_text(encoding="utf-8"))
    keys = ("schema", "nn", "old_file", "new_file", "change_class")
    assert [[p[k] for k in keys] for p in ours["pairs"]] == [[p[k] for k in keys]
                                                             for p in theirs["pairs"]]
    index = json.loads((dest / "corpus/schemastore/catalog/index.json").read_text(encoding="utf-8"))
    for doc in index["documents"]:
        assert filecmp.cmp(dest / "corpus/schemastore/catalog" / doc["file"],
                           SHARED / "corpus/schemastore/catalog" / doc["file"], shallow=False)
