"""Replay of a partitioned archive, local and Dask engines (not a test).

Generates a BACKBEAT archive of gzipped JSON Lines partitions (BeatFrame traffic from the
bundled examples, as bench_validate does: 10% with one defect; about 1 in 10 frames carries
the 1.1.0 field `beats_per_bar`), `DAYS` directories of `PARTS` hourly partitions, kept
outside git (default /tmp/schema-compat-archive; reused when present). Then, whole commands,
each in a fresh process:

- `schema-compat replay beatframe@1.0.1 beatframe@1.1.0 --examples 'ARCHIVE/*/*.jsonl.gz'` with
  `--engine local --workers 1|2` and `--engine dask --workers 1|2` (a LocalCluster of that
  many worker processes, started and closed by the command), on the first tenth of the
  archive and on all of it;
- `schema-compat validate --dir ARCHIVE --max-failures 1000`, local and Dask, 2 workers, on all;
- the local pool's split of CPU between the parent and its workers, in-process, on one plain
  JSON Lines file;
- python-jsonschema (both versions per message, format checker on) on 20,000 lines: baseline.

Reported: messages per second of wall time and per CPU-second (every process of the command:
client, local workers, Dask scheduler, nannies and workers), the overhead of Dask against
local at the same worker count, and the peak RSS of the client and of the largest worker
process (each process's high-water mark, read from /proc while the command runs). The JSON
reports of the engines are compared byte for byte.

    python bench/bench_replay.py                               # 1M and 10M messages
    python bench/bench_replay.py --days 2 --parts 10 --lines 20000 --out /tmp/quick.md
    python bench/bench_replay.py --generate-only --workdir /tmp/archive   # the archive alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import REQUIRED, ROOT, generate, machine, parallel_headroom, versions

SCHEMAS = ROOT / "schemas"
BIN = Path(sys.executable).parent


def templates() -> dict[str, dict]:
    doc = json.loads((SCHEMAS / "beatframe" / "1.1.0.json").read_text())
    REQUIRED["backbeat.beatframe.v1"] = [p for p in doc["required"] if p != "type"]
    return {"backbeat.beatframe.v1": doc["examples"][0]}


def corpus(lines: int, path: Path, seed: int = 20250601) -> None:
    """BeatFrame JSON Lines: bench_validate's generator, then `beats_per_bar` stripped from
    about 9 frames in 10 so that 1.0.1 accepts them (old and new producers mixed)."""
    generate(templates(), lines, seed, path)
    rng = random.Random(seed + 7)
    tmp = path.with_suffix(".tmp")
    with path.open("rb") as src, tmp.open("w") as out:
        for raw in src:
            m = json.loads(raw)
            if rng.random() < 0.9:
                m.pop("beats_per_bar", None)
            out.write(json.dumps(m, separators=(",", ":")) + "\n")
    tmp.replace(path)


def _write_partition(job: tuple[Path, Path, int, int]) -> None:
    pool, target, offset, lines = job
    data = pool.read_bytes().splitlines(keepends=True)
    n = len(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(target.with_suffix(".tmp"), "wb", compresslevel=6) as out:
        for i in range(lines):
            out.write(data[(offset + i) % n])
    target.with_suffix(".tmp").replace(target)


def archive(root: Path, days: int, parts: int, lines: int) -> Path:
    """`root/day-DD/hour-HH.jsonl.gz`; a pool of distinct messages is cut into partitions, each
    starting elsewhere in it (rebuilt only when the manifest differs)."""
    manifest = {"days": days, "parts": parts, "lines": lines, "version": 1}
    stamp = root / "manifest.json"
    if stamp.exists() and json.loads(stamp.read_text()) == manifest:
        return root
    root.mkdir(parents=True, exist_ok=True)
    pool = root / "pool.jsonl"
    corpus(min(lines * 2, 400_000), pool)
    size = sum(1 for _ in pool.open("rb"))
    jobs = [(pool, root / f"day-{d:02d}" / f"hour-{h:02d}.jsonl.gz", (d * parts + h) * 7919 % size, lines)
            for d in range(days) for h in range(parts)]
    with multiprocessing.get_context("fork").Pool(2) as workers:
        workers.map(_write_partition, jobs)
    pool.unlink()
    stamp.write_text(json.dumps(manifest))
    return root


# ------------------------------------------------------------------------------- running


def _hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float | None:
    """CPU seconds a process has used itself (not its children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(c) for c in text)
    except OSError:
        pass
    return found


def run(argv: list[str], out: Path) -> dict:
    """Run a command; wall s, CPU s, peak RSS MiB of the root process and of the largest other
    process (polled high-water marks).

    CPU is the larger of what `wait4` reports (the command and every descendant it reaped:
    exact for the local pool) and the sum of each process's own CPU, polled every 0.1 s (Dask
    workers forked from a forkserver are reaped by it, and it is not waited for, so `wait4`
    does not see them; polling misses at most the last 0.1 s of each process, idle by then)."""
    start = time.perf_counter()
    with out.open("wb") as stdout:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
        peaks: dict[int, int] = {}
        own: dict[int, float] = {}
        leaves: set[int] = set()
        status = usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree, frontier = [], [proc.pid]
            while frontier:
                here = frontier.pop()
                tree.append(here)
                kids = _children(here)
                if not kids and here != proc.pid:
                    leaves.add(here)
                else:
                    leaves.discard(here)
                frontier.extend(kids)
            for p in tree:
                hwm = _hwm_kib(p)
                if hwm is not None:
                    peaks[p] = max(peaks.get(p, 0), hwm)
                cpu = _own_cpu(p)
                if cpu is not None:
                    own[p] = max(own.get(p, 0.0), cpu)
            time.sleep(0.1)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {err}")
    workers = [peaks[p] for p in leaves if p in peaks]
    return {"wall": wall, "cpu": max(usage.ru_utime + usage.ru_stime, sum(own.values())),
            "client_mib": peaks.get(proc.pid, usage.ru_maxrss) / 1024,
            "worker_mib": max(workers) / 1024 if workers else 0.0, "stderr": err}


def replay_cmd(pattern: str, engine: str, workers: int) -> list[str]:
    return [str(BIN / "schema-compat"), "replay", "beatframe@1.0.1", "beatframe@1.1.0",
            "--schemas", str(SCHEMAS), "--examples", pattern, "--engine", engine,
            "--workers", str(workers), "--format", "json"]


def validate_cmd(root: Path, engine: str, workers: int) -> list[str]:
    return [str(BIN / "schema-compat"), "validate", "--schemas", str(SCHEMAS), "--dir", str(root),
            "--max-failures", "1000", "--json", "--engine", engine, "--workers", str(workers)]


def pool_split(path: Path) -> list[tuple[int, float, float, float]]:
    """(workers, wall s, parent CPU s, workers' CPU s) of the library's replay, in-process."""
    sys.path.insert(0, str(ROOT / "src"))
    from schema_compat.loading import resolve_input
    from schema_compat.replay import replay

    (old,) = resolve_input("beatframe@1.0.1", schemas_dir=SCHEMAS).schemas.values()
    (new,) = resolve_input("beatframe@1.1.0", schemas_dir=SCHEMAS).schemas.values()
    rows = []
    for workers in (1, 2, 1, 2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, cpu = time.perf_counter(), time.process_time()
        replay(old, new, path, workers=workers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        kids = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        rows.append((workers, wall, cpu, kids))
    return rows


def python_jsonschema(path: Path, limit: int) -> float:
    import jsonschema
    from jsonschema import FormatChecker

    old = json.loads((SCHEMAS / "beatframe" / "1.0.1.json").read_text())
    new = json.loads((SCHEMAS / "beatframe" / "1.1.0.json").read_text())
    v_old = jsonschema.Draft202012Validator(old, format_checker=FormatChecker())
    v_new = jsonschema.Draft202012Validator(new, format_checker=FormatChecker())
    start = time.perf_counter()
    n = 0
    with gzip.open(path, "rt") as fh:
        for line in fh:
            m = json.loads(line)
            v_old.is_valid(m)
            v_new.is_valid(m)
            n += 1
            if n >= limit:
                break
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "schema-compat-archive")
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--parts", type=int, default=10, help="partitions per day directory")
    ap.add_argument("--lines", type=int, default=100_000, help="messages per partition")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "replay.md")
    ap.add_argument("--baseline-lines", type=int, default=20_000)
    ap.add_argument("--generate-only", action="store_true", help="make the archive, measure nothing")
    args = ap.parse_args()
    t0 = time.perf_counter()
    root = archive(args.workdir, args.days, args.parts, args.lines)
    print(f"archive ready in {time.perf_counter() - t0:.0f}s: {root}", flush=True)
    if args.generate_only:
        return
    headroom = parallel_headroom()
    load = os.getloadavg()[0]
    tenth = f"{root}/day-00/*.jsonl.gz"
    whole = f"{root}/*/*.jsonl.gz"
    sizes = [(tenth, args.parts * args.lines, args.parts), (whole, args.days * args.parts * args.lines,
                                                          args.days * args.parts)]
    rows, reports = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for pattern, messages, parts in sizes:
            for workers in (1, 2):
                for engine in ("local", "dask"):
                    out = Path(tmp) / f"{engine}-{workers}-{messages}.json"
                    r = run(replay_cmd(pattern, engine, workers), out)
                    reports.setdefault(messages, set()).add(out.read_bytes())
                    rows.append(("replay", messages, parts, engine, workers, r))
                    print(rows[-1][:5], {k: round(v, 2) for k, v in r.items() if k != "stderr"}, flush=True)
        validate_rows = []
        for engine in ("local", "dask"):
            out = Path(tmp) / f"validate-{engine}.json"
            r = run(validate_cmd(root, engine, 2), out)
            reports.setdefault("validate", set()).add(out.read_bytes())
            validate_rows.append((engine, r))
            print("validate", engine, {k: round(v, 2) for k, v in r.items() if k != "stderr"}, flush=True)
        summary = json.loads(next(iter(reports[sizes[-1][1]])))["results"][0]["replay"]
        plain = Path(tmp) / "plain.jsonl"  # the first tenth, as one plain file
        with plain.open("wb") as dst:
            for part in sorted(root.glob("day-00/*.jsonl.gz")):
                with gzip.open(part, "rb") as src:
                    dst.write(src.read())
        split = pool_split(plain)
        plain_lines = sum(1 for _ in plain.open("rb"))
    baseline = python_jsonschema(root / "day-00" / "hour-00.jsonl.gz", args.baseline_lines)
    headroom_after = parallel_headroom()
    identical = {key: len(found) == 1 for key, found in reports.items()}

    def rate(n: int, r: dict) -> tuple[float, float]:
        return n / r["wall"], n / r["cpu"]

    out = [
        "# Replay benchmark: a partitioned archive, local and Dask engines", "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/bench_replay.py`.",
        f"Machine: {machine()}; load average before the run {load:.2f}; cores two CPU-bound "
        f"processes got: {headroom:.2f} before, {headroom_after:.2f} after (2.00 = both cores "
        "free). The machine is shared with a long-running fuzzer and other jobs, whose load "
        "comes and goes during a run: wall-time figures of 2-worker rows move with it (up to "
        "2×); msgs per CPU-second are the figures to compare.",
        f"Versions: {versions()}.", "",
        f"Archive: {args.days} day directories × {args.parts} gzipped JSON Lines partitions of "
        f"{args.lines:,} BeatFrame messages ({args.days * args.parts} partitions, "
        f"{args.days * args.parts * args.lines:,} messages, "
        f"{sum(p.stat().st_size for p in root.glob('*/*.gz')) / 2**20:,.0f} MiB gzipped); 10% with "
        "one defect, about 1 in 10 frames carries the 1.1.0 field `beats_per_bar`. Replayed against "
        "beatframe 1.0.1 and 1.1.0 (every message checked against both, formats asserted), whole "
        "command, JSON report written. The first tenth is `day-00/*` (the same partitions).", "",
        "## Replay", "",
        "| messages | partitions | engine | workers | msgs/s (wall) | msgs per CPU-s | wall s | CPU s "
        "| peak RSS client MiB | peak RSS largest worker MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, messages, parts, engine, workers, r in rows:
        wall_rate, cpu_rate = rate(messages, r)
        worker = f"{r['worker_mib']:.0f}" if r["worker_mib"] else "– (in the client)"
        out.append(f"| {messages:,} | {parts} | {engine} | {workers} | {wall_rate:,.0f} | {cpu_rate:,.0f} "
                   f"| {r['wall']:.1f} | {r['cpu']:.1f} | {r['client_mib']:.0f} | {worker} |")
    out += ["", "Dask against local at the same worker count (per CPU-second; positive: Dask "
            "costs more CPU per message):", ""]
    for messages, _, _ in [(s[1], 0, 0) for s in sizes]:
        for workers in (1, 2):
            local = next(r for _, m, _, e, w, r in rows if m == messages and e == "local" and w == workers)
            dask = next(r for _, m, _, e, w, r in rows if m == messages and e == "dask" and w == workers)
            over = dask["cpu"] / local["cpu"] - 1
            wall = dask["wall"] / local["wall"] - 1
            out.append(f"- {messages:,} messages, {workers} worker{'s' if workers > 1 else ''}: "
                       f"**{over:+.1%}** CPU per message, {wall:+.1%} wall time")
    out += ["", f"Memory, as the archive grows tenfold ({sizes[0][1]:,} → {sizes[1][1]:,} messages), "
            "peak RSS of the largest worker process (client for local 1 worker):", ""]
    for engine in ("local", "dask"):
        for workers in (1, 2):
            pair = [r for _, m, _, e, w, r in rows if e == engine and w == workers]
            key = "client_mib" if engine == "local" and workers == 1 else "worker_mib"
            out.append(f"- {engine}, {workers} worker{'s' if workers > 1 else ''}: "
                       f"{pair[0][key]:.0f} MiB → {pair[1][key]:.0f} MiB (client {pair[0]['client_mib']:.0f} "
                       f"→ {pair[1]['client_mib']:.0f} MiB)")
    out += ["", f"Result at {sizes[1][1]:,} messages: {summary['examples']:,} messages, "
            f"{summary['backward']:,} backward and {summary['forward']:,} forward transitions, "
            f"{summary['unreadable']:,} unreadable, {len(summary['changed']):,} listed. "
            "JSON reports byte-identical across engines and worker counts: "
            + ", ".join(f"{k if isinstance(k, str) else f'{k:,} messages'}: {'yes' if v else 'NO'}"
                        for k, v in identical.items()) + ".", "",
            "## Validate (same archive, routed by `type`, `--max-failures 1000`, 2 workers)", "",
            "| engine | msgs/s (wall) | msgs per CPU-s | wall s | CPU s | peak RSS client MiB | largest worker MiB |",
            "|---|---|---|---|---|---|---|"]
    n = sizes[1][1]
    for engine, r in validate_rows:
        wall_rate, cpu_rate = rate(n, r)
        out.append(f"| {engine} | {wall_rate:,.0f} | {cpu_rate:,.0f} | {r['wall']:.1f} | {r['cpu']:.1f} "
                   f"| {r['client_mib']:.0f} | {r['worker_mib']:.0f} |")
    out += ["", f"## The local pool: where a 2-worker run's CPU goes ({plain_lines:,} lines, one plain "
            "JSON Lines file, library in-process)", "",
            "| workers | wall s | parent CPU s | workers' CPU s | msgs per CPU-s |", "|---|---|---|---|---|"]
    out += [f"| {w} | {wall:.2f} | {parent:.2f} | {abs(kids):.2f} | {plain_lines / (parent + kids):,.0f} |"
            for w, wall, parent, kids in split]
    out += ["", f"python-jsonschema 4.x (+ format checker), both versions per message, first "
            f"{args.baseline_lines:,} lines in-process: {baseline:,.0f} msgs/s.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
