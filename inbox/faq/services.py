"""Other companies' and services' names: a question about one of them gets no FAQ answer.

"넷플릭스 구독 해지", "쿠팡 주문 취소", "카카오뱅크 앱 비밀번호": the whole request is an
article's (cancel, refund, password), only the owner differs, and a name no article uses
scores nothing, so the score gate lets them through. A wrong confident suggestion sends a
visitor down our cancel steps for another company's order; offering a person is better.

The names are data (`services.json`, one service per line with its aliases, by category),
read at run time and reviewed like code, as `synonyms.py` is. Two lists:

- `other`: platforms, shops, delivery apps, banks, telcos, streaming, games, travel, food.
- `store`: names the store itself uses (its channels, payment methods, couriers, pick-up
  points). These are never "other": "카카오페이로 결제했는데 취소" is our cancel.

Every name that appears in an article's text is the store's too, so an admin who adds
"텔레그램 상담" to an article's keywords (Admin → FAQ) makes 텔레그램 ours at once.

Naming another service is not enough: customers compare ("쿠팡보다 느려요"), pay, sign in
and write with them ("네이버 아이디로 가입", "지메일로 가입했는데"). What decides is the name's
role in the sentence, read from the ending of the phrase it heads: instrumental (으)로,
comparative 보다/처럼/만큼, copula 인데/이던데 and "saw it on" 보고 mean the request is still
ours; a bare noun phrase or 에서/의/은/는/을/를 ("쿠팡 주문", "11번가에서 산", "카카오뱅크 앱
비밀번호를") makes the service the owner of the request. A message that points at us (여기,
이 사이트, here; read outside the names, since 여기어때 is a travel app) or compares a product
(같은 제품, 비교) is ours whatever it names. Otherwise one clause owned by another service
silences the whole message: "배달의민족 주문 취소했는데 돈이 안 들어와요" asks about the app's
refund in its second clause, and nothing in the words tells that from a second clause about
our order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from inbox.faq.owners import bare_noun
from inbox.faq.thanks import asks

_LATIN = re.compile(r"[a-z0-9]")
# Endings of the phrase a name heads that keep the request ours: instrumental, comparison,
# copula (describing our parcel's courier, the customer's mailbox), and where the customer
# saw us ("유튜브 광고 보고 왔는데", "넷플릭스 보다가 광고에 나온 루테인": round 22). Checked on
# one token.
_MENTION_END = re.compile(
    r"(?:으로|로|로는|로도|로만|으로는|으로도|보다|보다는|보단|처럼|만큼|같이|대신|말고|"
    r"인데|이던데|던데|인데요|이라|이라서|라서|이에요|예요|이요|이었|였|랑|이랑|"
    r"보고|보구|봤는데|보니까|보다가)[^가-힣]*$"
)
# The copula before a noun, right on the name ("아이디가 제 지메일인 건 확실한데 암호를
# 모르겠어요", "CJ였던 택배": round 22): the name is what something is, as with 인데.
_COPULA_BEFORE_NOUN = re.compile(r"^(?:인|이던|였던|이었던)$")
# The same endings right after a name the customer did not space ("카카오로가입할수있나요").
_MENTION_START = re.compile(
    r"(?:으로|로|보다|처럼|만큼|같이|대신|말고|인데|이던데|던데|이라|이에요|예요|이었|였|랑|이랑)"
)
# Nouns that stay inside the name's phrase ("토스 앱으로", "네이버 아이디로", "카카오 계정으로",
# "네이버 최저가 보고 왔는데": round 22).
_PHRASE_NOUN_TEXT = """
앱 어플 어플리케이션 계정 아이디 id 메일 이메일 주소 로그인 간편로그인 소셜 사이트
홈페이지 채널 페이 간편결제 카드 포인트 택배 기사님 기사 광고 블로그 카페 후기 리뷰 영상
라이브 검색 최저가 가격비교 쇼핑
"""
_PHRASE_NOUNS = frozenset(_PHRASE_NOUN_TEXT.split())
_PHRASE_TOKENS = 3  # how far a phrase may run past the name before its role is assumed
# English: the word before the name says the same ("paid with PayPal", "on KakaoTalk").
_EN_MENTION_BEFORE = frozenset({"with", "via", "through", "using", "by", "than", "like"})
_EN_DETERMINERS = frozenset({"my", "the", "our", "a", "an", "his", "her", "their"})
# The message points at us, or compares our product with one seen elsewhere ("올리브영 매장에서
# 본 거랑 같은 제품인가요"): whatever else it names, it asks about this store. "Not here" is a
# parcel that has not come ("My Amazon package says delivered but it's not here"), not us.
# 여긴 is 여기는 contracted: one syllable block, so 여기 does not find it.
OURS = re.compile(
    # "이 몰은 처음이라서요": this mall with its particle (round 21), as 이 몰 alone is.
    r"이\s?몰(?:은|는|이|에|에서|에선|에는|엔|을|를|의|도|만|이랑|하고)(?![가-힣])|"
    r"여기|여긴|이곳|이쪽|이\s?쇼핑몰|이\s?사이트|이\s?몰(?![가-힣])|이\s?가게|"
    r"같은\s?(?:제품|상품|거|건|성분)|(?:거|것|건)\s?(?:랑|이랑|하고|와|과)\s?같|똑같|비교|"
    r"(?<!not )(?<!n't )(?<!isnt )\bhere\b|\byour (?:shop|store|site|website|app)\b|\bfrom you\b|"
    r"\bsame as\b",
    re.IGNORECASE,
)


# A thing only the customer's account or order with this shop has (round 22): the account
# here (여기 계정, 여기 회원, 여기 비밀번호…), the member profile (회원정보), the default
# delivery address (기본 배송지), the address signed up with (가입 이메일). Not 주소록 alone
# (a phone's contacts) nor 배송 날짜 (a sofa's delivery).
OUR_THINGS = re.compile(
    r"여기\s?(?:계정|회원|아이디|비밀번호|비번|로그인|가입|주문|배송지|주소록)|"
    r"회원\s?정보|기본\s?(?:배송\s?(?:지|주소)|주소)|"
    r"가입(?:한|했던|할\s?때\s?쓴|\s?시)?\s?(?:이메일|메일|e-?mail)(?!함)|"
    # The member's name (round 23, faq31): a name changed at the 주민센터 or the court, then
    # "회원 이름도 바꾸려면", "회원명 변경", "가입자 이름 수정". A gym's member name has its
    # 헬스장 in the same phrase and stays the gym's (topics._past_phrase skips it).
    r"(?:회원|가입자)\s?(?:이름|명|성함|실명)"
)
# Changing it: a change elsewhere (a new phone number, a move, a mail address gone, a hacked
# account) is why the customer updates it here.
_CHANGE = re.compile(
    r"변경|수정|바꾸|바꿔|바꿀|바꿨|바뀐|고치|고쳐|고칠|옮기|옮겨|옮길|교체|업데이트|갱신"
)
_CHANGE_TOKENS = 4  # the thing's token and the next three


def changes_ours(text: str) -> bool:
    """Does `text` ask to change a thing of the customer's account or order here
    (`OUR_THINGS`, a change verb within its next few words)? Told after a story about another
    company or domain ("KT 인터넷 해지하면서 이메일 주소가 없어졌어요 가입 이메일 변경
    가능해요?", "폰 요금제 바꾸면서 번호가 바뀌었어요 회원정보 연락처 수정하려고요"), it is the
    request, and the story's company or domain owns nothing (round 22). Leaving or deleting is
    not read: "넷플릭스 해지했는데 회원정보 삭제돼요?" goes on with the story's own account."""
    for match in OUR_THINGS.finditer(text):
        near = " ".join(text[match.start() :].split(" ")[:_CHANGE_TOKENS])
        if _CHANGE.search(near):
            return True
    return False


# English addresses the shop as "you" (round 21): "Can I reach you on WhatsApp or Messenger",
# "Outlook put your reset email in junk", "iHerb waives delivery over a total, what's your
# cutoff", "the password for this shop, not my Gmail one". Read, like OURS, outside the names,
# and only here: a foreign thing asked of "you" ("what's your opinion on bitcoin") is still
# not the shop's (inbox.faq.topics reads OURS alone).
_EN_OURS = re.compile(
    r"(?<!not\s)\byours?\b|\byou\s(?:guys|folks|all)\b|"
    r"\b(?:reach|contact|message|text|call|email|e-mail|dm|ping|write\sto)\s(?:you|u)\b|"
    r"\bthis\s(?:shop|store|site|website|web\s?site|app|page)\b"
)
# A name the customer sets aside ("not my Gmail one", "not the Naver account") is not the
# request's owner. Round 22 (faq28): English sets a name aside in more words than "not": "want
# my company gmail on the account instead of naver one", "rather than my Gmail", "not asking
# about Coupang", "nothing to do with Netflix" (inbox.faq.topics reads the same before a foreign
# thing: "not asking about my gym membership").
EN_ASIDE = re.compile(
    r"\b(?:not|instead\sof|rather\sthan|other\sthan|apart\sfrom|unlike|"
    r"not\s(?:asking|talking|writing|emailing|messaging)\s(?:about|re)|nothing\sto\sdo\swith|"
    r"unrelated\sto)\s(?:(?:my|the|on|via|through|with|from|in|for|a|an|our)\s)?$"
)
# Round 22: moving away from a service, told as what happened ("Switched from SKT to an MVNO and
# my mobile number changed", "after moving from Verizon to T-Mobile"), leaves both names a
# story, as 옮기면서 and 갈아탔는데 do (`_LINKED`); "how do I switch from …" asks it and is not
# read here, nor "went to" (a visit: "I went to Costco, can I return stuff there …").
_EN_SWITCHED = re.compile(
    r"\b(?:switched|switching|moved|moving|changed|changing|ported|porting|migrated|"
    r"migrating|transferred|jumped)\s(?:over\s)?(?:from|to)\s(?:(?:my|the|a|an|our)\s)?"
    r"(?:(?:[\w.&'+-]+\s){1,3}(?:to|from)\s(?:(?:my|the|a|an|our)\s)?)?$"
)
# Round 22: a name in an e-mail address is the customer's mailbox ("join with an outlook.com
# email", "kim@naver.com"), read as the name alone: its domain ending is dropped from what
# follows it, and "@" before it makes it a mention.
_EN_DOMAIN = re.compile(r"^\.(?:com|net|org|co\.kr|co\.uk|kr|jp)\b")
# Round 22: a stay or a home named by a service ("still haven't shown up at my Airbnb", "staying
# at an Airbnb until Friday") is where the parcel goes: "at" with "my" or "a". Not "to" or "in":
# "add a card to my Netflix account", "the email in my Coupang account" are the service's.
_EN_AT_PLACE = re.compile(r"\b(?:at\s(?:my|our|a|an)|staying\s(?:in|at)\s(?:my|our|a|an))\s$")


def base_category(label: str) -> str:
    """A category of services.json or a domain of topics.json, with its English sibling's
    suffix dropped: round 21 keeps English names in blocks of their own ("shops (English
    names)", "medicines (English)") that the rules read as the category itself."""
    return label.split(" (")[0]


# Round 23 (faq30), English. (1) A policy asked of "you" after another shop's is told: "Amazon
# lets me return opened stuff, do you accept returns on an opened bottle?", "iHerb ships free,
# do you offer that too?": "do/can/will you" with a verb of the shop's dealings (accept, take,
# allow, offer, ship, sell…) asks the shop, whatever shop the story named. Not "can you help",
# "do you know" (a foreigner's errand asked of anyone: "do you know where the ATM is").
_EN_ASKED_OF_YOU = re.compile(
    r"\b(?:do|does|can|could|will|would)\s(?:you|u)\s(?:guys\s)?(?:also\s|even\s|still\s)?"
    r"(?:accept|take|allow|let|offer|ship|deliver|sell|carry|stock|refund|exchange|honou?r|"
    r"match|give)\b"
)
# (2) A comparison with a place after it ("do I need to register like on Coupang?", "cheaper
# than at Olive Young"): "like"/"than" before the name is read past its preposition.
_EN_COMPARED_PREP = frozenset({"on", "at", "in", "from", "with", "for"})
_EN_COMPARING = frozenset({"like", "than", "unlike"})
# (3) An account used to join or sign in ("Used my Gmail to sign up but forgot the password",
# "I use my Naver to log in"): "used" before the name and "to/for" signing after it.
_EN_USED = frozenset({"used", "use", "uses"})
_EN_USED_FOR = re.compile(
    r"^\s(?:(?:account|email|e-mail|address|id|login)\s)?(?:to|for)\s"
    r"(?:sign|log|register|join|create|make|open|check\sout|buy|order|shop)"
)
# (4) A store name's own workings asked in English: a card linked to the payment app ("How do I
# link a foreign credit card to Naver Pay?"), the app used with a foreign card ("Can I use
# Samsung Pay with a card issued abroad?"), the messenger's own login and chats ("My KakaoTalk got
# logged out on my new phone, how do I restore my chats?"). Paying here with it ("can I pay with
# Naver Pay", "do you take Samsung Pay") and reaching us on it are not read: those name no card
# added to the app, no foreign card, no chats of its own, and "you" or "here" keeps them ours.
_EN_LINKED_TO = re.compile(
    r"\b(?:link|add|register|connect|attach|save|put)(?:ing|ed)?\s(?:(?:a|an|my|the|our)\s)?"
    r"(?:[\w-]+\s){0,3}?(?:card|account|bank\saccount)\s(?:to|with|on|in|into)\s(?:(?:my|the)\s)?$"
)
_EN_FOREIGN_CARD = re.compile(
    r"^\s(?:app\s)?(?:with|on|for|using)\s(?:(?:a|an|my)\s)?(?:[\w-]+\s){0,2}?"
    r"(?:(?:foreign|overseas|international|non-korean|us|american|european)\s(?:[\w-]+\s)?card|"
    r"card\s(?:issued|made|from)\s(?:abroad|overseas|outside|in\sanother|back\shome))"
)
_EN_APP_OWN = re.compile(
    r"^\s(?:app\s|account\s)?(?:\w+\s){0,1}?(?:got|was|keeps|kept|is|has\sbeen)\s(?:getting\s)?"
    r"(?:logged|signed|locked|kicked)\sout\b|"
    r"\brestore\s(?:my|the|all\s(?:my|the))\s(?:old\s)?(?:chats?|chat\shistory|messages|"
    r"conversations|photos|backup)\b"
)


def _en_store_own(before: str, after: str) -> bool:
    """Does an English message ask about a store name's own workings (`_EN_LINKED_TO`,
    `_EN_FOREIGN_CARD`, `_EN_APP_OWN`), read around the name?"""
    return bool(
        _EN_LINKED_TO.search(before) or _EN_FOREIGN_CARD.match(after) or _EN_APP_OWN.search(after)
    )


# Round 24 (faq34), English: a bank, telco or platform named in a story told before a question
# about an order ("Hana Bank flagged my payment so I panicked and placed the order twice. Can I
# ditch one of them?") owns nothing: such a service takes no orders, so a later clause (after a
# sentence's end, a comma, so/and/but/then/because) that names an order is about ours. A shop's,
# a delivery app's or a café's name is not read so: "ordered on Coupang and the order never
# came" is that shop's order. Nor a bank's own orders ("standing order", "money order").
_EN_NO_ORDERS = frozenset(
    {
        "banks and finance",
        "telcos",
        "platforms and software",
        "platforms and media",
        "streaming and media",
    }
)
_EN_CLAUSE_BREAK = re.compile(r"[.!?;,]\s|\s(?:so|and|but|then|because)\s")
_EN_AN_ORDER = re.compile(
    r"(?<!standing\s)(?<!money\s)(?<!payment\s)(?<!bank\s)\b(?:order|orders|ordered)\b"
)


def _en_order_after_story(category: str, after: str) -> bool:
    """Is the name (of `category`) a story's, ended before a later clause names an order
    (`_EN_NO_ORDERS`, `_EN_AN_ORDER`)?"""
    if base_category(category) not in _EN_NO_ORDERS:
        return False
    end = _EN_CLAUSE_BREAK.search(after)
    return end is not None and bool(_EN_AN_ORDER.search(after[end.end() :]))


def _addressed_to_us(text: str) -> bool:
    """Does `text` point at this shop, in Korean (OURS) or as English's "you" (`_EN_OURS`,
    `_EN_ASKED_OF_YOU`)?"""
    return bool(OURS.search(text) or _EN_OURS.search(text) or _EN_ASKED_OF_YOU.search(text))


@dataclass(frozen=True, slots=True)
class ServiceNames:
    """Lower-cased name -> its category ("store" for the store's own names)."""

    other: Mapping[str, str]
    store: frozenset[str]
    couriers: frozenset[str] = frozenset()  # the store's names in its "couriers" category


def _names(groups: Any, where: str) -> dict[str, str]:
    if not isinstance(groups, dict):
        raise ValueError(f"services: {where} must map categories to lists of services")
    out: dict[str, str] = {}
    for category, services in groups.items():
        if not isinstance(services, list):
            raise ValueError(f"services: {where}.{category} must be a list")
        for service in services:
            if not isinstance(service, list) or not all(
                isinstance(n, str) and n.strip() for n in service
            ):
                raise ValueError(
                    f"services: {where}.{category}: {service!r} is not a list of names"
                )
            for name in service:
                out[" ".join(name.lower().split())] = str(category)
    return out


def parse_services(data: Any) -> ServiceNames:
    """Validate the file's structure; a name in both lists is the store's."""
    if not isinstance(data, dict):
        raise ValueError("services: the file must hold an object with 'store' and 'other'")
    store = _names(data.get("store", {}), "store")
    other = {n: c for n, c in _names(data.get("other", {}), "other").items() if n not in store}
    couriers = frozenset(n for n, c in store.items() if c == "couriers")
    return ServiceNames(other=other, store=frozenset(store), couriers=couriers)


def load_services(path: str | Path | None = None) -> ServiceNames:
    """The shipped `services.json`, or another file in the same format."""
    if path is None:
        return default_services()
    return parse_services(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_services() -> ServiceNames:
    text = resources.files("inbox.faq").joinpath("services.json").read_text(encoding="utf-8")
    return parse_services(json.loads(text))


def _pattern(name: str) -> str:
    # Latin names need word edges ("kt" is not inside "kitchen"); Hangul names are followed by
    # particles, so they match inside a token.
    body = r"\s*".join(re.escape(part) for part in name.split())
    if _LATIN.match(name):
        body = r"(?<![a-z0-9])" + body
    if _LATIN.match(name[-1]):
        body += r"(?![a-z0-9])"
    return body


def _longest_first(name: str) -> tuple[int, str]:
    return -len(name), name


@lru_cache(maxsize=8)
def _compile(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation, longest names first: 토스뱅크 is matched whole, not as the store's 토스."""
    return re.compile("|".join(_pattern(n) for n in names)) if names else None


# What a customer asks about their own account at a service (its password, its recovery, a
# lock or a hack): "토스 앱 비밀번호", "카카오톡 계정 정지", "인스타 계정 해킹", "네이버페이
# 계정 탈퇴". An account or ID alone is not: "카톡 아이디 뭐예요", "인스타그램 계정 알려주세요"
# ask for ours. Nor is sign-in (로그인): "카카오톡 로그인이 안 돼요" is as likely our social
# sign-in as theirs, and a real question must not be silenced.
_ACCOUNT = re.compile(
    r"비밀번호|비번|패스워드|해킹|도용|복구|비활성|잠겼|잠김|잠겨|정지|"
    r"(?:계정|아이디|id)\s?(?:을|를|이|가)?\s?(?:찾|분실|잃어|잊|까먹|삭제|탈퇴|해지)|"
    r"\b(?:password|hacked|locked|recover|limited|suspended|deactivat)"
)
# English puts the verb before the name: "how do I deactivate my Instagram account", "delete
# my Toss account". Read on the words right before the name when "account" follows it.
_EN_ACCOUNT_BEFORE = re.compile(
    r"\b(?:deactivate|delete|close|disable|suspend|recover|unlock|hacked|locked)\s+(?:my|our|the)\s+$"
)
_EN_ACCOUNT_AFTER = re.compile(r"^\s?(?:account|acct|profile)\b")


# What belongs to the service itself, not to an order placed with us: its own help desk and
# site ("롯데택배 고객센터 ARS", "정관장 홈페이지"), a bank or pay service's money and settings
# ("토스 계좌 해지", "삼성카드 결제일 변경", "카카오페이 잔액 충전"), a messenger's own features
# ("카카오톡 프로필", "라인 채팅방"). A store name heading one of them is the owner of the
# request, as an account there is (`_ACCOUNT`); the instrumental still keeps it ours
# ("카카오페이 잔액으로 환불되나요"). A card's statement as the place our charge shows ("신한카드
# 명세서에 배송비가 따로 찍혔는데") is about our charge (round 20).
_OWN_PART = re.compile(
    r"고객센터|콜센터|\bars\b|상담실|본사|홈페이지|계좌|잔액|충전|송금|이체|결제일|한도|명세서(?!\s?에)|"
    r"연회비|프로필|친구\s?추가|채팅방|단톡|선물하기|이모티콘|멤버십|등급|쿠폰함|본인인증|인계|"
    r"방문\s?접수|"
    r"\b(?:customer service|support line|help ?desk|balance|top ?up|profile|membership)"
)


# A company's own organs: "센트룸 본사 상담실", "정관장 홈페이지", "고려은단 고객센터". Whoever
# heads one with a bare noun is a company no list needs to name; a generic head (쇼핑몰, 제조사,
# 택배사) or a word of the articles' is not a name, and "여기 고객센터" points at us (OURS).
_ORGAN = re.compile(
    r"(?<![가-힣a-z0-9])([가-힣]{2,6}|[a-z][a-z0-9]{2,})\s?"
    r"(?:본사|공식\s?(?:홈페이지|사이트|몰|스토어|앱)|홈페이지|고객센터|콜센터|직영점|대리점|가맹점)"
)
# A shop's own name glued to 몰 ("에스더몰 앱 쿠폰함"); 쇼핑몰, 복지몰 are kinds, not names.
_MALL = re.compile(r"(?<![가-힣])([가-힣]{2,4})몰(?![가-힣])")
_GENERIC_HEAD_TEXT = """
쇼핑몰 쇼핑 인터넷 온라인 회사 업체 판매처 판매자 제조사 제조 브랜드 택배사 택배 배송
    고객 소비자 상담 전화 대표 저희 그쪽 해당 공식 메인 통합 모바일 복지 종합 우리 이곳 거기
    그곳 저곳 제품 상품
"""
_GENERIC_HEADS = frozenset(_GENERIC_HEAD_TEXT.split())


class OtherServices:
    """Finds the clauses of a message whose request belongs to another service."""

    def __init__(self, names: ServiceNames, own_texts: Iterable[str] = ()) -> None:
        """`own_texts`: the articles' titles, answers and keywords; a name they use is ours."""
        own = " ".join(" ".join(t.lower().split()) for t in own_texts)
        self._own = own
        self.other = {
            n: c
            for n, c in names.other.items()
            if n.split()[0] not in own or not re.search(_pattern(n), own)
        }
        # Names the store uses (its channels, payment methods, an article's words): a request
        # about the customer's own account there is still theirs.
        self.store = frozenset({*names.store, *(n for n in names.other if n not in self.other)})
        self._couriers = names.couriers
        self._regex = _compile(tuple(sorted({*self.other, *self.store}, key=_longest_first)))

    def _shop(self, name: str) -> bool:
        """Is `name` a shop or a delivery app (`_SHOPS`)? A category's English sibling
        ("shops (English names)", round 21) is read as the category."""
        return base_category(self.other.get(name, "")) in _SHOPS

    def _unnamed(self, low: str) -> list[str]:
        """Companies no list names, read from the organ they head (`_ORGAN`, `_MALL`)."""
        heads = [m.group(1) for m in (*_ORGAN.finditer(low), *_MALL.finditer(low))]
        return [
            head
            for head in heads
            if head not in _GENERIC_HEADS
            and bare_noun(head)
            and head not in self.store
            and not re.search(r"(?<![가-힣a-z0-9])" + re.escape(head), self._own)
        ]

    def owners(self, text: str) -> list[str]:
        """The other services `text` asks about (names as matched), in order."""
        if self._regex is None:
            return []
        low = " ".join(text.lower().split())
        matches = list(self._regex.finditer(low))
        if not matches:
            return [] if _addressed_to_us(low) else [*self._unnamed(low), *_elsewhere(low)]
        # Pointing at us is read outside the names: 여기어때 is a travel app, not "here".
        rest, end = [], 0
        for match in matches:
            rest.append(low[end : match.start()])
            end = match.end()
        outside = " ".join([*rest, low[end:]])
        if _addressed_to_us(outside):
            return []
        found = [*self._unnamed(low), *_elsewhere(low)]
        for match in matches:
            name = " ".join(match.group().split())
            before, after = low[: match.start()], low[match.end() :]
            if EN_ASIDE.search(before):
                continue  # "not my Gmail one", "instead of naver one": set aside, not asked about
            if _COMPARED_BEFORE.search(before):
                continue  # "쿠팡처럼 로켓배송 되나요?": what was compared, named again
            if _ours_after_story(after):
                continue  # "KT 인터넷 해지하면서 … 가입 이메일 변경 가능해요?": a story, then ours
            after = _EN_DOMAIN.sub("", after, count=1)  # "an outlook.com email": the name
            if _tried_mailboxes(after):
                continue  # "지메일, 네이버 둘 다 해봤는데 … 메일이 안 들어와요" (round 24)
            if name in self.other and _en_order_after_story(self.other[name], after):
                continue  # "Hana Bank flagged my payment so … the order twice" (round 24)
            if name in self.other and owns(before, after) and not _mailbox(name, after, before):
                found.append(name)
            elif self._shop(name) and _ordered_through(after):
                found.append(name)  # "쿠팡 로켓배송으로 시킨 거": that shop's order
            elif name in self._couriers and _tracked_there(after):
                pass  # "로젠 홈페이지에서 찍어보니 정보 없음": our parcel on the courier's site
            elif name in self.store and _LEAVES.match(after) and owns(before, after):
                found.append(name)  # "인스타 탈퇴", "트위터 계정 영구 삭제": leaving it
            elif name in self.store and owns(before, after) and _asks_own(after):
                found.append(name)  # the customer's own account, money or help desk there
            elif name in self._couriers and owns(before, after) and _courier_app(after):
                found.append(name)  # "CJ대한통운 앱 로그인이 안 돼요": the courier's own app
            elif name in self._couriers and _status_told(low):
                found.append(name)  # "롯데택배 배송 조회가 이틀째 집하 상태예요": only told
            elif name in self.store and _en_store_own(before, after) and owns(before, after):
                found.append(name)  # "link a foreign card to Naver Pay" (round 23)
            elif _EN_ACCOUNT_BEFORE.search(before) and _EN_ACCOUNT_AFTER.match(after):
                found.append(name)  # "deactivate my Instagram account": its own account
            elif self._shop(name) and _SHOP_ORDER.match(after):
                found.append(name)  # "쿠팡 주문건인데": that shop's order
            elif (
                name in _COUNTER
                and _verb_after(after, "에서|으로|로", _SENT)
                and not _RETURN.search(low)
            ):
                found.append(name)  # "GS25에서 택배 보냈는데": the customer's own parcel
            elif (
                (name in self.store or name in self.other)
                and _verb_after(after, "으로|로", _TRANSFER)
                and not _REFUND.search(low)
            ):
                found.append(name)  # "토스로 송금 잘못 보냈는데": a transfer, not a payment
        return found


# What the customer does with a service that leaves the request ours, read in the name's own
# clause: searches or sells there, saw or was recommended something there, signs in with it,
# moves away from it. "네이버에 송장번호 검색하면 위치 나오나요", "유튜브에서 약사가 추천한
# 마그네슘", "당근마켓에 팔려고 했던 비오틴", "구글 계정 연동해서 가입", "SKT에서 KT로 통신사
# 옮기면서": each was another writer's labelled question (hard-dev-12a/b) that the bare owner
# rule silenced. Not "using" it in general: "넷플릭스 쓰는데 해지하고 싶어요" is Netflix's.
# Read only after a place particle (에, 에서): "네이버 검색 결과 삭제" is Naver's own search.
# Linking an account (연동) and moving away (옮기면서, 갈아탔는데) are read in any form:
# "구글 연동 계정 탈퇴", "KT로 통신사 옮기면서".
# Round 22: 보고/보다가 as 봤 ("유튜브에서 보고 왔는데 이 밀크씨슬 …", "올리브영에서 이 브랜드
# 보고 왔어요 … 가입은 어디서 해요?").
_USE = re.compile(
    r"^(?:검색|쳐보|찾아보|추천|소개|나온|나왔|봤|보고|보구|보다가|팔려|팔았|팔고|팔던|넣|입력)"
)
# Round 22: an address imported from it ("네이버 간편주소 불러왔더니 옛날 원룸 주소가 들어갔어요
# 주문한 거 새 주소로 돌려주세요").
_LINKED = re.compile(r"^(?:연동|옮기|옮겼|옮겨|갈아타|갈아탔|불러오|불러와|불러왔)")
_PLACE = re.compile(r"^(?:에서|에)(?![가-힣])")
# The service's parcel tracking page as that place ("네이버 택배조회에 번호를 넣어도 아무것도 안
# 떠요", round 20), read like 네이버에.
_FEATURE_PLACE = re.compile(r"^(?:택배\s?조회|배송\s?조회|조회|조회창)(?:에|에서|에다)$")
# A mail service the customer uses, or its spam folder, is where our mail lands ("다음 한메일
# 쓰는데 비밀번호 찾기 메일이 안 들어와요", "지메일 스팸함에도 재설정 메일이 없어요") when the
# message goes on about a mail; its own password or a hack in its clause is still its own.
_MAILBOX = re.compile(
    r"^(?:쓰는|써요|써서|쓰고|쓰던|사용|스팸|정크|메일함|받은편지|편지함|프로모션)"
)
_FOLDER = re.compile(r"^(?:스팸|정크|메일함|받은편지|편지함|프로모션)")
# What our mail carries, named after the mailbox: the mail itself, or its link or code ("지메일
# 스팸함까지 다 뒤졌는데 암호 변경 링크가 한 통도 안 왔어요", round 22).
_MAIL_SENT = re.compile(r"메일|mail|링크|link|인증\s?(?:번호|코드|메일)")
# ... and that it is missing: "Gmail 받은편지함에 주문 확인 메일이 안 보여요... 주문은 된
# 건가요?" names the folder, then our mail not there (round 22). A folder's own setting
# ("지메일 스팸함 자동 삭제 설정") names nothing missing.
_NOT_COME = re.compile(r"안\s?(?:와|왔|오|옴|보|들어|떠|뜨)|없|못\s?받|\b(?:never|no|not)\b")
# A token that ends the name's clause (…는데, …서, …면서, …고, a sentence end): the use verb
# must come before it, or a second clause's verb would speak for the first.
_TOKEN_ENDS_CLAUSE = re.compile(r"(?:데|데요|서|면서|니까|다가|지만|고|[.!?~])$")


# An order placed through another shop or delivery app ("쿠팡 로켓배송으로 시킨 거 아직이에요",
# "배민으로 주문한 치킨"): the instrumental keeps a payment method or a courier ours (those are
# the store's names, never here), but a shop one orders through is where the order lives.
_SHOPS = frozenset({"shops", "delivery apps"})
_ORDER_VERB = re.compile(r"^(?:시킨|시켰|시켜|주문|샀|구매|구입|산(?![가-힣])|사서)")


# A shop's order named with a copula ("쿠팡 주문건인데 재배달은 어떻게 잡아요", "아마존
# 주문이에요"): the copula keeps a courier or a payment ours ("CJ대한통운인데"), but an order is
# the shop's.
_SHOP_ORDER = re.compile(
    r"^\s?(?:주문|주문건|주문\s?건|구매건|구매\s?건)\s?(?:인데|이에요|이예요|예요|이거든|이라|입니다)"
)


def _ordered_through(after: str) -> bool:
    """Does the name's phrase ("쿠팡 로켓배송으로", "배민 앱으로") end in the instrumental with
    an order verb right after it?"""
    tokens = [t.strip(".,!?~()\"'") for t in after.strip().split()]
    for i, token in enumerate(tokens[: _PHRASE_TOKENS + 1]):
        if re.search(r"[가-힣]?(?:으로|로)$", token):
            return i + 1 < len(tokens) and bool(_ORDER_VERB.match(tokens[i + 1]))
        if i > 0 and token not in _PHRASE_NOUNS:
            return False
    return False


def _used(tokens: list[str], verbs: re.Pattern[str]) -> bool:
    """Does the name's own clause (its token and the next three) say the customer only uses
    the service (`verbs`)? The name's token is read from its particle on."""
    for i, token in enumerate(tokens[: _PHRASE_TOKENS + 1]):
        word = token.strip(".,!?~()\"'")
        if i == 0:
            word = re.sub(r"^(?:에서|에|의|은|는|을|를|이|가)", "", word)
        if word and verbs.match(word):
            return True
        if i > 0 and _TOKEN_ENDS_CLAUSE.search(token):
            return False
    return False


# A portal named with its mail ("네이버 메일 쓰는데 비번 찾기 메일 스팸함에도 없어요", "재설정
# 메일이 네이버 메일 스팸함에도 없어요", "네이버 메일 프로모션 탭에"): read as a mail service's name
# (round 20; four writers' labelled questions were silenced as the portal's). Not its mailbox
# (메일함), which is the portal's own ("네이버 메일함 용량 꽉 찼다는데").
_PORTAL_MAIL = re.compile(r"^\s?(?:메일|이메일)(?!함)")
# The address the customer signed up or uses with, told before the name ("가입할 때 쓴 네이버
# 메일을", "등록한 지메일로").
_USED_FOR = re.compile(r"(?:쓴|쓰는|쓰던|사용한|사용하는|사용하던|가입한|등록한|등록된)\s*$")


# English names the address a mail service gives by putting it on our account ("want my company
# gmail on the account instead of naver one", "my hotmail address as the login"; round 22).
_EN_ON_ACCOUNT = re.compile(
    r"^\s(?:e-?mail\s|address\s|one\s)?(?:on|to|for|as)\s(?:the|my|your|this)\s"
    r"(?:account|acct|profile|login)\b"
)


def _mailbox(name: str, after: str, before: str = "") -> bool:
    """Is a mail service named as the customer's mailbox (`_MAILBOX`), not asked about? Also
    when a mail was named first and the service is only where it should land ("재설정 메일이
    지메일 어느 탭에도 없어요", "receipts to my work email instead of my Gmail")."""
    portal = _PORTAL_MAIL.match(after)
    if portal and not ("메일" in name or "mail" in name):
        after = after[portal.end() :]  # "네이버 메일 스팸함에도": the portal's mail
    elif not ("메일" in name or "mail" in name or _used(after.split(" "), _FOLDER)):
        return False  # a mail folder after the name makes it a mail service (아웃룩 정크메일함)
    if _EN_ON_ACCOUNT.match(after):
        return True  # "my company gmail on the account": the address for our account
    tokens = after.split(" ")
    clause = _clause_end(tokens, app_is_place=False)
    own_clause = " ".join(tokens[: clause + 1]) if clause is not None else after
    if re.search(r"메일|mail", before) and not _asks_account(own_clause):
        return True
    if _USED_FOR.search(before) and not _asks_account(own_clause):
        return True  # "가입할 때 쓴 네이버 메일을 지메일로 교체": the address the customer uses
    if (
        _used(tokens, _FOLDER)
        and not _asks_account(own_clause)
        and _MAIL_SENT.search(" ".join(tokens[1:]))
        and _NOT_COME.search(after)
    ):
        return True  # "Gmail 받은편지함에 주문 확인 메일이 안 보여요": our mail looked for there
    rest = tokens[clause + 1 :] if clause is not None else tokens[1:]
    return (
        (_used(tokens, _FOLDER) or not _asks_account(own_clause))
        and _used(tokens, _MAILBOX)
        and bool(_MAIL_SENT.search(" ".join(rest)))
    )


# Mailboxes tried in turn (round 24, faq35): "지메일, 네이버 둘 다 해봤는데 가입 확인 메일이
# 어디에도 안 들어와요", "네이버랑 다음 메일 다 넣어봤는데 인증 메일이 안 와요". The names are
# the addresses the customer typed, and what is asked is our mail that never came: "both/all"
# and a verb of trying in the names' own clause, then our mail (`_MAIL_SENT`) not come
# (`_NOT_COME`). A name asked about itself ("네이버 둘 다 해봤는데 로그인이 안 돼요") has no mail
# of ours after it and stays the owner.
_TRIED_BOTH = re.compile(
    r"^[^가-힣a-z]*(?:[가-힣a-z0-9.]+[^가-힣a-z0-9]+){0,3}?"
    r"(?:둘\s?다|세\s?개\s?다|다|모두|전부|번갈아)\s?"
    r"(?:해\s?봤|해\s?보았|써\s?봤|넣어\s?봤|바꿔\s?봤|시도해\s?봤|입력해\s?봤|확인해\s?봤)\S*"
)


def _tried_mailboxes(after: str) -> bool:
    """Is the name one of the mailboxes the customer tried, our mail missing in all
    (`_TRIED_BOTH`)?"""
    tried = _TRIED_BOTH.match(after)
    if not tried:
        return False
    rest = after[tried.end() :]
    return bool(_MAIL_SENT.search(rest) and _NOT_COME.search(rest))


# A mail service of the customer's employer or school ("회사 메일 비밀번호를 90일마다 바꾸라는데",
# "학교 포털 웹메일 비밀번호 초기화하려면 전산실에", "회사 메일 비밀번호 초기화는 IT팀에"):
# no list can name it, but its own password in its phrase is the institution's, not ours.
# Only as the owner (`owns`) with an account word in its phrase (`_asks_account`): "회사 메일로
# 가입했는데 비밀번호 찾기 메일이 안 와요", "회사 메일은 보안 때문에 외부 메일이 걸러지거든요"
# tell where our mail goes and stay ours.
_INSTITUTION_MAIL = re.compile(
    r"(?:회사|직장|사내|학교|대학교?|학교\s?포털|포털)\s?(?:웹\s?)?(?:메일|이메일)|웹\s?메일|"
    r"\b(?:work|school|company|office|university|college) e-?mail\b"
)


# The customer says the parcel is another shop's ("롯데택배 기사님 연락처 알 수 있을까요? 다른
# 데서 시킨 물건이에요"): "ordered elsewhere" with a copula. A story that only compares ("다른
# 데서 시켰을 때는 열흘 걸렸거든요. 여기는…") points at us (`OURS`) and is read before this.
_ELSEWHERE = re.compile(
    r"다른\s?(?:데|곳|사이트|쇼핑몰|몰|업체)\s?(?:에서|서)\s?(?:시킨|산|주문한|구매한|구입한)\s?"
    r"(?:물건|거|건|택배|상품|제품)\s?(?:이에요|예요|이거든요|이거든|인데|이라서|이라|입니다)"
)


def _elsewhere(low: str) -> list[str]:
    """The unnamed owners a message names by what they own: the employer's or school's mail
    asked about its own account (`_INSTITUTION_MAIL`), a parcel ordered elsewhere
    (`_ELSEWHERE`)."""
    found = [
        m.group()
        for m in _INSTITUTION_MAIL.finditer(low)
        if owns(low[: m.start()], low[m.end() :]) and _asks_account(low[m.end() :])
    ]
    elsewhere = _ELSEWHERE.search(low)
    return [*found, elsewhere.group()] if elsewhere else found


# A parcel the customer sent at a convenience store's counter ("GS25에서 택배 보냈는데 조회가
# 안 돼요", "세븐일레븐에서 보낸 택배", "CU 반값택배로 보냈는데"): the customer is the sender, so
# the parcel is the store's service, not an order of ours — unless it is a return to us (반품,
# 교환, 회수…: "편의점 택배로 반품 보냈는데"). Only these counters: a courier's name with
# "보냈는데" is as often the shop's sending ("우체국택배로 보냈다고 문자 왔는데").
_COUNTER = frozenset({"gs25", "cu", "세븐일레븐", "편의점택배", "반값택배"})
_SENT = re.compile(r"^(?:보냈는데|보냈거든|보냈어요|보냈습니다|부쳤는데|보낸|부친)(?![가-힣])")
_RETURN = re.compile(r"반품|교환|환불|회수|반송|돌려|refund|return")


def _verb_after(after: str, particles: str, verb: re.Pattern[str]) -> bool:
    """Does the name's token end in one of `particles` (a regex alternation) with `verb` in
    the next two words? A counter's parcel sent there ("GS25에서 택배 보냈는데", "반값택배로
    보냈는데": 에서|으로|로 and `_SENT`), money sent with a pay service ("토스로 송금 잘못
    보냈는데": 으로|로 and `_TRANSFER`)."""
    tokens = [t.strip(".,!?~()\"'") for t in after.strip().split()]
    if not tokens or not re.search(f"(?:{particles})$", tokens[0]):
        return False
    return any(verb.match(t) for t in tokens[1:3])


# Money sent with a pay service ("토스로 송금 잘못 보냈는데 취소 가능한가요", "카카오페이로 보낸
# 송금"): the instrumental keeps a payment ours (카카오페이로 결제했는데), but a transfer is not a
# purchase, so it is the service's — unless our refund is what is sent ("환불은 토스로 송금해
# 주시나요"). Not 이체: "계좌이체로 결제했는데" is a way to pay us.
_TRANSFER = re.compile(r"^송금")
_REFUND = re.compile(r"환불|반품|refund")


# A connective …는데/…ㄴ데 ends the name's phrase: "롯데택배 송장 떴는데 비밀번호 재설정 메일이
# 안 와요" tells of the courier, then asks of our account. Only 데: 서 and 고 also end 앱에서
# and 광고, and cutting there let 3 no-answer questions through (round 18, faq16).
_BUT = re.compile(r"데$")


def _phrase(after: str) -> str:
    """The phrase a store name heads: the name's own token and the next three, far enough
    for 앱/계정 between the name and the request, not into a second clause (`_BUT`)."""
    tokens = after.split(" ")[: _PHRASE_TOKENS + 1]
    end = next((i for i, t in enumerate(tokens) if i and _BUT.search(t)), len(tokens) - 1)
    return " ".join(tokens[: end + 1])


def _asks_account(after: str) -> bool:
    """Does the phrase a store name heads ask about an account there ("토스 앱 비밀번호를",
    "카카오톡 계정 정지", "인스타 계정 해킹")?"""
    return bool(_ACCOUNT.search(_phrase(after)))


# The service's own app as the place ("CJ대한통운 앱에서 …", "토스 어플에서 …"), and what a
# customer sets there: its notifications, its pick-up booking. Read over the name's whole clause,
# since the setting comes after the app's own words ("CJ대한통운 앱에서 택배 도착 알림 끄는
# 법"); our parcel in their app ("CJ대한통운 앱에 송장번호를 넣어도 조회가 안 돼요") is ours.
_IN_APP = re.compile(r"^(?:앱|어플|어플리케이션|app)\s?(?:에서|에서는|안에서)$")
_APP_SETTING = re.compile(
    r"알림\s?(?:을|를|은|는|이|좀)?\s?(?:끄|꺼|끌|끈|해제|차단|거부|설정|안\s?오게|안\s?받)|"
    r"푸시|방문\s?접수|(?<!재)설정"
)
# Wherever the name is, turning its notices off is the service's ("대한통운 도착 예정 알림톡
# 수신 거부하고 싶어요"), and its app's own membership ("한진택배 앱 회원 탈퇴") is its own.
_OPT_OUT = re.compile(r"수신\s?거부|알림\s?(?:을|를|은|는|좀)?\s?(?:끄|꺼|끌|끈|해제|차단|거부)")
_APP = re.compile(r"^(?:앱|어플)$")
_APP_MEMBER = re.compile(r"탈퇴|회원\s?가입")


def _clause_end(tokens: list[str], *, app_is_place: bool = True) -> int | None:
    """The index of the token that ends the name's own clause (`_TOKEN_ENDS_CLAUSE`, the name's
    token aside), None when it runs to the message's end. `app_is_place`: 앱에서 ends in 서 but
    is the place, not a clause end (the own-app reading, `_asks_own`); the mailbox reading
    (`_mailbox`) ends the clause there too."""
    return next(
        (
            i
            for i, t in enumerate(tokens)
            if i and _TOKEN_ENDS_CLAUSE.search(t) and not (app_is_place and _IN_APP.match(t))
        ),
        None,
    )


# A name right after a comparison goes on with it ("쿠팡처럼 로켓배송 되나요? 오늘 시키면 내일
# 받을 수 있어요?", round 22): the service compared, its feature named, and the question ours.
_COMPARED_BEFORE = re.compile(r"[가-힣a-z0-9](?:처럼|만큼)\s$")


# A sentence's end without punctuation (…어요, …다, …죠) also ends the name's story for
# `_ours_after_story`: "폰 요금제 바꿨어요 회원정보 수정하려고요".
_SENTENCE_END = re.compile(r"[요다죠]$")


def _ours_after_story(after: str) -> bool:
    """Does the name's own clause end (`_clause_end`, or a sentence's end) before a later one
    asks to change a thing of the customer's account here (`changes_ours`, round 22)? The
    name's clause is then a story, and the request after it is ours."""
    tokens = after.split(" ")
    end = next(
        (
            i
            for i, t in enumerate(tokens)
            if i
            and (_TOKEN_ENDS_CLAUSE.search(t) or _SENTENCE_END.search(t))
            and not _IN_APP.match(t)
        ),
        None,
    )
    return end is not None and changes_ours(" ".join(tokens[end + 1 :]))


def _clause(tokens: list[str]) -> str:
    """The name's own clause: its tokens up to the first that ends a clause (`_clause_end`)."""
    end = _clause_end(tokens)
    return " ".join(tokens[: (len(tokens) - 1 if end is None else end) + 1])


def _asks_own(after: str) -> bool:
    """Does the phrase a store name heads ask about the customer's account there or about
    the service's own parts (`_OWN_PART`), or its clause about a setting of the service's
    own app (`_APP_SETTING`)?"""
    phrase = _phrase(after)
    if _ACCOUNT.search(phrase) or _OWN_PART.search(phrase):
        return True
    tokens = after.split(" ")
    clause = _clause(tokens)
    if _OPT_OUT.search(clause):
        return True
    if any(_APP.match(t) for t in tokens[:2]) and _APP_MEMBER.search(clause):
        return True
    return any(_IN_APP.match(t) for t in tokens[:2]) and bool(_APP_SETTING.search(clause))


# Signing in to a courier's own app, or its drivers' app ("CJ대한통운 앱 로그인이 안 돼요 거기
# 비밀번호 재설정", "우체국 스마트택배 앱에 로그인이 안 돼요", "CJ대한통운 기사용 앱에서 사진
# 업로드가 안 돼요"): the courier's, not our sign-in. Only the store's couriers (round 20): a
# messenger's login is as often our social sign-in ("카카오톡 앱 로그인이 안 돼서 가입을 못 해요").
_COURIER_APP = re.compile(
    r"(?:기사용|기사\s?전용|기사님용)\s?(?:앱|어플)|(?:앱|어플)\s?(?:에\s?|에서\s?|에서는\s?)?로그인"
)


# Our parcel looked up on a courier's own site or app ("로젠 홈페이지에서 찍어보니 정보 없음으로
# 나오는데", "한진 사이트에 송장 넣어봤는데 안 떠요", "우체국 앱에서 조회하니까 배달완료래요";
# round 21): the site is only where the customer looked, as 네이버 택배조회에 is (`owns`). Not
# what is done there for the courier's own service: a pick-up booked on its site ("한진택배
# 홈페이지에서 방문 예약했는데"), its sign-in, its notices, or the customer's own mail and
# parcels sent there ("우체국 홈페이지에서 등기 조회하는 법") stay the courier's.
_SITE = re.compile(
    r"^(?:홈페이지|홈피|사이트|웹사이트|앱|어플|조회\s?페이지|조회\s?화면)\s?(?:에서|에서는|에선|에|에다|에다가)$"
)
_LOOKED_UP = re.compile(
    r"조회|찍어|찍었|찍으|찍힌|검색|쳐\s?보|쳐봤|넣어|넣었|넣으니|입력|추적|확인해\s?보|확인하니"
)
_COURIERS_OWN = re.compile(
    r"예약|접수|픽업|방문|로그인|가입|탈퇴|비밀번호|비번|알림|수신|회원|기사님\s?연락|"
    r"등기|우편|소포|편지|보낸|보내는|보냈|부친|부치는|부쳤"
)


def _tracked_there(after: str) -> bool:
    """Does the courier's name head its own site or app as the place (`_SITE`) where the
    customer looked our parcel up (`_LOOKED_UP`), with nothing of the courier's own asked in
    that clause (`_COURIERS_OWN`)?"""
    tokens = after.split(" ")
    at = 1 if len(tokens) > 1 and not tokens[0] else 0
    if not _SITE.match(tokens[at].strip(".,!?~")):
        return False
    clause = _clause(["", *tokens[at + 1 :]])  # 홈페이지에서 ends in 서 but is the place
    return bool(_LOOKED_UP.search(clause)) and not _COURIERS_OWN.search(clause)


# A courier's tracking status told, and nothing else (round 22): "롯데택배 배송 조회가 이틀째
# 집하 상태예요". Nothing is asked (inbox.faq.thanks's request reading: no question, no request
# ending), nothing is wrong (a problem word: 안, 못, 없, 멈춰, 비어 있어요, 하얗게만 나와요), and
# nothing says the parcel is ours (주문, 여기, 시킨, 상품, 제 택배…): the courier's page is
# quoted, and whose parcel it is nobody can tell. "한진택배 조회하면 '집하'에서 멈춰 있어요"
# and "CJ대한통운 기사님이 택배함에 넣었다는데 택배함이 비어 있어요" tell a problem and stay.
_STATUS = re.compile(r"조회|추적|배송\s?상태|집하|간선|상차|하차|터미널|허브|배송\s?중|배달\s?중")
_STATUS_WRONG = re.compile(r"비어|텅|하얗|아니|그대로|이상")
_STATUS_OURS = re.compile(
    r"주문|여기|시킨|시켰|산\s?거|샀|구매|구입|상품|제품|물건|제\s?택배|내\s?택배|저희|우리|"
    r"영양제|\b(?:order|my|you)\b"
)


def _status_told(low: str) -> bool:
    """Is `low` only a courier's tracking status told (`_STATUS`), with nothing asked, nothing
    wrong and nothing of ours named?"""
    return (
        bool(_STATUS.search(low))
        and not asks(low)
        and not _STATUS_WRONG.search(low)
        and not _STATUS_OURS.search(low)
    )


def _courier_app(after: str) -> bool:
    """Does the clause a courier's name heads ask about signing in to its own app, or about
    its drivers' app (`_COURIER_APP`)?"""
    return bool(_COURIER_APP.search(_clause(after.split(" "))))


# A company's help desk with a comitative or instrumental ending ("쿠팡 고객센터랑 채팅", "토스
# 고객센터로 전화했는데"): the ending makes the help desk a mere mention, but the help desk is the
# company's own, so the company still owns the request. A message that points at us ("… 여기서
# 환불해 준대요") is ours before this is read.
_ORGAN_WITH = re.compile(
    r"^(?:고객센터|콜센터|상담실|고객상담실|본사|ars)(?:랑|이랑|하고|와|과|로|으로|에|에서|에다)$"
)


# A question word or a defect with the copula after the name ("수능 언제예요", "충전기 불량이라
# 교환하고 싶어요"): the copula is the question's predicate or the thing's state, not the
# name's description (…인데, …이에요 on the name itself), so the name owns the request (round 20).
_ASKED_COPULA = re.compile(
    r"^(?:언제|얼마|얼만|뭐|무엇|어디|며칠|몇\S*|누구)(?:이에요|예요|에요|이야|야|인가요|일까요|이죠|죠|임)$|"
    r"^(?:불량|고장|하자)(?:이라|이라서|이에요|인데|인데요|이네요)$"
)


# A comitative on a later word of the name's phrase joins two things the name owns ("페이스북
# 계정 비활성화랑 영구 삭제 차이", "인스타 계정 해킹이랑 도용 신고", "토스 잔액이랑 충전 내역";
# round 21): when that word is the service's own (its account's state, `_ACCOUNT`, or one of
# its parts, `_OWN_PART`), the name is still the owner. Elsewhere 랑 keeps the mention: on the
# name itself ("쿠팡이랑 비교하면"), on a noun of its phrase ("카카오 계정이랑 연동"), on a
# product compared ("다이소 비타민이랑 뭐가 다른지": our product asked about).
_JOINED = re.compile(r"(?:이랑|랑)$")
# 랑 before a verb of likeness compares: "카카오페이 비번이랑 헷갈려서 비밀번호를 까먹었어요",
# "네이버 비밀번호랑 같은 걸로 했는데" ask about our password, the service's only the model.
_COMPARED = re.compile(r"^(?:헷갈|같|똑같|달라|다르|다른|비슷|비교|섞|겹|혼동|구분|구별)")


def _own_thing(word: str) -> bool:
    """Is `word` a service's own thing: its account's state, leaving it, or one of its parts?"""
    if word in _PHRASE_NOUNS:
        return False
    return bool(_ACCOUNT.search(word) or _OWN_PART.search(word) or _LEAVING.match(word))


# Leaving a service the store also uses, named right after it, with or without 계정 ("인스타
# 탈퇴 어떻게 해요", "카톡 탈퇴하면 대화 다 날아가요?", "트위터 계정 영구 삭제 방법", "페이스북
# 계정 비활성화"; round 21): the service's own account, not ours. An instrumental ("카카오로
# 가입했는데 탈퇴하려면") or a pointer at us ("카톡 탈퇴랑은 별개로 여기 회원 탈퇴") keeps ours,
# and so does leaving told as the story before our request ("카톡 탈퇴해서 카카오 로그인이 안
# 되는데", "국민카드 해지해서 저장해 둔 결제 카드를 바꿔야 해요": 해지 is not read at all, a
# card's end is why our payment details change).
_LEAVING = re.compile(r"(?:영구\s?|완전히?\s?|아예\s?)?(?:탈퇴|삭제|비활성)")
_LEAVES = re.compile(
    r"^\s?(?:계정|아이디|id)?\s?(?:을|를|은|는|도)?\s?"
    + _LEAVING.pattern
    + r"(?!\S*(?:해서|하고|했는데|했더니|하니까|한\s?뒤|한\s?후))"
)


def owns(before: str, after: str) -> bool:
    """Is the name between `before` and `after` the owner of the request (not an instrument,
    a comparison or a description)? inbox.faq.topics reads a foreign thing's role with it."""
    if _EN_SWITCHED.search(before) or _EN_AT_PLACE.search(before) or before.endswith("@"):
        return False  # "switched from SKT to …", "at my Airbnb", "kim@naver.com" (round 22)
    words_before = re.findall(r"[a-z0-9]+", before[-20:])
    # "paid through my bank's app", "with my PayPal": the determiner is read past (round 21).
    while len(words_before) > 1 and words_before[-1] in _EN_DETERMINERS:
        words_before.pop()
    likened = len(words_before) > 1 and words_before[-2] in _EN_COMPARING
    if likened and words_before[-1] in _EN_COMPARED_PREP:
        return False  # "register like on Coupang" (round 23)
    if words_before and words_before[-1] in _EN_USED and _EN_USED_FOR.match(after):
        return False  # "used my Gmail to sign up" (round 23)
    if words_before and words_before[-1] in _EN_MENTION_BEFORE and not after[:1].strip():
        return False
    tokens = after.split(" ")
    if _used(tokens, _LINKED) or (_PLACE.match(tokens[0]) and _used(tokens, _USE)):
        return False
    searched = len(tokens) > 2 and not tokens[0] and _FEATURE_PLACE.match(tokens[1])
    if searched and _used(["", *tokens[2:]], _USE):
        return False  # "네이버 택배조회에 번호를 넣어도": searched there
    for i, token in enumerate(tokens[: _PHRASE_TOKENS + 1]):
        token = token.strip(".,!?~()\"'")
        if not token:
            if i == 0:
                continue
            break
        if i > 0 and _ORGAN_WITH.match(token):
            return True  # "쿠팡 고객센터랑 채팅": the company's own help desk, met or called
        if i > 0 and _ASKED_COPULA.match(token):
            return True  # "수능 언제예요": the question's own copula
        if i > 0 and _JOINED.search(token) and _own_thing(_JOINED.sub("", token)):
            compared = i + 1 < len(tokens) and _COMPARED.match(tokens[i + 1])
            if not compared:
                return True  # "페이스북 계정 비활성화랑 영구 삭제": two of its own things
        if _MENTION_END.search(token) or (i == 0 and _MENTION_START.match(token)):
            return False
        if i == 0 and _COPULA_BEFORE_NOUN.match(token):
            return False  # "아이디가 제 지메일인 건 확실한데": the name describes, as 인데 does
        if i > 0 and token not in _PHRASE_NOUNS:
            return True
        if i == 0 and re.search(r"[가-힣]", token):
            return True  # a particle or ending right after the name: 에서, 의, 은, 를…
    return True
