"""Date-parsing budgets (issue 14), run by bench_import.py beside its import budgets, or alone.

- A column that needs the fallback parser (python-dateutil; ``Tue Oct 31 22:10:47 +0000 2017``, every
  value distinct) parses >= 100,000 values/s.
- Columns in the fast shapes (ISO, numeric day-first, Jira) are no more than 5% slower than before
  issue 14. The reference is the fast-path parser as it was then (dates.py at REFERENCE_COMMIT, read
  from git), measured in the same run on the same values; the fastest of several runs counts.
Run from the repo root: python bench/bench_dates.py
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE_COMMIT = "b537ce04e2d79f9fb67a4d912a685e43f2484af9"  # main before issue 14's date fallback
VALUES = 100_000
FALLBACK_BUDGET = 100_000  # values/s
SLOWER_BUDGET = 1.05


def reference_dates() -> ModuleType:
    """dates.py as it was at REFERENCE_COMMIT, loaded as its own module."""
    where = f"{REFERENCE_COMMIT}:postmortem_desktop/importers/dates.py"
    source = subprocess.run(["git", "-C", str(ROOT), "show", where], check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "reference_dates.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("reference_dates", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def column(shape: str, step_seconds: int) -> list[str]:
    start = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    return [(start + timedelta(seconds=step_seconds * n)).strftime(shape) for n in range(VALUES)]


def rate(make_parser: Callable[[], object], values: list[str], runs: int = 5) -> float:
    """Values per second, the fastest of ``runs`` runs, each with a fresh parser (no warm cache)."""
    return rates([make_parser], values, runs)[0]


def rates(makers: list[Callable[[], object]], values: list[str], runs: int = 15) -> list[float]:
    """Values per second for each parser maker, the fastest of ``runs`` rounds. Within a round the
    makers take turns, so a burst of load from another process slows them alike."""
    best = [float("inf")] * len(makers)
    for round_ in range(runs):
        turns = list(enumerate(makers))
        for index, make_parser in turns if round_ % 2 else reversed(turns):  # neither always goes first
            parse = make_parser().parse  # type: ignore[attr-defined]
            started = time.process_time()  # this process's CPU time: the other engineers' load stays out
            for value in values:
                parse(value)
            best[index] = min(best[index], time.process_time() - started)
    return [len(values) / seconds for seconds in best]


def measure() -> bool:
    from postmortem_desktop.importers import dates

    ok = True
    fallback = column("%a %b %d %H:%M:%S +0000 %Y", 3)  # every value distinct: the cache cannot help
    per_second = rate(lambda: dates.DateColumnParser("UTC"), fallback)
    ok &= per_second >= FALLBACK_BUDGET
    print(f"dates: fallback column (dateutil shape, {VALUES:,} distinct values): {per_second:,.0f} values/s   "
          f"budget >= {FALLBACK_BUDGET:,}   {'ok' if per_second >= FALLBACK_BUDGET else 'OVER BUDGET'}")
    reference = reference_dates()
    for label, shape, order in (("ISO", "%Y-%m-%d %H:%M", None), ("day first", "%d/%m/%Y %H:%M", "dayfirst"),
                                ("Jira", "%d/%b/%y %I:%M %p", None)):
        values = column(shape, 7)  # to the minute, as exports write: values repeat within a busy minute
        before, now = rates([lambda order=order: reference.DateColumnParser("UTC", order),
                             lambda order=order: dates.DateColumnParser("UTC", order)], values)
        slower = before / now
        ok &= slower <= SLOWER_BUDGET
        verdict = "ok" if slower <= SLOWER_BUDGET else "OVER BUDGET"
        print(f"dates: fast shape {label:9s}: {now:,.0f} values/s, before issue 14 {before:,.0f} values/s; "
              f"{slower:.3f}x the time   budget <= {SLOWER_BUDGET}x   {verdict}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if measure() else 1)
