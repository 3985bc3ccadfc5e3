#!/usr/bin/env python3
"""Benchmark of `schema-compat matrix`. Not a test.

1. Generated history: `--versions` (100) versions of one ~20 kB BACKBEAT-like schema, each a
   plausible release after the one before (optional fields and enum values added, bounds
   relaxed, descriptions edited, and every ~20 releases a major that renames the `type`
   constant and drops a deprecated field); deterministic seed. The whole command,
   `schema-compat matrix DIR --format json --out FILE --workers N`, in a fresh process, for
   N = 2 (the goal: under 60 s for 4,950 pairs) and N = 1 (the speed-up).
2. The bundled contracts (`schemas/`, 14 versions, 26 pairs): the whole command as CI runs it,
   `schema-compat matrix --out FILE`, median of `--reps` (goal: under 2 s).
3. Checks: a sample of cells of the generated run against `engine.compare` on the same pair
   (the matrix must agree with the engine), and the level counts.

    python bench/bench_matrix.py                   # writes bench/results/matrix.md
    python bench/bench_matrix.py --versions 30 --reps 1 --out /tmp/quick.md
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "telemetry"

# ------------------------------------------------------------------------------ generator

_DEFS = {
    "AgentId": {"type": "string", "pattern": "^[a-z0-9_-]+:[a-z0-9_.-]+$", "maxLength": 128},
    "Hlc": {"type": "string", "pattern": "^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$"},
    "WindowId": {"type": "string", "pattern": "^[0-9a-fA-F]{32}$"},
    "BeatIndex": {"type": "integer", "minimum": 0, "maximum": 9007199254740991},
    "Millis": {"type": "integer", "minimum": 0, "maximum": 86400000},
    "Ratio": {"type": "number", "minimum": 0, "maximum": 1},
}
_WORDS = ["cluster", "window", "agent", "beat", "tempo", "drift", "review", "claim", "report",
          "secret", "rotation", "phase", "deadline", "bar", "pulse", "reverb", "queue",
          "latency", "budget", "owner", "region", "zone", "shard"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _field(rng: random.Random, name: str) -> dict:
    kind = rng.choice(["ref", "ref", "enum", "int", "string", "bool", "array", "number"])
    if kind == "ref":
        spec: dict = {"$ref": f"#/$defs/{rng.choice(sorted(_DEFS))}"}
    elif kind == "enum":
        spec = {"type": "string", "enum": [f"{name}_{k}" for k in range(rng.randint(2, 5))]}
    elif kind == "int":
        spec = {"type": "integer", "minimum": 0, "maximum": rng.choice([100, 1000, 65535])}
    elif kind == "string":
        spec = {"type": "string", "minLength": 1, "maxLength": rng.choice([64, 256, 1024])}
    elif kind == "bool":
        spec = {"type": "boolean"}
    elif kind == "number":
        spec = {"type": "number", "minimum": -1000, "maximum": 1000}
    else:
        spec = {"type": "array", "maxItems": rng.choice([16, 64]),
                "items": {"type": "object", "required": ["id"], "additionalProperties": False,
                          "properties": {"id": {"$ref": "#/$defs/AgentId"},
                                         "at": {"$ref": "#/$defs/BeatIndex"}}}}
    spec["description"] = _text(rng, rng.randint(8, 20))
    return spec


def base_schema(rng: random.Random) -> dict:
    sections = {}
    for s in range(6):
        props = {f"f{s}_{k}": _field(rng, f"f{s}_{k}") for k in range(8)}
        sections[f"section_{s}"] = {
            "type": "object", "description": _text(rng, 12), "additionalProperties": False,
            "required": sorted(props)[:3], "properties": props}
    defs = {k: dict(v, description=_text(rng, 15)) for k, v in _DEFS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://schemas.backbeat.invalid/{NAME}/1.0.0.json",
        "title": "Generated telemetry contract", "description": _text(rng, 30),
        "type": "object", "additionalProperties": False,
        "required": ["type", "cluster_id", "hlc", *sorted(sections)],
        "properties": {"type": {"const": f"backbeat.{NAME}.v1"},
                       "cluster_id": {"type": "string", "minLength": 1, "maxLength": 64},
                       "hlc": {"$ref": "#/$defs/Hlc"}, **sections},
        "$defs": defs,
    }


def _evolve(rng: random.Random, doc: dict, version: list[int], step: int) -> str:
    """Change ``doc`` in place as one release would; returns the bump it declares."""
    sections = [doc["properties"][k] for k in sorted(doc["properties"]) if k.startswith("section_")]
    section = rng.choice(sections)
    props = section["properties"]
    if step % 20 == 19:
        version[:] = [version[0] + 1, 0, 0]
        doc["properties"]["type"]["const"] = f"backbeat.{NAME}.v{version[0]}"
        optional = sorted(set(props) - set(section["required"]))
        if optional:
            del props[rng.choice(optional)]
        return "major"
    choice = rng.choices(["add", "enum", "relax", "describe"], weights=[4, 2, 2, 3])[0]
    if choice == "add":
        props[f"x{step}"] = _field(rng, f"x{step}")
    elif choice == "enum":
        enums = [p for p in props.values() if "enum" in p]
        if not enums:
            props[f"x{step}"] = _field(rng, f"x{step}")
        else:
            rng.choice(enums)["enum"].append(f"v{step}")
    elif choice == "relax":
        bounded = [p for p in props.values() if "maximum" in p or "maxLength" in p]
        if bounded:
            p = rng.choice(bounded)
            key = "maximum" if "maximum" in p else "maxLength"
            p[key] = p[key] * 2
        else:
            props[f"x{step}"] = _field(rng, f"x{step}")
    else:
        rng.choice(list(props.values()))["description"] = _text(rng, rng.randint(8, 20))
        version[2] += 1
        return "patch"
    version[1] += 1
    version[2] = 0
    return "minor"


def generate(directory: Path, count: int, seed: int = 20250101) -> list[str]:
    """Write ``count`` versions to ``directory/<NAME>/<semver>.json``; returns the versions."""
    rng = random.Random(seed)
    doc = base_schema(rng)
    version = [1, 0, 0]
    out = directory / NAME
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for step in range(count):
        if step:
            _evolve(rng, doc, version, step)
        text = ".".join(map(str, version))
        doc["$id"] = f"https://schemas.backbeat.invalid/{NAME}/{text}.json"
        (out / f"{text}.json").write_text(json.dumps(doc, indent=2) + "\n")
        written.append(text)
        doc = copy.deepcopy(doc)
    (directory / "schema-compat.toml").write_text(
        f'schemas = "."\n[policies]\n{NAME} = "BACKWARD_TRANSITIVE"\n')
    return written


# ------------------------------------------------------------------------------ measuring


def _run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, every process of the command) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "schema_compat", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"schema-compat {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return (f"{platform.system()} {platform.machine()}, {cpu}, {cores} cores usable, "
            f"Python {platform.python_version()}")


def _check_sample(directory: Path, report: dict, sample: int, seed: int) -> list[str]:
    """Cells of the matrix against engine.compare on the same pairs; returns mismatches."""
    from schema_compat.engine import Options, compare
    from schema_compat.loading import load_repository

    repo = load_repository(directory)
    docs = {str(d.version): d for d in repo.versions(NAME)}
    cells = {(c["old"], c["new"]): c for c in report["schemas"][0]["cells"]}
    rng = random.Random(seed)
    pairs = rng.sample(sorted(cells), min(sample, len(cells)))
    problems = []
    for old, new in pairs:
        result = compare(docs[old], docs[new], Options(policy="BACKWARD_TRANSITIVE"))
        cell = cells[(old, new)]
        if (cell["backward"], cell["forward"]) != (result.backward.status, result.forward.status):
            problems.append(f"{old} → {new}: matrix {cell['backward']}/{cell['forward']}, "
                            f"compare {result.backward.status}/{result.forward.status}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5, help="runs of the bundled contracts")
    parser.add_argument("--sample", type=int, default=40, help="cells checked against compare")
    parser.add_argument("--skip-single", action="store_true", help="no --workers 1 run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "matrix.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp:
        work = Path(tmp)
        versions = generate(work / "schemas", args.versions)
        size = statistics.mean((work / "schemas" / NAME / f"{v}.json").stat().st_size
                               for v in versions)
        pairs = len(versions) * (len(versions) - 1) // 2
        out_json = work / "matrix.json"
        # The config sits next to the schemas: run from there so it is found.
        cmd = ["matrix", ".", "--format", "json", "--out", str(out_json)]
        timings = {2: _run([*cmd, "--workers", "2"], work / "schemas")}
        if not args.skip_single:
            timings[1] = _run([*cmd, "--workers", "1"], work / "schemas")
        report = json.loads(out_json.read_text())
        levels = Counter(c["level"] for c in report["schemas"][0]["cells"])
        problems = _check_sample(work / "schemas", report, args.sample, seed=7)
        for n, (wall, cpu) in sorted(timings.items(), reverse=True):
            rows.append((f"{args.versions} versions of a {size / 1000:.1f} kB schema, {pairs:,} "
                         f"pairs, `--workers {n}`", f"{wall:.1f} s", f"{cpu:.1f} s",
                         "< 60 s" if n == 2 else ""))

        bundled = [_run(["matrix", "--out", str(work / "bundled.md")], ROOT)
                   for _ in range(args.reps)]
        rows.append((f"bundled contracts (14 versions, 26 pairs), whole command, median of "
                     f"{args.reps}", f"{statistics.median(w for w, _ in bundled):.2f} s",
                     f"{statistics.median(c for _, c in bundled):.2f} s", "< 2 s"))
        startup, _ = _run(["--help"], ROOT)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    today = dt.date.today().isoformat()
    lines = ["# `schema-compat matrix` benchmark", "",
             f"- date: {today}", f"- machine: {_machine()}",
             f"- load average (1 min) before / after the run: {load_before:.2f} / "
             f"{load_after:.2f} (the machine is shared: wall times stretch with the load; "
             "CPU time, summed over every process of the command, much less)",
             f"- command start-up alone (`schema-compat --help`): {startup:.2f} s", "",
             "| run | wall time | CPU time | goal (wall) |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "Generated matrix, cells per level (ordered pairs): " +
              ", ".join(f"{k} {levels[k]}" for k in sorted(levels)) + ".", "",
              f"Checks: {args.sample} random cells against `engine.compare` on the same pair: "
              + ("all agree." if not problems else f"{len(problems)} disagree:"), ""]
    lines += [f"- {p}" for p in problems]
    lines += ["", "Reproduce: `python bench/bench_matrix.py` (see the docstring for options)."]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
