#!/usr/bin/env python3
"""Benchmark of message validation (`backbeat-validate` / `schema-compat validate`). Not a test.

Generates a BACKBEAT-like JSON Lines corpus from the bundled contracts (deterministic seed;
~10% of the lines carry exactly one defect), then measures in one run:

- our command on the JSONL file, 1 worker and 2 workers: wall time, msgs/s, peak RSS;
- the library in-process (no start-up), 1 worker;
- python-jsonschema (Draft202012Validator + format checker) on the first lines of the same
  corpus, as the baseline;
- `backbeat-validate --dir` on a directory of message files (median wall time);
- command start-up alone (one inline message);
- check-jsonschema and ajv-cli, only if they are on PATH (never installed by this script).

Every run's invalid count is compared with the generator's labels, so a fast wrong answer shows.

    python bench/bench_validate.py                       # 200k and 1M lines, 2,000 files
    python bench/bench_validate.py --sizes 50000 --reps 1 --out /tmp/quick.md
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
DEFECT_RATE = 0.10
# Required properties of each routed `type`, filled by load_templates (a defect drops one).
REQUIRED: dict[str, list[str]] = {}

# --------------------------------------------------------------------------------- corpus


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _hlc(rng: random.Random) -> str:
    return f"{_hex(rng, 4)}:{_hex(rng, 4)}:{_hex(rng, 4)}"


def _deadline(rng: random.Random) -> str:
    return (
        f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


def load_templates(schemas: Path) -> dict[str, dict]:
    """One example message per routed `type` (from each latest version's `examples`)."""
    sys.path.insert(0, str(ROOT / "src"))
    from schema_compat.loading import load_repository

    templates = {}
    for mtype, doc in sorted(load_repository(schemas).by_message_type().items()):
        examples = doc.document.get("examples") if isinstance(doc.document, dict) else None
        if examples:
            templates[mtype] = examples[0]
            REQUIRED[mtype] = [p for p in doc.document.get("required", []) if p != "type"]
    if not templates:
        raise SystemExit(f"{schemas}: no schema with a `type` const and `examples`")
    return templates


def vary(message: dict, rng: random.Random, index: int) -> dict:
    """A valid variant of a template: fresh ids, clocks and enum choices."""
    m = copy.deepcopy(message)
    kind = m["type"].split(".")[1]
    m["hlc"] = _hlc(rng)
    if "window_id" in m:
        m["window_id"] = _hex(rng, 32)
    if kind == "beatframe":
        m["beat_index"] = index
        m["phase"] = rng.choice(["plan", "execute", "review"])
        m["downbeat"] = index % 8 == 0
        m["deadline_at"] = _deadline(rng)
        m["tempo_bpm"] = rng.choice([1, 2.0, 2.5, 10, 24])
    elif kind == "statusclaim":
        m["beat_index"] = index
        m["agent_id"] = f"agent:worker-{rng.randint(1, 500)}"
        m["state"] = rng.choice(["idle", "planning", "executing", "reviewing", "completed"])
        m["progress"] = round(rng.random(), 3)
    elif kind == "barreport":
        m["from_beat"] = index
        m["to_beat"] = index + 7
        m["agents_reporting"] = rng.randint(1, 50)
        m["on_time_reviews"] = rng.randint(0, m["agents_reporting"])
    return m


def _drop(m: dict, rng: random.Random) -> str:
    name = rng.choice(REQUIRED[m["type"]])
    del m[name]
    return "required"


def _extra(m: dict, rng: random.Random) -> str:
    m["unexpected_field"] = 1
    return "additionalProperties"


def _hlc_newline(m: dict, rng: random.Random) -> str:
    m["hlc"] += "\n"  # python-jsonschema's re.search wrongly accepts this
    return "pattern"


def _hlc_dashes(m: dict, rng: random.Random) -> str:
    m["hlc"] = m["hlc"].replace(":", "-")
    return "pattern"


def _wrong_type(m: dict, rng: random.Random) -> str:
    key = "beat_index" if "beat_index" in m else "from_beat"
    m[key] = str(m[key])
    return "type"


def _enum(m: dict, rng: random.Random) -> str:
    kind = m["type"].split(".")[1]
    if kind == "beatframe":
        m["phase"] = "finish"
    elif kind == "statusclaim":
        m["state"] = "sleeping"
    else:
        m["issues"] = [{"severity": "fatal", "code": "x", "message": "m"}]
    return "enum"


def _range(m: dict, rng: random.Random) -> str:
    kind = m["type"].split(".")[1]
    if kind == "beatframe":
        m["tempo_bpm"] = 5000
        return "maximum"
    if kind == "statusclaim":
        m["progress"] = 1.5
        return "maximum"
    m["performance"]["missed_beats"] = -1
    return "minimum"


def _format(m: dict, rng: random.Random) -> str:
    if "deadline_at" not in m:
        return _hlc_newline(m, rng)
    m["deadline_at"] = "2025-02-30T10:00:00Z"  # only a format checker catches this
    return "format"


DEFECTS = [_drop, _extra, _hlc_newline, _hlc_dashes, _wrong_type, _enum, _range, _format]


def generate(templates: dict[str, dict], lines: int, seed: int, path: Path) -> list[int]:
    """Write `lines` messages; return the 1-based numbers of the defective ones."""
    rng = random.Random(seed)
    types = sorted(templates)
    # Mostly v1 traffic, some v2: weights favour the lower major of each message family.
    weights = [3 if t.endswith(".v1") else 1 for t in types]
    bad: list[int] = []
    dumps = orjson.dumps
    with path.open("wb") as out:
        for n in range(1, lines + 1):
            m = vary(templates[rng.choices(types, weights)[0]], rng, n)
            if rng.random() < DEFECT_RATE:
                rng.choice(DEFECTS)(m, rng)
                bad.append(n)
            out.write(dumps(m) + b"\n")
    return bad


# ---------------------------------------------------------------------------------- runs


def run_cmd(argv: list[str], stdout: Path | None = None) -> tuple[float, float, int, str, float]:
    """Run a command: (wall s, peak RSS MiB of its largest process, exit code, stdout tail,
    CPU seconds of it and its workers)."""
    out = stdout.open("wb") if stdout else subprocess.PIPE
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if stdout:
        out.close()  # type: ignore[union-attr]
        text = _tail(stdout)
    else:
        text = proc.stdout.read().decode()[-2000:] if proc.stdout else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    # ru_maxrss (KiB) of a reaped child covers its own reaped children: the largest process.
    cpu = usage.ru_utime + usage.ru_stime  # includes the reaped worker processes
    return wall, usage.ru_maxrss / 1024, proc.returncode, text, cpu


def _tail(path: Path) -> str:
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 2000))
        return f.read().decode(errors="replace")


def invalid_count(summary_text: str) -> int:
    found = re.findall(r"(\d+) messages?, (\d+) valid, (\d+) invalid", summary_text)
    return int(found[-1][2]) if found else -1


def command(name: str) -> list[str]:
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    # Not installed as a console script: the same code through the module.
    return [sys.executable, "-m", "schema_compat", "validate"]


def bench_library(schemas: Path, corpus: Path) -> tuple[float, float, int]:
    sys.path.insert(0, str(ROOT / "src"))
    from schema_compat.validate import MessageInput, MessageValidator

    validator = MessageValidator.from_directory(schemas)
    start, cpu = time.perf_counter(), time.process_time()
    report = validator.validate_inputs([MessageInput.file(corpus)], workers=1)
    return time.perf_counter() - start, time.process_time() - cpu, report.invalid


def bench_python_jsonschema(schemas: Path, corpus: Path, lines: int) -> tuple[float, float, int, int]:
    """python-jsonschema, routed the same way: is_valid, then iter_errors on failures."""
    import jsonschema

    sys.path.insert(0, str(ROOT / "src"))
    from schema_compat.loading import load_repository

    routes = {
        mtype: jsonschema.Draft202012Validator(
            doc.document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for mtype, doc in load_repository(schemas).by_message_type().items()
    }
    invalid = n = 0
    start, cpu = time.perf_counter(), time.process_time()
    with corpus.open("rb") as f:
        for raw in f:
            n += 1
            if n > lines:
                n -= 1
                break
            m = orjson.loads(raw)
            v = routes[m["type"]]
            if not v.is_valid(m):
                _ = [(e.json_path, e.message) for e in v.iter_errors(m)]
                invalid += 1
    return time.perf_counter() - start, time.process_time() - cpu, invalid, n


def write_files(corpus: Path, directory: Path, count: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with corpus.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            if n > count:
                break
            message = orjson.loads(raw)
            (directory / f"msg-{n:05d}.json").write_bytes(orjson.dumps(message, option=orjson.OPT_INDENT_2))


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
        mem_gib = f"{int(mem) / 1048576:.0f} GiB"
    except OSError:
        mem_gib = "?"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} vCPU ({model}), {mem_gib}, {platform.system()} {platform.release()}"


def versions() -> str:
    from importlib.metadata import version

    names = ["jsonschema_rs", "orjson", "jsonschema"]
    parts = [f"Python {platform.python_version()}"]
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except Exception:
            parts.append(f"{name} ?")
    return ", ".join(parts)


def _burn(_: int) -> float:
    start = time.perf_counter()
    x = 0
    for i in range(5_000_000):
        x += i
    return time.perf_counter() - start


def parallel_headroom() -> float:
    """How many cores two CPU-bound processes actually get right now (2.0 on an idle 2-core
    machine, 1.0 when other jobs hold a core): read the 2-worker figures against it."""
    import multiprocessing

    alone = min(_burn(0) for _ in range(2))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        start = time.perf_counter()
        pool.map(_burn, [0, 1])
        both = time.perf_counter() - start
    return 2 * alone / both


def median(values: list[float]) -> float:
    return statistics.median(values)


# ---------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    ap.add_argument("--files", type=int, default=2000, help="message files for the --dir run")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--baseline-lines", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--schemas", type=Path, default=ROOT / "schemas")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "validate.md")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-validate-"))
    work.mkdir(parents=True, exist_ok=True)
    templates = load_templates(args.schemas)
    cli = command("backbeat-validate")
    load_before = os.getloadavg()[0]
    headroom_before = parallel_headroom()
    rows: list[str] = []
    notes: list[str] = []
    rss: dict[tuple[int, int], float] = {}

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    corpora: dict[int, tuple[Path, list[int]]] = {}
    for size in sorted(args.sizes):
        path = work / f"corpus-{size}.jsonl"
        bad = generate(templates, size, args.seed, path)
        corpora[size] = (path, bad)
        log(f"corpus {size}: {path.stat().st_size / 1e6:.1f} MB, {len(bad)} defective")

    # Our command on JSONL, 1 and 2 workers, rounds interleaved so machine noise spreads evenly.
    for size, (path, bad) in corpora.items():
        walls: dict[int, list[float]] = {1: [], 2: []}
        cpus: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.reps):
            for workers in (1, 2):
                argv = [*cli, "--schemas", str(args.schemas), "--file", str(path)]
                argv += ["--workers", str(workers)]
                wall, peak, _, text, cpu = run_cmd(argv, stdout=work / "out.txt")
                cpus[workers].append(cpu)
                found = invalid_count(text)
                if found != len(bad):
                    notes.append(f"{size} lines, {workers} workers: {found} invalid, expected {len(bad)}")
                walls[workers].append(wall)
                rss[(size, workers)] = max(rss.get((size, workers), 0.0), peak)
                log(f"{size} lines, {workers} worker(s): {wall:.2f} s, {cpu:.2f} CPU-s, {peak:.0f} MiB")
        for workers in (1, 2):
            w = median(walls[workers])
            c = median(cpus[workers])
            rows.append(
                f"| `backbeat-validate --file` JSONL, {workers} worker{'s' if workers > 1 else ''} "
                f"| {size:,} | {size / w:,.0f} | {size / c:,.0f} | {w:.2f} [{min(walls[workers]):.2f}–"
                f"{max(walls[workers]):.2f}] | {rss[(size, workers)]:.0f} |"
            )

    # The library in-process (no interpreter start-up, no output), smallest corpus.
    size = min(corpora)
    path, bad = corpora[size]
    lib = [bench_library(args.schemas, path) for _ in range(args.reps)]
    w = median([t for t, _, _ in lib])
    c = median([cpu for _, cpu, _ in lib])
    if lib[0][2] != len(bad):
        notes.append(f"library: {lib[0][2]} invalid, expected {len(bad)}")
    rows.append(
        f"| library in-process, 1 worker | {size:,} | {size / w:,.0f} | {size / c:,.0f} | {w:.2f} | – |"
    )

    # python-jsonschema baseline on the first lines.
    t, c, found, n = bench_python_jsonschema(args.schemas, path, args.baseline_lines)
    expected = sum(1 for b in bad if b <= n)
    base, base_cpu = n / t, n / c
    rows.append(
        f"| python-jsonschema {_version('jsonschema')} + format checker (in-process) "
        f"| {n:,} | {base:,.0f} | {base_cpu:,.0f} | {t:.2f} | – |"
    )
    notes.append(
        f"python-jsonschema found {found} invalid of {expected} defective lines in the first "
        f"{n:,} (misses the trailing-newline `hlc` defects: Python `re.search` semantics)"
    )
    log(f"python-jsonschema: {base:,.0f} msgs/s, {found}/{expected} found")

    # A directory of message files, whole command, plus start-up alone.
    files_dir = work / f"files{args.files}"
    if not files_dir.exists():
        write_files(path, files_dir, args.files)
    expected_files = sum(1 for b in bad if b <= args.files)
    dir_walls, dir_rss = [], 0.0
    for _ in range(args.reps):
        argv = [*cli, "--schemas", str(args.schemas), "--dir", str(files_dir), "--exit-code"]
        wall, peak, code, text, _ = run_cmd(argv)
        dir_walls.append(wall)
        dir_rss = max(dir_rss, peak)
        if invalid_count(text) != expected_files or code != (1 if expected_files else 0):
            notes.append(f"--dir run: {text.strip().splitlines()[-1]} (exit {code})")
    one = json.dumps(vary(templates[sorted(templates)[0]], random.Random(1), 1))
    start_walls = [
        run_cmd([*cli, "--schemas", str(args.schemas), "--message", one])[0] for _ in range(args.reps)
    ]
    dir_table = [
        f"| `backbeat-validate --dir` ({args.files:,} files, {expected_files} invalid) "
        f"| {median(dir_walls):.2f} [{min(dir_walls):.2f}–{max(dir_walls):.2f}] | {dir_rss:.0f} |",
        f"| start-up: `backbeat-validate --message` (one message) | {median(start_walls):.2f} "
        f"[{min(start_walls):.2f}–{max(start_walls):.2f}] | – |",
    ]
    for tool, argv in _peer_commands(args.schemas, files_dir, work):
        if argv is None:
            dir_table.append(f"| {tool} | not installed, skipped | – |")
            continue
        walls = [run_cmd(argv)[0] for _ in range(args.reps)]
        dir_table.append(f"| {tool} | {median(walls):.2f} | – |")

    def rates(row: str) -> tuple[float, float]:
        cells = row.split("|")
        return float(cells[3].replace(",", "")), float(cells[4].replace(",", ""))

    ratio_lines = []
    for row in rows:
        if "python-jsonschema" in row:
            continue
        wall_rate, cpu_rate = rates(row)
        what = row.split("|")[1].strip().replace("`", "")
        lines_ = row.split("|")[2].strip()
        ratio_lines.append(
            f"- {what}, {lines_} lines: **×{wall_rate / base:,.0f}** (wall), "
            f"**×{cpu_rate / base_cpu:,.0f}** (per CPU-second)"
        )

    mem = []
    sizes = sorted(corpora)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for workers in (1, 2):
            plural = "s" if workers > 1 else ""
            mem.append(
                f"- {workers} worker{plural}: {rss[(small, workers)]:.0f} MiB at {small:,} lines, "
                f"{rss[(large, workers)]:.0f} MiB at {large:,} lines (file ×{large // small})"
            )

    headroom_after = parallel_headroom()
    if min(headroom_before, headroom_after) < 1.5:
        notes.append(
            "fewer than two cores were free during the run (see Machine): the 2-worker rows "
            "cannot show a speed-up; compare msgs/CPU-s instead"
        )
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "# Message validation benchmark",
            "",
            f"Measured {now} by `bench/bench_validate.py` (seed {args.seed}, {args.reps} reps, "
            "median [min–max]).",
            f"Machine: {machine()}; load average before the run {load_before:.2f}; cores "
            f"two CPU-bound processes got: {headroom_before:.2f} before, {headroom_after:.2f} "
            "after (2.00 = both cores free; the machine is shared).",
            f"Versions: {versions()}.",
            "",
            f"Corpus: BACKBEAT-like JSON Lines from the bundled schemas' examples, "
            f"{int(DEFECT_RATE * 100)}% of lines with exactly one defect (missing or extra "
            "property, wrong type, enum, range, pattern, `hlc` + trailing newline, bad "
            "`date-time`). Formats asserted everywhere. Full error detail is produced for every "
            "invalid message (text report written to a file).",
            "",
            "## Throughput (whole command unless noted)",
            "",
            "| what | lines | msgs/s (wall) | msgs/CPU-s | wall s | peak RSS MiB |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Ratios against python-jsonschema:",
            "",
            *ratio_lines,
            "",
            "## Memory (peak RSS of the largest process, by corpus size)",
            "",
            *(mem or ["- one corpus size only"]),
            "",
            "## Directory of message files (whole command)",
            "",
            "| command | wall s | peak RSS MiB |",
            "|---|---|---|",
            *dir_table,
            "",
            "Reference from `shared/research/validation-baseline.md` (same machine type): "
            "ajv-cli 0.58 s, check-jsonschema 1.33 s on 2,000 files.",
            "",
            "## Checks",
            "",
            *([f"- {n}" for n in notes] or ["- every run found exactly the defective lines"]),
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


def _version(name: str) -> str:
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:
        return "?"


def _peer_commands(schemas: Path, files_dir: Path, work: Path) -> list[tuple[str, list[str] | None]]:
    """check-jsonschema / ajv-cli on the same files, only if installed.

    Both take one schema, so the routed schemas are embedded (by their `$id`) in one that
    dispatches on `type` with if/then.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from schema_compat.loading import load_repository

    table = sorted(load_repository(schemas).by_message_type().items())
    combined = work / "combined.schema.json"
    combined.write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": {f"m{i}": doc.document for i, (_, doc) in enumerate(table)},
                "allOf": [
                    {
                        "if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                        "then": {"$ref": doc.document["$id"]},
                    }
                    for t, doc in table
                ],
            }
        )
    )
    files = sorted(str(p) for p in files_dir.glob("*.json"))
    out: list[tuple[str, list[str] | None]] = []
    cj = shutil.which("check-jsonschema")
    out.append(("check-jsonschema", [cj, "--schemafile", str(combined), *files] if cj else None))
    ajv = shutil.which("ajv")
    ajv_argv = [
        "validate",
        "--spec=draft2020",
        "-c",
        "ajv-formats",
        "--all-errors",
        "-s",
        str(combined),
        "-d",
        str(files_dir / "*.json"),
    ]
    out.append(("ajv-cli (draft2020, ajv-formats, all errors)", [ajv, *ajv_argv] if ajv else None))
    return out


if __name__ == "__main__":
    main()
