"""What the Add Conversation preview says about a paste is worked out in the core, limit included."""
from datetime import UTC, datetime

import pytest

from postmortem_desktop.importers.records import ParsedMessage, ParsedTranscript
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.conversations import AddConversation, NewConversation
from postmortem_desktop.services.paste_preview import MAX_MESSAGES, preview_paste, too_many_messages


def _at(hour: int) -> datetime:
    return datetime(2023, 6, 1, hour, tzinfo=UTC)


def test_the_preview_lists_authors_in_order_with_their_first_role_and_the_busiest_customer():
    transcript = ParsedTranscript("plain", [
        ParsedMessage("Acme Support", "hello", _at(9), "agent"),
        ParsedMessage("Dana", "my invoice failed", _at(10), "customer"),
        ParsedMessage("Lee", "me too", None, "customer"),
        ParsedMessage("Dana", "still failing", _at(11), "customer"),
        ParsedMessage("Acme Support", "[internal] ask billing", _at(12), "internal"),
    ])
    preview = preview_paste(transcript, (_at(9), _at(10)))
    assert preview.authors == [("Acme Support", "agent"), ("Dana", "customer"), ("Lee", "customer")]
    assert preview.main_customer == "Dana"
    assert (preview.earliest, preview.latest, preview.dated) == (_at(9), _at(12), 4)
    assert preview.outside == 2  # 11:00 and 12:00 fall after the review window; the undated one counts for nothing
    assert preview.refusal is None


def test_a_paste_over_the_limit_is_refused_naming_the_limit_and_what_to_do():
    assert too_many_messages(MAX_MESSAGES) is None
    refusal = too_many_messages(600_000)
    assert refusal is not None
    assert "600,000" in refusal and f"{MAX_MESSAGES:,}" in refusal and "Split" in refusal


def test_adding_a_conversation_over_the_limit_says_the_same_as_the_preview():
    messages = [ParsedMessage("Dana", "hi", None, "customer")] * (MAX_MESSAGES + 1)
    with pytest.raises(RuleError) as refused:
        AddConversation(1, NewConversation(channel="chat", messages=messages))
    assert str(refused.value) == too_many_messages(MAX_MESSAGES + 1)
