"""Turns a message into the features the tag model reads: stems, negation scope, bigrams, emoji, typos.

Training (scripts/train_tagger.py) and the app call the same functions, so the model sees exactly the
features it was fitted on. `stems` is the fast path used for scoring; `tokens` gives the same words
with their place in the text, for saying which words weighed most.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import snowballstemmer  # type: ignore[import-untyped]  # it ships no types (no stubs, no py.typed)

# Words are letters/digits with inner apostrophes ("didn't"); emoji are single symbols; clause marks
# end a negation's scope ("not bad, but the refund never came").
_CLAUSE_CHARS = frozenset(".!?;:,()\n\u2014")
_WORD = re.compile(r"[^\W_]+(?:['\u2019\u2018`\u00b4][^\W_]+)*|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
                   r"|[.!?;:,()\n\u2014]")
#: what a word is, for the build scripts that read the corpus the way the model does
WORD_PATTERN = _WORD
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
# "soooo" and "pleeease" are the same words as "soo"/"pleease": long runs collapse to two letters.
_REPEATS = re.compile(r"(\w)\1{2,}")
# CFPB narratives redact names, dates and amounts as XXXX / XX/XX/XXXX: they carry no meaning.
_REDACTION = re.compile(r"^x{2,}$")
_CONTRAST = frozenset({"but", "however", "though", "although", "yet"})
NEGATION_SCOPE_WORDS = 3
MIN_TYPO_LENGTH = 4  # shorter words are too close to each other to correct

NEGATION_CUES = frozenset({
    "not", "no", "never", "nor", "neither", "without", "none", "nothing", "nobody", "cannot", "cant",
    "isnt", "wasnt", "arent", "werent", "dont", "doesnt", "didnt", "havent", "hasnt", "hadnt", "wont",
    "wouldnt", "shouldnt", "couldnt", "aint", "unable",
})

EMOJI_CLASSES = {
    "angry": "\U0001F621\U0001F92C\U0001F44E\U0001F624\U0001F4A2\U0001F92E\U0001F620\U0001F47F",
    "sad": "\U0001F622\U0001F62D\U0001F61E\U0001F614\u2639\U0001F641\U0001F629\U0001F62B\U0001F625\U0001F613",
    "mocking": "\U0001F923\U0001F602\U0001F921\U0001F644\U0001F612\U0001F611\U0001F610\U0001F914\U0001F62C",
    "happy": "\U0001F44D\U0001F60A\U0001F600\U0001F603\U0001F604\U0001F642\U0001F60D\U0001F970\u2764"
             "\U0001F499\U0001F496\U0001F64C\U0001F929\U0001F973\U0001F606\U0001F60E\u263A\U0001F44C\U0001F4AA",
}
_EMOJI_CLASS = {symbol: name for name, symbols in EMOJI_CLASSES.items() for symbol in symbols}
_STEMMER = snowballstemmer.stemmer("english")

# What each raw word is, cached: a support dump repeats its words endlessly, and stemming is the
# slow part. Bounded so a hostile 50 MB paste cannot grow it without end.
_WORDLIKE, _CUE, _CONTRASTING, _BREAK, _SKIP = range(5)
_CACHE: dict[str, tuple[str, int]] = {}
_CACHE_LIMIT = 300_000


@dataclass(frozen=True)
class Token:
    """One word of the message: its place in the text, its normalised stem and whether it is negated."""

    start: int
    end: int
    stem: str
    negated: bool


def normalise_word(raw: str) -> str:
    """Lower case, no apostrophes, long letter runs cut to two; '' for a redaction."""
    word = _REPEATS.sub(r"\1\1", _APOSTROPHES.sub("", raw.lower()))
    return "" if _REDACTION.match(word) else word


def stem(word: str) -> str:
    """Snowball stem of a normalised word."""
    return _classify(word)[0]


def _classify(raw: str) -> tuple[str, int]:
    found = _CACHE.get(raw)
    if found is not None:
        return found
    if raw in _CLAUSE_CHARS:
        found = ("", _BREAK)
    elif len(raw) == 1 and not raw.isalnum():
        found = ("emoji_" + _EMOJI_CLASS.get(raw, "other"), _WORDLIKE)
    else:
        word = normalise_word(raw)
        if not word:
            found = ("", _SKIP)
        else:
            kind = _CUE if word in NEGATION_CUES else _CONTRASTING if word in _CONTRAST else _WORDLIKE
            found = (_STEMMER.stemWord(word), kind)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[raw] = found
    return found


def _walk(raws: list[str]) -> list[tuple[int, str, bool]]:
    """(position in raws, stem, negated) for every word; the one place negation scope is decided."""
    found: list[tuple[int, str, bool]] = []
    append, cached = found.append, _CACHE.get
    scope = 0
    for position, raw in enumerate(raws):
        word_stem, kind = cached(raw) or _classify(raw)
        if kind == _WORDLIKE:
            append((position, word_stem, scope > 0))
            if scope:
                scope -= 1
        elif kind == _CUE:
            append((position, word_stem, scope > 0))
            scope = NEGATION_SCOPE_WORDS
        elif kind == _CONTRASTING:
            append((position, word_stem, False))
            scope = 0
        elif kind == _BREAK:
            scope = 0
    return found


def stems(text: str) -> list[tuple[str, bool]]:
    """(stem, negated) for each word of the message, in order (the fast path: no positions)."""
    return [(word_stem, negated) for _, word_stem, negated in _walk(_WORD.findall(text))]


def words_with_places(text: str) -> tuple[list[tuple[str, bool]], list[tuple[int, int]]]:
    """The same words as `stems`, with the (start, end) of each in the text."""
    matches = list(_WORD.finditer(text))
    walked = _walk([m.group() for m in matches])
    return [(s, n) for _, s, n in walked], [matches[p].span() for p, _, _ in walked]


def tokens(text: str) -> list[Token]:
    """The same words as `stems`, as Token records."""
    words, places = words_with_places(text)
    return [Token(start, end, s, n) for (s, n), (start, end) in zip(words, places, strict=True)]


class Vocabulary:
    """The words the model knows well, and a way back to them from a misspelling.

    A stem outside the vocabulary that is one letter short, long, swapped or wrong from a known one
    ("refnd", "refuund", "rfeund") is read as that known stem: symmetric deletes, as SymSpell does,
    so the look-up costs a handful of dictionary probes and only for unknown words.
    """

    def __init__(self, known: frozenset[str]) -> None:
        self.known = known
        self._deletes: dict[str, str] = {}
        for word in sorted(known):  # sorted: the same misspelling maps to the same word every run
            if len(word) >= MIN_TYPO_LENGTH and not word.startswith("emoji_"):
                self._deletes.setdefault(word, word)  # so a word with a letter too many finds it
                for variant in _deletes(word):
                    self._deletes.setdefault(variant, word)
        self._fixed: dict[str, str] = {}

    def correct(self, word_stem: str) -> str:
        if word_stem in self.known or len(word_stem) < MIN_TYPO_LENGTH:
            return word_stem
        found = self._fixed.get(word_stem)
        if found is None:
            found = self._deletes.get(word_stem) or next(
                (self._deletes[v] for v in _deletes(word_stem) if v in self._deletes), word_stem)
            if len(self._fixed) >= _CACHE_LIMIT:
                self._fixed.clear()
            self._fixed[word_stem] = found
        return found


def _deletes(word: str) -> list[str]:
    return [word[:at] + word[at + 1 :] for at in range(len(word))]


def feature_names(words: list[tuple[str, bool]], vocabulary: Vocabulary) -> set[str]:
    """The distinct features of a message, as `features` names them (the fast path scoring reads)."""
    names: set[str] = set()
    add, correct, known = names.add, vocabulary.correct, vocabulary.known
    previous = ""
    for word_stem, negated in words:
        if word_stem not in known:
            word_stem = correct(word_stem)
        add(("n:" if negated else "w:") + word_stem)
        if previous:
            add("b:" + previous + " " + word_stem)
        previous = word_stem
    return names


def features(words: list[tuple[str, bool]], vocabulary: Vocabulary) -> list[tuple[str, tuple[int, ...]]]:
    """(feature, indexes of the words behind it): unigrams (negated ones apart) and bigrams of stems,
    misspelt stems read as the known stem they are one edit away from."""
    found: list[tuple[str, tuple[int, ...]]] = []
    previous = ""
    for index, (word_stem, negated) in enumerate(words):
        word_stem = vocabulary.correct(word_stem)
        found.append((("n:" if negated else "w:") + word_stem, (index,)))
        if previous:
            found.append((f"b:{previous} {word_stem}", (index - 1, index)))
        previous = word_stem
    return found


def clean_text(text: str) -> str:
    """HTML entities decoded (review exports carry `&#34;`), so words and emoji come out whole."""
    return html.unescape(text) if "&" in text else text


__all__ = ["NEGATION_CUES", "WORD_PATTERN", "Token", "Vocabulary", "clean_text", "feature_names", "features",
           "normalise_word", "stem", "stems", "tokens", "words_with_places"]
