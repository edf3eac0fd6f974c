"""Sentiment per message (negative / neutral / positive) and a 0-1 negative score for anger escalation.

Trained only on messages the Holdless team wrote (resources/sentiment_{en,ru,zh}.csv, shipped with the code):
a multinomial logistic regression over the multilingual sentence embedding, so the three languages teach
each other. Nothing marked "evaluation only" in the shared data was used to train or tune it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from holdless.nlu.encoder import SentenceEncoder, Vectors
from holdless.nlu.resources import Example, sentiment_examples

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)
REGULARISATION = 3.0  # 5-fold cross-validation on the shipped examples: flat from 3 to 30; the least fit


@dataclass(frozen=True, slots=True)
class SentimentReading:
    label: str  # negative | neutral | positive
    negative_score: float  # probability of "negative", 0..1: what escalation rules compare with
    positive_score: float


class SentimentModel:
    def __init__(self, classifier: LogisticRegression) -> None:
        self._weights = np.asarray(classifier.coef_, dtype=np.float32).T
        self._bias = np.asarray(classifier.intercept_, dtype=np.float32)
        self._labels = [LABELS[int(i)] for i in classifier.classes_]

    def read(self, vectors: Vectors) -> list[SentimentReading]:
        logits = vectors @ self._weights + self._bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        negative, positive = self._labels.index(NEGATIVE), self._labels.index(POSITIVE)
        return [
            SentimentReading(self._labels[int(row.argmax())], float(row[negative]), float(row[positive]))
            for row in probabilities
        ]


def train_sentiment(encoder: SentenceEncoder, examples: Sequence[Example] | None = None) -> SentimentModel:
    """Fit on the shipped examples (or on `examples`, for tests); takes about a second."""
    chosen = list(examples) if examples is not None else sentiment_examples()
    vectors = encoder.encode([example.text for example in chosen])
    targets = np.array([LABELS.index(example.label) for example in chosen])
    classifier = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(vectors, targets)
    return SentimentModel(classifier)
