"""Every SchemaStore corpus pair's verdicts and findings, to compare one commit with another.

An engine change is not done until the corpus has been compared with the commit before it,
pair by pair and finding by finding: a verdict that moved between ``breaking`` and
``compatible`` needs a witness-backed reason, and an ``unknown`` that became decided should
be the one the change meant to settle.

    python bench/corpus_verdicts.py --out /tmp/after.json            # run the corpus
    python bench/corpus_verdicts.py --compare /tmp/before.json /tmp/after.json
    python bench/corpus_verdicts.py --catalog ../shared/corpus/schemastore/catalog --out /tmp/c.json

``--catalog DIR`` (repeatable) reads local copies of the documents the schemas refer to by URL,
as ``--ref-dir`` does for the commands; without it such references stay unresolved.

Pairs run in forked children, two at a time, with ``Options(timeout=5)`` as the corpus test
does (a verdict cut by the time limit is ``unknown`` and may differ between runs; the
comparison marks those).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_diff import run_forked

CORPUS = Path(os.environ.get("SCHEMA_COMPAT_SHARED",
                             Path(__file__).resolve().parents[2] / "shared")) / "corpus" / "schemastore"


# Read once in the parent (registry crawled there), inherited by every forked child.
_CATALOG: Any = None


def _pair(old_path: str, new_path: str, timeout: float) -> dict[str, Any]:
    from schema_compat.engine import Options, compare
    from schema_compat.errors import SchemaCompatError
    from schema_compat.loading import load_schema_file

    try:
        old, new = load_schema_file(Path(old_path)), load_schema_file(Path(new_path))
        result = compare(old, new, Options(timeout=timeout, catalog=_CATALOG))
    except SchemaCompatError as exc:
        return {"status": "schema-error", "error": str(exc)}
    except Exception as exc:
        return {"status": "crash", "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return {
        "status": "ok",
        "backward": result.backward.status, "forward": result.forward.status,
        "reasons": [result.backward.reason, result.forward.reason],
        "witnesses": {w.direction: w.instance for v in (result.backward, result.forward)
                      for w in v.witnesses[:1]},
        "findings": sorted([f.rule, f.old_path or "", f.new_path or "", f.backward, f.forward]
                           for f in result.findings),
        "references": [n for n in result.notes if n.startswith("remote $ref")],
    }


def run(out: Path, timeout: float, jobs: int, catalog: list[Path] | None = None) -> None:
    global _CATALOG
    if catalog:
        from schema_compat.catalog import load_catalog

        _CATALOG = load_catalog(catalog)
        assert _CATALOG is not None
        _CATALOG.registry()
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    pairs = manifest["pairs"]
    tasks = [(str(CORPUS / p["old_file"]), str(CORPUS / p["new_file"]), timeout) for p in pairs]
    results = run_forked(tasks, _pair, jobs=jobs, hard_limit=60.0, progress="corpus")
    by_id = {f"{p['schema']}/{p['nn']}": r for p, r in zip(pairs, results)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(by_id, indent=1, sort_keys=True, default=repr))
    counts: dict[str, int] = {}
    for r in by_id.values():
        for d in ("backward", "forward"):
            key = f"{d} {r.get(d, r['status'])}"
            counts[key] = counts.get(key, 0) + 1
    print(json.dumps(counts, sort_keys=True))


def _timed_out(r: dict[str, Any]) -> bool:
    return any("time limit" in (x or "") for x in r.get("reasons", ()))


def compare(before: Path, after: Path) -> int:
    """Print every pair whose verdicts or findings differ; 1 when a decided verdict flipped."""
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    flipped = 0
    for pid in sorted(set(a) | set(b)):
        x, y = a.get(pid, {}), b.get(pid, {})
        if x == y:
            continue
        lines = []
        for d in ("backward", "forward"):
            vx, vy = x.get(d, x.get("status")), y.get(d, y.get("status"))
            if vx != vy:
                mark = ""
                if {vx, vy} == {"breaking", "compatible"}:
                    mark = "  <-- DECIDED VERDICT FLIPPED"
                    flipped += 1
                elif _timed_out(x) or _timed_out(y):
                    mark = "  (time limit)"
                lines.append(f"  {d}: {vx} -> {vy}{mark}")
                if vy == "breaking":
                    lines.append(f"    witness: {json.dumps(y['witnesses'].get(d))[:200]}")
        fx = {tuple(f) for f in x.get("findings", [])}
        fy = {tuple(f) for f in y.get("findings", [])}
        lines += [f"  - {list(f)}" for f in sorted(fx - fy)]
        lines += [f"  + {list(f)}" for f in sorted(fy - fx)]
        if x.get("status") != y.get("status"):
            lines.append(f"  status: {x.get('status')} -> {y.get('status')} {y.get('error', '')}")
        if lines:
            print(pid)
            print("\n".join(lines))
    return 1 if flipped else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--catalog", type=Path, action="append", metavar="DIR",
                    help="a catalog directory of referenced documents (repeatable)")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not (CORPUS / "manifest.json").is_file():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    run(args.out or Path("bench/out/corpus-verdicts.json"), args.timeout, args.jobs, args.catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
