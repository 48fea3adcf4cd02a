"""Tests for the suggested-tags engine: phrases, negation, tolerance, offsets, extras, bad files, quality."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from postmortem_desktop.analysis.phrase_patterns import inflections
from postmortem_desktop.analysis.tagger import Tagger, TagSuggestion, load_pattern_file

LABELED_SET = Path(__file__).resolve().parent.parent / "data" / "tagger_labeled.jsonl"
BUILT_IN_TAGS = {
    "confusion", "trust-loss", "risky-workaround", "work-stopped", "manual-work",
    "data-fear", "churn-risk", "calming-wording", "worsening-wording",
}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_patterns()


def tags_of(tagger: Tagger, text: str) -> set[str]:
    return {s.tag for s in tagger.suggest(text)}


def test_shipped_pattern_file_knows_every_built_in_tag(tagger: Tagger) -> None:
    assert BUILT_IN_TAGS <= set(tagger.tags)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Did my payment go through? The page froze.", "confusion"),
        ("The invoice still says pending.", "confusion"),
        ("I was charged twice for March.", "trust-loss"),
        ("Please send proof that you received it.", "trust-loss"),
        ("I tried again three times before it worked.", "risky-workaround"),
        ("I paid with my personal card instead.", "risky-workaround"),
        ("Don't use the portal today, just email accounting.", "risky-workaround"),
        ("We can't send invoices to clients.", "work-stopped"),
        ("We did the whole run by hand.", "manual-work"),
        ("We moved everything into a spreadsheet.", "manual-work"),
        ("Is my data safe after this?", "data-fear"),
        ("Please cancel my account.", "churn-risk"),
        ("I've checked and your payment went through once.", "calming-wording"),
        ("No action needed on your side.", "calming-wording"),
        ("Please try again later.", "worsening-wording"),
        ("It works on our end.", "worsening-wording"),
        ("Please clear your cache.", "worsening-wording"),
        ("We are not aware of any issues.", "worsening-wording"),
    ],
)
def test_each_built_in_tag_is_suggested_for_its_phrases(tagger: Tagger, text: str, tag: str) -> None:
    assert tag in tags_of(tagger, text)


@pytest.mark.parametrize(
    "text",
    [
        "I was not charged twice.",
        "I wasn't charged twice after all.",
        "I wasn\u2019t charged twice after all.",
        "There was no double charge on my card.",
        "I never got double charged.",
    ],
)
def test_negated_double_charge_is_not_trust_loss(tagger: Tagger, text: str) -> None:
    assert "trust-loss" not in tags_of(tagger, text)


def test_negated_data_risk_is_not_data_fear(tagger: Tagger) -> None:
    assert "data-fear" not in tags_of(tagger, "I don't think my data is at risk.")


def test_negation_in_another_clause_does_not_suppress(tagger: Tagger) -> None:
    assert "trust-loss" in tags_of(tagger, "I did not expect this, but I was charged twice.")


def test_doubt_is_not_negation(tagger: Tagger) -> None:
    assert "confusion" in tags_of(tagger, "I'm not sure if my payment went through.")
    assert "data-fear" in tags_of(tagger, "I don't know if my data is safe now.")


def test_calming_negation_is_calming_wording_not_trust_loss(tagger: Tagger) -> None:
    found = tags_of(tagger, "Don't worry, you will NOT be charged twice.")
    assert "calming-wording" in found
    assert "trust-loss" not in found


@pytest.mark.parametrize("text", ["I was charged twice", "They charge me twice", "charging twice again?"])
def test_inflections_of_charge_match(tagger: Tagger, text: str) -> None:
    assert "trust-loss" in tags_of(tagger, text)


def test_inflection_expansion_covers_common_forms() -> None:
    assert {"charge", "charges", "charged", "charging"} <= set(inflections("charge"))
    assert {"stop", "stopped", "stopping"} <= set(inflections("stop"))
    assert {"retry", "retries", "retried"} <= set(inflections("retry"))


@pytest.mark.parametrize(
    "text",
    ["u charged me 2x!!", "got double-charged", "DOUBLE CHARGED AGAIN", "double charged 😡😡", "charged twice🙄"],
)
def test_slang_case_hyphens_and_emoji_still_match(tagger: Tagger, text: str) -> None:
    assert "trust-loss" in tags_of(tagger, text)


@pytest.mark.parametrize("text", ["did it go thru", "didnt know if it went through", "DONT know if it went through"])
def test_typos_and_missing_apostrophes_match(tagger: Tagger, text: str) -> None:
    assert "confusion" in tags_of(tagger, text)


def test_word_boundaries_prevent_partial_word_matches(tagger: Tagger) -> None:
    assert "trust-loss" not in tags_of(tagger, "The approofing step and disproof page.")


def test_offsets_point_at_the_phrase(tagger: Tagger) -> None:
    text = "Hi!! So I was DOUBLE-charged, did it go thru?? Is my data safe 😟 I'll cancel my account"
    suggestions = tagger.suggest(text)
    assert len(suggestions) >= 4
    for suggestion in suggestions:
        assert text[suggestion.start : suggestion.end] == suggestion.phrase


def test_one_suggestion_per_tag_and_ordered_by_position(tagger: Tagger) -> None:
    text = "Cancel my account. I was charged twice. Also charged twice yesterday. Close my account."
    suggestions = tagger.suggest(text)
    assert [s.tag for s in suggestions] == ["churn-risk", "trust-loss"]
    assert suggestions[1].start == text.index("charged twice")


def test_first_negated_occurrence_is_skipped_for_a_later_one(tagger: Tagger) -> None:
    text = "I was not charged twice on Monday. Today I was charged twice."
    (suggestion,) = [s for s in tagger.suggest(text) if s.tag == "trust-loss"]
    assert suggestion.start == text.rindex("charged twice")


def test_suggestion_is_a_frozen_record() -> None:
    suggestion = TagSuggestion("confusion", "still says", 0, 10)
    with pytest.raises(AttributeError):
        suggestion.tag = "other"  # type: ignore[misc]


def test_workspace_extra_adds_a_new_tag_and_keeps_built_ins() -> None:
    tagger = Tagger.from_patterns(extra={"missed-payroll": ["payroll ... late"]})
    found = tags_of(tagger, "Payroll will be a day late and I was charged twice.")
    assert {"missed-payroll", "trust-loss"} <= found
    assert "missed-payroll" in tagger.tags


def test_workspace_extra_extends_an_existing_tag() -> None:
    plain = Tagger.from_patterns()
    text = "We are fuming about the invoices."
    assert "trust-loss" not in tags_of(plain, text)
    extended = Tagger.from_patterns(extra={"trust-loss": ["fuming"]})
    assert "trust-loss" in tags_of(extended, text)


def test_explicit_patterns_replace_the_shipped_file() -> None:
    tagger = Tagger.from_patterns({"_variants": {"please": ["pls"]}, "polite": ["please help"]})
    assert tagger.tags == ("polite",)
    assert tags_of(tagger, "pls help me") == {"polite"}


def test_optional_words_and_gaps(tagger: Tagger) -> None:
    custom = Tagger.from_patterns({"x": ["send [the] invoice", "where did ... go"]})
    assert tags_of(custom, "send invoice now") == {"x"}
    assert tags_of(custom, "send the invoice now") == {"x"}
    assert tags_of(custom, "where did my saved drafts go") == {"x"}
    assert tags_of(custom, "where did a b c d e f go") == set()


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "patterns.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "{not json")
    with pytest.raises(ValueError, match="not valid UTF-8 JSON"):
        load_pattern_file(path)


def test_tag_mapping_to_a_string_is_refused_with_the_tag_named(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"confusion": "did it go through"}))
    with pytest.raises(ValueError, match="'confusion' must map to a list"):
        load_pattern_file(path)


def test_pattern_starting_with_optional_word_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"confusion": ["[did] it go through"]}))
    with pytest.raises(ValueError, match=r"must start with a required word"):
        load_pattern_file(path)


def test_bad_tag_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"Bad Tag": ["x"]}))
    with pytest.raises(ValueError, match="lower-case"):
        load_pattern_file(path)


def test_missing_file_is_a_clear_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_pattern_file(tmp_path / "nope.json")


def test_malformed_word_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"confusion": ["did (it go"]}))
    with pytest.raises(ValueError, match="malformed word"):
        load_pattern_file(path)


def load_labeled() -> list[dict]:
    with LABELED_SET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_labeled_set_is_well_formed_and_covers_every_tag() -> None:
    rows = load_labeled()
    assert len(rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)
    heldout = [r for r in rows if r["split"] == "heldout"]
    assert 0.25 <= len(heldout) / len(rows) <= 0.45
    for tag in BUILT_IN_TAGS:
        assert any(tag in r["tags"] for r in heldout), tag
    assert sum(1 for r in rows if not r["tags"]) >= 40  # hard negatives and chit-chat


def precision_recall(tagger: Tagger, rows: list[dict]) -> tuple[float, float]:
    tp = fp = fn = 0
    for row in rows:
        found = {s.tag for s in tagger.suggest(row["text"])}
        expected = set(row["tags"])
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return tp / (tp + fp), tp / (tp + fn)


def test_heldout_precision_stays_above_floor(tagger: Tagger) -> None:
    heldout = [r for r in load_labeled() if r["split"] == "heldout"]
    precision, recall = precision_recall(tagger, heldout)
    assert precision >= 0.9
    assert recall >= 0.6


def test_tune_precision_stays_above_floor(tagger: Tagger) -> None:
    tune = [r for r in load_labeled() if r["split"] == "tune"]
    precision, _ = precision_recall(tagger, tune)
    assert precision >= 0.9
