"""The customer-severity rubric: evidence of customer harm → a suggested level and its reasons."""
from __future__ import annotations

from dataclasses import dataclass

from .counting import counted
from .timing import format_duration
from .vocabulary import SEVERITIES

# Each threshold is one line of the rubric; the reasons quote the figures so people can argue with them.
LONGER_FACTOR = 3          # customers felt it at least this many times longer than the logs show…
LONGER_MIN_MINUTES = 60    # …and for at least an hour
MANY_ACCOUNTS = 20
RISKY_WORKAROUNDS = 3
TRUST_AND_FEAR = 5
WORK_STOPPED = 3
RAISE_ONE_AT = 2           # two signs of harm raise the level by one…
RAISE_TWO_AT = 5           # …five by two (never more: the rubric argues, people decide)


@dataclass(frozen=True)
class SeverityEvidence:
    technical_severity: str = "SEV3"
    technical_minutes: int | None = None
    customer_minutes: int | None = None
    accounts_affected: int = 0
    money_mentions: int = 0          # conversations where customers lost, paid twice or were charged
    risky_workarounds: int = 0       # quotes tagged risky-workaround
    trust_loss: int = 0              # quotes tagged trust-loss
    data_fear: int = 0               # quotes tagged data-fear
    work_stopped: int = 0            # quotes tagged work-stopped
    churn_risk: int = 0              # quotes tagged churn-risk


@dataclass(frozen=True)
class SeveritySuggestion:
    technical: str
    suggested: str
    reasons: tuple[str, ...]

    def sentence(self) -> str:
        """'technical SEV3 → customer SEV2, because …' — the line the review shows."""
        because = "; ".join(self.reasons) if self.reasons else "no customer evidence yet"
        return f"technical {self.technical} → customer {self.suggested}, because {because}"


def _level(name: str) -> int:
    return SEVERITIES.index(name) + 1 if name in SEVERITIES else 3


def _name(level: int) -> str:
    return SEVERITIES[max(1, min(len(SEVERITIES), level)) - 1]


def _harm_signs(ev: SeverityEvidence) -> list[str]:
    signs = []
    tech, cust = ev.technical_minutes, ev.customer_minutes
    if tech and cust and cust >= LONGER_MIN_MINUTES and cust >= LONGER_FACTOR * tech:
        signs.append(f"customers were affected for {_minutes(cust)} against {_minutes(tech)} in the logs "
                     f"({cust / tech:.0f}× longer)")
    if ev.accounts_affected >= MANY_ACCOUNTS:
        signs.append(f"{counted(ev.accounts_affected, 'account')} contacted support")
    if ev.money_mentions:
        signs.append(f"money was involved in {_count(ev.money_mentions, 'conversation')} "
                     "(double charges, failed or delayed payments)")
    if ev.risky_workarounds >= RISKY_WORKAROUNDS:
        signs.append(f"{_count(ev.risky_workarounds, 'risky workaround')} (retries, personal cards, manual work)")
    if ev.trust_loss + ev.data_fear >= TRUST_AND_FEAR:
        signs.append(f"{_count(ev.trust_loss + ev.data_fear, 'trust-loss or data-fear quote')}")
    if ev.work_stopped >= WORK_STOPPED:
        signs.append(f"{_count(ev.work_stopped, 'quote')} where work stopped")
    if ev.churn_risk:
        signs.append(f"{_count(ev.churn_risk, 'customer')} talking of leaving")
    return signs


def _minutes(total: int) -> str:
    from datetime import timedelta

    return format_duration(timedelta(minutes=total))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def suggest(ev: SeverityEvidence) -> SeveritySuggestion:
    """Raises the technical level one step at two signs of customer harm, two steps at five.

    With no harm at all, few accounts and a customer window shorter than the technical one,
    customers barely noticed, and the suggestion is one step lower than the technical level.
    """
    level = _level(ev.technical_severity)
    technical = _name(level)
    signs = _harm_signs(ev)
    if signs:
        raise_by = 2 if len(signs) >= RAISE_TWO_AT else 1 if len(signs) >= RAISE_ONE_AT else 0
        if raise_by == 0:
            signs = signs + ["one sign of harm alone does not change the level"]
        return SeveritySuggestion(technical, _name(level - raise_by), tuple(signs))
    if ev.accounts_affected == 0:
        return SeveritySuggestion(technical, technical, ("no customer conversations yet",))
    quiet = (ev.accounts_affected <= 2 and ev.customer_minutes is not None
             and ev.technical_minutes is not None and ev.customer_minutes < ev.technical_minutes)
    if quiet:
        return SeveritySuggestion(technical, _name(level + 1), (
            f"only {_count(ev.accounts_affected, 'account')} contacted support, for less time than the "
            "outage, with no sign of harm",))
    return SeveritySuggestion(technical, technical, ("no sign of harm beyond the technical impact",))
