"""Replay throughput: recorded messages against two schema versions (not a test).

Generates BACKBEAT-like BeatFrame traffic (10% with one defect, some frames carrying the 1.1.0
field `beats_per_bar`), then times in one run:
- `schema-compat replay beatframe@1.0.1 beatframe@1.1.0` on 1 and 2 workers, whole command;
- the same replay with python-jsonschema (both versions per message) on a slice, as baseline;
- peak memory for a 1M-line and a 10M-line corpus (it must not grow with the corpus).

    python bench/bench_replay.py [--lines 1000000 10000000] [--out bench/results/replay.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import REQUIRED, ROOT, generate, machine, run_cmd, versions

SCHEMAS = ROOT / "schemas"


def templates() -> dict[str, dict]:
    doc = json.loads((SCHEMAS / "beatframe" / "1.1.0.json").read_text())
    REQUIRED["backbeat.beatframe.v1"] = [p for p in doc["required"] if p != "type"]
    return {"backbeat.beatframe.v1": doc["examples"][0]}


def corpus(lines: int, path: Path) -> None:
    generate(templates(), lines, 20250601, path)
    # Strip `beats_per_bar` from most frames so that 1.0.1 accepts them: a realistic mix of
    # old and new producers (about 1 in 10 carries the new field).
    rng = random.Random(7)
    tmp = path.with_suffix(".tmp")
    with path.open("rb") as src, tmp.open("w") as out:
        for raw in src:
            m = json.loads(raw)
            if rng.random() < 0.9:
                m.pop("beats_per_bar", None)
            out.write(json.dumps(m, separators=(",", ":")) + "\n")
    tmp.replace(path)


def schema_compat(path: Path, workers: int) -> tuple[float, float, float]:
    exe = Path(sys.executable).parent / "schema-compat"
    argv = [str(exe), "replay", "beatframe@1.0.1", "beatframe@1.1.0", "--schemas", str(SCHEMAS),
            "--examples", str(path), "--workers", str(workers), "--format", "json"]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        wall, rss, _code, _tail, cpu = run_cmd(argv, stdout=Path(out.name))
    return wall, rss, cpu


def python_jsonschema(path: Path, limit: int) -> float:
    import jsonschema
    from jsonschema import FormatChecker

    old = json.loads((SCHEMAS / "beatframe" / "1.0.1.json").read_text())
    new = json.loads((SCHEMAS / "beatframe" / "1.1.0.json").read_text())
    v_old = jsonschema.Draft202012Validator(old, format_checker=FormatChecker())
    v_new = jsonschema.Draft202012Validator(new, format_checker=FormatChecker())
    start = time.perf_counter()
    n = 0
    with path.open() as fh:
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
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "replay.md")
    ap.add_argument("--baseline-lines", type=int, default=20_000)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        baseline = None
        for lines in args.lines:
            path = Path(tmp) / f"frames-{lines}.jsonl"
            corpus(lines, path)
            if baseline is None:
                baseline = python_jsonschema(path, args.baseline_lines)
            for workers in (1, 2):
                wall, rss, cpu = schema_compat(path, workers)
                rows.append((lines, workers, lines / wall, lines / cpu, wall, rss))
                print(rows[-1], flush=True)
            path.unlink()
    assert baseline is not None
    out = [
        "# Replay benchmark", "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/bench_replay.py`.",
        f"Machine: {machine()}.", f"Versions: {versions()}.", "",
        "Corpus: BeatFrame JSON Lines (10% with one defect; about 1 in 10 frames carries the "
        "1.1.0 field `beats_per_bar`), replayed against beatframe 1.0.1 and 1.1.0: every "
        "message is checked against both versions, formats asserted; whole command, JSON "
        "report written.", "",
        "| lines | workers | msgs/s (wall) | msgs/s per CPU-second | wall s | peak RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    out += [f"| {lines:,} | {w} | {rate:,.0f} | {per_cpu:,.0f} | {wall:.1f} | {rss:.0f} |"
            for lines, w, rate, per_cpu, wall, rss in rows]
    best = max(r[3] for r in rows)
    out += ["", f"python-jsonschema 4.x (+ format checker), both versions per message, "
            f"first {args.baseline_lines:,} lines in-process: {baseline:,.0f} msgs/s; "
            f"schema-compat per CPU-second: ×{best / baseline:.0f}.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
