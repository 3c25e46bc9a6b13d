"""The no-answer veto: questions that read like the shipped no-answer ones get no answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.classifier import (
    NONE,
    ExamplesFormatError,
    PhrasingClassifier,
    default_examples,
    default_no_answer,
    load_no_answer,
)
from inbox.faq.search import FaqIndex
from inbox.faq.text import NgramAnalyzer
from tests.support.faq import slugs

HARD = Path(__file__).resolve().parents[3] / "bench" / "faq_hard.jsonl"


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.fixture(scope="module")
def no_veto() -> FaqIndex:
    return FaqIndex(default_articles(), no_answer=())


# Off-topic, with the article word 택배 (not shipped phrasings): the gate lets each through.
OFF_TOPIC = ["우체국 택배 접수 몇 시까지 해요", "우체국 택배 보내는 상자 어디서 사요"]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_an_off_topic_question_the_gate_lets_through_is_vetoed(
    index: FaqIndex, no_veto: FaqIndex, question: str
) -> None:
    assert no_veto.answer(question)  # the gate alone answers it
    assert index.vetoed(question)
    assert index.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("택배 보냈다는데 어디쯤 왔는지 어떻게 봐요", "shipping-tracking"),
        ("주문 취소하는 법 알려줘", "order-change-cancel"),  # the no-answer questions' frame
        ("환불 하는 법 알려줘", "refund-return"),
        ("탈퇴 시켜줘요 걍", "account-delete"),
        # The frame the round-16 no-answer questions made off-topic ("… 환불 가능한가요").
        ("환불 가능한가요", "refund-return"),
        ("배송지 변경 가능한가요", "shipping-address-change"),
    ],
)
def test_a_real_question_with_the_same_word_is_still_answered(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert not index.vetoed(question)
    assert index.answer(question)[0].slug == slug


def test_the_veto_only_silences(index: FaqIndex, no_veto: FaqIndex) -> None:
    # Asked after the gate: a question the gate silences stays silent, vetoed or not.
    for question in ["ㅋㅋㅋㅋ", "오늘 서울 날씨 어때요?", *OFF_TOPIC]:
        if not no_veto.answer(question):
            assert index.answer(question) == []
    assert index._veto is not None and no_veto._veto is None


def test_the_veto_does_not_read_an_order_numbers_digits(index: FaqIndex) -> None:
    """Round 18 taught pasted order numbers as no-answer questions; their digits are the
    customer's and must not vote "none" on a request that quotes one."""
    question = "주문번호 20251103-4471920 취소해 주세요"
    assert index._classifier is not None and index._veto is not None
    assert "w:20251103" in index._classifier.terms(question)  # the ranker still reads them
    veto_terms = index._veto.terms(question)
    assert not [t for t in veto_terms if any(ch.isdigit() for ch in t.split(":", 1)[1])]
    assert "h2:취소" in veto_terms
    assert not index.vetoed(question)
    assert "order-change-cancel" in slugs(index, question)


def test_the_none_class_is_left_out_of_the_ranking_posterior() -> None:
    model = PhrasingClassifier(
        {"refund": ["환불 해주세요"], "track": ["택배 어디쯤이에요"], NONE: ["우체국 택배 보내요"]},
        NgramAnalyzer(),
    )
    assert model.p_none("우체국 택배 보내는 법") > 0.5
    posterior = model.posterior("우체국 택배 보내는 법")
    assert set(posterior) == {"refund", "track"}
    assert sum(posterior.values()) == pytest.approx(1.0)
    assert PhrasingClassifier({"refund": ["환불"]}, NgramAnalyzer()).p_none("환불") == 0.0


def test_shipped_no_answer_questions_hold_no_held_out_or_labelled_question() -> None:
    shipped = default_no_answer()
    assert len(shipped) >= 200
    rows = [json.loads(line) for line in HARD.read_text(encoding="utf-8").splitlines()]
    held_out = {row["q"] for row in rows if row["split"] in ("final29", "final29b", "final30")}
    assert held_out and not held_out & set(shipped)
    spent = {
        row["q"]
        for row in rows
        if row["split"] in ("final27", "final27b", "final28") and not row["slugs"]
    }
    assert spent and spent <= set(shipped)
    labelled = {text for texts in default_examples().values() for text in texts}
    assert not labelled & set(shipped)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"format": "other", "questions": []},
        {"format": "switchboard-faq-no-answer/1"},
        {"format": "switchboard-faq-no-answer/1", "questions": ["ok", ""]},
        {"format": "switchboard-faq-no-answer/1", "questions": [3]},
    ],
)
def test_a_malformed_no_answer_file_is_refused(raw: object) -> None:
    with pytest.raises(ExamplesFormatError):
        load_no_answer(raw)
