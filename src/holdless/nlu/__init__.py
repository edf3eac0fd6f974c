"""Offline, pure NLU for the virtual agent: language, intent with "don't know", sentiment, KB search.

Start with `NluPipeline` (pipeline.py) and `KnowledgeBase` (knowledge.py).
"""

from holdless.nlu.intents import OUT_OF_SCOPE, IntentModel, IntentPrediction, train_intents
from holdless.nlu.knowledge import Article, ArticleMatch, KnowledgeBase
from holdless.nlu.language import LanguageDetector, LanguageGuess
from holdless.nlu.pipeline import TALK_TO_HUMAN, Analysis, NluPipeline
from holdless.nlu.resources import Example, demo_intent_examples
from holdless.nlu.sentiment import SentimentModel, SentimentReading, train_sentiment

__all__ = [
    "OUT_OF_SCOPE",
    "TALK_TO_HUMAN",
    "Analysis",
    "Article",
    "ArticleMatch",
    "Example",
    "IntentModel",
    "IntentPrediction",
    "KnowledgeBase",
    "LanguageDetector",
    "LanguageGuess",
    "NluPipeline",
    "SentimentModel",
    "SentimentReading",
    "demo_intent_examples",
    "train_intents",
    "train_sentiment",
]
