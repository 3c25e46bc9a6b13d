"""The ranker trained on labelled phrasings: what ships, what it fixes, what it must not do."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from inbox.faq.articles import DEFAULT_SLUGS, default_articles
from inbox.faq.classifier import (
    ExamplesFormatError,
    PhrasingClassifier,
    blend,
    default_examples,
    load_examples,
)
from inbox.faq.search import FaqIndex
from inbox.faq.text import NgramAnalyzer

HARD = Path(__file__).resolve().parents[3] / "bench" / "faq_hard.jsonl"


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.fixture(scope="module")
def without() -> FaqIndex:
    return FaqIndex(default_articles(), classify=False)


def test_shipped_examples_cover_every_seed_article_and_no_held_out_question() -> None:
    examples = default_examples()
    assert set(examples) == set(DEFAULT_SLUGS)
    assert all(len(texts) >= 20 for texts in examples.values())
    shipped = {text for texts in examples.values() for text in texts}
    rows = [json.loads(line) for line in HARD.read_text(encoding="utf-8").splitlines()]
    # Round 24's held-out splits: measured, never taught.
    held_out = {row["q"] for row in rows if row["split"] in ("final29", "final29b", "final30")}
    assert held_out and not held_out & shipped
    spent = {
        row["q"]
        for row in rows
        if row["split"] in ("final27", "final27b", "final28") and row["slugs"]
    }
    assert spent and spent <= shipped


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"format": "other/1", "examples": {}},
        {"format": "switchboard-faq-examples/1"},
        {"format": "switchboard-faq-examples/1", "examples": {"a": "not a list"}},
        {"format": "switchboard-faq-examples/1", "examples": {"a": [""]}},
    ],
)
def test_a_malformed_examples_file_is_refused(raw: object) -> None:
    with pytest.raises(ExamplesFormatError):
        load_examples(raw)


def test_the_classifier_learns_which_ngrams_point_to_which_slug() -> None:
    model = PhrasingClassifier(
        {"refund": ["돈 돌려받고 싶어요", "환불 해주세요"], "track": ["택배 어디쯤이에요"]},
        NgramAnalyzer(),
    )
    posterior = model.posterior("돈 언제 돌려받아요")
    assert posterior["refund"] > 0.9
    assert model.posterior("zzz") == {}  # nothing it has seen: no opinion


def test_a_tempered_posterior_keeps_the_order_and_flattens_it() -> None:
    model = PhrasingClassifier(
        {"refund": ["돈 돌려받고 싶어요", "환불 해주세요"], "track": ["택배 어디쯤이에요"]},
        NgramAnalyzer(),
    )
    sure = model.posterior("돈 언제 돌려받아요")
    tempered = model.posterior("돈 언제 돌려받아요", temperature=6.0)
    assert max(sure, key=sure.__getitem__) == max(tempered, key=tempered.__getitem__) == "refund"
    assert tempered["refund"] < sure["refund"]
    # Log-odds divided by the temperature: the flattening is exact, not a heuristic.
    odds = math.log(sure["refund"] / sure["track"]) / 6.0
    assert math.log(tempered["refund"] / tempered["track"]) == pytest.approx(odds)


def test_blend_adds_the_posterior_on_the_best_hits_scale() -> None:
    ranked = blend([("a", 10.0), ("b", 9.0)], {"a": 0.0, "b": 1.0}, 0.5)
    assert [slug for slug, _ in ranked] == ["b", "a"]
    assert ranked[0][1] == pytest.approx(0.9 + 0.5)


def test_a_question_the_ranking_alone_gets_wrong_is_fixed(
    index: FaqIndex, without: FaqIndex
) -> None:
    # A card saved in the account, not an order to change: the keywords say 변경/바꾸기 for
    # orders too, labelled phrasings say which wins.
    question = "등록한 카드를 다른 카드로 바꾸고 싶어요"
    assert without.answer(question)[0].slug != "account-edit"
    assert index.answer(question)[0].slug == "account-edit"
    scores = [hit.score for hit in index.answer(question)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "ㅋㅋㅋㅋ",
        "'; DROP TABLE users; --",
        "안녕하세요",
        "오늘 서울 날씨 어때요?",
        "강아지 산책은 하루에 몇 번 해야 하나요",
        "what's the capital of France",
    ],
)
def test_the_gate_still_silences_what_it_silenced(index: FaqIndex, question: str) -> None:
    assert index.answer(question) == []


def test_the_gate_decides_before_the_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    index = FaqIndex(default_articles())
    calls: list[str] = []
    original = index.rerank
    monkeypatch.setattr(
        index, "rerank", lambda q, hits, *more: calls.append(q) or original(q, hits, *more)
    )
    assert index.answer("오늘 서울 날씨 어때요?") == []
    assert calls == []  # a silenced question never reaches the re-ranking
    assert index.answer("환불 규정이 궁금합니다")
    assert calls == ["환불 규정이 궁금합니다"]


def test_without_labelled_phrasings_answer_ranks_as_search_does() -> None:
    articles = default_articles()
    index = FaqIndex(articles, examples={})  # no examples and no evidence: no classifier
    question = "등록한 카드를 다른 카드로 바꾸고 싶어요"
    assert index.answer(question) == index.search(question)


def test_evidence_trains_the_classifier_and_examples_of_unknown_articles_are_ignored() -> None:
    articles = [a for a in default_articles() if a.slug != "account-edit"]
    index = FaqIndex(articles, examples={"account-edit": ["카드 바꾸기"], "nope": ["x"]})
    assert index.answer("등록한 카드를 다른 카드로 바꾸고 싶어요")[0].slug != "account-edit"
    taught = FaqIndex(
        default_articles(),
        examples={},
        evidence={"account-edit": [("등록된 카드 다른 카드로 바꿀래요", 1.0)]},
    )
    assert taught._classifier is not None
