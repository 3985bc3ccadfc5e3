"""Differential fuzzing of the comparison engine: the long run.

    .venv/bin/python bench/fuzz.py --pairs 2000 --seed 1 --jobs 2 --out bench/results/fuzz.md
    .venv/bin/python bench/fuzz.py --replay bench/out/fuzz/unsound-001.json

Random schema pairs (a grammar of every keyword of every draft, and one-keyword mutations
of the SchemaStore corpus when it is present) are compared by the engine in-process; each
verdict is attacked with generated instances and each witness re-checked by two judges
(tests/fuzz/). Writes the Markdown report and, under bench/out/fuzz/, one JSON reproducer
per problem class. Exit status 1 when an unsound verdict, a bad witness or a crash is found.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from fuzz import runner  # noqa: E402
from fuzz.attack import Settings  # noqa: E402
from fuzz.grammar import Grammar  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=200, help="how many pairs (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first pair index (default 0)")
    parser.add_argument("--jobs", type=int, default=min(2, runner.cpu_count()),
                        help="worker processes (0: in this process)")
    parser.add_argument("--timeout", type=float, default=2.0,
                        help="the engine's timeout per pair, seconds (default 2)")
    parser.add_argument("--candidates", type=int, default=400,
                        help="instances tried per pair, at most (default 400)")
    parser.add_argument("--shrink-seconds", type=float, default=30.0,
                        help="time to shrink one failure (default 30; 0: do not shrink)")
    parser.add_argument("--hypothesis-seconds", type=float, default=0.1,
                        help="time for each draw of hypothesis-jsonschema examples "
                             "(default 0.1; 0: not used, for an exactly repeatable run)")
    parser.add_argument("--formats", choices=("both", "assert", "annotation"), default="both",
                        help="format mode(s) of the comparisons (default both, pairs in turn; "
                             "an engine without the option is probed for the one it has)")
    parser.add_argument("--no-corpus", action="store_true", help="grammar pairs only")
    parser.add_argument("--focus", choices=[n for n, _ in Grammar.FRAGMENT_WEIGHTS],
                        help=f"draw this grammar family {Grammar.FOCUS_FACTOR} times as often "
                             "(grammar pairs only; another sequence of pairs than the unfocused "
                             "run)")
    parser.add_argument("--max-minutes", type=float,
                        help="start no pair after this long (the report says how many ran; "
                             "with one job they are the first ones: --pairs that many repeats "
                             "the run)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fuzz.md")
    parser.add_argument("--reproducers", type=Path, default=REPO / "bench" / "out" / "fuzz")
    parser.add_argument("--replay", type=Path, help="re-run one reproducer file and exit")
    parser.add_argument("--render", type=Path,
                        help="write the report and the reproducer files again from a run's "
                             "saved results (bench/out/fuzz/run.json) and exit")
    args = parser.parse_args(argv)

    if args.replay:
        return replay(args.replay, args.timeout)
    if args.render:
        reports, meta = runner.load_run(args.render)
        runner.write_reproducers(reports, args.render.parent, meta["seed"])
        args.out.write_text(runner.markdown(reports, **meta) + "\n", encoding="utf-8")
        print(f"report: {args.out}; reproducers in {args.render.parent}")
        return 0

    formats = runner.format_modes(args.formats)
    settings = Settings(timeout=args.timeout, formats=formats, candidates=args.candidates,
                        shrink_seconds=args.shrink_seconds, shrink=args.shrink_seconds > 0,
                        hypothesis_seconds=args.hypothesis_seconds, focus=args.focus)
    if not args.no_corpus and not runner.corpus_files():
        print(f"corpus: {runner.CORPUS} not found: grammar pairs only", flush=True)
    print(f"fuzzing {args.pairs} pairs, seed {args.seed}, {args.jobs} job(s), format modes "
          f"{', '.join(formats)}", flush=True)
    began = time.monotonic()
    reports = runner.run(args.seed, args.pairs, jobs=args.jobs, settings=settings,
                         corpus=not args.no_corpus, start=args.start,
                         progress=lambda line: print(line, flush=True),
                         max_seconds=args.max_minutes * 60 if args.max_minutes else None)
    if len(reports) < args.pairs:
        print(f"time limit: {len(reports)} of {args.pairs} pairs ran", flush=True)
    seconds = time.monotonic() - began
    written = runner.write_reproducers(reports, args.reproducers, args.seed)
    command = " ".join(["bench/fuzz.py", *(argv if argv is not None else sys.argv[1:])])
    meta = {"seed": args.seed, "jobs": args.jobs, "settings": settings, "seconds": seconds,
            "reproducers": str(_shown(args.reproducers)), "command": command,
            "requested": args.pairs}
    runner.save_run(args.reproducers / "run.json", reports, **meta)
    text = runner.markdown(reports, **meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"report: {args.out}; {len(written)} reproducer(s) in {args.reproducers}", flush=True)
    for problem in runner.failures(reports)[:5]:
        print(runner.describe(problem), flush=True)
    return 1 if runner.failures(reports) else 0


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(REPO)
    except ValueError:
        return path


def replay(path: Path, timeout: float) -> int:
    """Is the problem in ``path`` still there? Exit 1 if so, 0 if fixed."""
    from fuzz.attack import Court, run_engine, witnesses

    data = json.loads(path.read_text())
    settings = Settings(timeout=timeout, formats=(data.get("formats", "assert"),))
    run = run_engine(data["old"], data["new"], settings)
    kind, direction = data["kind"], data.get("direction")
    print(f"{kind}: OLD {runner.dump(data['old'])}\n      NEW {runner.dump(data['new'])}")
    if run.crash:
        print(f"engine crashed: {run.crash}\n{run.traceback}")
        return 1
    if run.result is None:
        print(f"engine: {run.refused or run.overrun}")
        return 1 if run.overrun else 0
    verdicts = {d: run.result.direction(d).status for d in ("backward", "forward")}
    print(f"verdicts: {verdicts}")
    court = Court.of(data["old"], data["new"], settings)
    if court.refused:
        # A judge no longer takes the pair (a run skips it): nothing to hold against the engine.
        print(f"skipped: a judge refuses it ({court.refused})\nfixed")
        return 0
    if kind == "unsound":
        sep = court.separates(direction, data["instance"])
        still = verdicts[direction] == "compatible" and sep == (True, True)
        print(f"instance {runner.dump(data['instance'])} separates ({direction}) by judge: {sep}")
    elif kind == "bad-witness":
        bad = [(d, i) for d, i in witnesses(run.result)
               if court.separates(d, i) == (False, False) and court.agree(i)]
        still = bool(bad)
        for d, i in bad:
            print(f"bad witness ({d}): {runner.dump(i)}")
    else:
        still = False
    print("still failing" if still else "fixed")
    return 1 if still else 0


if __name__ == "__main__":
    sys.exit(main())
