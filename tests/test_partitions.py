"""Archives as partitions, with the local engine: globs, directories, the merge, the pool."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

import schema_compat.validate as v
from archive import SCHEMAS, corrupt_gzip, frames, make_archive
from schema_compat.partitions import Tally, expand_pattern
from schema_compat.validate import MessageInput, MessageValidator


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("archive"))


def replay_json(cli, *args: str) -> dict:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--format", "json", *args)
    replay = res.json()["results"][0]["replay"]
    # Exit 1 exactly when something could not be read (no backward transition here).
    assert res.exit_code == (1 if replay["unreadable"] else 0), res.stderr
    return replay


def test_a_pattern_names_sorted_message_files_and_walks_matched_directories(archive: Path) -> None:
    found = [Path(i.source).relative_to(archive).as_posix()
             for i in expand_pattern(f"{archive}/**/*.jsonl.gz")]
    assert found == [f"2025-06-01/{h:02d}/frames.jsonl.gz" for h in range(3)] + [
        "2025-06-01/03/broken.jsonl.gz", "2025-06-01/03/frames.jsonl.gz",
        "2025-06-01/04/frames.jsonl.gz", "2025-06-01/05/frames.jsonl.gz"]
    days = [Path(i.source).name for i in expand_pattern(f"{archive}/2025-06-0[2]")]
    assert days == ["one.json", "plain.ndjson"]  # the hidden file is skipped


def test_a_pattern_that_matches_nothing_is_a_usage_error(archive: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--examples", f"{archive}/2024-*/*.jsonl.gz")
    assert res.exit_code == 2
    assert "no message files" in res.stderr and "2024-*" in res.stderr
    res = cli("validate", "--schemas", str(SCHEMAS), "--file", f"{archive}/nothing*.jsonl")
    assert res.exit_code == 2


def test_replay_of_an_archive_counts_every_partition_and_names_the_unreadable_one(archive: Path, cli) -> None:
    replay = replay_json(cli, "--examples", f"{archive}/**/*.jsonl.gz", "--examples",
                         f"{archive}/2025-06-02", "--workers", "1")
    assert replay["partitions"] == 9
    # 6 × 2000 lines + 1000 + 1 document; the corrupt partition is one unreadable input, and
    # each partition holds one line that is not JSON.
    assert replay["examples"] == 6 * 2000 + 1000 + 1 + 1
    assert replay["unreadable"] == 7 + 1
    broken = [e for e in replay["errors"] if "broken" in e["example"]]
    assert broken == [{"example": f"{archive}/2025-06-01/03/broken.jsonl.gz",
                       "error": broken[0]["error"]}]
    assert broken[0]["error"].startswith("io: cannot read: corrupt or truncated gzip data")
    assert replay["forward"] > 500 and replay["backward"] == 0
    assert {"direction": "forward", "keyword": "additionalProperties",
            "count": replay["forward"]} in replay["keywords"]
    # Transitions are listed in input order: partition by partition, line by line.
    where = [c["example"].rsplit(":", 1) for c in replay["changed"] if ":" in c["example"]]
    assert where == sorted(where, key=lambda w: (w[0], int(w[1])))


def test_the_unreadable_partition_is_a_warning_on_stderr(archive: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--examples", f"{archive}/2025-06-01/03", "--workers", "1")
    assert res.exit_code == 1  # incomplete: the gate fails closed
    assert f"warning: {archive}/2025-06-01/03/broken.jsonl.gz: io: cannot read" in res.stderr
    assert "could not be read: the replay is incomplete" in res.stderr


def test_the_local_pool_takes_gzipped_partitions_and_agrees_with_one_process(
        archive: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    one = replay_json(cli, "--examples", str(archive), "--workers", "1")
    pools: list[int] = []
    real = MessageValidator._iter_parallel

    def spy(self, items, count):
        pools.append(count)
        return real(self, items, count)

    monkeypatch.setattr(MessageValidator, "_iter_parallel", spy)
    monkeypatch.setattr(v.parallel, "PARALLEL_MIN_BYTES", 1)
    two = replay_json(cli, "--examples", str(archive), "--workers", "2")
    assert pools == [2]
    assert one == two


def test_gzipped_partitions_are_weighed_by_what_they_hold(archive: Path, monkeypatch) -> None:
    paths = [Path(i.source) for i in expand_pattern(f"{archive}/**/*.gz")]
    # Small files are grouped up to about one task's worth of messages, a gzipped file counting
    # for what it holds: not 128 to a job whatever their size, which left one worker alone.
    monkeypatch.setattr(v.parallel, "_TASK_MAX_BYTES", 3 * paths[0].stat().st_size * v.parallel._GZIP_RATIO)
    sizes = [len(job) for job in v.parallel._plan_jobs(paths, 2)]
    assert len(sizes) >= 2 and max(sizes) <= 4 and sum(sizes) == 7
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 1024)  # now each is large: a job of its own
    assert [len(job) for job in v.parallel._plan_jobs(paths, 2)] == [1] * 7


def test_the_merge_keeps_the_first_failures_of_each_schema_however_the_work_was_cut(tmp_path: Path) -> None:
    path = tmp_path / "frames.jsonl"
    path.write_bytes(frames(3000, 5))
    validator = MessageValidator.from_directory(SCHEMAS)

    def run(cap_in_workers: int | None, block: int) -> tuple:
        v_block, v.reading.BLOCK_BYTES = v.reading.BLOCK_BYTES, block
        try:
            tally = Tally(7)
            listed = [r for b in validator.iter_batches([MessageInput.file(path)], cap=cap_in_workers)
                      for r in tally.add(b)]
        finally:
            v.reading.BLOCK_BYTES = v_block
        return ([r.to_dict() | {"where": (r.source, r.line)} for r in listed], tally.messages,
                tally.invalid, tally.by_schema, tally.keywords())

    whole = run(None, 1 << 20)
    assert whole == run(7, 1 << 20) == run(None, 4096) == run(2, 4096)
    listed, messages, invalid, by_schema, keywords = whole
    assert messages == 3000 and invalid == sum(by_schema.values()) == sum(k.count for k in keywords
                                                                          if k.schema is None) + \
        sum(by_schema[s] for s in by_schema if s is not None)
    assert len(listed) == sum(min(7, n) for n in by_schema.values())


def test_validate_max_failures_lists_the_first_of_each_schema_and_counts_the_rest(archive: Path, cli) -> None:
    pattern = f"{archive}/2025-06-01/0[0-2]/*.gz"
    full = cli("validate", "--schemas", str(SCHEMAS), "--file", pattern, "--json").json()
    capped = cli("validate", "--schemas", str(SCHEMAS), "--file", pattern, "--json",
                 "--max-failures", "3").json()
    assert capped["summary"] == full["summary"] and capped["keywords"] == full["keywords"]
    assert full["unlisted"] == 0 and len(full["invalid"]) == full["summary"]["invalid"]
    by_schema: dict = {}
    for result in full["invalid"]:
        by_schema.setdefault(result["schema"], []).append(result)
    expected = [r for r in full["invalid"] if by_schema[r["schema"]].index(r) < 3]
    assert capped["invalid"] == expected
    assert capped["unlisted"] == full["summary"]["invalid"] - len(expected)
    text = cli("validate", "--schemas", str(SCHEMAS), "--file", pattern, "--max-failures", "3")
    lines = text.stdout.splitlines()
    assert f"... {capped['unlisted']} more invalid messages not listed" in text.stdout
    assert lines[-1] == (f"{full['summary']['messages']} messages, {full['summary']['valid']} valid, "
                         f"{full['summary']['invalid']} invalid")


def test_validate_reads_a_directory_pattern_and_reports_the_corrupt_partition(archive: Path, cli) -> None:
    res = cli("validate", "--schemas", str(SCHEMAS), "--dir", f"{archive}/2025-06-0*", "--json",
              "--max-failures", "0")
    report = res.json()
    assert report["invalid"] == []
    assert {"count": 1, "keyword": "io", "schema": None} in report["keywords"]
    assert report["summary"]["messages"] == 6 * 2000 + 1000 + 1 + 1


def test_engine_flags_that_do_not_go_together_are_usage_errors(archive: Path, cli) -> None:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--examples", str(archive),
              "--scheduler", "tcp://127.0.0.1:1")
    assert res.exit_code == 2 and "--scheduler needs --engine dask" in res.stderr


def test_without_the_dask_extra_the_dask_engine_says_how_to_get_it(
        archive: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import schema_compat.dask_engine as engine

    monkeypatch.setattr(engine, "dask_available", lambda: False)
    res = cli("validate", "--schemas", str(SCHEMAS), "--dir", str(archive), "--engine", "dask")
    assert res.exit_code == 2
    assert "pip install 'schema-compat[dask]'" in res.stderr


def test_the_local_engine_never_imports_dask(archive: Path, tmp_path: Path) -> None:
    (tmp_path / "one.jsonl.gz").write_bytes(gzip.compress(frames(50, 1)))
    (tmp_path / "bad.jsonl.gz").write_bytes(corrupt_gzip())
    code = (
        "import sys\n"
        "from schema_compat.cli import run, app, backbeat_app\n"
        f"run(backbeat_app, ['--schemas', {str(SCHEMAS)!r}, '--dir', {str(tmp_path)!r}, '--json'])\n"
        f"run(app, ['validate', '--schemas', {str(SCHEMAS)!r}, '--file', {str(tmp_path / '*.gz')!r}])\n"
        f"run(app, ['replay', 'beatframe@1.0.1', 'beatframe@1.1.0', '--schemas', {str(SCHEMAS)!r},"
        f" '--examples', {str(tmp_path)!r}, '--workers', '2', '--engine', 'local'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"
    report, _ = json.JSONDecoder().raw_decode(out.stdout)
    assert report["summary"]["messages"] == 51


def test_progress_on_a_terminal_and_nothing_extra_otherwise(archive: Path, cli) -> None:
    import os
    import pty

    argv = [str(Path(sys.executable).parent / "schema-compat"), "replay", "beatframe@1.0.1",
            "beatframe@1.1.0", "--schemas", str(SCHEMAS), "--examples", f"{archive}/2025-06-01",
            "--workers", "1", "--format", "json"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: stderr is the terminal, stdout a file
        out = os.open(os.devnull, os.O_WRONLY)
        os.dup2(out, 1)
        os.execv(argv[0], argv)
    seen = b""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    os.waitpid(pid, 0)
    text = seen.decode(errors="replace")
    assert "replaying:" in text and "/7 files" in text and "messages" in text
    # Not a terminal: the report, and only the warnings about what could not be read (the
    # corrupt partition, and one line that is not JSON in each of the six others).
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--examples", f"{archive}/2025-06-01", "--workers", "1", "--format", "json")
    lines = res.stderr.splitlines()
    assert len(lines) == 8 and all(line.startswith("warning: ") for line in lines[:7])
    assert lines[7].startswith("error: ") and "the replay is incomplete" in lines[7]
    assert "replaying" not in res.stderr


def test_a_file_named_twice_is_numbered_from_one_each_time_by_the_pool(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "frames.jsonl"
    path.write_bytes(frames(3000, 5))
    monkeypatch.setattr(v.parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(v.reading, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(v.parallel, "_TASK_MAX_BYTES", 50_000)
    validator = MessageValidator.from_directory(SCHEMAS)
    inputs = [MessageInput.file(path), MessageInput.file(path)]
    one = validator.validate_inputs(inputs, workers=1)
    two = validator.validate_inputs(inputs, workers=2)
    assert [(r.source, r.line) for r in two.failures] == [(r.source, r.line) for r in one.failures]
    half = len(one.failures) // 2
    assert [r.line for r in one.failures[:half]] == [r.line for r in one.failures[half:]]
    seen: list[tuple[int, int]] = []
    list(validator.iter_batches(inputs, workers=2, progress=lambda d, t, m: seen.append((d, t))))
    assert seen[0] == (0, 2) and seen[-1] == (2, 2) and [d for d, _ in seen] == sorted(d for d, _ in seen)
