"""A small BACKBEAT archive for the partition and engine tests: gzipped JSON Lines by hour."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from conftest import REPO

SCHEMAS = REPO / "schemas"
FRAME = json.loads((REPO / "examples/beatframe/1.1.0/valid/seed-go-test.json").read_text())


def frames(count: int, seed: int) -> bytes:
    """BeatFrame JSON Lines: about 1 in 10 carries `beats_per_bar` (valid under 1.1.0 only),
    1 in 20 has a tempo no version accepts, 1 in 50 a bad `hlc`, and one line is not JSON."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        m = dict(FRAME, beat_index=i)
        r = rng.random()
        if r < 0.1:
            m["beats_per_bar"] = 4
        if r < 0.05:
            m["tempo_bpm"] = 5000
        elif r > 0.98:
            m["hlc"] = "7ffd:0001:abcd\n"
        out.append(json.dumps(m))
    out[count // 2] = "{not json"
    return ("\n".join(out) + "\n").encode()


def corrupt_gzip() -> bytes:
    """A gzip member whose deflate data is damaged after the header: unreadable."""
    data = gzip.compress(bytes(range(256)) * 64)
    return data[:20] + b"\xff" * 40 + data[60:]


def make_archive(root: Path, *, hours: int = 6, lines: int = 2000, broken: bool = True) -> Path:
    """`root/2025-06-01/HH/frames.jsonl.gz` partitions, a plain `.ndjson` one, a one-message
    `.json`, a hidden file (skipped) and, with `broken`, a corrupt partition."""
    for hour in range(hours):
        part = root / "2025-06-01" / f"{hour:02d}"
        part.mkdir(parents=True, exist_ok=True)
        (part / "frames.jsonl.gz").write_bytes(gzip.compress(frames(lines, hour), compresslevel=1))
    (root / "2025-06-02").mkdir(parents=True, exist_ok=True)
    (root / "2025-06-02" / "plain.ndjson").write_bytes(frames(lines // 2, 99))
    (root / "2025-06-02" / "one.json").write_text(json.dumps(dict(FRAME, beats_per_bar=4)))
    (root / "2025-06-02" / ".hidden.jsonl").write_text("not read\n")
    if broken:
        (root / "2025-06-01" / "03" / "broken.jsonl.gz").write_bytes(corrupt_gzip())
    return root
