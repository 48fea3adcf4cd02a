"""A quote's span snaps to whole words."""
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
