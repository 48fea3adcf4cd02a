"""The tag model: features (negation, typos, emoji), the shipped weights file, explanations, calibration."""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from postmortem_desktop.analysis.tag_model import MODEL_FILE, TagModel
from postmortem_desktop.analysis.text_features import Vocabulary, feature_names, features, stems, tokens
from postmortem_desktop.resources import resource_path

SAMPLES = [
    "I didn't get my refund, but the app works now 😡",
    "Sooooo the transfer failed AGAIN!!! where is my money??",
    "No problems with the transfer; XXXX called me on XX/XX/XXXX.",
    "can't log in, can't pay, can't even reach support — thinking of leaving",
]


def test_negation_scope_covers_a_few_words_and_stops_at_a_clause_end() -> None:
    words = stems("I did not get a refund, the money never arrived")
    negated = [w for w, n in words if n]
    assert negated == ["get", "a", "refund", "arriv"]


def test_a_contrast_word_ends_the_negation() -> None:
    assert ("broke", False) in stems("not bad but broke")  # "broke" is not negated by "not"


def test_letter_runs_apostrophes_and_case_do_not_split_a_word() -> None:
    assert stems("Sooooo DIDN’T") == stems("soo didnt")


def test_redactions_are_not_words() -> None:
    assert [w for w, _ in stems("XXXX paid XX/XX/XXXX")] == ["paid"]


def test_emoji_become_their_class() -> None:
    assert [w for w, _ in stems("bad 😡 ok 👍")] == ["bad", "emoji_angry", "ok", "emoji_happy"]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_and_positional_paths_give_the_same_words_and_features(text: str) -> None:
    message_tokens = tokens(text)
    assert [(t.stem, t.negated) for t in message_tokens] == stems(text)
    vocabulary = Vocabulary(frozenset({"the", "money", "transfer"}))
    assert feature_names(stems(text), vocabulary) == {name for name, _ in features(stems(text), vocabulary)}


def test_a_misspelt_word_one_edit_away_reads_as_the_known_word() -> None:
    vocabulary = Vocabulary(frozenset({"refund", "transfer", "login"}))
    for typo in ("refnd", "refuund", "rfeund", "refumd"):
        assert vocabulary.correct(typo) == "refund", typo
    assert vocabulary.correct("zebra") == "zebra"  # nothing close: left as it is
    assert vocabulary.correct("rfd") == "rfd"  # too short to guess
    assert "w:refund" in feature_names(stems("where is my refnd"), vocabulary)


def test_shipped_model_explains_with_words_written_in_the_message() -> None:
    text = "The app crashes every time I try to log in and I cannot transfer money to my account"
    passing = [s for s in TagModel.load().score(text, "customer") if s.passes]
    assert "work-stopped" in {s.tag for s in passing}
    for score in passing:
        assert score.words and all(word in text for word in score.words)
        assert 0.5 <= score.confidence <= 1.0


def test_agents_get_wording_tags_and_customers_harm_tags() -> None:
    model = TagModel.load()
    assert {s.tag for s in model.score("anything", "agent")} == {"calming-wording", "worsening-wording"}
    assert "calming-wording" not in {s.tag for s in model.score("anything", "customer")}


def test_confidence_never_falls_as_probability_rises() -> None:
    data = json.loads(gzip.decompress(resource_path(MODEL_FILE).read_bytes()))
    for part in data["parts"].values():
        for table in part["calibration"].values():
            assert table == sorted(table)


def test_shipped_model_was_fitted_on_the_tune_part_only() -> None:
    labels = Path(__file__).resolve().parents[1] / "data" / "real_labels.jsonl"
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    model = TagModel.load()
    for role in ("customer", "agent"):
        assert model.trained_on[role] == sum(1 for r in rows if r["role"] == role and r["split"] == "tune")


def test_a_model_file_of_another_format_is_refused_with_what_to_do(tmp_path) -> None:
    path = tmp_path / "model.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"format": 99, "parts": {}}).encode()))
    with pytest.raises(ValueError, match="make train-tagger"):
        TagModel.load(path)
    path.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="cannot be read"):
        TagModel.load(path)


def _meaning_model(meaning: dict | None) -> TagModel:
    """One customer tag, no word features, bias 0: only the meaning block can move its probability."""
    part = {"tags": ["trust-loss"], "bias": {"trust-loss": 0.0}, "thresholds": {"trust-loss": 0.6},
            "common": [], "features": [], "weights": [], "calibration": {"trust-loss": [0.5] * 20}}
    if meaning is not None:
        part["meaning"] = meaning
    return TagModel({"format": 1, "parts": {"customer": part}})


def test_meaning_is_the_weighted_mean_of_each_words_projection_and_names_the_word() -> None:
    # stem -> (weight in the mean, weight x projection on the tag): "strand" pulls up, "the" barely counts
    model = _meaning_model({"stems": ["strand", "the", "airport"], "rows": [[1.0, 3.0], [0.1, 0.0], [0.5, -0.5]]})
    (score,) = model.score("Stranded at the airport", "customer")
    assert score.probability == pytest.approx(1 / (1 + math.exp(-(3.0 - 0.5) / 1.6)))
    assert score.passes and score.words == ("Stranded",)  # the word whose meaning weighed most, as written
    (unknown,) = model.score("zzz qqq", "customer")
    assert unknown.probability == pytest.approx(0.5)  # no word with a vector: the bias alone


def test_a_model_file_without_meaning_scores_on_words_alone() -> None:
    (score,) = _meaning_model(None).score("Stranded at the airport", "customer")
    assert score.probability == pytest.approx(0.5) and not score.passes


def test_shipped_model_reads_meaning_for_both_parts() -> None:
    data = json.loads(gzip.decompress(resource_path(MODEL_FILE).read_bytes()))
    for name, part in data["parts"].items():
        meaning = part["meaning"]
        assert len(meaning["stems"]) > 5_000, name
        assert all(len(row) == 1 + len(part["tags"]) for row in meaning["rows"]), name
        # frequent words count less in the mean than rare ones (SIF weights)
        weight = dict(zip(meaning["stems"], (row[0] for row in meaning["rows"]), strict=True))
        assert weight["the"] < weight["refund"] < 1.0
