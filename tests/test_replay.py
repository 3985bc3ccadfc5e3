"""``schema-compat replay``: recorded messages against two versions, through the real CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import REPO

SCHEMAS = REPO / "schemas"


def _frame(**changes: object) -> dict[str, object]:
    message = json.loads((REPO / "examples/beatframe/1.1.0/valid/seed-go-test.json").read_text())
    message.update(changes)
    return message


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """JSON Lines: 3 frames valid under both 1.0.1 and 1.1.0, 2 only under 1.1.0, 1 bad line."""
    lines = [_frame(beat_index=i) for i in range(3)]
    lines += [_frame(beats_per_bar=4), _frame(beats_per_bar=8)]
    text = "\n".join(json.dumps(m) for m in lines) + "\nnot json\n"
    path = tmp_path / "frames.jsonl"
    path.write_text(text)
    return path


def test_forward_transitions_from_jsonl(corpus: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(corpus),
              "--schemas", str(SCHEMAS), "--format", "json", "--workers", "1")
    # --mode backward has no backward transition, but a line could not be read: the replay is
    # incomplete, and the gate fails closed.
    assert res.exit_code == 1, res.stderr
    assert "1 message(s) could not be read: the replay is incomplete" in res.stderr
    (result,) = res.json()["results"]
    replay = result["replay"]
    assert (replay["examples"], replay["backward"], replay["forward"], replay["unreadable"]) == (6, 0, 2, 1)
    assert [c["example"] for c in replay["changed"]] == [f"{corpus}:4", f"{corpus}:5"]
    assert all(c["direction"] == "forward" and "beats_per_bar" in c["error"]
               for c in replay["changed"])
    # The same change, shown as a finding with its witness.
    assert any(f["rule"] == "property-added" and f["forward"] == "breaking" for f in result["findings"])


def test_mode_decides_the_exit_code(corpus: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(corpus),
              "--schemas", str(SCHEMAS), "--mode", "forward", "--workers", "1")
    assert res.exit_code == 1
    assert "2 valid under new but not old (forward)" in res.stdout


def test_gzip_and_two_workers_agree(corpus: Path, tmp_path: Path, cli) -> None:
    gz = tmp_path / "frames.jsonl.gz"
    gz.write_bytes(gzip.compress(corpus.read_bytes() * 2000))
    one = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(gz),
              "--schemas", str(SCHEMAS), "--format", "json", "--workers", "1").json()
    two = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(gz),
              "--schemas", str(SCHEMAS), "--format", "json", "--workers", "2").json()
    assert one == two
    assert one["results"][0]["replay"]["forward"] == 4000


def test_examples_tree_is_scoped_to_the_schema(cli) -> None:
    res = cli("replay", "beatframe@1.1.0", "beatframe@2.0.0", "--examples", str(REPO / "examples"),
              "--schemas", str(SCHEMAS), "--format", "json")
    assert res.exit_code == 1  # tempo 0.5 and the v1 type are rejected by 2.0.0
    replay = res.json()["results"][0]["replay"]
    sources = {c["example"].split("/examples/")[1].split("/")[0] for c in replay["changed"]}
    assert sources == {"beatframe"}
    assert any("dev-rollout-half-bpm" in c["example"] and c["direction"] == "backward"
               for c in replay["changed"])


def test_missing_examples_is_an_input_error(tmp_path: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(tmp_path / "no"),
              "--schemas", str(SCHEMAS))
    assert res.exit_code == 2
    assert "no such file or directory" in res.stderr


def test_check_shows_the_replay(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    res = cli("check", "--format", "json")
    assert res.exit_code == 0
    results = res.json()["results"]
    replayed = [r for r in results if r["replay"]["examples"]]
    assert replayed and all(r["replay"]["examples"] > 100 for r in replayed)
