"""Scores for `holdless nlu eval` and `holdless nlu sentiment-eval` (pure; worked on plain lists)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float | None:
    if not gold:
        return None
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float | None:
    """Mean F1 over the labels that occur in `gold` (a label never predicted scores 0)."""
    labels = sorted(set(gold))
    if not labels:
        return None
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def precision_recall(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float | None, float | None]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    chosen, actual = sum(predicted), sum(gold)
    return (tp / chosen if chosen else None), (tp / actual if actual else None)


def roc_auc(positive: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve: the chance a random positive outscores a random negative (ties count 1/2)."""
    flags = np.asarray(positive, dtype=bool)
    values = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(flags.sum()), int((~flags).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    start = 0
    while start < len(values):  # average ranks over ties
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return float((ranks[flags].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def percentile_ms(seconds: Sequence[float], q: float) -> float | None:
    if not seconds:
        return None
    return float(np.percentile(np.asarray(seconds) * 1000, q))
