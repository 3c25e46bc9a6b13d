"""A message in parts: the clauses the ranking weighs, and the parts the no-answer veto reads.

Customers tell a story before they ask ("지난주에 주문했는데 … 환불 받을 수 있나요?"), and
thank, compare and ask in one line. The ranking counts a story less than its request
(`clause_weights`); the veto reads each part alone, so a question about the shop is not
silenced by the other company it is compared with (`veto_parts`). Split from inbox.faq.search:
these read text and a classifier, never the index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from inbox.faq.classifier import (
    TEMPERATURE,
    VETO,
    VETO_PART,
    PhrasingClassifier,
)
from inbox.faq.text import MAX_QUERY_CHARS, content
from inbox.faq.thanks import no_request_left

# Where one intent ends and the next begins: sentence punctuation, connective words said
# between two requests, and the connective endings -는데/-ㄴ데 ("취소했는데 환불은…") and -고
# ("바꾸고 환불도…"), but not -고 싶- ("반품하고 싶어요" is one intent).
_CLAUSE_BREAK = re.compile(
    r"[.?!;\n。？！]+"
    r"|\s(?:그리고|근데|그런데|그리고요|또한|또|아니면|그래서|and also|and|but|also)\s"
    r"|(?<=[는은]데)\s|(?<=[는은]데요)\s|(?<=[가-힣]고)\s(?!싶)",
    re.IGNORECASE,
)
_MIN_CLAUSE_CHARS = 4


def split_clauses(text: str) -> list[str]:
    """The clauses of a message, each long enough to carry an intent; short ones join the next."""
    clauses: list[str] = []
    carry = ""
    for part in _CLAUSE_BREAK.split(text):
        part = (carry + " " + part).strip() if carry else part.strip()
        if len(part.replace(" ", "")) < _MIN_CLAUSE_CHARS:
            carry = part
            continue
        clauses.append(part)
        carry = ""
    if carry:
        if clauses:
            clauses[-1] = clauses[-1] + " " + carry
        else:
            clauses.append(carry)
    return clauses


# What a request sounds like ("…해 주세요", "…하고 싶어요", "어떻게…", "…되나요", "가능할까요",
# "ㄱㄴ?"), as opposed to the background a long message gives first ("지난주에 주문했는데",
# "선물로 받았거든요"). Matched on the normalized clause; lone-jamo abbreviations are matched
# before normalize drops them.
_REQUEST = re.compile(
    r"주세요|주실|주시|싶어|싶은|싶습|싶음|싶다|원해|원합|바랍|부탁|알려|궁금|"
    r"[나까가죠]요|[나까가]\s*$|니까\s*$|나여|까여|"
    r"어떻게|어케|어떡|어디|어딨|언제|얼마|며칠|몇|뭐|무엇|왜|방법|가능|되나|될까|"
    r"할까|있나|있을까|되죠|하죠|인가|건지|는지|은지|"
    r"\?|ㄱㄴ|ㄱㄱ|"
    r"\b(?:how|can|could|where|when|what|why|please|want|need|would|is there|do i|does)\b",
    re.IGNORECASE,
)
# A reason told after the request (round 24, faq35): "밤 11시 넘어서 전화해도 받아? 퇴근이
# 늦어서", "…교환 돼요? 사이즈가 안 맞아서요". When no clause sounds like a request (the "?" is
# split off with the clause), the last clause is taken for it; a clause that only gives a cause
# (…어서, …니까, …거든요) is not the request, and the one before it is.
# The papers named …서 (영수증 계산서, 주문서, 설명서) are nouns, not causes.
_AFTERTHOUGHT = re.compile(
    r"(?:(?<!계산)(?<!주문)(?<!설명)(?<!명세)(?<!증명)(?<!신청)(?<!확인)(?<!보고)(?<!문)[가-힣]서"
    r"|서요|니까|니까요|거든|거든요)\s*$"
)
_BACKGROUND_WEIGHT = 0.3
_MIN_ASK_SCORE = 8.0  # SearchConfig.confident_score: what a clause needs to be an answer's


def _content_size(text: str) -> int:
    runs, words = content(text)
    return sum(len(r) for r in runs) + len(words)


def clause_weights(clauses: Sequence[str], strengths: Sequence[float] | None = None) -> list[float]:
    """How much each clause of a message counts: a request clause fully, background less.

    A long message tells its story before it asks ("어머니 선물로 산 건데 … 환불 받을 수 있나요"),
    and the story's words (선물, 주문했는데, 적립금) point at other articles; counting them at
    the same weight let side details win first rank. Background still counts (0.3, and fully
    in the whole-message score): it is often where the topic is. When no clause sounds like a
    request, the last one is taken for it (Korean asks last: "지난주에 주문했는데 비번
    까먹음"). `strengths` (each clause's best article score): a request that reaches no
    article by itself ("이거 맘에 안 드는데 어떻게 해야 하나요?") asks about the background, and
    then every clause counts fully. 0.3 was chosen on the tuning splits (flat from 1.0 to 0.3)
    and on background-prefixed tuning questions (BENCHMARKS.md, "FAQ answers").
    """
    asks = [bool(_REQUEST.search(c.lower())) for c in clauses]
    if not any(asks):
        last = len(clauses) - 1
        while last > 0 and _AFTERTHOUGHT.search(clauses[last].strip(" ~.!")):
            last -= 1
        asks[last] = True
    if all(asks):
        return [1.0] * len(clauses)
    if (
        strengths is not None
        and max((s for s, ask in zip(strengths, asks, strict=True) if ask), default=0.0)
        < _MIN_ASK_SCORE
    ):
        return [1.0] * len(clauses)
    return [1.0 if ask else _BACKGROUND_WEIGHT for ask in asks]


def request_posterior(
    model: PhrasingClassifier, query: str, temperature: float = TEMPERATURE
) -> dict[str, float]:
    """The classifier's P(article) for the re-ranking: tempered, and for a story told before
    its request, the mean of the whole message's and the request clauses' own.

    The ranking counts a story less than its request (clause_weights); the classifier read
    the whole message, so a story's words ("택배 추적 링크로 보니까 오늘 도착한대요. 근데 …
    반품하고 싶은데") carried first rank back to the story's article ("FAQ round 12",
    docs/decisions.md). Half, not all: the story is often where the topic is.

    Since round 18 only the trust check reads it (`FaqIndex.trusted`): for the ranking itself
    the whole message's posterior (`ranking_posterior`) ranks better on the folds.
    """
    whole = model.posterior(query, temperature=temperature)
    clauses = [c for c in split_clauses(query) if _content_size(c)]
    weights = clause_weights(clauses) if len(clauses) > 1 else [1.0]
    if all(w == 1.0 for w in weights):
        return whole
    asked = " ".join(c for c, w in zip(clauses, weights, strict=True) if w == 1.0)
    request = model.posterior(asked, temperature=temperature)
    if not request:
        return whole
    return {
        slug: (whole.get(slug, 0.0) + request.get(slug, 0.0)) / 2
        for slug in whole.keys() | request.keys()
    }


def ranking_posterior(
    model: PhrasingClassifier, query: str, temperature: float = TEMPERATURE
) -> dict[str, float]:
    """The classifier's tempered P(article) over the whole message: what the ranking blends.

    Round 12 averaged it with the request clauses' own (`request_posterior`), so a story's
    words would not carry first rank. With 4,852 labelled questions over 35 folds
    (bench/faq_cv.py, "FAQ round 18" in docs/decisions.md) the whole message ranks better:
    first rank +12 over the average, and every larger share for the request clause ranked
    worse (0.67: -14, 0.8: -33; the request's sentence instead of its clause: -1 to +6).
    Naive Bayes trained on whole customer messages reads a story as the customers who wrote
    them meant it: "예전 원룸 주소가 그대로… 새 집으로 보내주실 수 있나요" is about the
    address, and the request clause alone ("보내주실 수 있나요") is not.
    """
    return model.posterior(query, temperature=temperature)


# Where the veto cuts a message into parts (`veto_parts`): the clause breaks, and also a
# sentence's end without punctuation ("잘 받았어요 감사해요 다음 주문은…"; …다 only as
# …니다/…었다, since 생각보다 is no sentence), …던데 ("쿠팡은 바로 탈퇴되던데 여기는…") and a
# comma. Finer than `split_clauses`, and no part is carried over: a short thanks ("감사해요")
# must stay a part of its own. …고 only after a verb's stem (the list
# inbox.faq.topics ends a clause with), not after a noun (광고, 재고, 최고).
# The shop's own account or order named with 여기 ("인스타 해킹당한 뒤로 비번 다 바꾸는 중인데
# 여기 계정 비밀번호도 바꾸려면요", round 22): "the account here", as against the other one the
# story told of. It starts a part (`_VETO_BREAK`) and is read as the shop's contrastive topic
# (`_US_CONTRAST`). In the taught bench and the shipped phrasings only labelled questions say it.
_HERE_THING = r"여기\s?(?:계정|회원|아이디|비밀번호|비번|로그인|가입|주문|배송지|주소록)"
_VETO_BREAK = re.compile(
    r"\s(?=" + _HERE_THING + r")|"
    r"[.?!;\n。？！~…]+"
    r"|\s(?:그리고|근데|그런데|그리고요|또한|또|아니면|그래서|and also|and|but|also)\s"
    r"|(?<=[는은던]데)\s|(?<=데요)\s|(?<=[가-힣][요죠])\s+|(?<=[니었았였했됐겠]다)\s+|,\s+"
    r"|(?<=[하했되됐있었았였먹받보내가와오주줬없않못타쓰치놓두넣찾]고)\s(?!싶)",
    re.IGNORECASE,
)
# The shop as a contrastive topic ("쿠팡은 앱에서 바로 탈퇴되던데 여기는 탈퇴 버튼이 어디
# 있어요", "마트에서는 … 환불해 주던데 여기는 …"): what comes before it is the other company's,
# told to compare. 42 labelled questions of bench/faq_hard.jsonl's tuning splits say it, and no
# no-answer question. Not 이 가게는: a delivery app's shop ("이 가게는 배달팁이 왜 …").
_US_CONTRAST = re.compile(
    r"(?<![가-힣])(?:여기는|여긴|여기선|여기서는|이\s?(?:쇼핑몰|사이트)(?:은|는|에선|에서는)|"
    + _HERE_THING
    + r")"
)
# ... and the shop named after a comparison ("스마트스토어처럼 착불로 받을 수도 있어요? 여기
# 배송비 내는 방식이 궁금해요", "쿠팡은 가입하면 바로 되던데 여기서…"): any 여기 then.
_COMPARISON = re.compile(r"처럼|던데|달리|와\s?다르게|과\s?다르게")
_HERE = re.compile(r"(?<![가-힣])여기")
# A deictic the topics lexicon counts as ours (이거 먹어도 돼요?) but that names no product: the
# veto's parts rule reads only product words (`FaqIndex.names_product`).
_DEICTIC = re.compile(r"(?<![가-힣])이거")


def veto_parts(text: str, *, ours: bool = False) -> list[str]:
    """The parts of a message the veto reads one by one (`vetoed_by`); `[text]` for one part.

    Two kinds of part are left out. A part that asks nothing (inbox.faq.thanks: thanks, an
    opener, a "done"), when another part asks something: "잘 받았어요 감사해요 | 다음 주문은
    언제 배송돼요?" is a question about the next order. When no part asks ("딸이 대신 해줘서
    이제 다 끝났어요~ | 고생하셨어요"), every part is read. And what comes before the shop as a
    contrastive topic (`_US_CONTRAST`), or before 여기 after a comparison (`_COMPARISON`):
    the comparison's other side.

    `ours`: the message names one of the shop's products (`FaqIndex.names_product`). Its
    story is then the customer's own circumstance around our goods ("강아지가 제 영양제를
    먹어버렸는데 | 성분 확인하고 싶어요", "대학생 딸이 … 영양제는 알아서 사 먹겠대요 | 딸이
    혼자 계정을 …"), and only the parts that ask (`_REQUEST`) are read, when one does: a story
    part that reads none alone must not outvote a request of ours (round 20)."""
    parts = [p.strip() for p in _VETO_BREAK.split(text) if p and p.strip()]
    if len(parts) < 2:
        return [text]
    asking = [p for p in parts if not no_request_left(p)]
    if len(asking) < len(parts) and any(_REQUEST.search(p.lower()) for p in asking):
        parts = asking
    for k, part in enumerate(parts[1:], start=1):
        low = part.lower()
        if _US_CONTRAST.search(low) or (
            _HERE.search(low) and any(_COMPARISON.search(p) for p in parts[:k])
        ):
            parts = parts[k:]
            break
    if ours:
        requests = [p for p in parts if _REQUEST.search(p.lower())]
        if requests:
            return requests
    return parts


def vetoed_by(
    model: PhrasingClassifier,
    query: str,
    threshold: float = VETO,
    *,
    ours: Callable[[str], bool] | None = None,
) -> bool:
    """Does the veto's `model` silence `query`? Only when the whole message reads P(none) ≥
    `threshold` and, for a message of several parts (`veto_parts`), one part alone reads at
    least VETO_PART (round 19): the whole message's P(none) can be weak evidence multiplied
    over parts none of which reads as no-answer ("GS25 반값택배로 반품 상품 보내도 되나요? |
    아니면 먼저 상담원한테 접수해야 하나요"). `ours`: does the text name one of the shop's
    products (see `veto_parts`); asked only of a message the whole reading would silence, so
    the answers the veto lets through pay nothing for it."""
    text = query[:MAX_QUERY_CHARS]
    if model.p_none(text) < threshold:
        return False
    named = ours is not None and ours(text)
    return part_p_none(model, text, ours=named) >= VETO_PART


def part_p_none(model: PhrasingClassifier, text: str, *, ours: bool = False) -> float:
    """P(none) of the most none-like part of `text` (`veto_parts`; the whole for one part)."""
    return max(model.p_none(part) for part in veto_parts(text[:MAX_QUERY_CHARS], ours=ours))
