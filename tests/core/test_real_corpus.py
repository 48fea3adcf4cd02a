"""The importers against real public files nobody on the team wrote (../shared/data/real/)."""
from __future__ import annotations

from tests.real_corpus.run import PASS_RATE, pass_rate, run_all, summary


def test_the_real_corpus_passes_its_checks_without_a_crash() -> None:
    outcomes = run_all()
    report = summary(outcomes)
    print(report)
    assert outcomes, "no real-corpus checks were collected"
    crashes = [o for o in outcomes if o.status == "crash"]
    assert not crashes, report
    assert pass_rate(outcomes) >= PASS_RATE, report
