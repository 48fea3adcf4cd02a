"""The product's fixed vocabulary: statuses, channels, roles, tag sources, areas, built-in tags."""
from __future__ import annotations

from enum import Enum


class IncidentStatus(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CLOSED = "closed"
    FOLLOWED_UP = "followed_up"


class Channel(str, Enum):
    TICKET = "ticket"
    CHAT = "chat"
    CALL = "call"
    EMAIL = "email"
    INTERNAL = "internal"


class Role(str, Enum):
    CUSTOMER = "customer"
    AGENT = "agent"
    INTERNAL = "internal"


class TagSource(str, Enum):
    """Where a tag assignment came from; a suggestion is never counted as evidence until accepted."""

    MANUAL = "manual"
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


#: The one rule for evidence: a tag counts (in a column, a count, the report, the review) only when a
#: person put it there or accepted it. "suggested" is a ghost until accepted, "dismissed" a memory.
EVIDENCE_SOURCES: tuple[str, ...] = (TagSource.MANUAL.value, TagSource.ACCEPTED.value)


class ActionArea(str, Enum):
    PRODUCT = "product"
    SUPPORT = "support"
    ENGINEERING = "engineering"
    OPERATIONS = "operations"


class ActionStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class SystemEventKind(str, Enum):
    ALERT = "alert"
    DEPLOY = "deploy"
    MITIGATION = "mitigation"
    RECOVERY = "recovery"
    STATUS_PAGE = "status-page"
    NOTE = "note"


SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")

# (name, colour index into the palette in resources/palette.json, description)
BUILT_IN_TAGS: tuple[tuple[str, str], ...] = (
    ("confusion", "Customers unsure what happened or what to do"),
    ("trust-loss", "Asking for proof, doubting results, waiting before using it again"),
    ("risky-workaround", "Retrying payments, personal cards, telling others to avoid the product"),
    ("work-stopped", "A real task could not be finished"),
    ("manual-work", "Work done by hand or in another tool instead"),
    ("data-fear", "Worry that data or money records are wrong or missing"),
    ("churn-risk", "Talk of cancelling or moving elsewhere"),
    ("calming-wording", "Agent wording that calmed people"),
    ("worsening-wording", "Agent wording that made things worse"),
)

# Agent-wording tags describe the support reply, not the customer's harm: a conversation's dominant
# tag (its bar colour on the timeline, on screen and in the PDF) is one of them only when it has no harm tag.
WORDING_TAGS = frozenset({"calming-wording", "worsening-wording"})


def dominant_tag_rank(name: str, count: int, position: int) -> tuple[bool, int, int]:
    """Sort key of a conversation's tags, lowest first: harm before wording, then most evidence, then board order."""
    return name in WORDING_TAGS, -count, position

REVIEW_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("task", "What was the person trying to finish when the incident hit?"),
    ("confusing", "Which page or message confused them most?"),
    ("workaround", "What workaround did they try, and what did it cost in time or risk?"),
    ("wording", "What support wording calmed people, and what made it worse?"),
    ("contact", "Which customers need direct contact now?"),
)

# One fact, typed once: these questions ask for what the close-out record also needs, so their
# answer IS that close-out field (stored on the incident), shown and counted in both places.
RECORD_FIELD_OF_ANSWER: dict[str, str] = {
    "task": "most_broken_task",
    "workaround": "first_workaround",
}
