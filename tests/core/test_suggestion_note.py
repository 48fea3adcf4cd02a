"""A suggestion row keeps evidence, reason and confidence in its phrase text, and older rows still read."""
from postmortem_desktop.domain.suggestion_note import SEPARATOR, SuggestionNote


def test_a_note_survives_the_round_trip() -> None:
    note = SuggestionNote("charged twice", "the phrase “charged twice”", 0.8234)
    back = SuggestionNote.decode(note.encode())
    assert (back.phrase, back.reason, round(back.confidence, 3)) == ("charged twice", note.reason, 0.823)
    assert back.percent() == "82 %"


def test_a_row_from_before_reads_as_a_phrase_of_unknown_confidence() -> None:
    old = SuggestionNote.decode("charged twice")
    assert (old.phrase, old.reason, old.confidence, old.percent()) == (
        "charged twice", "the phrase “charged twice”", None, "")


def test_the_separator_inside_text_cannot_break_the_fields() -> None:
    note = SuggestionNote(f"a{SEPARATOR}b", f"why{SEPARATOR}not", 0.5)
    back = SuggestionNote.decode(note.encode())
    assert (back.phrase, back.reason, back.confidence) == ("a b", "why not", 0.5)


def test_a_damaged_confidence_is_unknown_not_an_error() -> None:
    back = SuggestionNote.decode(SEPARATOR.join(("words", "the reason", "lots")))
    assert back.confidence is None and back.phrase == "words"
