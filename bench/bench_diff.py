#!/usr/bin/env python3
"""Benchmark of the diff engine (`schema-compat diff` / `compare`), with peers. Not a test.

Measures in one run:

- the SchemaStore corpus (shared/corpus/schemastore, 521 pairs): each pair in a fresh forked
  process (imports already done, so no interpreter start in the figure), ``Options(timeout)``
  plus a hard kill at 30 s; crash / kill / schema-error counts, verdict distribution, median
  and p95 ms per pair, the 86 annotation-only pairs' outcome, witness confirmation (oracle);
- the Confluent suite (shared/peer-suites/confluent, 132 cases): agreement with the labels;
- two generated large schemas (2,000 properties, ``$defs``): 20 changes with some breaking,
  and 20 compatible changes; the whole ``schema-compat diff`` command is timed (subprocess)
  and its verdicts and per-change findings are checked;
- peers, when installed in throwaway places outside the repository (never project
  dependencies): jsonsubschema (PyPI) in /tmp/peers-venv and Atlassian json-schema-diff (npm)
  in /tmp/peers-npm, one process per pair, 30 s timeout; their own in-process time is
  reported next to their wall time (which includes interpreter / node start-up).

    python bench/bench_diff.py                        # everything, writes bench/results/diff.md
    python bench/bench_diff.py --pairs 40 --no-peers --out /tmp/quick.md
    python bench/bench_diff.py --install-peers        # first create the two peer installs

Set SCHEMA_COMPAT_SHARED to the shared/ directory if it is not ../shared beside the repo.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SCHEMA_COMPAT_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus" / "schemastore"
CONFLUENT = SHARED / "peer-suites" / "confluent"
PEERS_VENV = Path("/tmp/peers-venv")
LARGE_RUNS = 7  # whole-command runs of each large pair
PEERS_NPM = Path("/tmp/peers-npm")
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"

# --------------------------------------------------------------------------------- ours


def _ours_pair(old_path: str, new_path: str, timeout: float) -> dict[str, Any]:
    """One corpus pair in this (forked) process; times exclude interpreter start."""
    from schema_compat import oracle
    from schema_compat.engine import Options, compare
    from schema_compat.errors import SchemaCompatError
    from schema_compat.loading import load_schema_file
    from schema_compat.normalize import prepare

    out: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        old, new = load_schema_file(Path(old_path)), load_schema_file(Path(new_path))
        result = compare(old, new, Options(timeout=timeout))
        out["ms"] = (time.perf_counter() - start) * 1000
        out.update(status="ok", backward=result.backward.status, forward=result.forward.status,
                   level=result.level, bump=result.required_bump,
                   reasons=[result.backward.reason, result.forward.reason],
                   findings=len(result.findings))
        problems = []
        for direction, src, dst in (("backward", old, new), ("forward", new, old)):
            verdict = result.direction(direction)
            if verdict.status != "breaking":
                continue
            w = verdict.witnesses[0].instance if verdict.witnesses else None
            try:
                ok = (verdict.witnesses and oracle.is_valid(prepare(src), w)
                      and not oracle.is_valid(prepare(dst), w))
            except Exception as exc:  # the oracle failing is a finding too
                problems.append(f"{direction}: oracle raised {type(exc).__name__}")
                continue
            if not ok:
                problems.append(f"{direction}: witness not confirmed")
        out["witness_problems"] = problems
    except SchemaCompatError as exc:
        out.update(status="schema-error", error=str(exc), ms=(time.perf_counter() - start) * 1000)
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                      if "schema_compat" in f.filename), "?")
        out.update(status="crash", error=f"{type(exc).__name__}: {str(exc)[:160]}", where=where,
                   ms=(time.perf_counter() - start) * 1000)
    return out


def _child(conn: Connection, fn: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> None:
    conn.send(fn(*args))
    conn.close()


def run_forked(tasks: list[tuple[Any, ...]], fn: Callable[..., dict[str, Any]], *, jobs: int,
               hard_limit: float, progress: str = "") -> list[dict[str, Any]]:
    """Each task in its own forked child (isolation without interpreter start-up), ``jobs`` at
    a time; a child past ``hard_limit`` seconds is killed and counted as "killed"."""
    ctx = multiprocessing.get_context("fork")  # the bench parent has no threads
    results: dict[int, dict[str, Any]] = {}
    running: dict[int, tuple[Any, Connection, float]] = {}
    todo = list(range(len(tasks)))
    while todo or running:
        while todo and len(running) < jobs:
            i = todo.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, fn, tasks[i]))
            proc.start()
            child.close()
            running[i] = (proc, parent, time.monotonic())
        ready = wait([c for _, c, _ in running.values()], timeout=0.25)
        for i, (proc, conn, started) in list(running.items()):
            if conn in ready:
                try:
                    results[i] = conn.recv()
                except EOFError:
                    results[i] = {"status": "crash", "error": "process died"}
            elif time.monotonic() - started > hard_limit:
                proc.kill()
                results[i] = {"status": "killed", "ms": hard_limit * 1000}
            else:
                continue
            proc.join()
            conn.close()
            del running[i]
            if progress and len(results) % 50 == 0:
                print(f"  {progress}: {len(results)}/{len(tasks)}", file=sys.stderr)
    return [results[i] for i in range(len(tasks))]


# --------------------------------------------------------------------------------- peers

JSS_DRIVER = r"""
import json, sys, time
from jsonsubschema import api
def load(p):
    with open(p, encoding="utf-8-sig") as f:
        return json.load(f)
old, new = load(sys.argv[1]), load(sys.argv[2])
t = time.perf_counter()
try:
    out = {"status": "ok", "verdict": "compatible" if api.isSubschema(old, new) else "breaking"}
except BaseException as e:
    out = {"status": "crash", "error": type(e).__name__ + ": " + str(e)[:160]}
out["ms"] = (time.perf_counter() - t) * 1000
print("RESULT " + json.dumps(out))
"""

JSD_DRIVER = r"""
const fs = require('fs');
const jsd = require(process.env.JSD_MODULE);
const load = p => JSON.parse(fs.readFileSync(p, 'utf8').replace(/^\uFEFF/, ''));
(async () => {
  let out;
  const s = load(process.argv[1]), d = load(process.argv[2]);
  const t = process.hrtime.bigint();
  try {
    const r = await jsd.diffSchemas({sourceSchema: s, destinationSchema: d});
    out = {status: 'ok', verdict: r.removalsFound ? 'breaking' : 'compatible'};
  } catch (e) {
    out = {status: 'crash', error: String((e && e.message) || e).slice(0, 160)};
  }
  out.ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log('RESULT ' + JSON.stringify(out));
})();
"""


@dataclass(frozen=True)
class Peer:
    """A peer tool run as a subprocess: ``old_path new_path`` → RESULT line."""

    name: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    version: str = ""


def find_peers() -> list[Peer]:
    """The peers installed in their throwaway places (none is installed here)."""
    peers: list[Peer] = []
    py = PEERS_VENV / "bin" / "python"
    if py.exists():
        probe = subprocess.run(
            [str(py), "-c", "import importlib.metadata as m; "
             "print(m.version('jsonsubschema'), m.version('greenery'))"],
            capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            jss, greenery = probe.stdout.split()
            peers.append(Peer("jsonsubschema", (str(py), "-c", JSS_DRIVER),
                              version=f"{jss} (greenery {greenery})"))
    module = PEERS_NPM / "node_modules" / "json-schema-diff"
    node = shutil.which("node")
    if module.is_dir() and node:
        pkg = json.loads((module / "package.json").read_text(encoding="utf-8"))
        node_version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                      check=False).stdout.strip()
        peers.append(Peer("json-schema-diff", (node, "-e", JSD_DRIVER),
                          env=(("JSD_MODULE", str(module)),),
                          version=f"{pkg['version']} (node {node_version})"))
    return peers


def install_peers() -> None:
    """Create the throwaway peer installs (outside the repository)."""
    if not (PEERS_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(PEERS_VENV / "bin" / "pip"), "install", "-q", "jsonsubschema"],
                   check=True)
    PEERS_NPM.mkdir(parents=True, exist_ok=True)
    if not (PEERS_NPM / "package.json").exists():
        subprocess.run(["npm", "init", "-y"], cwd=PEERS_NPM, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--silent", "json-schema-diff"], cwd=PEERS_NPM,
                   check=True)


def run_peer(peer: Peer, old: Path, new: Path, timeout: float) -> dict[str, Any]:
    """One pair through one peer: verdict, its own in-process ms, and wall ms."""
    env = {**os.environ, **dict(peer.env)}
    start = time.perf_counter()
    try:
        proc = subprocess.run([*peer.argv, str(old), str(new)], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=old.parent, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "wall_ms": timeout * 1000, "ms": timeout * 1000}
    wall = (time.perf_counter() - start) * 1000
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1][:160]
        return {"status": "crash", "error": err, "wall_ms": wall, "ms": wall}
    out: dict[str, Any] = json.loads(lines[-1][len("RESULT "):])
    out["wall_ms"] = wall
    return out


def run_peer_many(peer: Peer, pairs: list[tuple[Path, Path]], timeout: float,
                  jobs: int) -> list[dict[str, Any]]:
    """All pairs through one peer, ``jobs`` subprocesses at a time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: run_peer(peer, p[0], p[1], timeout), pairs))


# --------------------------------------------------------------------------------- Confluent


def confluent_cases() -> list[dict[str, Any]]:
    """The 132 cases, draft-07 added to each side without ``$schema``."""
    cases = []
    for name in ("diff-schema-examples.json", "diff-combined-schema-examples.json"):
        for i, c in enumerate(json.loads((CONFLUENT / name).read_text(encoding="utf-8"))):
            sides = [s if not isinstance(s, dict) or "$schema" in s else {"$schema": DRAFT7, **s}
                     for s in (c["original_schema"], c["update_schema"])]
            cases.append({"id": f"{name.removesuffix('.json')}#{i}",
                          "description": c["description"], "original": sides[0],
                          "update": sides[1], "compatible": bool(c["compatible"]),
                          "raw": (c["original_schema"], c["update_schema"])})
    return cases


def _ours_confluent(cases: list[dict[str, Any]]) -> dict[str, Any]:
    from schema_compat.engine import Options, compare
    from schema_compat.loading import SchemaDocument

    verdicts = {}
    start = time.perf_counter()
    for c in cases:
        r = compare(SchemaDocument("original", None, "original", c["original"]),
                    SchemaDocument("update", None, "update", c["update"]), Options(timeout=10))
        verdicts[c["id"]] = r.backward.status
    return {"verdicts": verdicts, "ms": (time.perf_counter() - start) * 1000}


def confluent_agreement(cases: list[dict[str, Any]], verdicts: dict[str, str]) -> int:
    """Cases where the verdict matches the label (unknown or a crash never matches)."""
    return sum(verdicts.get(c["id"]) == ("compatible" if c["compatible"] else "breaking")
               for c in cases)


# --------------------------------------------------------------------------------- large schemas


def large_schema(n_props: int = 2000, seed: int = 7) -> dict[str, Any]:
    """A closed object of ``n_props`` properties over 20 ``$defs`` (deterministic)."""
    rng = random.Random(seed)
    defs: dict[str, Any] = {}
    for d in range(20):
        props = {f"f{k}": {"type": "string", "maxLength": 32 + k} for k in range(8)}
        props["code"] = {"type": "integer", "minimum": 0, "maximum": 1000 + d}
        defs[f"Def{d:02d}"] = {"type": "object", "properties": props,
                               "required": ["f0", "code"], "additionalProperties": False}
    properties: dict[str, Any] = {}
    for i in range(n_props):
        kind = i % 5
        if kind == 0:
            spec: dict[str, Any] = {"type": "string", "maxLength": 64}
        elif kind == 1:
            spec = {"type": "integer", "minimum": 0, "maximum": 10_000}
        elif kind == 2:
            spec = {"$ref": f"#/$defs/Def{rng.randrange(20):02d}"}
        elif kind == 3:
            spec = {"type": "array", "items": {"$ref": f"#/$defs/Def{rng.randrange(20):02d}"},
                    "maxItems": 50}
        else:
            spec = {"enum": [f"v{k}" for k in range(rng.randint(3, 8))]}
        spec["description"] = f"property {i}"
        properties[f"p{i:04d}"] = spec
    return {"$schema": DRAFT2020, "$id": "https://example.invalid/large.json",
            "type": "object", "properties": properties,
            "required": [f"p{i:04d}" for i in range(0, n_props, 10)],
            "additionalProperties": False, "$defs": defs}


@dataclass(frozen=True)
class Change:
    """One edit to the large schema and whether it breaks backward compatibility."""

    path: str  # JSON pointer of the edited subschema
    breaking: bool
    apply: Callable[[dict[str, Any]], None]


def _set(path: list[str], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        node = doc
        for seg in path:
            node = node[seg]
        node[key] = value
    return apply


def _extend_enum(name: str, extra: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["properties"][name]["enum"].append(extra)
    return apply


def _drop_enum_value(name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["properties"][name]["enum"].pop()
    return apply


def _add_property(name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["properties"][name] = {"type": "string"}
    return apply


def _remove_property(name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        del doc["properties"][name]
        doc["required"] = [r for r in doc["required"] if r != name]
    return apply


def _require(name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["required"].append(name)
    return apply


def _unrequire(name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["required"].remove(name)
    return apply


def _def_require(d: str, field: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["$defs"][d]["required"].append(field)
    return apply


def large_changes(with_breaking: bool) -> list[Change]:
    """20 changes; with ``with_breaking`` 6 of them break backward compatibility."""
    p = lambda i: f"p{i:04d}"  # noqa: E731 - a short name for the property names
    compatible = [
        *(Change(f"/properties/p19{90 + k}", False, _add_property(f"p19{90 + k}x"))
          for k in range(5)),
        *(Change(f"/properties/{p(i)}", False, _set(["properties", p(i)], "maxLength", 128))
          for i in (5, 105, 1005)),
        *(Change(f"/properties/{p(i)}", False, _extend_enum(p(i), "new-value"))
          for i in (4, 404)),
        *(Change(f"/properties/{p(i)}", False, _set(["properties", p(i)], "description", "new"))
          for i in (7, 777)),
        *(Change(f"/properties/{p(i)}", False, _set(["properties", p(i)], "minimum", -10))
          for i in (1, 1001)),
    ]
    if with_breaking:
        breaking = [
            Change("/required", True, _require(p(11))),
            Change(f"/properties/{p(15)}", True, _set(["properties", p(15)], "type", "integer")),
            Change(f"/properties/{p(24)}", True, _drop_enum_value(p(24))),
            Change(f"/properties/{p(35)}", True, _set(["properties", p(35)], "maxLength", 8)),
            Change("/$defs/Def03", True, _def_require("Def03", "f5")),
            Change(f"/properties/{p(50)}", True, _remove_property(p(50))),
        ]
        return compatible + breaking
    more = [
        Change(f"/properties/{p(9)}", False, _extend_enum(p(9), "another")),
        Change(f"/properties/{p(20)}", False, _unrequire(p(20))),
        Change(f"/properties/{p(30)}", False, _unrequire(p(30))),
        Change(f"/properties/{p(55)}", False, _set(["properties", p(55)], "maxLength", 100)),
        Change(f"/properties/{p(61)}", False, _set(["properties", p(61)], "maximum", 20_000)),
        Change("/$defs/Def04", False, _set(["$defs", "Def04", "properties", "f1"], "maxLength",
                                           999)),
    ]
    return compatible + more


def run_cli(old: Path, new: Path, timeout: float) -> dict[str, Any]:
    """``schema-compat diff OLD NEW --format json``, timed as a whole command."""
    exe = shutil.which("schema-compat", path=str(Path(sys.executable).parent)) or "schema-compat"
    start = time.perf_counter()
    try:
        proc = subprocess.run([exe, "diff", str(old), str(new), "--format", "json",
                               "--timeout", "60"], capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "wall_ms": timeout * 1000}
    wall = (time.perf_counter() - start) * 1000
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"status": "crash", "error": proc.stderr.strip()[-300:], "wall_ms": wall}
    (result,) = report["results"]
    return {"status": "ok", "exit": proc.returncode, "wall_ms": wall,
            "backward": result["backward"], "forward": result["forward"],
            "findings": result["findings"]}


def check_large(result: dict[str, Any], changes: list[Change]) -> list[str]:
    """Problems with the verdict, exit code and findings on a generated pair (empty = right):
    each breaking change has a backward-breaking finding at its path, and no other finding is
    backward-breaking (noise)."""
    problems = []
    expect = "breaking" if any(c.breaking for c in changes) else "compatible"
    if result.get("backward") != expect:
        problems.append(f"backward is {result.get('backward')}, expected {expect}")
    want_exit = 1 if expect == "breaking" else 0
    if result.get("exit") != want_exit:
        problems.append(f"exit code {result.get('exit')}, expected {want_exit}")
    flagged = [f.get("new_path") or f.get("old_path") or "" for f in result.get("findings", [])
               if f["backward"] == "breaking"]
    breaking = [c.path for c in changes if c.breaking]
    problems += [f"breaking change at {path} not flagged" for path in breaking
                 if not any(f.startswith(path) for f in flagged)]
    problems += [f"flagged breaking at {f}, which no breaking change touches" for f in flagged
                 if not any(f.startswith(path) for path in breaking)]
    return problems


# --------------------------------------------------------------------------------- report


def pct(values: Iterable[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``; NaN when empty."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def fmt_ms(x: float) -> str:
    return "–" if x != x else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])
        mem = f", {kb / 1_048_576:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    try:
        load = f" (load average at start {os.getloadavg()[0]:.1f})"
    except OSError:
        load = ""
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}{load}"


def git_revision() -> str:
    """The commit of the working tree, marked "+changes" when it has uncommitted edits."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        return proc.stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "no git"
    dirty = git("status", "--porcelain", "--", "src")
    return f"{rev}+changes in src" if dirty else rev


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=0, help="only the first N corpus pairs")
    # One pair at a time by default: per-pair times are latencies, and on a 2-core machine a
    # second pair running beside the first inflated them (median 36 vs 32 ms, p95 535 vs
    # 486 ms in one measurement). More jobs finish sooner; the figures are then not comparable.
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--peer-jobs", type=int, help="peer processes at a time (default: --jobs)")
    ap.add_argument("--timeout", type=float, default=5.0, help="Options(timeout) per pair")
    ap.add_argument("--hard-limit", type=float, default=30.0)
    ap.add_argument("--peer-timeout", type=float, default=30.0)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--install-peers", action="store_true",
                    help="install the peers into /tmp (outside the repo) and stop")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "diff.md")
    ap.add_argument("--raw", type=Path, help="also write per-pair raw results (JSON) here")
    args = ap.parse_args(argv)
    if args.peer_jobs is None:
        args.peer_jobs = args.jobs

    if args.install_peers:
        install_peers()
        return 0
    # Import the whole engine now: every part of the run then measures the same code, even
    # if src/ is edited meanwhile (the forked children inherit these modules).
    import schema_compat
    import schema_compat.engine
    import schema_compat.oracle

    peers = [] if args.no_peers else find_peers()
    started = dt.datetime.now(dt.timezone.utc)
    revision = git_revision()  # now: the code imported above, not whatever is there at the end
    lines: list[str] = []
    raw: dict[str, Any] = {}
    out = lines.append

    # -- corpus -------------------------------------------------------------------------
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["pairs"]
    if args.pairs:
        manifest = manifest[: args.pairs]
    paths = [(CORPUS / p["old_file"], CORPUS / p["new_file"]) for p in manifest]
    ids = [f"{p['schema']}/{p['nn']}" for p in manifest]
    print(f"corpus: {len(paths)} pairs, ours", file=sys.stderr)
    t0 = time.perf_counter()
    ours = run_forked([(str(o), str(n), args.timeout) for o, n in paths], _ours_pair,
                      jobs=args.jobs, hard_limit=args.hard_limit, progress="ours")
    ours_wall = time.perf_counter() - t0
    peer_results: dict[str, list[dict[str, Any]]] = {}
    for peer in peers:
        print(f"corpus: {peer.name}", file=sys.stderr)
        peer_results[peer.name] = run_peer_many(peer, paths, args.peer_timeout,
                                                args.peer_jobs)
    raw["corpus"] = {"ids": ids, "ours": ours, **peer_results}

    # -- Confluent ------------------------------------------------------------------------
    cases = confluent_cases()
    conf = _ours_confluent(cases)
    conf_peers: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        case_paths = []
        for c in cases:
            o, n = Path(tmp) / f"{len(case_paths)}-o.json", Path(tmp) / f"{len(case_paths)}-n.json"
            # Peers get the cases as Confluent wrote them (no $schema): jsonsubschema then
            # reads them as draft-04, json-schema-diff as draft-07, each its only draft.
            o.write_text(json.dumps(c["raw"][0]), encoding="utf-8")
            n.write_text(json.dumps(c["raw"][1]), encoding="utf-8")
            case_paths.append((o, n))
        for peer in peers:
            print(f"confluent: {peer.name}", file=sys.stderr)
            res = run_peer_many(peer, case_paths, args.peer_timeout, args.peer_jobs)
            conf_peers[peer.name] = {c["id"]: (r.get("verdict") if r["status"] == "ok"
                                               else r["status"]) for c, r in zip(cases, res)}
    raw["confluent"] = {"ours": conf["verdicts"], **conf_peers}

    # -- large generated schemas ----------------------------------------------------------
    large: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = large_schema()
        old_path = Path(tmp) / "large-old.json"
        old_path.write_text(json.dumps(base, indent=1), encoding="utf-8")
        pairs: dict[str, tuple[Path, dict[str, Any], list[Change]]] = {}
        for label, with_breaking in (("20 changes, 6 breaking", True),
                                     ("20 compatible changes", False)):
            changes = large_changes(with_breaking)
            assert len(changes) == 20
            doc = copy.deepcopy(base)
            for c in changes:
                c.apply(doc)
            new_path = Path(tmp) / f"large-new-{int(with_breaking)}.json"
            new_path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
            pairs[label] = (new_path, doc, changes)
        # Ours first, the two pairs in turn, before any peer touches the machine: a shared
        # machine's speed drifts, and a slow minute should not land on one pair only.
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label in pairs}
        print("large: ours", file=sys.stderr)
        for _ in range(LARGE_RUNS):
            for label, (new_path, _, _) in pairs.items():
                runs[label].append(run_cli(old_path, new_path, 300.0))
        for label, (_, doc, changes) in pairs.items():
            entry: dict[str, Any] = {"ours": runs[label],
                                     "problems": check_large(runs[label][-1], changes),
                                     "size_kb": old_path.stat().st_size / 1024}
            # Peers get the same documents without $schema: jsonsubschema reads draft-04 and
            # json-schema-diff draft-07 only; every keyword used means the same in all three.
            plain_old, plain_new = Path(tmp) / "plain-old.json", Path(tmp) / "plain-new.json"
            plain_old.write_text(json.dumps({k: v for k, v in base.items() if k != "$schema"}),
                                 encoding="utf-8")
            plain_new.write_text(json.dumps({k: v for k, v in doc.items() if k != "$schema"}),
                                 encoding="utf-8")
            print(f"large: peers, {label}", file=sys.stderr)
            for peer in peers:
                entry[peer.name] = run_peer(peer, plain_old, plain_new, args.peer_timeout)
            large[label] = entry
    raw["large"] = large

    # -- report ---------------------------------------------------------------------------
    versions = [f"schema-compat {schema_compat.__version__} ({revision})",
                f"Python {platform.python_version()}"]
    versions += [f"{p.name} {p.version}" for p in peers]
    out("# Diff benchmark")
    out("")
    out(f"Generated by `bench/bench_diff.py` on {started:%Y-%m-%d %H:%M} UTC.")
    out("")
    out(f"- Machine: {machine()}.")
    out(f"- Versions: {', '.join(versions)}.")
    out(f"- Settings: `Options(timeout={args.timeout:g})`, hard kill at {args.hard_limit:g} s, "
        f"{_count(args.jobs, 'pair')} at a time; peers {args.peer_timeout:g} s per pair, "
        f"{args.peer_jobs} at a time, run after ours (never concurrently with it).")
    if not peers:
        out("- Peers: none installed (run with `--install-peers`).")
    out("")

    out(f"## SchemaStore corpus ({len(paths)} pairs)")
    out("")
    out("Per-pair time is in-process: loading both files and `compare()`, in a forked child "
        "with imports done (no interpreter start-up). Peers: their own in-process time "
        "(excluding start-up) and the wall time of their process.")
    out("")
    out("| tool | result | schema error (one line) | crash | timeout / killed | "
        "compatible / breaking / unknown (backward) | median ms (all pairs) | p95 ms | "
        "median / p95 ms wall |")
    out("|---|---|---|---|---|---|---|---|---|")
    st = Counter(r["status"] for r in ours)
    back = Counter(r.get("backward") for r in ours if r["status"] == "ok")
    ms_all = [r["ms"] for r in ours]
    out(f"| schema-compat | {st['ok']} | {st['schema-error']} | {st['crash']} | "
        f"{st['killed']} | {back['compatible']} / {back['breaking']} / {back['unknown']} | "
        f"{fmt_ms(statistics.median(ms_all))} | {fmt_ms(pct(ms_all, 0.95))} | – |")
    for name, res in peer_results.items():
        pst = Counter(r["status"] for r in res)
        pv = Counter(r.get("verdict") for r in res if r["status"] == "ok")
        out(f"| {name} | {pst['ok']} | – | {pst['crash']} | {pst['timeout']} | "
            f"{pv['compatible']} / {pv['breaking']} / – | "
            f"{fmt_ms(statistics.median([r['ms'] for r in res]))} | "
            f"{fmt_ms(pct([r['ms'] for r in res], 0.95))} | "
            f"{fmt_ms(statistics.median([r['wall_ms'] for r in res]))} / "
            f"{fmt_ms(pct([r['wall_ms'] for r in res], 0.95))} |")
    out("")
    out(f"Our whole corpus run took {ours_wall:.0f} s of wall time with "
        f"{_count(args.jobs, 'worker')}.")
    out("")
    fwd = Counter(r.get("forward") for r in ours if r["status"] == "ok")
    levels = Counter(r.get("level") for r in ours if r["status"] == "ok")
    timed_out = sum(any("time limit" in (x or "") for x in r.get("reasons", []))
                    for r in ours if r["status"] == "ok")
    overrun = [ids[i] for i, r in enumerate(ours)
               if r["status"] == "ok" and r["ms"] > (args.timeout + 5) * 1000]
    bad_w = [(ids[i], r["witness_problems"]) for i, r in enumerate(ours)
             if r.get("witness_problems")]
    out(f"- Forward verdicts: {fwd['compatible']} compatible, {fwd['breaking']} breaking, "
        f"{fwd['unknown']} unknown. Levels: "
        + ", ".join(f"{k} {v}" for k, v in sorted(levels.items())) + ".")
    out(f"- Pairs with a direction left unknown because the {args.timeout:g} s limit ran out: "
        f"{timed_out}. Pairs over the limit + 5 s: {len(overrun)}"
        + (f" ({', '.join(overrun)})" if overrun else "") + ".")
    out(f"- Breaking witnesses not confirmed by the oracle: {len(bad_w)}"
        + (f" ({bad_w})" if bad_w else "") + ".")
    errs = Counter(r["error"].split(": ", 1)[-1][:70] for r in ours
                   if r["status"] == "schema-error")
    if errs:
        out(f"- Schema errors ({st['schema-error']}), by message:")
        for msg, n in errs.most_common():
            out(f"  - {n} × {msg}")
    crashes = Counter(f"{r['error'][:90]} (at {r.get('where', '?')})" for r in ours
                      if r["status"] == "crash")
    if crashes:
        out(f"- Crashes ({st['crash']}), by exception:")
        for msg, n in crashes.most_common():
            out(f"  - {n} × `{msg}`")
    killed = [ids[i] for i, r in enumerate(ours) if r["status"] == "killed"]
    if killed:
        out(f"- Killed at {args.hard_limit:g} s: {', '.join(killed)}.")
    out("")

    ann = [i for i, p in enumerate(manifest) if p["change_class"] == "annotation-only"]
    ann_outcome = Counter(
        f"{ours[i]['level']} / {ours[i]['bump']}" if ours[i]["status"] == "ok"
        else ours[i]["status"] for i in ann)
    out(f"### Annotation-only pairs ({len(ann)})")
    out("")
    out("Equal once annotations are stripped, so the right answer is FULL with a patch bump.")
    out("")
    out("| schema-compat level / bump | pairs |")
    out("|---|---|")
    for k, v in ann_outcome.most_common():
        out(f"| {k} | {v} |")
    wrong = [ids[i] for i in ann if not (ours[i]["status"] == "ok"
                                         and ours[i]["level"] == "FULL")]
    if wrong:
        out("")
        out(f"Not FULL: {', '.join(wrong)}.")
    for name, res in peer_results.items():
        pv = Counter(res[i].get("verdict") if res[i]["status"] == "ok" else res[i]["status"]
                     for i in ann)
        out("")
        out(f"{name} on the same pairs: " + ", ".join(f"{k} {v}" for k, v in pv.most_common())
            + ".")
    out("")

    if peer_results:
        out("### Against the peers, pair by pair (backward)")
        out("")
        out("| peer | both answered | agree | we: compatible, peer: breaking | "
            "we: breaking, peer: compatible | we unknown, peer answered | "
            "median in-process ratio peer / ours (both answered) |")
        out("|---|---|---|---|---|---|---|")
        for name, res in peer_results.items():
            both = [i for i in range(len(ours)) if ours[i]["status"] == "ok"
                    and res[i]["status"] == "ok"]
            decided = [i for i in both if ours[i]["backward"] != "unknown"]
            agree = sum(ours[i]["backward"] == res[i]["verdict"] for i in decided)
            cb = [ids[i] for i in decided if ours[i]["backward"] == "compatible"
                  and res[i]["verdict"] == "breaking"]
            bc = [ids[i] for i in decided if ours[i]["backward"] == "breaking"
                  and res[i]["verdict"] == "compatible"]
            unk = sum(ours[i]["backward"] == "unknown" for i in both)
            ratios = [res[i]["ms"] / max(ours[i]["ms"], 0.1) for i in both]
            out(f"| {name} | {len(decided)} (+{unk} where we say unknown) | {agree} | "
                f"{len(cb)} {cb if cb else ''} | {len(bc)} {bc if bc else ''} | {unk} | "
                f"{statistics.median(ratios) if ratios else float('nan'):.2f} |")
        out("")

    # Confluent
    conf_agree = confluent_agreement(cases, conf["verdicts"])
    out("## Confluent suite (132 cases, BACKWARD)")
    out("")
    out("Agreement = our backward verdict is `compatible` where the label says compatible and "
        "`breaking` where it says incompatible; `unknown` never agrees. docs/conformance.md "
        "lists every disagreement with its proof.")
    out("")
    out("| tool | agree with label | unknown / crash / timeout | total ms (in-process) |")
    out("|---|---|---|---|")
    unknown = sum(v == "unknown" for v in conf["verdicts"].values())
    out(f"| schema-compat | {conf_agree}/132 ({conf_agree / 1.32:.1f}%) | {unknown} / 0 / 0 | "
        f"{fmt_ms(conf['ms'])} |")
    for name, verdicts in conf_peers.items():
        agree = confluent_agreement(cases, verdicts)
        c = Counter(verdicts.values())
        out(f"| {name} | {agree}/132 ({agree / 1.32:.1f}%) | – / {c['crash']} / "
            f"{c['timeout']} | – |")
    out("")

    # large
    out("## Generated large schema (2,000 properties, 20 `$defs`)")
    out("")
    size = next(iter(large.values()))["size_kb"]
    out(f"A closed object ({size:,.0f} KB, draft 2020-12) whose properties are strings, "
        "integers, enums, `$ref`s to the `$defs` and arrays of them; every 10th is required. "
        "Ours: the whole `schema-compat diff OLD NEW --format json` command (subprocess, "
        f"including interpreter start-up), {LARGE_RUNS} runs of each pair in turn before any "
        "peer runs on them; best and median. Peers: one run each, wall time of their "
        "process, same documents without `$schema`.")
    out("")
    header = ("| pair | schema-compat s (best) | schema-compat s (median) "
              "| verdict (backward / forward) | checks |")
    sep = "|---|---|---|---|---|"
    for p in peers:
        header += f" {p.name} s (verdict) | ratio {p.name} / ours (median) |"
        sep += "---|---|"
    out(header)
    out(sep)
    for label, e in large.items():
        best = min(r["wall_ms"] for r in e["ours"]) / 1000
        median = statistics.median(r["wall_ms"] for r in e["ours"]) / 1000
        last = e["ours"][-1]
        checks = "right" if not e["problems"] else "; ".join(e["problems"])
        row = (f"| {label} | {best:.2f} | {median:.2f} | {last.get('backward')} / "
               f"{last.get('forward')} | {checks} |")
        for p in peers:
            r = e[p.name]
            verdict = r.get("verdict") or r["status"]
            row += f" {r['wall_ms'] / 1000:.2f} ({verdict}) | {r['wall_ms'] / 1000 / median:.1f} |"
        out(row)
    out("")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.raw:
        args.raw.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
