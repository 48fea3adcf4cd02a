"""Does meaning help? Recall at 0.85 precision, cross-validated on the tune part only (build venv).

Compares, with the same 5 folds and the same precision-first threshold choice as train_tagger.py
(pooled over all tags, phrase patterns left out so only the models are compared):
- the shipped n-gram model's features;
- static word embeddings (scripts/static_embeddings.py) alone and beside the n-grams;
- the full transformer's sentence embeddings (an upper bound: too big and slow to ship).
The held-out part is never read. Run: /work/train-venv/bin/python scripts/embedding_experiment.py
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

import static_embeddings  # noqa: E402
import tagger_corpus  # noqa: E402
import train_tagger as tt  # noqa: E402

from postmortem_desktop.analysis.text_features import clean_text, stems  # noqa: E402


def curve(fits: list[tt.TagFit]) -> str:
    """Pooled out-of-fold precision/recall at the thresholds chosen for 0.85, and the best recall at 0.85."""
    positives = sum(int(f.y.sum()) for f in fits)
    thresholds = tt.choose_thresholds(fits, 0.85)
    right, shown = tt.pooled(fits, thresholds)
    points = []
    for target in (0.95, 0.9, 0.85, 0.8, 0.7):
        r, s = tt.pooled(fits, tt.choose_thresholds(fits, target))
        points.append(f"P>={target}: R {r / positives:.3f}")
    return (f"chosen for 0.85 (1 s.e.): P {right / max(1, shown):.3f} R {right / positives:.3f} | "
            + "  ".join(points))


#: dense, standardised features need far stronger regularisation than the sparse unit-length n-grams
DENSE_C_GRID = (0.0005, 0.001, 0.002, 0.005, 0.02)


def run(name: str, matrices: dict[str, object], c_grid: tuple[float, ...]) -> None:
    started = time.time()
    fits, aps = [], []
    for role, tags in tt.PARTS.items():
        passages = tagger_corpus.load(split="tune", role=role)
        matrix = matrices[role]
        for tag in tags:
            y = np.array([tag in p.tags for p in passages])
            none = np.zeros(len(y), dtype=bool)
            if y.sum() < tt.FOLDS:
                fits.append(tt.TagFit(tag, np.zeros(len(y)), y, [0.0] * len(tt.CALIBRATION_STEPS), none))
                continue
            scored = {c: tt.out_of_fold(matrix, y, c) for c in c_grid}
            c = max(c_grid, key=lambda value: average_precision_score(y, scored[value]))
            aps.append(f"{tag[:10]}={average_precision_score(y, scored[c]):.2f}(C={c})")
            fits.append(tt.TagFit(tag, scored[c], y, tt.calibration(scored[c], y), none))
    print(f"{name:34} {curve(fits)}\n{'':34} AP {' '.join(aps)}  ({time.time() - started:.0f} s)", flush=True)


def dense(role: str, kind: str) -> np.ndarray:
    texts = [p.text for p in tagger_corpus.load(split="tune", role=role)]
    if kind == "sentence":
        return StandardScaler().fit_transform(static_embeddings.encode_passages(texts))
    dims, _, negation = kind.partition("-")
    if dims not in TABLES:
        build = static_embeddings.build_contextual_table if dims.startswith("ctx") else static_embeddings.build_table
        size = int(re.sub(r"\D", "", dims))
        TABLES[dims] = build(None if size == 384 else size)
        if dims.endswith("flat"):  # every word counts the same, as in the transformer's own mean pooling
            TABLES[dims].weights = np.ones(len(TABLES[dims].stems))
    table = TABLES[dims]
    return StandardScaler().fit_transform(np.stack([table.mean(stems(clean_text(t)), negation or "ignore")
                                                    for t in texts]))


TABLES: dict[str, static_embeddings.StemTable] = {}


def main(argv: list[str]) -> int:
    """Each argument a configuration: ngram, KIND, or ngram+KIND*WEIGHT; KIND is sentence (the upper
    bound), staticN (PCA to N dims) or static384 (no PCA), with -split or -drop for negated words."""
    for config in argv:
        matrices: dict[str, object] = {}
        for role in tt.PARTS:
            texts = [p.text for p in tagger_corpus.load(split="tune", role=role)]
            if config == "ngram":
                matrices[role] = tt.design(texts, tt.common_stems(texts))[0]
            elif config.startswith("ngram+"):
                kind, _, weight = config[6:].partition("*")
                ngram = tt.design(texts, tt.common_stems(texts))[0]
                matrices[role] = sparse.hstack([ngram, sparse.csr_matrix(dense(role, kind) * float(weight))]).tocsr()
            else:
                matrices[role] = dense(role, config)
        grid = tt.C_GRID if config == "ngram" else DENSE_C_GRID if "+" not in config else (0.1,) + tt.C_GRID
        run(config, matrices, grid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
