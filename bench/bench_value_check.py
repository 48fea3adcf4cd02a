"""The value check's cost at open (storage/value_check.py): a workspace of 100k conversations, one message each.

The reference is SQLite's integrity check, which every open already runs on the same file (inspection.py):
the value check reads the same rows once more, so it must stay a small part of that. Both are measured on
the same read-only connection, after one unmeasured run of each warms the page cache.
Run from the repo root: python bench/bench_value_check.py [--rows N]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_publish import fill_file  # noqa: E402 - the same generated tickets as the publish bench

RATIO_BUDGET = 1.0  # the value check may cost at most what the integrity check beside it costs
ABSOLUTE_BUDGET_S = 1.0  # and at most a second at 100k messages


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def measure(path: Path) -> tuple[float, float]:
    from postmortem_desktop.storage import value_check

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        integrity = best_of(3, lambda: conn.execute("PRAGMA integrity_check").fetchall())
        stray = value_check.first_stray_value(conn)
        if stray is not None:
            raise SystemExit(f"the generated workspace was refused: {stray.sentence()}")
        values = best_of(3, lambda: value_check.first_stray_value(conn))
    finally:
        conn.close()
    return integrity, values


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.pmw"
        print(f"generating one incident of {args.rows:,} conversations…", flush=True)
        fill_file(path, args.rows)
        integrity, values = measure(path)
    ratio = values / integrity
    figures = [
        (f"value check, {args.rows:,} messages", values, ABSOLUTE_BUDGET_S, "s"),
        (f"  reference: PRAGMA integrity_check {integrity:.3f} s; value check/integrity", ratio, RATIO_BUDGET, "x"),
    ]
    missed = False
    for label, value, budget, unit in figures:
        within = value <= budget
        missed |= not within
        print(f"{label}: {value:6.3f} {unit}   budget {budget:.2f} {unit}   {'ok' if within else 'OVER BUDGET'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
