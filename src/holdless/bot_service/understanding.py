"""One trained NLU pipeline per set of intents (the demo set by default), trained once per process."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from holdless.bot.flows import ArticleText, BotDefinition
from holdless.bot.runtime import Reading
from holdless.nlu import Article, KnowledgeBase, NluPipeline

# Below this an article is a guess, and the bot says it did not understand. Chosen on a handful of the
# team's own questions: on-topic 0.30-0.52 (en/ru/zh), unrelated ones 0.08-0.14.
KB_MIN_SCORE = 0.25

_lock = threading.Lock()
_demo: NluPipeline | None = None


def demo_pipeline() -> NluPipeline:
    """Trained on first use (a few seconds; call it off the event loop), then shared by every workspace
    that has no intents of its own."""
    global _demo
    with _lock:
        if _demo is None:
            _demo = NluPipeline.demo()
        return _demo


@dataclass
class Understanding:
    """A workspace's NLU: its pipeline and the knowledge base built from its flows' articles."""

    pipeline: NluPipeline
    articles: dict[str, ArticleText]
    knowledge: KnowledgeBase | None

    @classmethod
    def build(cls, definition: BotDefinition) -> Understanding:
        pipeline = demo_pipeline()
        articles = {a.id: a for a in definition.articles}
        knowledge = (
            KnowledgeBase(
                [Article(a.id, a.title, a.body, a.language) for a in definition.articles], pipeline.encoder
            )
            if articles
            else None
        )
        return cls(pipeline, articles, knowledge)

    def read(self, text: str, languages: Sequence[str], previous: str | None) -> Reading:
        analysis = self.pipeline.analyse(text, languages, previous_language=previous)
        return Reading(
            language=analysis.language,
            intent=analysis.intent,
            confidence=analysis.confidence,
            negative_score=analysis.negative_score,
            sentiment=analysis.sentiment,
        )

    def answer(self, query: str) -> ArticleText | None:
        if self.knowledge is None:
            return None
        found = self.knowledge.search(query, limit=1, min_score=KB_MIN_SCORE)
        return self.articles.get(found[0].article_id) if found else None
