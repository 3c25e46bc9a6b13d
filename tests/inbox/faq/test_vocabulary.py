"""The generated vocabulary (inbox/faq/vocabulary.json): its loader, how it joins the hand-written
synonyms, and that the committed file reaches the ranking without kiwipiepy at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import (
    HAND_KO_SYNONYMS,
    KO_SYNONYMS,
    VocabularyError,
    _settle,
    fold,
    load_vocabulary,
)
from inbox.faq.text import normalize


def _committed() -> dict[str, object]:
    text = resources.files("inbox.faq").joinpath("vocabulary.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_loader_reads_synonyms_paradigms_then_lemmas() -> None:
    raw = {
        "synonyms": {"핸드폰": "휴대폰", "걸려": "소요"},
        "paradigms": {"시키고": "주문하고", "핸드폰": "전화"},
        "lemmas": {"걸려": "걸리", "틀린": "틀리"},
    }
    assert load_vocabulary(raw) == {
        "핸드폰": "휴대폰",
        "걸려": "소요",
        "시키고": "주문하고",
        "틀린": "틀리",
    }
    assert load_vocabulary({}) == {}


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"synonyms": []},
        {"lemmas": "걸려"},
        {"paradigms": {"시켜": None}},
        {"synonyms": {"": "환불"}},  # an empty key would match between every two characters
        {"synonyms": {"돈": "환불"}},  # one syllable sits inside too many words
        {"synonyms": {"refund": "환불"}},
        {"synonyms": {"핸드폰": ""}},
        {"synonyms": {"핸드폰": 3}},
        {"synonyms": {"핸드폰": "휴대 폰"}},
    ],
)
def test_loader_refuses_what_would_change_every_article(raw: object) -> None:
    with pytest.raises(VocabularyError):
        load_vocabulary(raw)


def test_committed_file_loads_and_is_folded() -> None:
    generated = load_vocabulary(_committed())
    assert generated, "vocabulary.json is empty"
    for variant in generated:
        if variant not in HAND_KO_SYNONYMS:
            assert variant in KO_SYNONYMS
    assert fold("핸드폰 번호") == "휴대폰 번호"
    assert "잊어버렸" in fold("비번 까먹었어요")
    assert fold("계정 지웠어요") == "계정 삭제했어요"  # a paradigm fold


def test_generated_words_are_not_the_articles_own() -> None:
    """A generated variant found in an article would re-index that article: the script filters
    them out, and a regenerated file must too."""
    texts = "".join(
        normalize(chunk).replace(" ", "")
        for article in default_articles()
        for chunk in (
            article.texts["ko"].title,
            article.texts["ko"].answer,
            *article.texts["ko"].keywords,
        )
    )
    synonyms = _committed()["synonyms"]
    assert isinstance(synonyms, dict)
    assert [v for v in synonyms if v in texts] == []


def test_hand_written_synonyms_win() -> None:
    assert KO_SYNONYMS["바꾸"] == "수정"
    assert KO_SYNONYMS["시킨"] == "주문"


def test_targets_are_settled_through_the_table() -> None:
    # fold() never re-reads its output: 저번 → 지난 must write what 지난 itself becomes.
    assert _settle({"저번": "지난", "지난": "지나"}) == {"저번": "지나", "지난": "지나"}
    # A cycle stops after a few rounds instead of looping.
    assert set(_settle({"가나": "나가", "나가": "가나"})) == {"가나", "나가"}
    for variant, target in KO_SYNONYMS.items():
        assert fold(target) == target, (variant, target)


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("후유증 같은 거 있나요", "product-info"),  # 후유증 → 부작용
        ("오메가3 물이랑 같이 마셔도 되나요", "product-info"),  # 마셔 → 먹어
        ("배송 지체되고 있어요", "shipping-missing"),  # 지체 → 지연
        ("주문 리스트 어디서 봐요", "order-history"),  # 리스트 → 목록
    ],
)
def test_generated_words_reach_their_article(index: FaqIndex, question: str, slug: str) -> None:
    """Each of these got no answer, or the wrong one, with the hand-written synonyms alone."""
    hits = index.answer(question)
    assert hits and hits[0].slug == slug


def test_run_time_does_not_load_kiwipiepy() -> None:
    """The model costs ~490 MB per process; the vocabulary is data, not an analyzer."""
    code = (
        "import sys; from inbox.faq.search import FaqIndex; "
        "from inbox.faq.articles import default_articles; "
        "FaqIndex(default_articles()).answer('핸드폰 번호 바꾸고 싶어요'); "
        "print('kiwipiepy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("개봉하고 냉장 보관 해야 하나요", "product-info"),
        ("제조일자 언제인가요", "product-info"),
        ("Does the fish oil have mercury?", "product-info"),
        ("How do I become a member?", "account-signup"),
        ("Can I swap my order for a bigger bottle?", "order-change-cancel"),
        ("주문이 아직 대기열에 있어요", "order-status"),
        ("올해 결제한 금액 보고 싶어요", "order-history"),
    ],
)
def test_round_13_keywords_reach_their_article(index: FaqIndex, question: str, slug: str) -> None:
    """Words another writer's customers used that no article had (storage, manufacture date,
    mercury, membership, swap, a queue, a year's payments): silenced, or ranked elsewhere,
    before the keywords were added. Phrased here unlike the tuning questions they came from."""
    hits = index.answer(question)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    ("written", "folded"),
    [("주문하믄", "주문하면"), ("우째 되노", "어떻게 되나요"), ("이거 몬가요", "이거 뭔가요")],
)
def test_dialect_endings_fold_to_the_standard_form(written: str, folded: str) -> None:
    assert fold(written) == fold(folded)
