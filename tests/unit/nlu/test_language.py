from __future__ import annotations

import pytest

from holdless.nlu.language import LanguageDetector
from holdless.nlu.resources import language_samples

SERVED = ["en", "ru", "zh", "be"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(language_samples())


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hello", "en"),
        ("operator", "en"),
        ("thanks!", "en"),
        ("привет", "ru"),
        ("оператор", "ru"),
        ("спасибо", "ru"),
        ("人工", "zh"),
        ("谢谢", "zh"),
        ("好", "zh"),
        ("дзякуй", "be"),
        ("аператар", "be"),
        ("Я згубіў картку", "be"),
        ("Мне нужна помощь с картой", "ru"),
    ],
)
def test_short_messages_get_their_language(detector: LanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text, SERVED).language == language


def test_only_the_workspace_languages_are_answered(detector: LanguageDetector) -> None:
    assert detector.detect("привет", ["en", "ru"]).language == "ru"
    assert detector.detect("дзякуй", ["en", "ru"]).language == "ru"  # no Belarusian here: nearest served
    assert detector.detect("hello", ["ru", "zh"]).language == "ru"  # nothing fits: the workspace's first


def test_a_message_without_letters_keeps_the_conversation_language(detector: LanguageDetector) -> None:
    guess = detector.detect("12345 👍", SERVED, previous="zh")
    assert (guess.language, guess.method) == ("zh", "fallback")
    assert detector.detect("0", SERVED).language == "en"


def test_a_workspace_needs_a_language(detector: LanguageDetector) -> None:
    with pytest.raises(ValueError, match="at least one language"):
        detector.detect("hello", [])
