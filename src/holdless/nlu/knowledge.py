"""Knowledge-base search over articles in several languages.

Each article is indexed twice: TF-IDF over character 2-4-grams of its title and body (exact terms, any
script, Belarusian included) and the multilingual sentence embedding of its title and body (a question in
Chinese finds the English article). The score is a weighted sum of the two cosines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from holdless.nlu.encoder import SentenceEncoder

CHARACTER_WEIGHT = 0.25  # the embedding gets the rest


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class ArticleMatch:
    article_id: str
    score: float


class KnowledgeBase:
    """Built once per workspace from its articles; `search` is pure and thread-safe."""

    def __init__(self, articles: Sequence[Article], encoder: SentenceEncoder) -> None:
        self._ids = [article.id for article in articles]
        self._encoder = encoder
        documents = [f"{article.title}\n{article.body}" for article in articles]
        self._characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._matrix = (
            sparse.csr_matrix(self._characters.fit_transform(documents))
            if documents
            else sparse.csr_matrix((0, 0))
        )
        titles = encoder.encode([article.title for article in articles])
        bodies = encoder.encode([article.body[:2000] for article in articles])
        combined = titles + bodies
        norms = np.linalg.norm(combined, axis=1, keepdims=True)
        self._vectors = combined / np.where(norms == 0, 1, norms)

    def search(self, query: str, *, limit: int = 5, min_score: float = 0.0) -> list[ArticleMatch]:
        """Articles ranked by relevance to `query`, best first."""
        if not self._ids or not query.strip():
            return []
        characters = np.asarray((self._characters.transform([query]) @ self._matrix.T).todense()).ravel()
        meaning = self._vectors @ self._encoder.encode([query])[0]
        scores = CHARACTER_WEIGHT * characters + (1 - CHARACTER_WEIGHT) * meaning
        order = np.argsort(-scores, kind="stable")[:limit]
        return [ArticleMatch(self._ids[i], float(scores[i])) for i in order if scores[i] >= min_score]
