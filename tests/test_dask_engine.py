"""``--engine dask``: the same report as the local engine, on a real dask.distributed cluster.

Clusters listen on loopback only: a LocalCluster started by the command, and a scheduler with
two workers started as separate processes (``dask scheduler``, ``dask worker``), as a user
runs them, for the fault tests (a worker killed by its pid, an interrupted client).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'schema-compat[dask]'): "
                          "the Dask engine's tests are skipped")

from archive import SCHEMAS, frames, make_archive  # noqa: E402
from schema_compat import dask_engine  # noqa: E402
from schema_compat.loading import resolve_input  # noqa: E402
from schema_compat.replay import replay  # noqa: E402

DASK = Path(sys.executable).parent / "dask"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("archive"), hours=8, lines=1500)


def _schema(text: str):
    (doc,) = resolve_input(text, schemas_dir=SCHEMAS).schemas.values()
    return doc


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`dask scheduler` and two `dask worker` processes (no nanny: a killed worker stays dead),
    on 127.0.0.1; yields the address and the processes."""
    where = tmp_path_factory.mktemp("cluster")
    file = where / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    logs = (where / "log").open("w")
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(file)],
                              stdout=logs, stderr=subprocess.STDOUT, env=env)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen(
                [str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--dashboard-address", "127.0.0.1:0"], stdout=logs, stderr=subprocess.STDOUT, env=env))
        with distributed.Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield {"address": address, "procs": procs}
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logs.close()


def _replay_json(cli, archive: Path, *args: str) -> str:
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--examples", f"{archive}/**/*.gz", "--examples", f"{archive}/2025-06-02",
              "--format", "json", *args)
    assert res.exit_code == 1, res.stderr  # the archive holds unreadable lines: incomplete
    return res.stdout


def _validate_json(cli, archive: Path, *args: str) -> str:
    res = cli("validate", "--schemas", str(SCHEMAS), "--dir", str(archive), "--json",
              "--message", '{"type": "nope"}', *args)
    assert res.exit_code == 0, res.stderr
    return res.stdout


def test_the_report_is_the_same_whichever_engine_runs_it(archive: Path, cli) -> None:
    local = _replay_json(cli, archive, "--workers", "1")
    assert _replay_json(cli, archive, "--engine", "dask", "--workers", "2") == local
    replayed = json.loads(local)["results"][0]["replay"]
    assert replayed["forward"] > 500 and replayed["partitions"] == 11
    assert any("broken" in e["example"] for e in replayed["errors"])


def test_validate_reports_are_the_same_on_a_running_cluster(archive: Path, cluster: dict, cli) -> None:
    address = cluster["address"]
    for extra in ([], ["--max-failures", "5"]):
        local = _validate_json(cli, archive, "--workers", "2", *extra)
        assert _validate_json(cli, archive, "--engine", "dask", "--scheduler", address, *extra) == local
    report = json.loads(local)
    assert report["unlisted"] > 0 and report["summary"]["messages"] == 8 * 1500 + 750 + 1 + 1 + 1
    # Each worker compiled the contracts once, whatever number of partitions it checked.
    with distributed.Client(address, set_as_default=False) as client:
        assert set(client.run(dask_engine.compilations).values()) <= {1}


def test_a_worker_killed_mid_partition_is_retried_without_double_counting(
        tmp_path: Path, cluster: dict) -> None:
    parts = []
    for n in range(6):
        path = tmp_path / f"part-{n}.jsonl"
        path.write_bytes(frames(40_000, n))
        parts.append(path)
    old, new = _schema("beatframe@1.0.1"), _schema("beatframe@1.1.0")
    expected = replay(old, new, parts, workers=1)
    address = cluster["address"]
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["summary"] = replay(old, new, parts, engine=dask_engine.DaskEngine(scheduler=address))
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    with distributed.Client(address, set_as_default=False) as monitor:
        pids = monitor.run(os.getpid)
        thread.start()
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, keys in monitor.processing().items()
                    if any("partition" in str(k) for k in keys)]
            if busy:
                victim = busy[0]
            else:
                time.sleep(0.02)
        assert victim is not None, "no partition was ever running"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=120)

        def started_twice(dask_scheduler) -> list[str]:
            # The scheduler's transition log: a partition that was processing on the killed
            # worker went to processing again on the other one.
            runs: dict[str, int] = {}
            for key, _start, finish, *_ in dask_scheduler.transition_log:
                if "partition" in str(key) and finish == "processing":
                    runs[str(key)] = runs.get(str(key), 0) + 1
            return [key for key, n in runs.items() if n > 1]

        assert monitor.run_on_scheduler(started_twice)
    assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    assert outcome["summary"] == expected
    assert expected.examples == 6 * 40_000


def test_interrupting_the_client_cancels_its_tasks(tmp_path: Path, cluster: dict) -> None:
    # After the previous test one worker may be left; it is enough. Enough partitions that
    # the run cannot end between the poll that sees them and the signal (on a loaded
    # machine, 12 sometimes were done first).
    for n in range(20):
        (tmp_path / f"part-{n:02d}.jsonl").write_bytes(frames(30_000, n))
    address = cluster["address"]
    argv = [str(Path(sys.executable).parent / "schema-compat"), "replay", "beatframe@1.0.1",
            "beatframe@1.1.0", "--schemas", str(SCHEMAS), "--examples", str(tmp_path),
            "--engine", "dask", "--scheduler", address]
    with distributed.Client(address, set_as_default=False) as monitor:
        def partitions() -> list[str]:
            return monitor.run_on_scheduler(
                lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks if "partition" in str(k)])

        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not partitions() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert partitions(), "the run never reached the scheduler"
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        assert proc.returncode == 130, err
        deadline = time.monotonic() + 30
        while partitions() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert partitions() == []


def test_an_unreachable_scheduler_is_a_usage_error(archive: Path, cli, monkeypatch) -> None:
    import socket

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "1s")
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    res = cli("replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
              "--examples", str(archive), "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.stderr
    # validate writes its report as it goes: nothing of it is written before the error.
    res = cli("validate", "--schemas", str(SCHEMAS), "--dir", str(archive), "--json",
              "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert (res.exit_code, res.stdout) == (2, "") and "cannot reach the Dask scheduler" in res.stderr


def _worker_settings() -> tuple:
    import dask

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), dask.config.get("distributed.worker.profile.enabled")


def test_the_local_cluster_runs_workers_without_the_profiler_or_a_fixed_malloc_trim() -> None:
    client, cluster = dask_engine.DaskEngine(workers=1)._connect(distributed)
    try:
        assert set(client.run(_worker_settings).values()) == {(None, False)}
        (address,) = client.scheduler_info()["workers"]
        assert address.startswith("tcp://127.0.0.1:")
    finally:
        client.close()
        cluster.close()
