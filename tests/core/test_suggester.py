"""Suggestions with reasons and confidence, and learning from what the person confirmed or dismissed."""
from __future__ import annotations

from postmortem_desktop.analysis.example_memory import Example, ExampleMemory
from postmortem_desktop.analysis.suggester import LOW_CONFIDENCE, Suggester
from postmortem_desktop.analysis.tag_model import TagModel
from postmortem_desktop.analysis.tagger import Tagger

EXPORT_TEXTS = [
    "the nightly widget export dropped every row so I rebuilt the sheet from the invoices",
    "widget export dropped rows again, rebuilt the sheet from invoices by hand",
    "the widget export dropped half the rows and we rebuilt the sheet",
]


def suggester(memory: ExampleMemory | None = None) -> Suggester:
    return Suggester(Tagger.from_patterns(), TagModel.load(), memory or ExampleMemory())


def test_a_matched_phrase_is_the_reason_and_its_span_is_kept() -> None:
    text = "I will cancel my subscription tomorrow"
    found = {s.tag: s for s in suggester().suggest(text, "customer")}
    churn = found["churn-risk"]
    assert churn.reason == "the phrase “cancel my subscription”"
    assert text[churn.start : churn.end] == "cancel my subscription"
    assert churn.basis == "phrase" and 0 < churn.confidence <= 1


def test_the_model_reaches_beyond_phrases_and_names_the_words_that_weighed() -> None:
    text = "The app crashes every time I try to log in and I cannot transfer money to my account"
    found = {s.tag: s for s in suggester().suggest(text, "customer")}
    stopped = found["work-stopped"]
    assert stopped.basis == "words" and stopped.reason.startswith("the words that weighed most: “")
    assert stopped.start == -1 and not stopped.low_confidence


def test_wording_tags_are_never_suggested_on_a_customer_message() -> None:
    text = "Sorry for the trouble, this incident has been resolved and no data was lost."
    assert not {s.tag for s in suggester().suggest(text, "customer")} & {"calming-wording", "worsening-wording"}


def test_confirmed_examples_bring_a_tag_the_model_alone_does_not_see() -> None:
    new = "widget export dropped all the rows, so I rebuilt the sheet from the invoices"
    assert "manual-work" not in {s.tag for s in suggester().suggest(new, "customer")}
    memory = ExampleMemory(Example(t, "manual-work") for t in EXPORT_TEXTS)
    found = {s.tag: s for s in suggester(memory).suggest(new, "customer")}
    assert found["manual-work"].reason == "like 3 quotes you tagged manual-work"
    assert found["manual-work"].confidence >= LOW_CONFIDENCE


def test_an_unrelated_message_is_not_pulled_in_by_the_examples() -> None:
    memory = ExampleMemory(Example(t, "manual-work") for t in EXPORT_TEXTS)
    assert "manual-work" not in {s.tag for s in suggester(memory).suggest("love the new dark theme", "customer")}


def test_a_dismissed_suggestion_is_not_offered_again_on_the_same_kind_of_message() -> None:
    text = "I have been charged twice for the March invoice"
    assert "trust-loss" in {s.tag for s in suggester().suggest(text, "customer")}
    memory = ExampleMemory([Example("charged twice for the March invoice", "trust-loss", confirmed=False)])
    assert "trust-loss" not in {s.tag for s in suggester(memory).suggest(text, "customer")}


def test_five_confirmed_examples_set_the_workspace_threshold_for_their_tag() -> None:
    texts = [f"{t} (case {n})" for n, t in enumerate(EXPORT_TEXTS + EXPORT_TEXTS[:2])]
    learner = suggester(ExampleMemory(Example(t, "manual-work") for t in texts))
    thresholds = learner.workspace_thresholds()
    assert set(thresholds) == {"manual-work"}
    assert 0 < thresholds["manual-work"] < 1
    assert suggester(ExampleMemory(Example(t, "manual-work") for t in texts[:4])).workspace_thresholds() == {}
