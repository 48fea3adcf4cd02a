"""Rebuilds resources/tag_model.json.gz from the tune part of the hand-labelled real passages.

Needs the build-time extra: pip install -e ".[train]" (scikit-learn). Deterministic: the same labels
give the same file byte for byte. The held-out part is never read here.

For each tag: logistic regression (liblinear, balanced classes) over the features of
postmortem_desktop.analysis.text_features and the passage's meaning: its weighted mean word vector from
a static embedding table distilled from a sentence transformer (scripts/static_embeddings.py),
standardised and scaled by MEANING_WEIGHT; the regularisation strength is chosen by 5-fold cross
validation on the tune part. The file holds each stem's projection on each tag's direction, not the
vectors (tag_model.py scores in plain Python). Each tag's out-of-fold predictions give a calibration table: the
precision (smoothed, never decreasing) of "probability >= step". Thresholds are then chosen for all
tags together, precision first (the budget is micro precision): starting with every tag silent, the
threshold move that adds suggestions at the highest precision is taken, one at a time, and the
furthest point on that path is kept at which all the suggestions the app would show on the tune part
(model above threshold, or a shown phrase pattern), pooled over tags, stay at least TARGET_PRECISION
precise even one standard error down, the target
raised by the choice's own optimism (estimated by choosing on four fifths of the tune part and
checking on the fifth). Pooling lets a
well-learnt tag (data-fear) reach further than a per-tag rule would, and keeps a tag the model cannot
learn (too few examples) silent. Phrase patterns are not thresholded: each tag's patterns get their
measured precision on the tune part as their confidence.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import KFold
from sklearn.preprocessing import normalize

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

import static_embeddings  # noqa: E402
import tagger_corpus  # noqa: E402

from postmortem_desktop.analysis.suggester import LOW_CONFIDENCE  # noqa: E402
from postmortem_desktop.analysis.tag_model import MODEL_FILE, MODEL_FORMAT  # noqa: E402
from postmortem_desktop.analysis.tagger import Tagger  # noqa: E402
from postmortem_desktop.analysis.text_features import Vocabulary, clean_text, feature_names, stems  # noqa: E402

SEED = 20261206
FOLDS = 5
C_GRID = (0.5, 2.0, 8.0, 32.0)  # the best tags chose the top of the old (0.5-8) grid, so it reaches further
TARGET_PRECISION = 0.85
MIN_PREDICTED = 4  # a threshold must be backed by at least this many suggestions on the tune part
MIN_COMMON_DOCS = 3  # a stem seen in this many passages is known; others within one edit of one are read as it
MIN_FEATURE_DOCS = 2
CALIBRATION_STEPS = tuple(round(0.05 * i, 2) for i in range(20))  # must match tag_model.CALIBRATION_STEPS
PRUNE_BELOW = 1e-3
OFF = 1.01  # a threshold no probability reaches: the model stays silent for that tag
# How much the meaning block counts beside the unit-length n-gram block: its standardised dimensions
# times this, so one C regularises both sensibly (chosen by scripts/embedding_experiment.py, tune part)
MEANING_WEIGHT = 0.03
PARTS = {"customer": tagger_corpus.CUSTOMER_TAGS, "agent": tagger_corpus.AGENT_TAGS}


def common_stems(texts: list[str]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for text in texts:
        for stem in {s for s, _ in stems(clean_text(text))}:
            counts[stem] = counts.get(stem, 0) + 1
    return frozenset(stem for stem, n in counts.items() if n >= MIN_COMMON_DOCS)


def design(texts: list[str], common: frozenset[str]):  # noqa: ANN201
    """Binary features scaled to unit length per passage, exactly as TagModel.score weighs them."""
    vocabulary = Vocabulary(common)
    rows = [dict.fromkeys(feature_names(stems(clean_text(t)), vocabulary), 1.0) for t in texts]
    vectorizer = DictVectorizer()
    matrix = normalize(vectorizer.fit_transform(rows))  # every feature counts in the length, as in scoring
    # a feature seen in one passage only is that passage's fingerprint, not evidence: it gets no weight
    seen_twice = np.asarray((matrix > 0).sum(axis=0)).ravel() >= MIN_FEATURE_DOCS
    vectorizer.restrict(seen_twice)
    return matrix[:, seen_twice], vectorizer


@dataclass
class Meaning:
    """One part's meaning block: passages' mean vectors, standardised on the tune part and scaled."""

    table: static_embeddings.StemTable
    mean: np.ndarray
    scale: np.ndarray  # MEANING_WEIGHT / standard deviation, per dimension

    @classmethod
    def fit(cls, table: static_embeddings.StemTable, texts: list[str]) -> tuple[Meaning, np.ndarray]:
        vectors = np.stack([table.mean(stems(clean_text(t))) for t in texts])
        mean, spread = vectors.mean(axis=0), vectors.std(axis=0)
        meaning = cls(table, mean, MEANING_WEIGHT / np.where(spread > 0, spread, 1.0))
        return meaning, (vectors - mean) * meaning.scale

    def fold(self, coefficients: np.ndarray, bias: float) -> tuple[np.ndarray, float]:
        """The tag's coefficients on the block as one number per stem (its projection), and the bias
        that makes a passage with no known word score as it did in training (mean vector zero)."""
        direction = coefficients * self.scale
        return self.table.vectors @ direction, bias - float(self.mean @ direction)


def fit(matrix, y: np.ndarray, c: float) -> LogisticRegression:  # noqa: ANN001
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
    return model.fit(matrix, y)


def out_of_fold(matrix, y: np.ndarray, c: float) -> np.ndarray:  # noqa: ANN001
    """Each passage's probability from a model that never saw its label (5 folds over the tune part)."""
    oof = np.zeros(len(y))
    for train, test in KFold(FOLDS, shuffle=True, random_state=SEED).split(y):
        if y[train].sum() == 0:
            continue
        oof[test] = fit(matrix[train], y[train], c).predict_proba(matrix[test])[:, 1]
    return oof


@dataclass
class TagFit:
    """One tag's out-of-fold evidence on the tune part, from which its threshold is chosen."""

    tag: str
    oof: np.ndarray  # each passage's probability from a model that never saw its label
    y: np.ndarray
    table: list[float]  # calibration: measured precision of "probability >= step"
    pattern_shown: np.ndarray  # passages where a phrase pattern of this tag is shown (not hidden as unsure)

    def candidates(self) -> list[float]:
        """Steps a threshold may take: shown by default (confidence not unsure) and backed by enough suggestions."""
        return [float(step) for step, precision in zip(CALIBRATION_STEPS, self.table, strict=True)
                if precision >= LOW_CONFIDENCE and (self.oof >= step).sum() >= MIN_PREDICTED]

    def shown(self, threshold: float) -> np.ndarray:
        return (self.oof >= threshold) | self.pattern_shown


def pooled(fits: list[TagFit], thresholds: dict[str, float]) -> tuple[int, int]:
    """(right, shown): what the app would show on the tune part with these thresholds, over all tags."""
    shown = [f.shown(thresholds[f.tag]) for f in fits]
    return sum(int((s & f.y).sum()) for s, f in zip(shown, fits, strict=True)), sum(int(s.sum()) for s in shown)


def on_target(right: int, shown: int, target: float = TARGET_PRECISION) -> bool:
    """Pooled precision one (binomial) standard error down still reaches the target.

    The margin is how uncertain a precision measured on this many suggestions is (about 0.03 on 150):
    the budget is about messages not seen yet.
    """
    if not shown:
        return True
    precision = right / shown
    return precision - math.sqrt(precision * (1 - precision) / shown) >= target


def subset(fits: list[TagFit], keep: Callable[[int], np.ndarray]) -> list[TagFit]:
    """The same tags on some of the passages (keep gives the mask for a part of that many passages)."""
    found = []
    for f in fits:
        mask = keep(len(f.y))
        found.append(TagFit(f.tag, f.oof[mask], f.y[mask], calibration(f.oof[mask], f.y[mask]), f.pattern_shown[mask]))
    return found


def optimism(fits: list[TagFit]) -> float:
    """How much choosing thresholds flatters the precision it is chosen on (a winner's curse).

    Thresholds are chosen on four fifths of the tune part's out-of-fold predictions and their pooled
    precision is measured on the fifth left out; the mean shortfall over the five is added to the
    target, so the final choice aims at what unseen messages will show, not at its own sample.
    """
    def fold_of(n: int) -> np.ndarray:
        return np.random.default_rng(SEED).permutation(n) % FOLDS

    shortfalls = []
    for k in range(FOLDS):
        chosen_on = subset(fits, lambda n, k=k: fold_of(n) != k)
        left_out = subset(fits, lambda n, k=k: fold_of(n) == k)
        thresholds = choose_thresholds(chosen_on)
        right_in, shown_in = pooled(chosen_on, thresholds)
        right_out, shown_out = pooled(left_out, thresholds)
        if shown_in and shown_out:
            shortfalls.append(right_in / shown_in - right_out / shown_out)
    return max(0.0, float(np.mean(shortfalls))) if shortfalls else 0.0


def choose_thresholds(fits: list[TagFit], target: float = TARGET_PRECISION) -> dict[str, float]:
    """Precision first: lower thresholds in order of how precise their extra suggestions are, and keep the
    furthest point on that path whose pooled precision is still on target (every tag silent if none is)."""
    thresholds = {f.tag: OFF for f in fits}
    kept = dict(thresholds)
    while True:
        right, shown = pooled(fits, thresholds)
        best: tuple[float, int, str, float] | None = None
        for f in fits:
            for step in f.candidates():
                if step >= thresholds[f.tag]:
                    continue
                trial_right, trial_shown = pooled(fits, {**thresholds, f.tag: step})
                if trial_shown == shown:
                    continue
                move = ((trial_right - right) / (trial_shown - shown), trial_right - right, f.tag, step)
                if best is None or move[:2] > best[:2]:
                    best = move
        if best is None:
            return kept
        thresholds[best[2]] = best[3]
        if on_target(*pooled(fits, thresholds), target):
            kept = dict(thresholds)


def calibration(oof: np.ndarray, y: np.ndarray) -> list[float]:
    """Out-of-fold precision of "probability >= step" for each step, smoothed and never decreasing.

    A suggestion's confidence is read from this table: the share of such suggestions that were right.
    """
    table, floor = [], 0.0
    for step in CALIBRATION_STEPS:
        predicted = oof >= step
        precision = ((predicted & y).sum() + 1) / (predicted.sum() + 2)
        floor = max(floor, float(precision))
        table.append(round(floor, 3))
    return table


def train_part(passages: list, tags: tuple[str, ...], patterns: Tagger, report: list[str],
               precisions: dict[str, float], fits: list[TagFit], table: static_embeddings.StemTable) -> dict:
    """One part's weights and calibration; its thresholds are set later, for all tags together."""
    texts = [p.text for p in passages]
    common = common_stems(texts)
    part = {"tags": list(tags), "bias": {}, "thresholds": {}, "common": sorted(common)}
    ngram_matrix, vectorizer = design(texts, common)
    meaning, block = Meaning.fit(table, texts)
    full_matrix = sparse.hstack([ngram_matrix, sparse.csr_matrix(block)]).tocsr()
    names = [str(n) for n in vectorizer.get_feature_names_out()]
    columns: dict[str, dict[str, float]] = {}
    projections: dict[str, np.ndarray] = {}
    for tag in tags:
        y = np.array([tag in p.tags for p in passages])
        pattern_hit = np.array([any(s.tag == tag for s in patterns.suggest(t)) for t in texts])
        if pattern_hit.sum():
            # Laplace-smoothed: a tag whose patterns matched twice is not called 0 % or 100 % precise
            precisions[tag] = round(float(((pattern_hit & y).sum() + 1) / (pattern_hit.sum() + 2)), 3)
        pattern_shown = pattern_hit & (precisions.get(tag, 0.0) >= LOW_CONFIDENCE)
        if y.sum() < FOLDS:
            report.append(f"  {tag:18} {int(y.sum())} examples: too few, model off")
            part["bias"][tag], part["thresholds"][tag], columns[tag] = -30.0, OFF, {}
            projections[tag] = np.zeros(len(meaning.table.stems))
            part.setdefault("calibration", {})[tag] = [0.0] * len(CALIBRATION_STEPS)
            fits.append(TagFit(tag, np.zeros(len(y)), y, [0.0] * len(CALIBRATION_STEPS), pattern_shown))
            continue
        scored = {c: out_of_fold(full_matrix, y, c) for c in C_GRID}
        c = max(C_GRID, key=lambda value: average_precision_score(y, scored[value]))
        table = calibration(scored[c], y)
        fits.append(TagFit(tag, scored[c], y, table, pattern_shown))
        model = fit(full_matrix, y, c)
        coefficients = model.coef_[0]
        weights = {n: round(float(w), 4) for n, w in zip(names, coefficients[: len(names)], strict=True)
                   if abs(w) >= PRUNE_BELOW}
        projections[tag], bias = meaning.fold(coefficients[len(names) :], float(model.intercept_[0]))
        part["bias"][tag] = round(bias, 4)
        part.setdefault("calibration", {})[tag] = table
        columns[tag] = weights
        report.append(f"  {tag:18} {int(y.sum()):4} examples  C={c:<4} {len(weights)} weights  "
                      f"cv average precision {average_precision_score(y, scored[c]):.2f}")
    kept = sorted(set().union(*columns.values()))
    part["features"] = kept
    part["weights"] = [[columns[tag].get(name, 0.0) for tag in tags] for name in kept]
    # each stem: its weight in the passage's mean, then weight x projection per tag (tag_model._Part.meaning)
    part["meaning"] = {"stems": meaning.table.stems, "rows": [
        [round(float(w), 5)] + [round(float(w * projections[tag][i]), 5) for tag in tags]
        for i, w in enumerate(meaning.table.weights)]}
    return part


def set_thresholds(data: dict, fits: list[TagFit], report: list[str]) -> None:
    """Every tag's threshold, chosen together; the report says what they give on the tune part."""
    margin = optimism(fits)
    thresholds = choose_thresholds(fits, TARGET_PRECISION + margin)
    report.append(f"thresholds aimed at precision {TARGET_PRECISION} + {margin:.3f} (the choice's own optimism, "
                  "measured by choosing on four fifths of the tune part and checking on the fifth)")
    for part in data["parts"].values():
        for tag in part["tags"]:
            part["thresholds"][tag] = round(thresholds[tag], 4)
    right, shown = pooled(fits, thresholds)
    report.append(f"out of fold on the tune part: {shown} suggestions, precision {right / max(1, shown):.3f}, "
                  f"recall {right / max(1, sum(int(f.y.sum()) for f in fits)):.3f}")
    for f in fits:
        shown_here = f.shown(thresholds[f.tag])
        report.append(f"  {f.tag:18} threshold {thresholds[f.tag]:.2f}  precision "
                      f"{(shown_here & f.y).sum() / max(1, shown_here.sum()):.2f}  recall "
                      f"{(shown_here & f.y).sum() / max(1, f.y.sum()):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", default=str(REPO / "resources" / MODEL_FILE))
    args = parser.parse_args(argv)
    patterns = Tagger.from_patterns()
    report: list[str] = []
    data: dict = {"format": MODEL_FORMAT, "parts": {}, "trained_on": {}, "pattern_precision": {}}
    fits: list[TagFit] = []
    table = static_embeddings.build_contextual_table()
    report.append(f"meaning: {len(table.stems)} stems, {table.vectors.shape[1]} dimensions")
    for role, tags in PARTS.items():
        passages = tagger_corpus.load(split="tune", role=role)
        report.append(f"{role}: {len(passages)} tune passages")
        data["parts"][role] = train_part(passages, tags, patterns, report, data["pattern_precision"], fits, table)
        data["trained_on"][role] = len(passages)
    set_thresholds(data, fits, report)
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(args.output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(payload)
    print("\n".join(report))
    print(f"wrote {args.output} ({Path(args.output).stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
