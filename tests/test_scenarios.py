"""The pull-request scenarios of a contracts repository, in each layout, through the real CLI.

Each scenario starts from a committed repository holding one schema (``widget`` 1.0.0),
changes the working tree as a contract owner would, and runs ``check --against HEAD``: the
verdict (exit code), the problems raised (by id), the next action offered and the length of
the output are checked. Layouts: versioned files (``schemas/widget/1.0.0.json``), one file
per schema (``schemas/widget.json`` with its version in ``x-version``), and versioned YAML.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]

WIDGET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"Size": {"type": "integer", "minimum": 0}},
    "type": "object",
    "properties": {"id": {"type": "string"}, "size": {"$ref": "#/$defs/Size"},
                   "colour": {"enum": ["red", "green"]}},
    "required": ["id"],
}


class Layout:
    """Where a version of a schema lives, and how it is written."""

    name = ""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, schema: str, version: str, doc: dict[str, Any]) -> None:
        raise NotImplementedError

    def remove(self, schema: str, version: str) -> None:
        raise NotImplementedError


class Versioned(Layout):
    name = "versioned"
    suffix = ".json"

    def path(self, schema: str, version: str) -> Path:
        return self.root / "schemas" / schema / f"{version}{self.suffix}"

    def write(self, schema: str, version: str, doc: dict[str, Any]) -> None:
        path = self.path(schema, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.dump(doc), encoding="utf-8")

    def dump(self, doc: dict[str, Any]) -> str:
        return json.dumps(doc, indent=2)

    def remove(self, schema: str, version: str) -> None:
        self.path(schema, version).unlink()


class Yaml(Versioned):
    name = "yaml"
    suffix = ".yaml"

    def dump(self, doc: dict[str, Any]) -> str:
        # JSON is YAML 1.2 flow style; written as block YAML by hand where it is simple.
        return "\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items()) + "\n"


class OneFile(Layout):
    name = "one-file"

    def write(self, schema: str, version: str, doc: dict[str, Any]) -> None:
        (self.root / "schemas" / f"{schema}.json").write_text(
            json.dumps({**doc, "x-version": version}, indent=2), encoding="utf-8")

    def remove(self, schema: str, version: str) -> None:
        (self.root / "schemas" / f"{schema}.json").unlink()


def _with(doc: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {**doc, "properties": {**doc["properties"], **props}}


@dataclass
class Scenario:
    name: str
    change: Callable[[Layout], None]
    exit_code: int
    problems: list[str] = field(default_factory=list)
    says: list[str] = field(default_factory=list)  # in the text output
    args: tuple[str, ...] = ()
    # Where a layout answers otherwise: layout name → (exit code, problems, says).
    otherwise: dict[str, tuple[int, list[str], list[str]]] = field(default_factory=dict)


SCENARIOS = [
    Scenario("additive minor",
             lambda lay: lay.write("widget", "1.1.0", _with(WIDGET, colour={"enum": ["red", "green", "blue"]})),
             0, [], ["✓ gate passed", "1.0.0 → 1.1.0", "BACKWARD", "minor"]),
    Scenario("breaking change labelled minor",
             lambda lay: lay.write("widget", "1.1.0", _with(WIDGET, colour={"enum": ["red"]})),
             1, ["gate-bump-too-small", "gate-policy-violated"],
             ["✗ gate failed", "minor (needs major)", "next: release it as 2.0.0", "[[waivers]]",
              'rule = "enum-value-removed"']),
    Scenario("description-only patch",
             lambda lay: lay.write("widget", "1.0.1", {**WIDGET, "description": "A widget."}),
             0, [], ["✓ gate passed", "1.0.0 → 1.0.1", "FULL", "patch"]),
    Scenario("new schema",
             lambda lay: lay.write("gadget", "1.0.0", WIDGET),
             0, [], ["✓ gate passed", "gadget", "new schema"]),
    # A released version deleted. With versioned files a later one stays (1.1.0 is added in
    # the same change); with one file per schema the version is the schema.
    Scenario("removed version",
             lambda lay: (lay.write("widget", "1.1.0", WIDGET), lay.remove("widget", "1.0.0")),
             1, ["schema-version-removed"], ["✗ gate failed", "next: restore schemas/widget/1.0.0"],
             otherwise={"one-file": (1, ["schema-removed"], ["✗ gate failed", "next: restore it"])}),
    Scenario("in-place edit of a released version",
             lambda lay: lay.write("widget", "1.0.0", _with(WIDGET, colour={"enum": ["red"]})),
             1, ["schema-changed-in-place"],
             ["✗ gate failed", "next: restore 1.0.0 and release the change as a new version"]),
    # Without $schema, under draft 7 a $ref hides its siblings: the new maximum beside it
    # changes nothing, and a patch is enough. Read as 2020-12 it breaks.
    Scenario("no $schema, --default-draft 7",
             lambda lay: lay.write("widget", "1.0.1", _draft7_ref_sibling(maximum=10)),
             0, [], ["✓ gate passed", "1.0.0 → 1.0.1"], args=("--default-draft", "7")),
    Scenario("no $schema, read as 2020-12",
             lambda lay: lay.write("widget", "1.0.1", _draft7_ref_sibling(maximum=10)),
             1, ["gate-bump-too-small", "gate-policy-violated"], ["release it as 2.0.0"]),
]


def _draft7_ref_sibling(**sibling: Any) -> dict[str, Any]:
    doc = {k: v for k, v in WIDGET.items() if k not in ("$schema", "$defs")}
    return {**_with(doc, size={"$ref": "#/definitions/Size", **sibling}),
            "definitions": {"Size": {"type": "integer", "minimum": 0}}}


def _base(scenario: Scenario) -> dict[str, Any]:
    if scenario.name.startswith("no $schema"):
        return _draft7_ref_sibling()
    return WIDGET


@pytest.mark.parametrize("layout_cls", [Versioned, OneFile, Yaml], ids=lambda c: c.name)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario: Scenario, layout_cls: type[Layout], tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch, cli) -> None:
    root = tmp_path / "contracts"
    (root / "schemas").mkdir(parents=True)
    layout = layout_cls(root)
    layout.write("widget", "1.0.0", _base(scenario))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "widget 1.0.0"], cwd=root, check=True)
    monkeypatch.chdir(root)
    if layout.name in scenario.otherwise:
        code, problems, says = scenario.otherwise[layout.name]
        scenario = Scenario(scenario.name, scenario.change, code, problems, says, scenario.args)
    scenario.change(layout)
    res = cli("check", "--against", "HEAD", "--format", "json", *scenario.args)
    assert res.exit_code == scenario.exit_code, res.stdout + res.stderr
    assert [p["id"] for p in res.json()["decision"]["problems"]] == scenario.problems
    text = cli("check", "--against", "HEAD", *scenario.args)
    assert text.exit_code == scenario.exit_code
    for phrase in scenario.says:
        assert phrase in text.stdout, (phrase, text.stdout)
    assert "None" not in text.stdout
    # Concise: the verdict first; details only for what fails.
    assert text.stdout.splitlines()[0].startswith("✓" if scenario.exit_code == 0 else "✗")
    if scenario.exit_code == 0:
        assert len(text.stdout.splitlines()) <= 4, text.stdout
