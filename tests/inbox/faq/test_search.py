"""The FAQ ranking engine on a handful of clear questions (the eval set lives in bench/)."""

from __future__ import annotations

import pytest

import inbox.faq.clauses as clauses_module
import inbox.faq.search as search_module
from inbox.faq.articles import default_articles
from inbox.faq.classifier import BLEND_WEIGHT, TEMPERATURE, blend
from inbox.faq.clauses import clause_weights, request_posterior, split_clauses
from inbox.faq.search import FaqIndex, rank
from inbox.faq.synonyms import fold
from inbox.faq.text import NgramAnalyzer, TypoFixer, content, normalize
from tests.support.faq import slugs


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("환불 규정이 궁금합니다", "refund-return"),
        ("운송장번호가 안 보여요", "shipping-tracking"),
        ("회원 탈퇴 절차 알려줘", "account-delete"),
        ("비밀번호를잊어버렸습니다", "account-password-reset"),
        ("배송지를 다른 곳으로 변경할래요", "shipping-address-change"),
        ("회원탈퇘", "account-delete"),
        ("I need to reset my password", "account-password-reset"),
        ("minimum order for free shipping?", "shipping-fee"),
        ("상담원이랑 통화하고 싶어요", "contact-channels"),
    ],
)
def test_clear_questions_rank_their_article_first(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert index.search(question, limit=1)[0].slug == slug


def test_spacing_does_not_change_the_answer(index: FaqIndex) -> None:
    spaced = index.search("배송 기간 얼마나 걸려요", limit=3)
    unspaced = index.search("배송기간얼마나걸려요", limit=3)
    assert spaced[0].slug == unspaced[0].slug == "shipping-time"


def test_results_are_ranked_limited_and_known(index: FaqIndex) -> None:
    hits = index.search("주문 취소 환불", limit=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.slug for h in hits} <= set(index.slugs)
    assert {hits[0].slug, hits[1].slug} == {"order-change-cancel", "refund-return"}


@pytest.mark.parametrize("question", ["", "   ", "ㅠㅠㅠ", "?!", "how do i"])
def test_questions_without_content_find_nothing(index: FaqIndex, question: str) -> None:
    assert index.search(question) == []


def test_a_pasted_huge_message_is_answered_from_its_start(index: FaqIndex) -> None:
    hits = index.search("비밀번호 재설정 " + "가" * 20_000)
    assert hits[0].slug == "account-password-reset"


def test_rank_is_the_one_shot_form() -> None:
    assert rank(default_articles(), "송장번호", limit=1)[0].slug == "shipping-tracking"


def test_normalize_drops_emoticon_jamo_and_case() -> None:
    assert normalize("  Tracking  번호ㅠㅠ ") == "tracking 번호"


def test_analyzer_ignores_spacing_and_question_scaffolding() -> None:
    analyzer = NgramAnalyzer()
    assert analyzer("환불 어떻게 하나요") == analyzer("환불어떻게하나요") == analyzer("환불")


@pytest.mark.parametrize(
    "question",
    [
        "'; DROP TABLE users; --",
        "안녕하세요",
        "문의드립니다",
        "오늘 서울 날씨 어때요?",
        "아이폰 최신 모델 가격이 얼마에요",
        "강아지 산책은 하루에 몇 번 해야 하나요",
        "what's the capital of France",
    ],
)
def test_no_believable_article_means_no_answer(index: FaqIndex, question: str) -> None:
    # search() still finds a weak overlap for most of these; answer() must refuse them.
    assert index.answer(question) == []


def test_markup_is_not_the_customers_words(index: FaqIndex) -> None:
    # "confirm" in the attribute met the order articles' English before tags were dropped.
    assert index.search("<svg onload=confirm(9)>")  # the ranking alone finds an overlap
    assert index.answer("<svg onload=confirm(9)>") == []
    # Text between or beside tags is still the question.
    assert index.answer("<b>비밀번호</b> 어떻게 바꿔요")[0].slug == "account-password-reset"
    assert index.answer("<img src=x onerror=alert(1)> 배송 언제 와요?")[0].slug == "shipping-time"


def test_a_weak_score_is_believed_when_the_article_covers_the_question(index: FaqIndex) -> None:
    hits = index.answer("한달째 안옴")  # short and colloquial: low score, but it is the article
    assert hits and hits[0].slug == "shipping-missing"
    # The gate judges the ranking's own score (answer's is raised by the classifier's share).
    assert index.search("한달째 안옴")[0].score < index.config.confident_score
    assert index.coverage("한달째 안옴", "shipping-missing") >= index.config.min_coverage


@pytest.mark.parametrize(
    ("typed", "meant", "slug"),
    [
        ("반풍 접수 하고 싶어요", "반품 접수 하고 싶어요", "refund-return"),
        ("탈뢰 방법", "탈퇴 방법", "account-delete"),
        ("주문 췌소 어떻게 해요", "주문 취소 어떻게 해요", "order-change-cancel"),
        ("고객샌터 번호 알려주세요", "고객센터 번호 알려주세요", "contact-channels"),
    ],
)
def test_a_one_jamo_typo_of_a_keyword_is_corrected_and_answered(
    index: FaqIndex, typed: str, meant: str, slug: str
) -> None:
    assert TypoFixer(default_articles())(typed) == meant
    hits = index.answer(typed)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    "question",
    [
        "주소 변경 부탁드려요",  # 부탁 is no typo of 부작(용): only whole keyword words count
        "쿠폰 코드 입력이 안 돼요",  # 코드 is one jamo from 카드, but an everyday word
        "수학 숙제 좀 도와줘",  # 숙제 is one jamo from 삭제
    ],
)
def test_real_words_are_not_corrected_into_keywords(question: str) -> None:
    assert TypoFixer(default_articles())(question) == question


def test_a_corrected_typo_vouches_only_for_a_question_its_article_covers(
    index: FaqIndex,
) -> None:
    # 탈뢰 becomes 탈퇴 and ranks account deletion first, but the rest of the question is
    # about something else: a guess must not be shown to a visitor.
    question = "강아지랑 산책하다 본 탈뢰 표지판 무슨 뜻이에요"
    assert index.search(question)[0].slug == "account-delete"
    assert index.answer(question) == []


@pytest.mark.parametrize("question", ["이번 주말에 비 와요?", "부산 가는 KTX 시간표 알려줘"])
def test_one_shared_word_is_not_enough_even_with_a_fair_score(
    index: FaqIndex, question: str
) -> None:
    # "주말" and "시간" belong to the contact article's "주말 상담" / "상담 시간" only.
    hits = index.search(question)
    assert hits and hits[0].score >= index.config.confident_score
    assert index.answer(question) == []


def test_synonyms_meet_the_articles_words(index: FaqIndex) -> None:
    assert index.answer("구매한 거 환급 받으려면 어떻게 해요")[0].slug == "refund-return"
    assert index.answer("주문 철회하고 싶어요")[0].slug == "order-change-cancel"
    assert index.answer("암호를 새로 정하고 싶어요")[0].slug == "account-password-reset"


def test_clauses_split_at_connectives_but_not_at_go_sipda() -> None:
    assert split_clauses("주문 취소했는데 환불은 언제 들어오나요") == [
        "주문 취소했는데",
        "환불은 언제 들어오나요",
    ]
    assert split_clauses("반품하고 싶어요") == ["반품하고 싶어요"]
    assert split_clauses("배송지 변경. 그리고 배송비도요?") == ["배송지 변경", "배송비도요"]


def test_each_intent_of_a_two_part_message_is_offered(index: FaqIndex) -> None:
    shown = slugs(index, "반품하고 싶은데 반송 택배비는 누가 내는 건가요")
    assert {"refund-return", "shipping-fee"} <= set(shown)


def test_request_clauses_count_fully_and_background_less() -> None:
    background = clauses_module._BACKGROUND_WEIGHT
    story, ask = "택배 추적 링크로 보니까 오늘 도착한대요", "받으면 반품하고 싶은데 어떻게 하나요"
    assert clause_weights([story, ask]) == [background, 1.0]
    # No clause sounds like a request: Korean asks last.
    assert clause_weights(["지난주에 주문했는데", "비번 까먹음"]) == [background, 1.0]
    # A request that reaches no article by itself asks about the story.
    assert clause_weights(["이거 맘에 안 드는데", "어떻게 해야 하나요?"], [20.0, 0.4]) == [1.0, 1.0]


def test_a_multi_intent_question_offers_both_and_the_index_ranks_the_request_first(
    index: FaqIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "택배 추적 링크로 보니까 오늘 도착한대요. 근데 받으면 반품하고 싶은데 어떻게 하나요"
    shown = slugs(index, question)
    # Round 12 put refund-return first by giving the ranker's request clauses half the say;
    # round 18 blends the whole message's posterior (better on the folds, "FAQ round 18" in
    # docs/decisions.md), which reads this message as tracking first. Both are offered.
    assert {"refund-return", "shipping-tracking"} <= set(shown)
    # The index itself still counts the story less than the request ...
    assert index.search(question)[0].slug == "refund-return"
    # ... and counting the story like the request lets its words (택배 추적 링크) win.
    monkeypatch.setattr(clauses_module, "_BACKGROUND_WEIGHT", 1.0)
    assert index.search(question)[0].slug == "shipping-tracking"


def test_the_ranking_blends_the_whole_messages_posterior(index: FaqIndex) -> None:
    # Round 18: the whole message's posterior, not its mean with the request clauses'
    # (request_posterior, which only the trust check still reads). Here the request clause
    # alone ("기록도 남지 않게요") reads like order history. Not a shipped phrasing.
    question = "여기서 아예 빠지고 싶어요. 기록도 남지 않게요"
    assert len(split_clauses(question)) == 2
    assert index._classifier is not None
    assert request_posterior(index._classifier, question) != index._whole_posterior(question)
    hits = index.search(question, limit=len(index.slugs))
    best = max(hit.score for hit in hits)
    whole = index._classifier.posterior(question, temperature=TEMPERATURE)
    expected = blend(((hit.slug, hit.score) for hit in hits), whole, BLEND_WEIGHT)
    assert [(h.slug, h.score) for h in index.rerank(question, hits)] == [
        (slug, round(value * best, 4)) for slug, value in expected
    ]
    assert index.answer(question)[0].slug == "account-delete"


def test_the_whole_message_counts_as_much_as_its_best_clause(index: FaqIndex) -> None:
    # Round 18: _WHOLE_WEIGHT 0.5 -> 1.0. A message of short sentences, each too thin alone
    # (not a shipped phrasing): at 0.5 the gate refused it.
    assert search_module._WHOLE_WEIGHT == 1.0
    question = "It says delivered but it isn't here. I checked the lobby and the lockers."
    assert slugs(index, question)[:1] == ["shipping-missing"]


def test_a_story_told_first_does_not_outrank_the_request(index: FaqIndex) -> None:
    # "지난주에 … 주문했는데" covers the order-history keyword 지난 주문 completely.
    assert index.answer("지난주에 오메가3 주문했는데 비번 까먹음 ㅠ")[0].slug == (
        "account-password-reset"
    )


def test_greetings_and_thanks_do_not_lift_nonsense_past_the_gate(index: FaqIndex) -> None:
    assert index.answer("안녕하세요 수고 많으십니다. 로또 번호 알려줘") == []
    assert index.answer("asdfghjkl 빠른 답변 부탁드려요. 감사합니다!") == []
    hits = index.answer("안녕하세요 수고 많으십니다. 비밀번호를 잊어버렸어요 감사합니다")
    assert hits[0].slug == "account-password-reset"


def test_a_compound_is_read_as_its_words(index: FaqIndex) -> None:
    # 이메일주소변경: the 주소 변경 inside must not make it an address change.
    for question in ("이메일주소변경하고싶어요", "이메일 주소 바꾸고싶어요"):
        assert index.answer(question)[0].slug == "account-edit"


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("이거 반납하고 싶은데요", "refund-return"),  # 반납 → 반품
        ("방금 시킨거 취소 좀요", "order-change-cancel"),  # 시키다 → 주문
        ("색상 다른 걸로 바꿔주세요", "order-change-cancel"),  # 바꾸다 → 변경
        # The missing-parcel title "주문한 상품이 아직 안 왔어요" alone had 주문한.
        ("주문한 상품 다른걸로 바꿀수있나요", "order-change-cancel"),
        ("주문한거 지금 어떤 상태인지 어디서 봐요?", "order-status"),
    ],
)
def test_everyday_verbs_meet_the_articles_nouns(index: FaqIndex, question: str, slug: str) -> None:
    hits = index.answer(question)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("반퓸 접수 어떻케 해요", "refund-return"),  # 어떻케 is 어떻게: not content to cover
        ("맛이 너무 이상해서 못 먹겠음 ㅠ 돌려받을 수 있나", "refund-return"),  # 돌려받다
        ("계정 지워주세요", "account-delete"),  # 지우다 → 삭제
        ("실수로 같은 걸 두 번 주문했어요", "order-change-cancel"),  # 두 번 주문 → 중복 주문
        ("병이 금이 가서 왔는데 새걸로 받을 수 있을까요", "refund-return"),  # 금이 가다 → 깨지다
    ],
)
def test_round_six_vocabulary(index: FaqIndex, question: str, slug: str) -> None:
    hits = index.answer(question)
    assert hits and hits[0].slug == slug


@pytest.fixture(scope="module")
def curated() -> FaqIndex:
    """The articles and the vocabulary alone: no labelled examples (their classifier would
    re-rank, and the shipped ones contain round 12's questions) and no veto."""
    return FaqIndex(default_articles(), examples={}, no_answer=())


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # Loan and office words for the articles' words (round 12, another writer).
        ("구매 히스토리 보고 싶어요", "order-history"),  # 히스토리 → 내역
        ("계정 개설은 어떻게 해요", "account-signup"),  # 개설 → 생성
        ("결제는 했는데 다음 스텝으로 안 넘어가요", "order-status"),  # 스텝 → 단계
        ("계정 폐쇄하고 싶어요", "account-delete"),  # 폐쇄 → 삭제
        ("교품 되나요", "refund-return"),  # 교품 → 교환
        ("배송 수수료 있어요?", "shipping-fee"),  # 수수료 → 요금
        ("등록된 카드 교체하려고요", "account-edit"),  # 교체 → 변경, every form
        # Verb families, every inflection: 옮기다 (where it goes), 줄이다 (수량 줄이기).
        ("받을 장소를 회사로 옮기고 싶어요", "shipping-address-change"),
        ("수량을 하나로 줄여 주세요", "order-change-cancel"),
        # Keywords the articles plainly lacked: 단계, 배송 사고, a courier hub, 균수.
        ("제 주문 지금 어느 단계예요", "order-status"),
        ("택배 사고 난 것 같아요", "shipping-missing"),
        ("간선 하차에서 며칠째 그대로예요", "shipping-missing"),
        ("유산균 균수가 얼마나 돼요", "product-info"),
    ],
)
def test_round_twelve_vocabulary(curated: FaqIndex, question: str, slug: str) -> None:
    hits = curated.answer(question)
    assert hits and hits[0].slug == slug


def test_round_twelve_folds_keep_other_words_whole() -> None:
    assert fold("원재료 알려주세요").startswith("원료")  # not 원원료 (재료 → 원료 inside it)
    assert "체크카드" in fold("체크카드로 결제했어요")  # a card, not 확인카드 (체크 → 확인)
    assert "배송지연" in fold("배송지연")  # 받는 곳 → 수령지, never into 배송지


def test_dialect_endings_are_scaffolding_not_content() -> None:
    assert content("배송지 좀 바꿔주이소") == content("배송지 좀 바꿔주세요")
    assert content("탈퇴는 어데서 하나예") == content("탈퇴는 어디서 하나요")


@pytest.mark.parametrize(
    "question",
    ["은행 계좌 개설하려면 뭐가 필요해요", "아이폰 배터리 교체 비용 얼마예요"],
)
def test_round_twelve_words_do_not_answer_other_topics(index: FaqIndex, question: str) -> None:
    assert index.answer(question) == []


def test_the_ranking_blends_the_tempered_posterior(index: FaqIndex) -> None:
    # An untempered naive Bayes posterior is ~0 or ~1, so the blend overturned clear leads
    # of the index (FAQ round 12); the index must blend the flattened one.
    question = "환불 처리 진행 상황 알려주세요"
    hits = index.search(question, limit=len(index.slugs))
    best = max(hit.score for hit in hits)
    posterior = index._classifier.posterior(question, temperature=TEMPERATURE)
    expected = blend(((hit.slug, hit.score) for hit in hits), posterior, BLEND_WEIGHT)
    got = index.rerank(question, hits)
    assert [(hit.slug, hit.score) for hit in got] == [
        (slug, round(value * best, 4)) for slug, value in expected
    ]
    assert TEMPERATURE > 1


def test_a_verb_folds_but_a_name_with_its_syllables_does_not() -> None:
    assert "삭제" in fold("계정 지우고 싶어요")
    assert fold("김지우입니다") == "김지우입니다"  # a customer signing with a given name


def test_able_to_is_scaffolding_not_the_address_title(index: FaqIndex) -> None:
    # "…바꿀 수 있나요" kept its 수 once 있나요 was gone, and 수정+수 matched "배송지를 바꿀 수
    # 있나요" (the address article's title) better than the option the customer named.
    assert index.answer("옵션 잘못 골랐어요 바꿀 수 있나요")[0].slug == "order-change-cancel"


@pytest.mark.parametrize("question", ["주문 내역 어디서 봐요", "계정 완전히 없애고 싶어요"])
def test_everyday_endings_are_not_typos(question: str) -> None:
    # 봐요 was "corrected" to 와요 (the delivery keyword 언제 와요), 완전히 to 완전화.
    assert TypoFixer(default_articles())(question) == question


def test_a_word_straddling_the_customers_space_is_a_coincidence(index: FaqIndex) -> None:
    # 고양이 사료 → 이사 (moving house, a keyword of the address article) across the space.
    assert index.answer("고양이 사료 추천해주세요") == []
    assert index.answer("이사 가서 배송지 바꿔야 해요")[0].slug == "shipping-address-change"


@pytest.mark.parametrize(
    "question",
    [
        "ㅋㅋㅋㅋ",
        "1+1=?",
        "네 그렇군요",
        "좋아요",
        "네네 확인했어요",
        "점심 메뉴 추천 좀",
        "Who are you?",
    ],
)
def test_nonsense_and_small_talk_stay_silent(index: FaqIndex, question: str) -> None:
    assert index.answer(question) == []


@pytest.mark.parametrize("question", ["ㅇㅋ 해결됐어요 수고하세요", "네 해결됐습니다 감사합니다"])
def test_a_closing_after_a_solved_problem_asks_nothing(question: str) -> None:
    # Without the veto: its no-answer questions include one closing, which it would silence
    # by itself; the scaffolding is what must decide.
    assert FaqIndex(default_articles(), no_answer=()).answer(question) == []


def test_an_unsolved_problem_still_asks_for_a_person(index: FaqIndex) -> None:
    hits = index.answer("챗봇이랑 얘기했는데 해결이 안 됐어요. 상담원이랑 통화할 수 있나요")
    assert hits and hits[0].slug == "contact-channels"


@pytest.mark.parametrize("question", ["아이디 찾기 어디서", "아이디 분실했어요"])
def test_finding_a_forgotten_id_is_the_sign_in_help_not_account_deletion(
    gate: FaqIndex, shipped: FaqIndex, question: str
) -> None:
    """The ID is the e-mail one signs in with, and the sign-in help is where it is recovered:
    before the keywords 아이디 찾기 / 아이디 분실, the curated side ranked account deletion
    first ("아이디 삭제" was the only keyword with 아이디)."""
    assert gate.search(question)[0].slug == "account-password-reset"
    assert shipped.answer(question)[0].slug == "account-password-reset"
