"""Example texts shipped inside the package (written by the Holdless team, AGPL with the code)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

SENTIMENT_LANGUAGES = ("en", "ru", "zh")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    language: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("holdless.nlu").joinpath("resources").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def demo_intent_examples() -> list[Example]:
    """Intents of the demo workspace, with examples in English, Russian and Chinese."""
    return [Example(row["text"], row["label"], row["language"]) for row in _rows("demo_intents.csv")]


def sentiment_examples() -> list[Example]:
    """Negative / neutral / positive customer messages in every language the sentiment model serves."""
    return [
        Example(row["text"], row["label"], language)
        for language in SENTIMENT_LANGUAGES
        for row in _rows(f"sentiment_{language}.csv")
    ]


def language_samples() -> dict[str, list[str]]:
    """Texts per language for the character n-gram language model: every shipped example plus a few more."""
    samples: dict[str, list[str]] = {}
    for example in [*demo_intent_examples(), *sentiment_examples()]:
        samples.setdefault(example.language, []).append(example.text)
    for row in _rows("language_samples.csv"):
        samples.setdefault(row["language"], []).append(row["text"])
    return samples
