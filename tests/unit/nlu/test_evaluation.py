from __future__ import annotations

import pytest

from holdless.nlu.evaluation import accuracy, macro_f1, precision_recall, roc_auc


def test_auc_counts_pairs_a_positive_wins_and_half_the_ties() -> None:
    # positives 0.9, 0.4; negatives 0.5, 0.4: pairs won 1 + 1 + 0 + 0.5 (tie) = 2.5 of 4
    assert roc_auc([True, True, False, False], [0.9, 0.4, 0.5, 0.4]) == pytest.approx(0.625)
    assert roc_auc([True, True], [0.1, 0.2]) is None


def test_macro_f1_averages_over_gold_labels() -> None:
    # a: tp 1, fp 1, fn 0 -> 2/3; b: tp 0 -> 0; mean 1/3
    assert macro_f1(["a", "b"], ["a", "a"]) == pytest.approx(1 / 3)
    assert accuracy(["a", "b"], ["a", "a"]) == 0.5
    assert accuracy([], []) is None


def test_precision_and_recall_of_the_negative_class() -> None:
    assert precision_recall([True, True, False], [True, False, True]) == (0.5, 0.5)
    assert precision_recall([False], [False]) == (None, None)
