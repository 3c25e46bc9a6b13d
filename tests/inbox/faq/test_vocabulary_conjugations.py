"""Round 18: the vocabulary families reach the forms customers write — a key's spaces are
optional, a verb family's generated conjugations fold only where a word starts, and homographs
are left alone — and the false friends those forms would open stay closed.

Wordings are written for these tests, not taken from the bench splits. `gate` has no veto and
no ranker (how the curated side reads a question); the silences are asked of the shipped
engine, as a visitor would."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import fold

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("unspaced", "spaced"),
    [
        ("봇말고 상담사요", "봇 말고 상담사요"),
        ("부치는비용 얼마예요", "부치는 비용 얼마예요"),
        ("사람불러 주세요", "사람 불러 주세요"),
    ],
)
def test_a_spaced_key_meets_the_same_words_unspaced(unspaced: str, spaced: str) -> None:
    assert fold(unspaced).replace(" ", "") == fold(spaced).replace(" ", "")
    assert fold(unspaced) != unspaced


def test_generated_conjugations_fold_only_where_a_word_starts() -> None:
    assert fold("주소 고쳤어요") == "주소 수정했어요"  # a generated paradigm form
    assert fold("계정 지우셨나요") == "계정 삭제하셨나요"  # the honorific, generated
    # Inside a word the same syllables are another word: 폭파시키고 is 폭파 + 시키다, not an
    # order (main folded it to 삭제주문하고).
    assert "주문" not in fold("계정 폭파시키고 싶어요")


def test_the_auxiliary_forms_of_murda_ask_for_a_return() -> None:
    for written in ("이거 물러 주세요", "이거 물러주세요", "물러 줄 수 있어요", "물러도 되나요"):
        assert "환불해" in fold(written), written
    # 머무르다 (to stay) ends the same way inside its word.
    assert fold("병원에 머물러 주세요") == "병원에 머물러 주세요"
    assert fold("여기 머물러도 되나요") == "여기 머물러도 되나요"


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("포장 뜯지도 않은 건데 물러도 될까요", "refund-return"),
        ("찌그러진 채로 왔으니 물러 줘요", "refund-return"),
        ("물건값 외에 부쳐 주는 비용이 따로 있나요", "shipping-fee"),
        ("엊그제 주문한 것 없던 일로 하고 싶어요", "order-change-cancel"),
        ("Where exactly is my box at the moment?", "shipping-tracking"),
        ("How can I move my account to my work email?", "account-edit"),
        # families read from hard-dev-18a: 바로잡다, 계정 닫기, pw
        ("이름 철자 바로잡으려면요", "account-edit"),
        ("제 계정을 닫아 주세요", "account-delete"),
        ("need a new pw, mine leaked", "account-password-reset"),
    ],
)
def test_conjugated_and_spaced_forms_reach_their_article(
    gate: FaqIndex, question: str, slug: str
) -> None:
    hits = gate.answer(question)
    assert hits and hits[0].slug == slug


def test_a_trace_to_erase_is_the_account(gate: FaqIndex) -> None:
    assert fold("제 흔적을 싹 지우고 싶어요") == "제 계정을 싹 삭제하고 싶어요"
    # A parcel gone without a trace is not an account.
    hits = gate.answer("택배가 흔적도 없이 사라졌어요")
    assert hits and hits[0].slug == "shipping-missing"


@pytest.mark.parametrize(
    "question",
    [
        "전 부치는 법 알려주세요",  # 부치다: frying, not sending
        "친구 부친상에 화환 보내려면",  # 부친: a father
        "변이 물러요",  # 무르다: soft
        "할아버지가 병원에 머물러 계세요",  # 머무르다
        "여행 가서 흔적을 남기고 싶어요",
        "거북목 자세 바로잡는 법",  # 바로잡다 a posture
    ],
)
def test_false_friends_of_the_new_forms_stay_silent(shipped: FaqIndex, question: str) -> None:
    assert shipped.answer(question) == []


def _vocabulary_script() -> object:
    pytest.importorskip("kiwipiepy")
    spec = importlib.util.spec_from_file_location(
        "faq_vocabulary", ROOT / "scripts" / "faq_vocabulary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("faq_vocabulary", module)
    spec.loader.exec_module(module)
    return module


def test_the_script_keeps_only_forms_kiwipiepy_reads_as_the_verb() -> None:
    script = _vocabulary_script()
    from kiwipiepy import Kiwi

    kiwi = Kiwi(model_type="cong")
    reads_as = script.reads_as  # type: ignore[attr-defined]
    assert reads_as(kiwi, "부쳐", ("부치", "VV"))
    assert reads_as(kiwi, "돌려보낸", ("돌려보내", "VV"))  # a compound kiwipiepy splits
    assert not reads_as(kiwi, "부친", ("부치", "VV"))  # a father
    assert not reads_as(kiwi, "무를", ("무르", "VV"))  # 무 + 를
    assert not reads_as(kiwi, "물러서", ("무르", "VV"))  # 물러서다
    pairs = script.paradigm_pairs(kiwi, script.article_text())  # type: ignore[attr-defined]
    assert pairs["갈아탔"] == "수정했"
    assert pairs["지우셨"] == "삭제하셨"
    assert not any(form.startswith(("물러", "무르", "부치", "부쳐")) for form in pairs)
