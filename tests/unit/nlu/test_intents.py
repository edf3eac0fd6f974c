from __future__ import annotations

import pytest

from holdless.nlu import TALK_TO_HUMAN, Example, NluPipeline, train_intents
from holdless.nlu.encoder import UniversalSentenceEncoder

SERVED = ["en", "ru", "zh"]


@pytest.mark.parametrize(
    "text",
    [
        "operator",
        "agent",
        "human",
        "оператор",
        "человек",
        "人工",
        "转人工",
        "Operator!",
        "ОПЕРАТОР",
        "转人工。",
    ],
)
def test_escape_words_reach_a_person(demo: NluPipeline, text: str) -> None:
    analysis = demo.analyse(text, SERVED)
    assert analysis.intent == TALK_TO_HUMAN


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("somebody stole my visa card yesterday", "block_card"),
        ("у меня пропала карточка, помогите заблокировать", "block_card"),
        ("银行卡找不到了", "block_card"),
        ("i cannot remember my password", "reset_password"),
        ("не помню пароль от приложения", "reset_password"),
        ("my parcel still has not come", "order_status"),
        ("где сейчас моя посылка", "order_status"),
        ("Please put me through to a real person", TALK_TO_HUMAN),
    ],
)
def test_paraphrases_not_in_the_examples_find_their_intent(demo: NluPipeline, text: str, intent: str) -> None:
    assert demo.analyse(text, SERVED).intent == intent


@pytest.mark.parametrize(
    "text",
    ["What will the weather be like in Paris tomorrow?", "сколько будет два плюс два", "今天天气怎么样"],
)
def test_unrelated_requests_get_dont_know(demo: NluPipeline, text: str) -> None:
    analysis = demo.analyse(text, SERVED)
    assert analysis.out_of_scope
    assert analysis.intent is None
    assert analysis.best_guess  # the agent can still see what it was closest to


def test_examples_labelled_oos_teach_dont_know_and_never_become_an_intent(
    encoder: UniversalSentenceEncoder,
) -> None:
    examples = [
        ("block my card", "block_card"), ("my card was stolen", "block_card"),
        ("freeze the card", "block_card"),
        ("reset my password", "reset_password"), ("forgot my password", "reset_password"),
        ("cannot log in", "reset_password"), ("where is my order", "order_status"),
        ("track my parcel", "order_status"), ("has my order shipped", "order_status"),
        ("tell me a joke", "oos"), ("what is the capital of France", "oos"),
    ]  # fmt: skip
    model = train_intents([t for t, _ in examples], [label for _, label in examples], encoder)
    assert sorted(model.intents) == ["block_card", "order_status", "reset_password"]
    assert 0.0 <= model.threshold <= 1.0


def test_a_workspace_without_examples_is_refused(encoder: UniversalSentenceEncoder) -> None:
    with pytest.raises(ValueError, match="no in-scope examples"):
        NluPipeline.train([Example("hello", "oos", "en")], encoder=encoder)


def test_no_messages_no_analyses(demo: NluPipeline) -> None:
    assert demo.analyse_many([], SERVED) == []
