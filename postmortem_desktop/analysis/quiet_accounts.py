"""Quiet churn: accounts whose activity after the incident fell well below their own baseline."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class QuietRule:
    baseline_days: int = 28      # the account's own normal: the days before the incident
    after_days: int = 7          # the days after the incident day that are compared with it
    drop_to: float = 0.5         # quiet when the daily average after is at most this share of before
    min_baseline_per_day: float = 1.0  # accounts that were barely active anyway are left out

    def describe(self) -> str:
        return (f"An account is quiet when its average daily activity in the {self.after_days} days after "
                f"the incident day is at most {self.drop_to:.0%} of its own average over the "
                f"{self.baseline_days} days before, counting days with no activity as zero. Accounts "
                f"averaging under {self.min_baseline_per_day:g} a day before are left out.")


@dataclass(frozen=True)
class ActivityRow:
    account: str
    day: date
    count: int


@dataclass(frozen=True)
class QuietAccount:
    account: str
    baseline_per_day: float
    after_per_day: float

    @property
    def drop(self) -> float:
        """How much of the usual activity is gone, 0.0–1.0."""
        if self.baseline_per_day <= 0:
            return 0.0
        return max(0.0, 1.0 - self.after_per_day / self.baseline_per_day)


def _periods(rows: list[ActivityRow], incident_day: date,
             rule: QuietRule) -> tuple[tuple[date, date], tuple[date, date]] | None:
    """Baseline and after periods, clipped to the days the export actually covers."""
    first = min(r.day for r in rows)
    last = max(r.day for r in rows)
    base = (max(first, incident_day - timedelta(days=rule.baseline_days)), incident_day - timedelta(days=1))
    after = (incident_day + timedelta(days=1), min(last, incident_day + timedelta(days=rule.after_days)))
    if base[1] < base[0] or after[1] < after[0]:
        return None  # the export does not reach both sides of the incident: no honest comparison
    return base, after


def quiet_accounts(rows: Iterable[ActivityRow], incident_day: date,
                   rule: QuietRule = QuietRule()) -> list[QuietAccount]:
    """Accounts that went quiet after the incident, biggest drop first."""
    rows = list(rows)
    if not rows:
        return []
    periods = _periods(rows, incident_day, rule)
    if periods is None:
        return []
    (b0, b1), (a0, a1) = periods
    base_days, after_days = (b1 - b0).days + 1, (a1 - a0).days + 1
    before: dict[str, int] = defaultdict(int)
    after: dict[str, int] = defaultdict(int)
    for row in rows:
        if b0 <= row.day <= b1:
            before[row.account] += row.count
        elif a0 <= row.day <= a1:
            after[row.account] += row.count
    result = []
    for account, total in before.items():
        baseline = total / base_days
        if baseline < rule.min_baseline_per_day:
            continue
        now = after.get(account, 0) / after_days
        if now <= rule.drop_to * baseline:
            result.append(QuietAccount(account, round(baseline, 2), round(now, 2)))
    return sorted(result, key=lambda q: (-q.drop, q.account))
