"""Which of a workspace's languages a message is in: script rules first, then character n-grams.

Short messages are the hard case ("ok", "оператор", "人工"): the writing system usually settles it (Han ->
Chinese, Cyrillic with "ў"/"і" -> Belarusian, with "и"/"щ"/"ъ" -> Russian); otherwise a naive Bayes model
over character 1-3-grams of texts the team wrote picks among the workspace's languages that use that
script. A message with no letters at all (digits, emoji) falls back to the previous language of the
conversation, or to the workspace's first language.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LATIN, CYRILLIC, HAN, KANA, HANGUL, OTHER = "latin", "cyrillic", "han", "kana", "hangul", "other"

SCRIPT_OF_LANGUAGE = {
    "en": LATIN, "de": LATIN, "fr": LATIN, "es": LATIN, "it": LATIN, "pt": LATIN, "nl": LATIN, "pl": LATIN,
    "ru": CYRILLIC, "be": CYRILLIC, "uk": CYRILLIC,
    "zh": HAN, "ja": KANA, "ko": HANGUL,
}  # fmt: skip

# Letters that one Cyrillic language uses and another never does.
_CYRILLIC_MARKERS = {
    "be": frozenset("ўі"),
    "ru": frozenset("щъи"),
    "uk": frozenset("їєґ"),
}
_CYRILLIC_EXCLUDED = {
    "be": frozenset("щъи"),
    "ru": frozenset("ўіїєґ"),
    "uk": frozenset("ыэёъў"),
}


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    # "script": settled by the writing system; "model": character n-grams; "fallback": no evidence.
    method: str


def script_of(char: str) -> str:
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
        return HAN
    if "\u3040" <= char <= "\u30ff":
        return KANA
    if "\uac00" <= char <= "\ud7af":
        return HANGUL
    if not char.isalpha():
        return OTHER
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return CYRILLIC
    if name.startswith("LATIN"):
        return LATIN
    return OTHER


def _ngrams(text: str) -> list[str]:
    padded = f" {' '.join(text.lower().split())} "
    return [padded[i : i + n] for n in (1, 2, 3) for i in range(len(padded) - n + 1)]


class LanguageDetector:
    """Pure and deterministic; build once from sample texts per language, then call `detect` per message."""

    def __init__(self, samples: Mapping[str, Sequence[str]]) -> None:
        self._log_probs: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        for language, texts in samples.items():
            counts = Counter(gram for text in texts for gram in _ngrams(text))
            total = sum(counts.values())
            vocabulary = len(counts) + 1
            self._log_probs[language] = {
                gram: math.log((count + 1) / (total + vocabulary)) for gram, count in counts.items()
            }
            self._unseen[language] = math.log(1 / (total + vocabulary))

    def detect(self, text: str, languages: Sequence[str], *, previous: str | None = None) -> LanguageGuess:
        """The language of `text` among `languages` (the workspace's, in order of preference)."""
        if not languages:
            raise ValueError("a workspace serves at least one language")
        scripts = Counter(script_of(char) for char in text)
        scripts.pop(OTHER, None)
        fallback = previous if previous is not None and previous in languages else languages[0]
        if not scripts:
            return LanguageGuess(fallback, "fallback")
        if scripts[KANA] and "ja" in languages:
            return LanguageGuess("ja", "script")
        script = scripts.most_common(1)[0][0]
        candidates = [language for language in languages if SCRIPT_OF_LANGUAGE.get(language) == script]
        if script == CYRILLIC:
            candidates = self._cyrillic_candidates(text.lower(), candidates)
        if not candidates:
            return LanguageGuess(fallback, "fallback")
        if len(candidates) == 1:
            return LanguageGuess(candidates[0], "script")
        modelled = [language for language in candidates if language in self._log_probs]
        if not modelled:
            return LanguageGuess(candidates[0], "fallback")
        return LanguageGuess(max(modelled, key=lambda language: self._score(text, language)), "model")

    @staticmethod
    def _cyrillic_candidates(text: str, candidates: list[str]) -> list[str]:
        letters = set(text)
        marked = [
            language for language in candidates if letters & _CYRILLIC_MARKERS.get(language, frozenset())
        ]
        kept = [
            language for language in candidates if not letters & _CYRILLIC_EXCLUDED.get(language, frozenset())
        ]
        both = [language for language in marked if language in kept]
        return both or kept or candidates

    def _score(self, text: str, language: str) -> float:
        table = self._log_probs[language]
        unseen = self._unseen[language]
        return sum(table.get(gram, unseen) for gram in _ngrams(text))
