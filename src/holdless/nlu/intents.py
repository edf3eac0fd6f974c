"""Intent classification trained from a workspace's own examples, with a calibrated "don't know".

Two views of a message vote (their scores are summed with fixed weights):
- a linear SVM over TF-IDF word 1-2-grams and character 2-5-grams (exact wording, typos, product names);
- a ridge classifier over the sentence embedding and 2,048 random Fourier features of it (meaning across
  paraphrases and languages; the random features make the head non-linear at the price of one solve).

Out of scope: the top class's confidence must reach a threshold calibrated on held-out data inside the
training set. One calibration round holds out a fifth of each intent's examples (known requests); three
more each hide a third of the intents entirely (they play the unknown requests). The threshold is the
one that earns the most on those held-out messages: +1 for a right intent or a "don't know" to an
unknown request, -1 for a wrong intent given with confidence, 0 for a "don't know" to a known request,
with unknown requests weighed as 20% of traffic; it is then capped so that at most 1% of the held-out
requests it answered right would have been refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from holdless.nlu.encoder import SentenceEncoder, Vectors

OUT_OF_SCOPE = "oos"
SVM_WEIGHT = 0.4  # the ridge head gets the rest; chosen on a split of Banking77 TRAIN, never on its test
RANDOM_FEATURES = 2048
RANDOM_FEATURE_GAMMA = 1.0
RANDOM_FEATURE_SCALE = 3.0
RIDGE_PENALTY = 1.0
CALIBRATION_ROUNDS = 3
CALIBRATION_TRAIN_PER_INTENT = 100
CALIBRATION_HELD_OUT_PER_INTENT = 12
UNKNOWN_SHARE = 0.2  # the share of messages assumed to match no intent, weighing the held-out unknown ones
MAX_KNOWN_REJECTED = 0.01  # never answer "don't know" to more than 1 in 100 held-out requests it got right
DEFAULT_THRESHOLD = 0.3  # only when there are too few intents to calibrate (fewer than three)
SINGLE_MESSAGE_BATCH = 16  # up to this many messages, score without sklearn's transform

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class IntentPrediction:
    intent: str | None  # None means "don't know" (out of scope)
    confidence: float
    best_guess: str  # the top intent even when it was not confident enough

    @property
    def out_of_scope(self) -> bool:
        return self.intent is None


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class _Scorer:
    """The two linear heads, fitted once; `scores` is pure NumPy/SciPy at prediction time."""

    def __init__(self, texts: Sequence[str], vectors: Vectors, labels: Sequence[str], seed: int) -> None:
        self.classes = sorted(set(labels))
        index = {label: i for i, label in enumerate(self.classes)}
        targets = np.array([index[label] for label in labels])
        few = len(texts) < 2000
        self._tfidf = FeatureUnion(
            [
                ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1 if few else 2
                    ),
                ),
            ]
        )
        words = self._tfidf.fit_transform(texts)
        self._blocks = [
            (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            for (_, vectorizer), offset in zip(
                self._tfidf.transformer_list,
                np.cumsum([0] + [len(v.vocabulary_) for _, v in self._tfidf.transformer_list]),
                strict=False,
            )
        ]
        rng = np.random.default_rng(seed)
        dim = vectors.shape[1]
        self._projection = rng.normal(0, np.sqrt(2 * RANDOM_FEATURE_GAMMA), (dim, RANDOM_FEATURES)).astype(
            np.float32
        )
        self._phase = rng.uniform(0, 2 * np.pi, RANDOM_FEATURES).astype(np.float32)
        one_hot = -np.ones((len(texts), len(self.classes)), dtype=np.float32)
        one_hot[np.arange(len(texts)), targets] = 1.0
        if len(self.classes) == 1:
            self._svm_weights = np.zeros((words.shape[1], 1))
            self._svm_bias = np.ones(1)
        else:
            svm = LinearSVC(C=1.0, random_state=seed).fit(words, targets)
            coef, bias = np.asarray(svm.coef_), np.asarray(svm.intercept_)
            if len(self.classes) == 2:  # sklearn keeps one row for two classes
                coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
            self._svm_weights = coef.T.copy()
            self._svm_bias = bias
        features = self._dense(vectors)
        gram = features.T @ features + RIDGE_PENALTY * np.eye(features.shape[1], dtype=np.float32)
        self._ridge = np.linalg.solve(gram, features.T @ one_hot)

    def _dense(self, vectors: Vectors) -> NDArray[np.float32]:
        waves = np.cos(vectors @ self._projection + self._phase)
        scale = np.float32(RANDOM_FEATURE_SCALE * np.sqrt(2 / RANDOM_FEATURES))
        return np.hstack([vectors, scale * waves]).astype(np.float32, copy=False)

    def _svm_one(self, text: str) -> Floats:
        """The SVM scores of one message without sklearn's per-call overhead (~20x faster, same numbers)."""
        total = np.zeros(self._svm_weights.shape[1])
        for analyse, vocabulary, idf, offset in self._blocks:
            counts = Counter(index for token in analyse(text) if (index := vocabulary.get(token)) is not None)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64)
            values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[columns]
            values /= np.linalg.norm(values)
            total += values @ self._svm_weights[columns + offset]
        return total

    def scores(self, texts: Sequence[str], vectors: Vectors) -> Floats:
        if len(texts) <= SINGLE_MESSAGE_BATCH:
            svm = np.vstack([self._svm_one(text) for text in texts]) + self._svm_bias
        else:
            words = sparse.csr_matrix(self._tfidf.transform(texts))
            svm = np.asarray(words @ self._svm_weights) + self._svm_bias
        ridge = self._dense(vectors) @ self._ridge
        return np.asarray(SVM_WEIGHT * svm + (1 - SVM_WEIGHT) * ridge, dtype=np.float64)


def _confidences(scores: Floats) -> tuple[NDArray[np.int64], Floats]:
    """The top class and its confidence: both heads aim at +1 for the class and -1 for the others, so the
    top score mapped from [-1, 1] to [0, 1] reads as "how much this looks like a training example"."""
    return scores.argmax(axis=1), np.clip((scores.max(axis=1) + 1) / 2, 0.0, 1.0)


class IntentModel:
    """A trained classifier for one workspace. Build it with `train_intents`."""

    def __init__(self, scorer: _Scorer, threshold: float, exact: dict[str, str]) -> None:
        self._scorer = scorer
        self.threshold = threshold
        self._exact = exact

    @property
    def intents(self) -> list[str]:
        return list(self._scorer.classes)

    def predict(self, texts: Sequence[str], vectors: Vectors) -> list[IntentPrediction]:
        if not texts:
            return []
        best, confidence = _confidences(self._scorer.scores(texts, vectors))
        predictions = []
        for text, top, value in zip(texts, best, confidence, strict=True):
            known = self._exact.get(normalise(text))
            if known is not None:
                predictions.append(IntentPrediction(known, 1.0, known))
                continue
            label = self._scorer.classes[int(top)]
            accepted = value >= self.threshold
            predictions.append(IntentPrediction(label if accepted else None, float(value), label))
        return predictions


def train_intents(
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: SentenceEncoder,
    *,
    vectors: Vectors | None = None,
    seed: int = 0,
) -> IntentModel:
    """Train on a workspace's examples. Examples labelled `oos` only serve the threshold's calibration."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    if vectors is None:
        vectors = encoder.encode(list(texts))
    mask = np.array([label != OUT_OF_SCOPE for label in labels], dtype=bool)
    if not mask.any():
        raise ValueError("no in-scope examples to learn from")
    known_texts = [text for text, keep in zip(texts, mask, strict=True) if keep]
    known_labels = [label for label, keep in zip(labels, mask, strict=True) if keep]
    scorer = _Scorer(known_texts, vectors[mask], known_labels, seed)
    unknown = [text for text, keep in zip(texts, mask, strict=True) if not keep]
    threshold = calibrate_threshold(known_texts, vectors[mask], known_labels, unknown, vectors[~mask], seed)
    return IntentModel(scorer, threshold, _exact_matches(known_texts, known_labels))


def _exact_matches(texts: Sequence[str], labels: Sequence[str]) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        seen.setdefault(normalise(text), set()).add(label)
    return {text: next(iter(found)) for text, found in seen.items() if len(found) == 1 and text}


def calibrate_threshold(
    texts: Sequence[str],
    vectors: Vectors,
    labels: Sequence[str],
    unknown_texts: Sequence[str],
    unknown_vectors: Vectors,
    seed: int,
) -> float:
    """The confidence threshold that earns most on held-out messages (see the module docstring)."""
    intents = sorted(set(labels))
    if len(intents) < 3:
        return DEFAULT_THRESHOLD
    rng = np.random.default_rng(seed + 1)
    by_intent: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_intent.setdefault(label, []).append(i)
    known_right: list[float] = []
    known_wrong: list[float] = []
    unknown: list[float] = []
    order = rng.permutation(len(intents))
    # Round 0 hides no intent: it measures known requests against every intent, as the final model sees
    # them. Rounds 1..N each hide a group of intents, whose examples then play the unknown requests.
    hidden_groups = [set()] + [
        {intents[i] for i in group} for group in np.array_split(order, CALIBRATION_ROUNDS)
    ]
    for round_number, hidden in enumerate(hidden_groups):
        train_idx: list[int] = []
        held_idx: list[int] = []
        unknown_idx: list[int] = []
        for intent, members in by_intent.items():
            shuffled = [members[i] for i in rng.permutation(len(members))]
            if intent in hidden:
                unknown_idx += shuffled[:CALIBRATION_HELD_OUT_PER_INTENT]
                continue
            cut = min(len(shuffled) // 5, CALIBRATION_HELD_OUT_PER_INTENT) if round_number == 0 else 0
            held_idx += shuffled[:cut]
            train_idx += shuffled[cut : cut + CALIBRATION_TRAIN_PER_INTENT]
        train_texts, train_labels = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
        scorer = _Scorer(train_texts, vectors[train_idx], train_labels, seed)
        if held_idx:
            best, confidence = _confidences(scorer.scores([texts[i] for i in held_idx], vectors[held_idx]))
            for i, top, value in zip(held_idx, best, confidence, strict=True):
                (known_right if scorer.classes[int(top)] == labels[i] else known_wrong).append(float(value))
        if unknown_idx:
            _, confidence = _confidences(scorer.scores([texts[i] for i in unknown_idx], vectors[unknown_idx]))
            unknown += confidence.tolist()
        if unknown_texts and round_number == 0:
            _, confidence = _confidences(scorer.scores(list(unknown_texts), unknown_vectors))
            unknown += confidence.tolist()
    return _best_threshold(np.array(known_right), np.array(known_wrong), np.array(unknown))


def _best_threshold(right: Floats, wrong: Floats, unknown: Floats) -> float:
    candidates = np.unique(np.concatenate([right, wrong, unknown, [0.0]]))
    known_total = max(len(right) + len(wrong), 1)
    best_value, best_gain = 0.0, -np.inf
    for threshold in candidates:
        known_gain = (np.sum(right >= threshold) - np.sum(wrong >= threshold)) / known_total
        unknown_gain = (np.sum(unknown < threshold) - np.sum(unknown >= threshold)) / max(len(unknown), 1)
        gain = (1 - UNKNOWN_SHARE) * known_gain + UNKNOWN_SHARE * unknown_gain
        if gain > best_gain:
            best_value, best_gain = float(threshold), gain
    if len(right):
        best_value = min(best_value, float(np.quantile(right, MAX_KNOWN_REJECTED)))
    return best_value
