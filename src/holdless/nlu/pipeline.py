"""The virtual agent's NLU facade: language, intent (or "don't know") and sentiment of one message.

    pipeline = NluPipeline.train(examples)          # a workspace's intents; seconds
    analysis = pipeline.analyse("оператор", ["en", "ru", "zh"])

Pure: no I/O beyond loading the model files shipped inside the installed packages. Build one pipeline per
workspace (after its intents change) and keep it; `analyse` takes about 5 ms on one core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from holdless.nlu.encoder import SentenceEncoder, Vectors, shared_encoder
from holdless.nlu.intents import IntentModel, train_intents
from holdless.nlu.language import LanguageDetector, LanguageGuess
from holdless.nlu.resources import Example, demo_intent_examples, language_samples
from holdless.nlu.sentiment import SentimentModel, SentimentReading, train_sentiment

TALK_TO_HUMAN = "talk_to_human"


@dataclass(frozen=True, slots=True)
class Analysis:
    language: str
    language_method: str  # script | model | fallback
    intent: str | None  # None: "don't know" (out of scope)
    confidence: float  # of the best intent, 0..1
    best_guess: str  # the best intent even when not confident enough
    sentiment: str  # negative | neutral | positive
    negative_score: float  # 0..1

    @property
    def out_of_scope(self) -> bool:
        return self.intent is None


class NluPipeline:
    def __init__(
        self,
        intents: IntentModel,
        sentiment: SentimentModel,
        languages: LanguageDetector,
        encoder: SentenceEncoder,
    ) -> None:
        self.intents = intents
        self.sentiment = sentiment
        self.languages = languages
        self.encoder = encoder

    @classmethod
    def train(
        cls,
        examples: Sequence[Example],
        *,
        encoder: SentenceEncoder | None = None,
        sentiment: SentimentModel | None = None,
        languages: LanguageDetector | None = None,
    ) -> NluPipeline:
        """Train the intent model on a workspace's examples; sentiment and language models are shared."""
        chosen = encoder or shared_encoder()
        model = train_intents([e.text for e in examples], [e.label for e in examples], chosen)
        return cls(
            model,
            sentiment or train_sentiment(chosen),
            languages or LanguageDetector(language_samples()),
            chosen,
        )

    @classmethod
    def demo(cls, *, encoder: SentenceEncoder | None = None) -> NluPipeline:
        """The demo workspace's intents (block a card, reset a password, order status, a person, ...)."""
        return cls.train(demo_intent_examples(), encoder=encoder)

    def analyse(
        self, text: str, languages: Sequence[str], *, previous_language: str | None = None
    ) -> Analysis:
        return self.analyse_many([text], languages, previous_language=previous_language)[0]

    def analyse_many(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        *,
        previous_language: str | None = None,
        vectors: Vectors | None = None,
    ) -> list[Analysis]:
        encoded = self.encoder.encode(list(texts)) if vectors is None else vectors
        guesses = [self.languages.detect(text, languages, previous=previous_language) for text in texts]
        intents = self.intents.predict(texts, encoded)
        readings = self.sentiment.read(encoded)
        return [
            _analysis(guess, intent.intent, intent.confidence, intent.best_guess, reading)
            for guess, intent, reading in zip(guesses, intents, readings, strict=True)
        ]


def _analysis(
    guess: LanguageGuess, intent: str | None, confidence: float, best: str, reading: SentimentReading
) -> Analysis:
    return Analysis(
        language=guess.language,
        language_method=guess.method,
        intent=intent,
        confidence=confidence,
        best_guess=best,
        sentiment=reading.label,
        negative_score=reading.negative_score,
    )
