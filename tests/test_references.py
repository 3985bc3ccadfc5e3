"""Documents that refer to each other: a change in one is a change in every document that
refers to it, even where that document's own text did not change."""

from __future__ import annotations

import json
from pathlib import Path


def _write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def test_unchanged_text_over_a_changed_file_is_compared(cli, tmp_path: Path) -> None:
    # The same text of a.json means different messages when b.json, which it refers to by
    # a relative path, differs between the two directories.
    for side, kind in (("old", "string"), ("new", "integer")):
        _write(tmp_path / side / "a.json", {"properties": {"x": {"$ref": "b.json"}}})
        _write(tmp_path / side / "b.json", {"type": kind})
    res = cli("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json")
    assert res.exit_code == 1, res.stderr
    by_name = {r["schema"]: r for r in res.json()["results"]}
    a = by_name["a"]
    assert (a["backward"], a["forward"]) == ("breaking", "breaking")
    assert {w["direction"]: w["instance"] for w in a["witnesses"]} == {
        "backward": {"x": ""}, "forward": {"x": 0}}


def test_annotations_beside_a_relative_reference_in_one_directory(cli, tmp_path: Path) -> None:
    # Side by side, a relative reference names the same file from both versions: a change
    # of description stays a patch.
    _write(tmp_path / "b.json", {"type": "string"})
    _write(tmp_path / "a1.json", {"properties": {"x": {"$ref": "b.json"}}})
    _write(tmp_path / "a2.json", {"description": "now documented",
                                  "properties": {"x": {"$ref": "b.json"}}})
    res = cli("diff", str(tmp_path / "a1.json"), str(tmp_path / "a2.json"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    (result,) = res.json()["results"]
    assert (result["level"], result["required_bump"]) == ("FULL", "patch")
