"""A local catalog of referenced documents (``--ref-dir``): a ``$ref`` to another published
schema by URL resolves from a vendored copy, on both sides of a comparison, never from the
network; what the catalog does not hold stays ``unknown``.

The cases are data (``tests/fixtures/catalog/``), run through the real command line; every
breaking witness is checked by the oracle and by jsonschema-rs, each given the catalog's
documents by the test itself.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_soundness as soundness
from schema_compat import oracle
from schema_compat.catalog import load_catalog
from schema_compat.schema import load_root
from test_hostile import Listener, listener, one_line_error, write  # noqa: F401 - a fixture

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
REFS = FIXTURES / "refs"
CASES = json.loads((FIXTURES / "cases.json").read_text())["cases"]
REFUSED = json.loads((FIXTURES / "refused.json").read_text())["cases"]
SHARED = Path(os.environ.get("SCHEMA_COMPAT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SCHEMASTORE = SHARED / "corpus" / "schemastore"


def _refuse(uri: str) -> Any:
    raise ValueError(f"not fetched: {uri}")


def _catalog_documents(directory: Path) -> list[tuple[str, Any]]:
    """Every URI of the fixture catalog and its document, read here from index.json."""
    index = json.loads((directory / "index.json").read_text())
    out = []
    for item in index["documents"]:
        document = json.loads((directory / item["file"]).read_text())
        out += [(uri, document) for uri in (item["uri"], *item.get("aliases", []))]
    return out


def _confirm(old: Any, new: Any, direction: str, instance: Any) -> None:
    """The witness is valid on the accepting side and invalid on the other, for the oracle
    (the reference, python-jsonschema with the catalog in its registry) and for jsonschema-rs
    (with a registry of the catalog's documents)."""
    accepting, rejecting = (old, new) if direction == "backward" else (new, old)
    catalog = load_catalog([REFS])
    registry = jsonschema_rs.Registry(_catalog_documents(REFS), retriever=_refuse)
    for schema, expected in ((accepting, True), (rejecting, False)):
        root = load_root(schema, "case", catalog=catalog)
        assert oracle.validator_for(root).is_valid(instance) is expected, (schema, instance)
        rs = jsonschema_rs.validator_for(schema, registry=registry, retriever=_refuse)
        assert rs.is_valid(instance) is expected, (schema, instance)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_diff_without_and_with_the_catalog(case: dict[str, Any], cli, tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", case["old"])
    new = write(tmp_path / "new.json", case["new"])
    for label, extra in (("without", ()), ("with", ("--ref-dir", str(REFS)))):
        res = cli("diff", str(old), str(new), "--format", "json", "--mode", "full", *extra)
        assert res.exit_code in (0, 1), res.stderr
        (result,) = res.json()["results"]
        expected = case[label]
        assert (result["backward"], result["forward"]) == (
            expected["backward"], expected["forward"]), (label, result)
        assert res.exit_code == (0 if set(expected.values()) == {"compatible"} else 1)
        if label == "without":
            continue
        for direction in ("backward", "forward"):
            if result[direction] == "unknown" and "reason" in case:
                assert result[f"{direction}_reason"] == case["reason"]
        for witness in result["witnesses"]:
            _confirm(case["old"], case["new"], witness["direction"], witness["instance"])
        notes = result.get("notes", [])
        resolved = sorted(n.split(": ", 1)[1].split(" (")[0] for n in notes
                          if n.startswith("remote $ref resolved from the catalog: "))
        missing = sorted(n.split(": ", 1)[1].split("#")[0] for n in notes
                         if n.startswith("remote $ref not in the catalog (not fetched): "))
        assert resolved == sorted(case["resolved"])
        assert missing == sorted(case["missing"])


def test_the_notes_name_the_file_each_uri_was_read_from(cli, tmp_path: Path) -> None:
    case = CASES[3]  # through units.json into nested/legacy.json
    old = write(tmp_path / "old.json", case["old"])
    new = write(tmp_path / "new.json", case["new"])
    res = cli("diff", str(old), str(new), "--ref-dir", str(REFS))
    assert res.exit_code == 1, res.stderr
    assert "remote $ref resolved from the catalog: https://schemas.example.com/legacy.json " \
           f"({REFS / 'nested' / 'legacy.json'})" in res.stdout
    assert f"https://schemas.example.com/units.json ({REFS / 'units.json'})" in res.stdout


def test_without_an_index_documents_are_registered_by_their_id(cli, tmp_path: Path) -> None:
    # by-id/ holds another copy of units.json (the wider range), found by its $id.
    case = CASES[0]
    old = write(tmp_path / "old.json", case["old"])
    new = write(tmp_path / "new.json", case["new"])
    res = cli("diff", str(old), str(new), "--ref-dir", str(FIXTURES / "by-id"))
    # wide-tempo is not in that copy: a reference to nowhere in a document that is there.
    one_line_error(res, "old.json: $ref 'https://schemas.example.com/units.json#/definitions/"
                   "wide-tempo' at /properties/tempo points nowhere in",
                   "the catalog's copy of https://schemas.example.com/units.json")
    same = write(tmp_path / "same.json", {"properties": {"t": {"type": "number", "minimum": 0.1,
                                                                "maximum": 1000}}})
    behind = write(tmp_path / "behind.json", {"properties": {"t": {
        "$ref": "https://schemas.example.com/units.json#/definitions/tempo"}}})
    res = cli("diff", str(same), str(behind), "--format", "json", "--mode", "full",
              "--ref-dir", str(FIXTURES / "by-id"))
    assert res.exit_code == 0, res.stdout + res.stderr
    res = cli("diff", str(same), str(behind), "--format", "json", "--mode", "full",
              "--ref-dir", str(REFS))
    assert res.exit_code == 1  # the range of refs/units.json is narrower


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_a_malformed_catalog_is_refused_in_one_line(case: dict[str, Any], cli,
                                                     tmp_path: Path) -> None:
    for name, content in case["files"].items():
        write(tmp_path / "refs" / name, content)
    old = write(tmp_path / "old.json", {"type": "string"})
    new = write(tmp_path / "new.json", {"type": "string", "maxLength": 3})
    res = cli("diff", str(old), str(new), "--ref-dir", str(tmp_path / "refs"))
    one_line_error(res, case["error"])


def test_a_missing_catalog_directory_is_refused(cli, tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", {"type": "string"})
    res = cli("diff", str(old), str(old), "--ref-dir", str(tmp_path / "nowhere"))
    one_line_error(res, "catalog directory does not exist")


@pytest.mark.parametrize("layout", ["index", "by-id"])
def test_a_catalog_file_linking_outside_is_refused(layout: str, cli, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.json",
                    {"$id": "https://schemas.example.com/units.json", "type": "string"})
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "units.json").symlink_to(outside)
    if layout == "index":
        write(refs / "index.json", {"documents": [
            {"uri": "https://schemas.example.com/units.json", "file": "units.json"}]})
    old = write(tmp_path / "old.json", {"type": "string"})
    res = cli("diff", str(old), str(old), "--ref-dir", str(refs))
    one_line_error(res, "units.json: a symbolic link that leads outside", str(refs))


def test_an_index_linking_outside_is_refused(cli, tmp_path: Path) -> None:
    shutil.copytree(REFS, tmp_path / "elsewhere")
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "index.json").symlink_to(tmp_path / "elsewhere" / "index.json")
    old = write(tmp_path / "old.json", {"type": "string"})
    res = cli("diff", str(old), str(old), "--ref-dir", str(refs))
    one_line_error(res, "index.json: a symbolic link that leads outside")


def _repository(tmp_path: Path, config: str | None) -> Path:
    """A contracts repository whose schema refers to the catalog, with the catalog copied in."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(REFS, repo / "vendor" / "refs")
    shutil.copytree(FIXTURES / "by-id", repo / "vendor" / "by-id")
    tempo = {"$ref": "https://schemas.example.com/units.json#/definitions/tempo"}
    base = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": {"type": {"const": "song.v1"}}}
    write(repo / "schemas" / "song" / "1.0.0.json",
          {**base, "$id": "https://contracts.example.com/song/1.0.0.json",
           "properties": {**base["properties"], "tempo": {"type": "number", "minimum": 1,
                                                          "maximum": 1000},
                          "name": {"type": "string", "maxLength": 8}}})
    write(repo / "schemas" / "song" / "1.1.0.json",
          {**base, "$id": "https://contracts.example.com/song/1.1.0.json",
           "properties": {**base["properties"], "tempo": tempo,
                          "name": {"$ref": "https://schemas.example.com/units/label.json"}}})
    write(repo / "examples" / "song" / "1.1.0" / "valid" / "ok.json", {"type": "song.v1", "tempo": 12})
    write(repo / "examples" / "song" / "1.1.0" / "invalid" / "fast.json",
          {"type": "song.v1", "tempo": 30})
    if config is not None:
        (repo / "schema-compat.toml").write_text(config)
    return repo


def test_the_configuration_names_the_catalog_and_the_command_line_wins(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path, 'ref-dirs = ["vendor/refs"]\n')
    monkeypatch.chdir(repo)
    old, new = "schemas/song/1.0.0.json", "schemas/song/1.1.0.json"

    def verdicts(*extra: str) -> tuple[str, str]:
        res = cli("diff", old, new, "--format", "json", *extra)
        assert res.exit_code in (0, 1), res.stderr
        (result,) = res.json()["results"]
        return result["backward"], result["forward"]

    # From the configuration: tempo 1..24 now, 1..1000 before.
    assert verdicts() == ("breaking", "compatible")
    # --ref-dir wins: by-id/ holds the wide copy, 0.1..1000.
    assert verdicts("--ref-dir", "vendor/by-id") == ("compatible", "breaking")
    (repo / "schema-compat.toml").write_text("")
    assert verdicts() == ("unknown", "unknown")


def test_ref_dirs_outside_the_repository_are_refused(cli, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path, f'ref-dirs = ["vendor/refs", {json.dumps(str(REFS))}]\n')
    monkeypatch.chdir(repo)
    res = cli("diff", "schemas/song/1.0.0.json", "schemas/song/1.1.0.json")
    one_line_error(res, "schema-compat.toml: ref-dirs", "leads outside the repository")
    (repo / "schema-compat.toml").write_text("ref-dirs = 5\n")
    res = cli("diff", "schemas/song/1.0.0.json", "schemas/song/1.1.0.json")
    one_line_error(res, "ref-dirs must be a directory or an array of directories")


def test_every_command_reads_the_catalog(cli, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path, None)
    monkeypatch.chdir(repo)
    refs = ("--ref-dir", "vendor/refs")
    res = cli("bump", "song@1.0.0", "song@1.1.0", "--json", *refs)
    assert json.loads(res.stdout)["backward"] == "breaking", res.stderr
    res = cli("bump", "song@1.0.0", "song@1.1.0", "--json")
    assert json.loads(res.stdout)["backward"] == "unknown", res.stderr
    res = cli("matrix", "schemas", "--format", "json", *refs)
    assert res.exit_code == 0, res.stderr
    assert '"breaking"' in res.stdout
    # The release gate: 1.1.0 breaks BACKWARD in a minor release; its examples validate.
    res = cli("check", "--format", "json", *refs)
    assert res.exit_code == 1, res.stderr
    problems = res.json()["decision"]["problems"]
    assert not [p for p in problems if p["id"].startswith("gate-example")], problems
    res = cli("replay", "song@1.0.0", "song@1.1.0", "--examples", "examples", "--format",
              "json", "--workers", "1", *refs)
    assert res.exit_code == 1, res.stderr
    assert res.json()["results"][0]["replay"]["backward"] == 1
    message = json.dumps({"type": "song.v1", "tempo": 30})
    res = cli("validate", "--schemas", "schemas", "--message", message, "--json", *refs)
    assert res.exit_code == 0, res.stderr
    assert len(json.loads(res.stdout)["invalid"]) == 1
    message = json.dumps({"type": "song.v1", "tempo": 12})
    res = cli("validate", "--schemas", "schemas", "--message", message, "--exit-code", *refs)
    assert res.exit_code == 0, res.stdout + res.stderr
    # A resource embedded in a catalog document, by its own $id.
    message = json.dumps({"type": "song.v1", "tempo": 12, "name": "much too long"})
    res = cli("validate", "--schemas", "schemas", "--message", message, "--json", *refs)
    (invalid,) = json.loads(res.stdout)["invalid"]
    assert invalid["errors"][0]["pointer"] == "/name", invalid
    # Without the catalog, message validation refuses a schema whose reference it cannot read.
    res = cli("validate", "--schemas", "schemas", "--message", message)
    one_line_error(res, "schemas/song/1.1.0.json", "schemas.example.com", "not fetched")


def test_nothing_is_fetched_with_a_catalog(listener: Listener, cli, tmp_path: Path,  # noqa: F811
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog that names the listener, and references both to what it holds and to what it
    does not: no command connects."""
    url = listener.url
    refs = tmp_path / "repo" / "refs"
    write(refs / "index.json", {"documents": [{"uri": f"{url}/units.json", "file": "units.json"}]})
    write(refs / "units.json", {"$schema": "http://json-schema.org/draft-07/schema#",
                                "$id": f"{url}/units.json",
                                "definitions": {"tempo": {"type": "number", "maximum": 24},
                                                "far": {"$ref": f"{url}/far.json"}}})
    repo = _repository(tmp_path, None)
    base = json.loads((repo / "schemas" / "song" / "1.1.0.json").read_text())
    base["properties"]["tempo"] = {"$ref": f"{url}/units.json#/definitions/tempo"}
    base["properties"]["far"] = {"$ref": f"{url}/units.json#/definitions/far"}
    base["properties"]["gone"] = {"$ref": f"{url}/gone.json"}
    write(repo / "schemas" / "song" / "1.1.0.json", base)
    monkeypatch.chdir(repo)
    flags = ("--ref-dir", "refs")
    outcomes = [
        cli("diff", "song@1.0.0", "song@1.1.0", "--timeout", "5", *flags),
        cli("check", "--timeout", "5", *flags),
        cli("matrix", "schemas", "--timeout", "5", *flags),
        cli("bump", "song@1.0.0", "song@1.1.0", *flags),
        cli("replay", "song@1.0.0", "song@1.1.0", "--examples", "examples", "--workers", "1",
            *flags),
        cli("validate", "--schemas", "schemas", "--dir", "examples", *flags),
    ]
    assert listener.connections == 0
    for res in outcomes:
        assert res.exit_code in (0, 1, 2), res.stderr
        assert "Traceback" not in res.stderr
    assert f"remote $ref resolved from the catalog: {url}/units.json" in outcomes[0].stdout
    assert f"remote $ref not in the catalog (not fetched): {url}/far.json" in outcomes[0].stdout
    assert f"remote $ref not in the catalog (not fetched): {url}/gone.json" in outcomes[0].stdout


def test_the_schemastore_catalog(cli) -> None:
    """The SchemaStore catalog of the shared corpus reads, and settles a pair that is unknown
    without it (skipped where the shared corpus is absent)."""
    catalog_dir = SCHEMASTORE / "catalog"
    if not (catalog_dir / "index.json").is_file():
        pytest.skip(f"no SchemaStore catalog at {catalog_dir} (shared corpus absent)")
    catalog = load_catalog([catalog_dir])
    assert catalog is not None and len(catalog.entries) >= 59
    assert catalog.entry("http://www.schemastore.org/base.json") is \
        catalog.entry("https://json.schemastore.org/base.json#/definitions/x")
    pair = [str(SCHEMASTORE / "pairs" / "clang-format" / f"04-{side}.json") for side in ("old", "new")]
    res = cli("diff", *pair, "--format", "json", "--mode", "full")
    assert res.json()["results"][0]["backward"] == "unknown"
    res = cli("diff", *pair, "--format", "json", "--mode", "full", "--ref-dir", str(catalog_dir))
    (result,) = res.json()["results"]
    assert (result["backward"], result["forward"]) == ("compatible", "compatible"), result


# ----------------------------------------------------------------------- soundness, property


def _in_memory_catalog(documents: dict[str, Any]) -> Any:
    from schema_compat.catalog import Catalog, CatalogEntry

    entries = tuple(CatalogEntry(uri, (uri,), f"<{uri}>", doc, 2020, uri)
                    for uri, doc in sorted(documents.items()))
    return Catalog((), entries, {e.uri: e for e in entries})


def _as_resource(schema: Any, uri: str) -> dict[str, Any]:
    return {"$id": uri, **schema} if isinstance(schema, dict) else {"$id": uri, "allOf": [schema]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(soundness.schemas, soundness.schemas, st.lists(soundness.instances, min_size=5, max_size=20),
       st.sampled_from(["both", "old", "new"]))
def test_a_catalog_reference_means_its_document(a: Any, b: Any, pool: list[Any],
                                                behind: str) -> None:
    """Comparing references to catalog documents is comparing the documents: never
    ``compatible`` against a counterexample, every witness confirmed, and each decided verdict
    the one the documents compared inline get."""
    from schema_compat.engine import Options, compare

    catalog = _in_memory_catalog({"https://cat.test/a.json": _as_resource(a, "https://cat.test/a.json"),
                                  "https://cat.test/b.json": _as_resource(b, "https://cat.test/b.json")})
    old = {"$ref": "https://cat.test/a.json"} if behind in ("both", "old") else a
    new = {"$ref": "https://cat.test/b.json"} if behind in ("both", "new") else b
    options = Options(timeout=5, max_steps=50_000)
    result = compare(soundness._doc(old, "old"), soundness._doc(new, "new"),
                     replace(options, catalog=catalog))
    inline = compare(soundness._doc(a, "old"), soundness._doc(b, "new"), options)
    old_node, new_node = load_root(a, "old"), load_root(b, "new")
    for inst in pool:
        in_old, in_new = oracle.is_valid(old_node, inst), oracle.is_valid(new_node, inst)
        if result.backward.status == "compatible":
            assert not (in_old and not in_new), ("backward claimed compatible", a, b, inst)
        if result.forward.status == "compatible":
            assert not (in_new and not in_old), ("forward claimed compatible", a, b, inst)
    for w in (*result.backward.witnesses, *result.forward.witnesses):
        src, dst = (old_node, new_node) if w.direction == "backward" else (new_node, old_node)
        assert oracle.is_valid(src, w.instance) and not oracle.is_valid(dst, w.instance)
    for direction in ("backward", "forward"):
        ours, theirs = getattr(result, direction).status, getattr(inline, direction).status
        if "unknown" not in (ours, theirs):
            assert ours == theirs, (direction, a, b, behind)


def test_a_ref_dir_linking_out_of_the_repository_is_refused(cli, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Named on the command line, a directory outside the repository is the user's choice; a
    # link in the repository that leads there is what a change could slip in.
    repo = _repository(tmp_path, None)
    (repo / "vendor" / "linked").symlink_to(REFS.resolve(), target_is_directory=True)
    monkeypatch.chdir(repo)
    res = cli("diff", "schemas/song/1.0.0.json", "schemas/song/1.1.0.json",
              "--ref-dir", "vendor/linked")
    one_line_error(res, "vendor/linked: a symbolic link that leads outside the repository")
    res = cli("diff", "schemas/song/1.0.0.json", "schemas/song/1.1.0.json", "--format", "json",
              "--ref-dir", str(REFS))
    assert res.json()["results"][0]["backward"] == "breaking", res.stderr


def test_the_repository_schema_wins_over_a_catalog_copy_of_its_uri(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository(tmp_path, None)
    strict = "https://schemas.example.com/strict.json"
    write(repo / "schemas" / "strict" / "1.0.0.json",
          {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": strict,
           "type": "object", "required": ["other"]})
    song = json.loads((repo / "schemas" / "song" / "1.1.0.json").read_text())
    song["properties"]["s"] = {"$ref": strict}
    write(repo / "schemas" / "song" / "1.1.0.json", song)
    monkeypatch.chdir(repo)
    message = json.dumps({"type": "song.v1", "tempo": 12, "s": {"id": "x"}})
    res = cli("validate", "--schemas", "schemas", "--message", message, "--json",
              "--ref-dir", "vendor/refs")
    (invalid,) = json.loads(res.stdout)["invalid"]  # the catalog's copy would accept it
    assert invalid["errors"][0]["pointer"] == "/s", invalid
