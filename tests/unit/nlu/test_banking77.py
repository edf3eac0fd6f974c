"""A quick check on real customer wording; the full figures come from `holdless nlu eval` (docs/nlu.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from holdless.nlu import train_intents
from holdless.nlu.encoder import UniversalSentenceEncoder

BANKING77 = Path(__file__).resolve().parents[4] / "shared" / "data" / "banking77"
if not BANKING77.is_dir():
    BANKING77 = Path("/work/shared/data/banking77")


def _rows(name: str) -> list[tuple[str, str]]:
    with (BANKING77 / name).open(encoding="utf-8") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


@pytest.mark.skipif(not (BANKING77 / "train.csv").is_file(), reason="shared data (banking77) is absent")
def test_a_small_banking77_slice_is_learned_from_fifteen_examples_per_intent(
    encoder: UniversalSentenceEncoder,
) -> None:
    intents = sorted({label for _, label in _rows("train.csv")})[:8]
    train: list[tuple[str, str]] = []
    for intent in intents:
        train += [row for row in _rows("train.csv") if row[1] == intent][:15]
    test = [row for row in _rows("test.csv") if row[1] in intents][:120]
    model = train_intents([t for t, _ in train], [label for _, label in train], encoder)
    predictions = model.predict([t for t, _ in test], encoder.encode([t for t, _ in test]))
    right = sum(p.best_guess == label for p, (_, label) in zip(predictions, test, strict=True))
    assert right / len(test) > 0.8
