"""Which customer rows are one person: the rule an import and a publish both match customers by."""
from __future__ import annotations


def customer_key(email: str | None, name: str | None) -> str:
    """Customers are one person by email, or by name when there is no email (either in any case)."""
    return ("e:" + email.strip().lower()) if email and email.strip() else ("n:" + (name or "").strip().lower())
