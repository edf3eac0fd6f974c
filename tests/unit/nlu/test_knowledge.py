from __future__ import annotations

import pytest

from holdless.nlu import Article, KnowledgeBase
from holdless.nlu.encoder import UniversalSentenceEncoder

ARTICLES = [
    Article(
        "lost-card", "Lost or stolen card", "Block your card at once in the app under Cards > Block.", "en"
    ),
    Article("fees", "Transfer fees", "Domestic transfers are free; international transfers cost 1%.", "en"),
    Article("hours", "Часы работы", "Поддержка работает круглосуточно, отделения с 9 до 18.", "ru"),
    Article("refund", "退款说明", "退货后七个工作日内退款到原支付账户。", "zh"),
]


@pytest.fixture(scope="module")
def knowledge(encoder: UniversalSentenceEncoder) -> KnowledgeBase:
    return KnowledgeBase(ARTICLES, encoder)


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("my card was stolen", "lost-card"),
        ("у меня украли карту", "lost-card"),  # Russian question, English article
        ("我的卡被偷了", "lost-card"),
        ("what are your opening hours", "hours"),  # English question, Russian article
        ("how long does a refund take", "refund"),  # English question, Chinese article
        ("сколько стоит международный перевод", "fees"),
    ],
)
def test_search_finds_the_article_across_languages(
    knowledge: KnowledgeBase, query: str, article: str
) -> None:
    matches = knowledge.search(query, limit=4)
    assert matches[0].article_id == article
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_an_empty_query_or_knowledge_base_finds_nothing(
    knowledge: KnowledgeBase, encoder: UniversalSentenceEncoder
) -> None:
    assert knowledge.search("   ") == []
    assert KnowledgeBase([], encoder).search("card") == []
