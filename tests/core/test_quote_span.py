"""A quote's span snaps to whole words."""
import re

from postmortem_desktop.domain.quote_span import snap_to_words


def quoted(text, start, end):
    s, e = snap_to_words(text, start, end)
    return text[s:e]


def test_a_selection_caught_mid_word_widens_to_the_whole_words():
    text = "I tried to pay twice and nothing happened."
    assert quoted(text, text.index("ried"), text.index("to pa") + 5) == "tried to pay"
    assert quoted(text, text.index("noth") + 2, text.index("happened") + 3) == "nothing happened"


def test_spaces_at_the_edges_are_dropped_and_punctuation_is_not_pulled_in():
    text = "worried we've lost orders. Please call"
    assert quoted(text, text.index(" we"), text.index("orders") + 6) == "we've lost orders"
    assert quoted(text, text.index("ve lost"), text.index("lost") + 2) == "we've lost"
    assert quoted(text, 0, len(text)) == text


def test_words_in_any_script_and_after_emoji_snap_too():
    text = "Überweisung 🙁 nicht möglich"
    assert quoted(text, text.index("berw"), text.index("nich") + 2) == "Überweisung 🙁 nicht"
    start, end = snap_to_words("a   b", 1, 4)
    assert start == end  # only spaces: nothing to quote


def test_a_whole_conversation_shows_the_lines_that_hold_its_phrases():
    from postmortem_desktop.domain.quote_span import lines_with

    text = "Hi, quick question\nI was charged twice for March\nthanks\nstill no refund for the double charge"
    assert lines_with(text, ["charged twice"]) == "I was charged twice for March"
    assert lines_with(text, ["refund, double"]) == "still no refund for the double charge"  # words that weighed most
    assert lines_with(text, ["Charged Twice", "refund"]).splitlines() == [
        "I was charged twice for March", "still no refund for the double charge"]
    assert lines_with(text, ["not there"]) == text and lines_with(text, []) == text


def test_whole_conversation_cards_show_the_lines_their_suggestions_came_from(demo):
    from postmortem_desktop.services.conversation_cards import quote_whole_conversations
    from postmortem_desktop.services.incidents import IncidentService
    from postmortem_desktop.services.quotes import board_cards, uncarded_conversations_with_suggestions
    from postmortem_desktop.services.suggestions import run_suggestions

    incident_id = next(i.id for i in IncidentService(demo).list_incidents() if "Billing" in i.title)
    run_suggestions(demo, incident_id)
    candidates = uncarded_conversations_with_suggestions(demo, incident_id)
    assert candidates
    quote_whole_conversations(incident_id, candidates).do(demo)
    checked = narrowed = 0
    for card in board_cards(demo, incident_id):
        words = [w.strip() for t in (*card.tags, *card.suggestions) for w in t.phrase.split(",") if w.strip()]
        if card.message_id is not None or not words:
            continue

        def holds(line, words=words):
            return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", line, re.IGNORECASE) for w in words)
        if any(holds(line) for line in card.text.splitlines()):
            shown = card.shown_text.splitlines()
            assert shown and all(holds(line) for line in shown), (card.shown_text, words)
            narrowed += len(shown) < len(card.text.splitlines())
            checked += 1
    assert checked and narrowed  # some cards now lead with their phrase's line instead of the first lines
