"""Runs every real-corpus check and prints the pass rate per kind: `python -m tests.real_corpus.run [-v]`.

Exit 0 when at least PASS_RATE of the checks pass and none crashed; 1 otherwise.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from collections import Counter
from dataclasses import dataclass

import tests.real_corpus as package
from tests.real_corpus.check import Check

PASS_RATE = 0.98


@dataclass(frozen=True)
class Outcome:
    check: Check
    status: str  # "pass", "fail" (AssertionError), "crash" (anything else)
    detail: str = ""


def all_checks() -> list[Check]:
    found: list[Check] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("checks_")):
        found.extend(importlib.import_module(f"{package.__name__}.{module}").checks())
    return found


def run_check(check: Check) -> Outcome:
    try:
        check.run()
    except AssertionError as exc:
        return Outcome(check, "fail", str(exc).splitlines()[0] if str(exc) else "assertion failed")
    except Exception as exc:  # a crash: the product raised where it should have answered
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(check, "crash", f"{type(exc).__name__}: {exc} ({last.filename}:{last.lineno})")
    return Outcome(check, "pass")


def run_all() -> list[Outcome]:
    return [run_check(check) for check in all_checks()]


def summary(outcomes: list[Outcome], verbose: bool = False) -> str:
    lines = [f"{'kind':10} {'checks':>7} {'pass':>6} {'fail':>6} {'crash':>6}  rate"]
    by_kind: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.check.kind, Counter())[outcome.status] += 1
    total: Counter[str] = Counter()
    for kind, counts in sorted(by_kind.items()):
        total.update(counts)
        lines.append(_row(kind, counts))
    lines.append(_row("all", total))
    for outcome in outcomes:
        if outcome.status != "pass" or verbose:
            lines.append(f"{outcome.status.upper():5} {outcome.check.name}  {outcome.detail}")
    return "\n".join(lines)


def _row(kind: str, counts: Counter[str]) -> str:
    n = sum(counts.values())
    rate = counts["pass"] / n if n else 0.0
    return f"{kind:10} {n:7} {counts['pass']:6} {counts['fail']:6} {counts['crash']:6}  {rate:.3f}"


def pass_rate(outcomes: list[Outcome]) -> float:
    return sum(o.status == "pass" for o in outcomes) / len(outcomes) if outcomes else 0.0


def main(argv: list[str]) -> int:
    outcomes = run_all()
    print(summary(outcomes, verbose="-v" in argv))
    crashes = sum(o.status == "crash" for o in outcomes)
    rate = pass_rate(outcomes)
    print(f"pass rate {rate:.3f} (budget >= {PASS_RATE}), crashes {crashes} (budget 0)")
    return 0 if rate >= PASS_RATE and crashes == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
