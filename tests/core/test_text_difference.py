"""Where two versions of a text differ, and the short excerpt a conflict bar shows around it."""
from postmortem_desktop.domain.text_difference import difference, excerpts

LONG = ("Customers could not pay their renewals for forty minutes, and many did not know whether a payment "
        "had gone through; several paid twice with a second card, one company postponed payroll, and a "
        "number of businesses switched to emailed PDF invoices and hand-kept spreadsheets for the day. ")


def test_a_change_at_the_end_of_a_long_text_is_what_the_excerpt_shows():
    mine, theirs = LONG + "Refunds were slow.", LONG + "Refunds took nine days."
    my_part, their_part = excerpts(mine, theirs)
    assert "nine days" in their_part and "were slow" in my_part
    assert their_part.startswith("…") and len(their_part) < 80  # cut before, not the first 160 characters


def test_the_span_covers_every_change_and_leaves_shared_ends_out():
    diff = difference("the apology calmed them", "the refund calmed them")
    assert (diff.start, diff.mine_end, diff.theirs_end) == (4, 11, 10)


def test_a_version_that_only_adds_words_at_the_end_shows_the_added_words():
    diff = difference("Paid twice", "Paid twice, then called")
    assert (diff.start, diff.mine_end, diff.theirs_end) == (10, 10, 23)
    assert excerpts("Paid twice", "Paid twice, then called")[1] == "Paid twice, then called"


def test_a_long_changed_span_is_cut_in_its_middle_so_both_ends_show():
    theirs = "Start. " + "x" * 500 + " END-MARK"
    _mine, their_part = excerpts("Start.", theirs, width=60)
    assert "…" in their_part and their_part.endswith("END-MARK") and len(their_part) <= 80


def test_equal_texts_have_an_empty_difference():
    diff = difference("same", "same")
    assert diff.start == diff.mine_end == diff.theirs_end == 4
