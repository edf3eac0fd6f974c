from __future__ import annotations

import pytest

from holdless.nlu import NluPipeline
from holdless.nlu.encoder import UniversalSentenceEncoder, shared_encoder


@pytest.fixture(scope="session")
def encoder() -> UniversalSentenceEncoder:
    return shared_encoder()


@pytest.fixture(scope="session")
def demo(encoder: UniversalSentenceEncoder) -> NluPipeline:
    """The demo workspace's pipeline, trained once (it is immutable once trained)."""
    return NluPipeline.demo(encoder=encoder)
