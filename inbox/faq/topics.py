"""Is the question about something this shop sells or handles? If not, it gets no FAQ answer.

"피자 배달이 안 와요", "헬스장 회원 탈퇴", "편지 해외로 보내는 법", "통장 비밀번호": the request
is an article's (delivery, cancel, password) and the words score high, but its object is a
pizza, a gym, a letter, a bank book. Naive Bayes over the shipped no-answer questions (the
veto) only knows topics someone wrote a line for; what the shop handles is a short, closed list
and what it never handles is everything else, so the gate asks the question from that side.

The words are data (`topics.json`, read at run time, reviewed like code), written by hand from
a list of everyday domains before the tuning split that measures them (docs/decisions.md,
"FAQ round 11"):

- `foreign`: by domain, things a supplement and health-food shop never sells or handles.
- `ours`: its products, their forms and ingredients. A message naming one is about this shop
  whatever else it names ("치킨 먹고 바로 유산균 먹어도 되나요").

A foreign word counts only as the owner of the request, read the way `services.py` reads a
company's name: a bare compound or a particle (피자배달, 헬스장 회원, 강아지가, 편지를) makes it
the owner; instrumental, comparison and "with/without/because of" endings (비행기로, 화장품이랑,
와이파이 없이, 태풍 때문에) leave the request ours. A message that points at us (여기, 이 사이트)
is ours. Any word an article uses is never foreign: an admin who writes "호텔 배송" into an
article's keywords (Admin → FAQ) makes 호텔 ours at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from inbox.faq.services import EN_ASIDE, OURS, base_category, changes_ours, owns
from inbox.faq.synonyms import COMPLAINT_WINDOW_VERBS

FORMAT = "switchboard-faq-topics/1"
_LATIN = re.compile(r"[a-z0-9]")
# After a foreign word, what makes it the customer's circumstance rather than the object of
# the request (read on the rest of its token and the next one), beyond the endings
# services.owns reads:
# - "with/without/because of/instead": 와이파이 없이, 태풍 때문에, 옷 말고; the cause may be
#   the foreign thing's phrase ("치과 예약 때문에 주말에 집에 없는데": round 22), unless the
#   customer writes about it (…때문에 문의드려요, 연락드렸어요);
# - a comparison closing its phrase on a request word of the articles (round 22): "호텔 예약
#   취소처럼 주문도 앱에서 취소 버튼만 누르면 되는 건가요?" (not "이륙하는 것처럼");
# - a place (에, 에게, 한테, 옆에): "통장에 들어와요", "주차장에 두고 갔대요", "침대 옆에 두고";
# - a time it sets (전에, 후에, 끝나고): "이번 토요일 캠핑 전에 받을 수 있을까요" (round 21);
# - an activity made a verb (하다/되다): "게임하다가", "퇴사해서", "개통해서" — but not its
#   purpose (…하려면, …하려고, …하는 법): "계좌 개설하려면 뭐가 필요해요", "카드 탈회하는 법" ask
#   about that very thing;
# - an activity or life verb right after it: "골프 치는 아버지", "월세 사는 집", "등산 갈 때";
# - the subject of a cause (…서): "강아지가 뜯어서 파손됐어요", "야근이 많아서";
# - someone who told the customer to (…라고, …래서): "트레이너가 이걸 먹어 보라고 해서".
# Each was a labelled question (a tuning split's) that the bare owner rule silenced.
_CIRCUMSTANCE = re.compile(
    r"^(?:\s*(?:없이|없는|때문에|때매|땜에|덕분에|말고|대신|아니고|빼고)"
    r"|\s[가-힣]+\s(?:때문에|때매|땜에|덕분에)(?=\s|$)(?!\s+(?:문의|연락|질문|전화|상담|여쭤|물어))"
    r"|(?:\s[가-힣]+)?\s[가-힣]*(?:취소|환불|반품|교환|배송|배달|결제|가입|탈퇴|조회)(?:처럼|만큼)(?:\s|$)"
    r"|(?:에|에다|에다가|에게|한테|께)(?:\s|$|[^가-힣])"
    r"|\s?(?:옆|앞|뒤|안|위|밑|근처)(?:에|에서|으로|로)?(?:\s|$)"
    r"|\s?(?:전|전에|전까지|전날|이후|후에|끝나고|끝나기\s?전)(?:\s|$)"
    r"|(?:하(?!자|려면|려고|는\s?(?:방)?법)|해(?!지|약|외|킹|결|제)|했|할|함|되|돼|됐|된|될|한(?=\s|$))"
    r"|\s(?:가는|갈|간|가서|가려고|가면|다니는|다녀서|다니면서|치는|치러|치고|타는|타고|"
    r"사는|살아서|하는|할|하러|하면서|하다가|하고)(?:\s|$|[^가-힣])"
    r"|[이가]\s[가-힣]*서(?:\s|$|[^가-힣])"
    r"|[이가]\s(?:[가-힣]+\s){0,3}[가-힣]*(?:라고|라며|래서|대서)(?:\s|$))"
)


# Where a clause ends (the request word must be in the foreign word's own clause): a connective
# ending (…는데, …인데요, …고, …서, …니까, …다가, …보니, …면서, …지만) before a space, or a
# sentence's end. Only verbs' …고 and …서: 냉장고, 전입신고, 엽서 are nouns.
_CLAUSE_END = re.compile(
    r"(?:(?<=데)|(?<=데요)|(?<=[어아해와가워져돼봐났었았였겨켜쳐]서)|(?<=니까)|(?<=다가)|(?<=보니)"
    r"|(?<=면서)|(?<=지만)|(?<=[.!?~])|(?<=[하했되됐있었았였먹받보내가와오주줬없않못타쓰치놓두넣찾]고))"
    r"\s+(?!싶)|\n"
)
# Before an English foreign word (a determiner skipped), a preposition of place makes it the
# customer's circumstance: "the front desk at my hotel", "deliver to the office near the gym".
_EN_PLACE = re.compile(
    r"\b(?:at|in|to|from|near|into|inside|outside|around|behind|beside|by|with|without|via)"
    r"(?:\s+(?:my|the|a|an|our|your|his|her|their|this|that))?\s*$"
)
# Where the request clause starts: the last clause of the message, split more widely than
# _CLAUSE_END (also after any …서, …느라, …고, …길에, …동안, …중에, … 때, a sentence-final
# …요/…다/…죠, a comma, and English and/but/so/because), so a story told first ("요즘 필라테스
# 다니느라 바빠서 …", "남편이 골프 연습하는 동안 …", "I just renewed my car insurance and …")
# stays out of it. Splitting more only ever makes fewer silences. Not after "어디서" (where) or
# a place's "…에서", nor at "…고 싶": those are inside the request ("요가원 수강권 연장 어디서
# 해요", "도서관 대출 연장하고 싶어요" were cut to "해요" and "싶어요"; round 18). Nor after
# "…마다" (every): "엔진오일 몇 km마다 갈아야 돼요" was cut to "갈아야 돼요" (round 19). Nor after
# the nouns 재입고 and 재고 (restock, stock), which end in 고 too ("패딩 … 사이즈 재입고 언제
# 되나요" was cut to "언제 되나요"; round 20).
_REQUEST_CLAUSE = re.compile(
    r"(?:" + _CLAUSE_END.pattern + r")"
    r"|(?:(?<=[가-힣]서)(?<!어디서)(?<!에서)|(?<=느라)|(?<=길에)|(?<=동안)|(?<=중에)|(?<=[가-힣]\s때)"
    r"|(?<=[가-힣][요다죠])(?<!마다))\s+"
    r"|(?<=[가-힣]고)(?<!재입고)(?<!재고)\s+(?!싶)"
    r"|,\s+|\s+(?:and|but|so|because|since|then)\s+"
)
# The articles' request words, what customers ask about a thing (언제, 얼마, 변경, 방법, …하는
# 법…), and buying or booking verbs (시켰는데, 샀는데, 등록했는데, 예매했는데, 맡겼는데). Not
# 보내: "아이 어린이집 보내고" is a story. Since round 21 also where to ask about a thing, its
# main number, and asking about it (관련해서, 에 대해): "부동산 문제 물어볼 데 없을까요",
# "세무서 관련해서 물어볼 곳 있나요". Round 21 folds 물어볼 데 and 대표번호 into the customer
# center's words for the ranking, which answered them until the foreign thing owned them.
_NEAR_TOKENS = 3  # the rest of the foreign word's token and the next two
_EN_NEAR = 4  # English: the words read before a Latin foreign word, and after it
_ASKS = re.compile(
    r"배송|배달|택배|환불|반품|교환|취소|주문|시키|시켜|시켰|시킨|결제|회원|가입|탈퇴|비밀번호|"
    r"비번|암호|패스워드|아이디|계정|주소|조회|송장|분실|도착|재고|유통기한|성분|상담|영수증|해지|구매|접수|"
    r"예약|먹|샀|사서|산 거|산거|구입|등록|신청|예매|맡겼|맡긴|계약|변경|수정|바꾸|바꿀|바꿔|"
    r"연락처|전화번호|대표\s?번호|대표\s?전화|물어볼|물어보|관련해|관해서|에\s?대해|고객센터|언제|입금|들어와|돌려받|수령|설치|방법|사이즈|청구|수수료|"
    r"요금|비용|얼마|며칠|기준|환급|반납|지원|채용|공고|일정|결과|인증|출금|지연|탈회|는\s?법(?![가-힣])|"
    # Renewing or issuing a thing is a request about it (round 23): "공동인증서 갱신하는데
    # 비밀번호가 기억 안 나요", "회원권 갱신하려면", "여권 재발급".
    r"갱신|재발급|발급|"
    r"\b(?:deliver|order|refund|cancel|return|account|password|ship|"
    # Round 24 (faq34): signing up, paying and resetting are asked of a thing in English too:
    # "my kid's school sent a sign-up form for after-school clubs, do parents pay upfront?".
    r"sign-?\s?up|signup|regist|enrol|fees?\b|pay|reset|log-?\s?in)"
)


# A request clause that names no object of its own, only a refund, exchange or cancel and its
# predicate ("환불 받을 수 있나요", "교환 가능해요?", "카드 환불 언제 들어와요", a bare "환불"):
# its object is what the story before it told of ("파마 망했는데 환불 받을 수 있나요", "니트
# 세탁했더니 줄었는데 교환 가능해요?"), so a foreign thing there owns the request as if asked
# in it. "주문 취소 가능해요?" names its object and is read as before, and a story that names
# a parcel or an order ("호텔 프론트에서 받은 택배 열어봤는데 … 교환해주세요") is about ours.
_PARCEL = re.compile(r"주문|택배|시킨|시켰|배송|상품|제품|물건|order|parcel|package")
# A refund told as 환급 and a consultation asked for (round 22) are two more: "5월에 홈택스
# 신고했는데 환급금이 아직 안 들어왔어요" asks about the tax office's refund, "바이러스 걸린 것
# 같은데 상담 가능해요?" for a computer repair; "아직" and a spaced "안" are predicate words.
_BARE_REQUEST = re.compile(r"(?:카드|돈)?\s?(?:환불|환급|교환|반품|취소|상담)\S*")
_PREDICATE = re.compile(
    r"(?:받|할|하|해|돼|되|됐|가능|언제|수|있|싶|들어|요|처리|좀)\S*|\?+|아직|아직도|안|왜"
)


# English asks with no object of its own too (round 22, faq28): "what do I do", "what now", "is
# that legal?", "any advice?", "who do I call?" after a story take the story's foreign thing as
# their object, as a bare 환불 받을 수 있나요 does: "My bank card got blocked after three wrong
# PINs, what do I do", "My phone carrier charged me a cancellation fee, is that legal?". A story
# that names our parcel, order or product ("The bottle arrived cracked … What do I do?", "my
# order page still says processing, is that normal?") keeps the request ours (`_PARCEL`,
# `_EN_PARCEL`).
_EN_BARE_REQUEST = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|but)\s)?(?:"
    r"what\s(?:do|should|can|shall|would)\s(?:i|we)\s(?:even\s)?do(?:\snow|\sabout\s(?:it|this|that))?|"
    r"what\snow|now\swhat|what\snext|any\s(?:advice|tips|ideas)|"
    r"who\s(?:do|should|can)\s(?:i|we)\s(?:call|contact|ask|talk\sto|speak\sto|complain\sto)|"
    r"(?:is|was|isn't)\s(?:that|this|it)\s(?:even\s|really\s)?"
    r"(?:normal|legal|allowed|ok|okay|fair|lawful)|can\s(?:they|he|she)\s(?:even\s)?do\s(?:that|this)"
    r")\W*$"
)
# Round 23 (faq30): English asks about the story's thing by a pronoun too: "My bank card got
# swallowed by the ATM, how do I get it back?", "My airline lost my suitcase, how long do they
# usually take to find it?", "My prepaid SIM ran out of data, can I top it up …". The request's
# object is "it"/"them", what the story named, so a foreign thing there owns the request as after
# "what do I do" (`_EN_BARE_REQUEST`); a story naming our parcel or product ("my vitamins came
# crushed, can I send them back?") keeps it ours (`_PARCEL`, `_EN_PARCEL`).
_EN_PRONOUN_REQUEST = re.compile(
    r"\b(?:get|find|recover|retrieve|replace|fix|unblock|unlock|reactivate|renew|top|send|"
    r"take|bring)\s(?:it|them)\b|\b(?:it|them)\s(?:back|up|fixed|replaced|unblocked)\b"
)
# ... and a story naming the customer's account, login or name here keeps it ours too ("My
# account still shows my maiden name since the wedding, can I fix it myself?").
_EN_OUR_ACCOUNT = re.compile(
    r"\b(?:account|password|login|log\sin|profile|username|e-?mail|you|your|yours)\b"
)
# The visitor's EMS in English (round 23): "How long does Korea Post EMS take to the US?", "how
# much does EMS cost to Canada": the post office's service is the subject of take/cost, as
# `_POSTED_ABROAD` reads 보내려는데. The shop's orders ("how long does shipping take", "do you ship
# by EMS") name no EMS as subject, and an order, purchase or "you" keeps the message ours.
_EN_POSTED_ABROAD = re.compile(
    r"\b(?:korea\spost\s|the\spost\soffice'?s?\s|k-?packet\s)?ems\s(?:usually\s|normally\s)?"
    r"(?:take|takes|cost|costs|charge|charges)\b"
)
# A foreign phrase that starts with its verb ("report my new address", "top it up") after "to"
# is an infinitive ("do I have to report my new address"), not a place.
_EN_VERB_FIRST = re.compile(r"(?:report|top)\s")
_EN_OUR_DEAL = re.compile(r"\b(?:you|your|yours|order\w*|bought|purchase\w*)\b")
# The shop's products in English, beyond the lexicon's `ours`: "my doctor told me to stop the fish
# oil before surgery, what now?", "… take whey after workouts, is that normal?".
_EN_PRODUCTS = (
    r"capsules?|pills?|tablets?|softgels?|supplements?|vitamins?|products?|"
    r"collagen|magnesium|zinc|calcium|iron|protein|whey|ginseng|lutein|omega\S*|fish\soil|krill|"
    r"probiotics?|gumm(?:y|ies)|biotin|electrolytes?|creatine|glucosamine|folic\sacid|turmeric|"
    r"coq10|propolis"
)
_EN_PARCEL = re.compile(
    r"\b(?:box|boxes|bottles?|jars?|deliver\w*|courier|tracking|shipp\w*|shipment|refund|"
    r"return\w*|purchase\w*|bought|" + _EN_PRODUCTS + r")\b"
)
# A record of the customer's orders wanted for something else ("a list of all my past purchases
# for my insurance claim", "my order history for my tax return"): the foreign thing after "for"
# is what the record is for; the record is ours (round 22).
_EN_RECORD_FOR = re.compile(
    r"\b(?:purchases|orders|order\shistory|purchase\shistory|past\sorders)\b(?:\s[\w'-]+){0,4}?"
    r"\sfor\s(?:(?:my|the|a|an|our|his|her)\s)?$"
)
# Is it legal, in English (round 22): "My phone carrier charged me a cancellation fee, is that
# legal?", "is it even allowed by law for my landlord to …". As `_LEGALITY`, only a deal with the
# shop keeps it ours: its order, refund or return (`_SHOP_DEAL`), or the shop as "you" ("is it
# legal for you to keep my data"), a parcel or a purchase.
_EN_LEGALITY = re.compile(
    r"\b(?:is|was|isn't)\s(?:that|it|this)\s(?:even\s|really\s)?(?:legal|lawful|allowed\sby\slaw)\b|"
    r"\b(?:illegal|unlawful|against\sthe\slaw|legally\s(?:allowed|required|entitled|obliged))\b"
)
_EN_SHOP_DEAL = re.compile(
    r"\b(?:you|your|yours|deliver\w*|ship\w*|parcel|package|account|data|bought|"
    + _EN_PRODUCTS
    + r")\b"
)


# Round 24 (faq35): preparing for the story's event, asked with no object of its own ("처음으로
# 10km 마라톤 나가는데 준비 기간 얼마나 잡아야 해요", "이번 달 결혼식인데 준비물 뭐 챙겨요"):
# the request clause opens on 준비, so what is prepared for is what the story named, as after a
# bare 환불 받을 수 있나요. A story naming our parcel or order keeps it ours (`_PARCEL`).
_PREPARING = re.compile(
    r"^\W*준비(?:물|기간|시간|운동|과정|하려면|하는\s?데|하는데|할\s?때)?(?![가-힣])"
)
# A tub or a bottle started and left (한 통 먹다 남은 거 환불 안 되나요, 반 병, 반쯤 먹다 남은;
# round 24, faq33 and faq35): the product's container, not leftovers of a meal (the food
# domain's 먹다 남은: "피자 한 판 먹다 남은 거 환불돼요" stays the pizzeria's).
_LEFTOVER = "먹다 남은"
_CONTAINER_BEFORE = re.compile(r"(?:(?:한|반|두|세|\d)\s?(?:통|병)|반쯤|절반쯤?)\s*(?:정도\s*)?$")
# The customer packing perishables to send them (round 24): "한여름에 아이스박스로 반찬을
# 보내면 하루 넘게 걸려도 안 상할까요", "보냉팩 넣어서 김치 부치면 괜찮을까요". An ice box or a
# cold pack is the sender's packing, and a shop's customer sends nothing but a return.
_PACKED = re.compile(
    r"(?:아이스\s?박스|스티로폼\s?박스|보냉\s?(?:팩|백|박스|가방)|아이스\s?팩|얼음\s?팩)"
    r"\S*\s(?:\S+\s){0,4}?(?:보내면|보내려면|보내려는데|보내도|보낼\s?(?:건데|거|때)|부치면|부치려면|부치려는데|부쳐도)"
)


def _bare_request(clause: str) -> bool:
    """Is the request clause only a refund/exchange/cancel word and its predicate?"""
    tokens = clause.strip(" .!?~").split()
    if not tokens:
        return False
    head = 2 if len(tokens) > 1 and tokens[0] in ("카드", "돈") else 1
    return bool(_BARE_REQUEST.fullmatch(" ".join(tokens[:head]))) and all(
        _PREDICATE.fullmatch(t) for t in tokens[head:]
    )


# The customer as the sender of a parcel ("우체국 택배 보내는 법", "소포 부치려면 박스 어디서
# 사요"): a shop's customer sends nothing but a return to it, which names itself (반품, 교환,
# 회수…) or the shop (여기로: read before this, `points_at_us`); a photo or a mail sent to us is
# no parcel ("사진 찍어서 보내려면 이메일 주소가 뭐예요").
_SENDING = re.compile(
    r"(?:택배|소포|짐|박스|화물)\s?(?:를|을|로|으로|는|좀)?\s?"
    r"(?:보내는\s?(?:법|방법)|보내려면|보내려고|보내려는데|부치는\s?(?:법|방법)|부치려면|부치려고)"
)
# The same in English (round 21): "best way to ship a parcel from Seoul to Vancouver", "how do
# I mail a package abroad", "cheapest way to send a box to Canada". Only with an indefinite
# article: "the parcel", "my package" are an order's ("can you send my package to my office").
_EN_SENDING = re.compile(
    r"\b(?:ship|send|mail|post)(?:ing)?\s(?:a|an|some|one|two|few)\s(?:\w+\s)?"
    r"(?:parcel|package|box|letter|gift|care\spackage)s?\b"
)
# The customer sending mail abroad by post (round 21): "우체국 EMS로 캐나다 사는 동생한테 김이랑
# 고추장 보내려는데", "독일로 서류 EMS로 보낼 거예요", "국제 소포로 한약 보내도 통관 문제없나요".
# The shop ships its own orders; a visitor's EMS or international parcel, with the visitor's
# sending verb (…려는데, …려면, 보낼 거예요, 보내도) a few words on, is the post office's. A
# request to the shop ("EMS로 보내 주시나요") has no such verb, and a return names itself.
_POSTED_ABROAD = re.compile(
    r"(?<![a-z])(?:ems|국제\s?소포|국제\s?우편|해외\s?소포)\S*\s(?:\S+\s){0,5}?"
    r"(?:보내려|보낼\s?(?:거|건|때|예정)|보내도|부치려|부칠\s?(?:거|건|때))"
)
_SENT_TO_US = re.compile(r"반품|교환|환불|회수|반송|돌려|불량|파손|return|refund")

# A home the lexicon lists as a property (원룸, 투룸, 오피스텔: renting and moving are not ours)
# is also where a parcel goes: its address, parcel locker or door is the customer's, and a
# request about it is the shop's ("예전 원룸 주소가 그대로 들어가 있더라고요 … 새 집으로 보내
# 주실 수 있나요", "오피스텔 택배함에 넣었다고 사진까지 왔는데": hard-final-14, -17b, -20,
# hard-dev-17; round 20).
_HOMES = frozenset({"원룸", "투룸", "오피스텔"})
_DELIVERY_SPOT = re.compile(
    r"^\s?(?:의\s)?(?:주소|택배함|무인함|우편함|현관|문\s?앞|경비실|관리실)"
)


# A named medicine asked about itself (round 20): its dose ("타이레놀 하루 최대 몇 알까지"), two
# medicines together ("감기약이랑 해열제 같이 먹어도 돼요?"), a medicine with a drink or the
# wheel ("혈압약 복용 중인데 자몽주스", "코감기약 먹고 운전해도"). The shop's forms and intake
# words (복용, 섭취, 알약, 한 알, 캡슐) are the medicine's too, so they do not make such a message
# ours; a product ("혈압약 먹는데 이 비타민D 같이 먹어도 되나요"), a pointer at us (여기, 이거)
# or an order word does. One medicine taken "together" with nothing else named is asked of our
# product, unnamed ("혈압약 먹는 중인데 같이 먹어도 되나요?"), and stays ours.
MEDICINES = "medicines"
_FORMS = frozenset(
    {"복용", "섭취", "알약", "한 알", "두 알", "캡슐", "정제", "분말", "capsule", "pill", "tablet"}
)
_SHOP = re.compile(
    r"주문|배송|택배|환불|반품|교환|구매|구입|결제|회원|가입|탈퇴|적립|쿠폰|재고|성분표|함량|"
    r"상품|제품|사이트|쇼핑몰|샀|산\s?거|시킨|시켰|"
    r"\b(?:order|ship|deliver|refund|return|product|buy|bought)"
)
_TOGETHER = re.compile(r"같이|함께|병행|\b(?:with|together)\b")
# What a medicine is taken with besides a product: drink, coffee, food, smoking, driving.
_WITH_OTHER = re.compile(
    r"술|소주|맥주|와인|막걸리|음주|커피|카페인|자몽|우유|주스|담배|흡연|운전|"
    r"\b(?:alcohol|beer|wine|coffee|grapefruit|drive|driving)\b"
)


def _medicine_words(words: TopicWords) -> frozenset[str]:
    """The `MEDICINES` domain's words and those of its sibling domains ("medicines (English)",
    round 21: antidepressants, melatonin, blood thinners), all read by the medicine rule."""
    return frozenset(
        word
        for domain, listed in words.foreign.items()
        if base_category(domain) == MEDICINES
        for word in listed
    )


# Is it legal? (round 21): "경비실에서 택배 안 받아주겠다고 공지 붙었는데 이게 법적으로 가능한가요",
# "자전거 도로에서 킥보드 타도 불법 아닌가요", "손으로 쓴 유언장도 법적 효력이 있나요". The FAQ
# answers no point of law; a parcel or a building named with it is a neighbour's or a
# landlord's rule, not our order. Only a legality asked of a deal with the shop stays ours: its
# order, payment, refund, exchange or withdrawal ("개봉했다고 환불 안 해 주는 거 불법 아닌가요",
# "청약철회 기간 법적으로 며칠이에요"), our delivery or a parcel lost, broken or late ("택배
# 분실됐는데 법적으로 보상받을 수 있나요"), or a product of ours (read before, `points_at_us`).
_LEGALITY = re.compile(
    r"법적으로|법적\s?(?:효력|책임|문제|근거|처벌|제재)|합법|불법|위법|법에\s?(?:걸리|어긋|저촉)|"
    r"법\s?위반|고소\s?(?:가능|할\s?수)|신고\s?(?:가능한가요|할\s?수\s?있나요)"
)
_SHOP_DEAL = re.compile(
    r"주문|결제|환불|반품|교환|취소|청약\s?철회|환급|배송|적립금|쿠폰|개인정보|탈퇴|회원|"
    r"판매|파는|팔아|팔았|유통기한|구매|구입|샀|산\s?거|시킨|시켰|"
    r"분실|파손|누락|보상|배상|지연|못\s?받|안\s?(?:왔|와|옴)|\b(?:order|refund|return|purchase)"
)


# Where the foreign word's own phrase ends for `_past_phrase`: a connective or a sentence's end
# (…면서, …는데, …서, …고, …어요, …다).
_PHRASE_END = re.compile(r"(?:[요다죠]|데|서|면서|고|[.!?~])$")


def _past_phrase(after: str) -> str:
    """What follows the foreign word's own phrase (its token's rest and up to `_NEAR_TOKENS`
    words, cut at a connective or a sentence's end): where a later request of ours is read
    (services.changes_ours, round 22). "헬스장 회원정보 수정하려면요" leaves nothing after it;
    "폰 요금제 바꾸면서 | 번호가 바뀌었어요 회원정보 연락처 수정하려고요" leaves the change."""
    tokens = after.split(" ")
    cut = next(
        (i + 1 for i, t in enumerate(tokens[:_NEAR_TOKENS]) if i and _PHRASE_END.search(t)),
        _NEAR_TOKENS,
    )
    return " ".join(tokens[cut:])


@dataclass(frozen=True, slots=True)
class TopicWords:
    """The shop's own words, and foreign words by domain (lower-cased, spaces collapsed)."""

    ours: frozenset[str]
    foreign: Mapping[str, frozenset[str]]

    def without(self, *domains: str) -> TopicWords:
        """The same words with `domains` left out (bench/faq_cv.py scores a domain this way)."""
        return TopicWords(
            self.ours, {d: w for d, w in self.foreign.items() if d not in set(domains)}
        )


def _clean(word: Any, where: str) -> str:
    if not isinstance(word, str) or not word.strip():
        raise ValueError(f"topics: {where}: {word!r} is not a word")
    return " ".join(word.lower().split())


def parse_topics(data: Any) -> TopicWords:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"topics: expected an object with format {FORMAT!r}")
    ours, foreign = data.get("ours"), data.get("foreign")
    if not isinstance(ours, list) or not isinstance(foreign, dict):
        raise ValueError("topics: 'ours' must be a list and 'foreign' an object of lists")
    domains: dict[str, frozenset[str]] = {}
    for domain, words in foreign.items():
        if not isinstance(words, list):
            raise ValueError(f"topics: foreign.{domain} must be a list")
        domains[str(domain)] = frozenset(_clean(w, f"foreign.{domain}") for w in words)
    return TopicWords(frozenset(_clean(w, "ours") for w in ours), domains)


@lru_cache(maxsize=1)
def default_topics() -> TopicWords:
    text = resources.files("inbox.faq").joinpath("topics.json").read_text(encoding="utf-8")
    return parse_topics(json.loads(text))


def _pattern(word: str) -> str:
    # A Hangul word starts a token (헬스장회원권, 피자를) but is not the tail of another word
    # (수영장 is not 장, 등산화 is 등산's); Latin words need word edges on both sides.
    body = r"\s*".join(re.escape(part) for part in word.split())
    start = r"(?<![a-z0-9])" if _LATIN.match(word) else r"(?<![가-힣])"
    end = r"(?![a-z0-9])" if _LATIN.match(word[-1]) else ""
    return start + body + end


# Words that begin with a foreign word but are another word (round 21's held-out misses, read
# after the run: "화물 위치 실시간 모니터링 되나요?" was a computer monitor's). A Hangul foreign
# word matches at a token's start with anything after it, so that particles attach (피자를,
# 헬스장회원권); these continuations make a word of the shop's or of no domain instead: a
# plant-based capsule (식물성), caffeine (카페인), the mail client's inbox (받은 편지함),
# recycling (재활용), "not even a shadow" (그림자도 안 보여요), tracking (모니터링), and
# Coupang's next-day delivery (로켓배송, round 22: not a rocket of the space domain; Coupang's
# name is read by inbox.faq.services).
_LONGER_WORDS = ("식물성", "카페인", "편지함", "재활용", "그림자", "모니터링", "로켓배송")

# Round 23 (faq32): a complaint window asked for (민원 창구, 민원 넣을 창구, 민원 응대 창구) is
# the shop's help desk, as 상담 창구 is: every such line of the bench is labelled
# contact-channels. 민원 alone stays foreign (구청 민원 신청, 택배사 민원, 민원 접수 결과 조회),
# and so does any other foreign word of the message (우체국 창구).
_COMPLAINT_WINDOW = re.compile(r"민원\s?(?:(?:" + "|".join(COMPLAINT_WINDOW_VERBS) + r")\s?)?창구")


# Round 24 (faq33): the shop's own mileage. 마일리지 is an airline's (the travel domain), but
# with the shop's membership named ("멤버십 해지하면 쌓아둔 마일리지는 소멸되나요", "회원 탈퇴
# 시 마일리지") it is the account's 적립금 (inbox.faq.synonyms folds it so). Only a membership
# named unqualified, first in the message (after 혹시, 제, 저희 …): "대한항공 회원인데 마일리지
# …" and "카드 해지하면 마일리지 …" name someone else's, and 회원권 is a gym's.
_MILEAGE = "마일리지"
_OUR_MEMBERSHIP = re.compile(
    r"^(?:(?:혹시|그|저|제|저희|내|여기|이\s?사이트)\s?)?(?:멤버십|멤버쉽|회원(?!권))"
)


_END = ""  # a trie key no character uses: a word ends here


def _trie(words: Iterable[str]) -> str:
    """One regex for many words, as a character trie ("헬스(?:장|\\s*회원)?…"): an alternation of
    1,500 words, each with its own lookbehind, is tried word by word at every position (round
    16's wider lexicon made that ~0.7 ms a question); a trie is tried a character at a time.
    A longer word is tried before a shorter one it extends, as the longest-first list was."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in " ".join(word.split()):
            node = node.setdefault(char, {})
        node[_END] = r"(?![a-z0-9])" if _LATIN.match(word[-1]) else ""

    def regex(node: dict[str, Any]) -> str:
        branches = [
            (r"\s*" if char == " " else re.escape(char)) + regex(child)
            for char, child in sorted(node.items())
            if char != _END
        ]
        if _END in node:
            branches.append(node[_END])  # last: the longer words first
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return regex(root)


@lru_cache(maxsize=8)
def _compile(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Hangul words start a token, Latin words need word edges on both sides (`_pattern`)."""
    latin = [w for w in words if _LATIN.match(w)]
    hangul = [w for w in words if not _LATIN.match(w)]
    parts = [r"(?<![가-힣])" + _trie(hangul)] if hangul else []
    parts += [r"(?<![a-z0-9])" + _trie(latin)] if latin else []
    return re.compile("|".join(parts)) if parts else None


class OffTopic:
    """Finds the foreign things a message's request is about."""

    def __init__(self, words: TopicWords, own_texts: Iterable[str] = ()) -> None:
        """`own_texts`: the articles' titles, answers and keywords; a word they use is ours."""
        own = " ".join(" ".join(t.lower().split()) for t in own_texts)
        foreign = {
            word
            for domain in words.foreign.values()
            for word in domain
            # The substring test first: a regex per word over every article costs ~200 ms.
            if word.split()[0] not in own or not re.search(_pattern(word), own)
        }
        self.foreign = frozenset(foreign - words.ours)
        self._medicines = _medicine_words(words) & self.foreign
        by_length = lambda w: (-len(w), w)  # noqa: E731 - longest first: 헬스장 before 헬스
        self._foreign = _compile(tuple(sorted(self.foreign, key=by_length)))
        self._ours = _compile(tuple(sorted(words.ours, key=by_length)))
        self._products = _compile(tuple(sorted(words.ours - _FORMS, key=by_length)))

    def points_at_us(self, low: str) -> bool:
        """Does the (lower-cased) message point at us (여기) or name one of our products? A
        product word inside a foreign compound is not ours: 식물 영양제 and 잔디 영양제 feed a
        plant (round 19; 영양제 alone made them ours)."""
        if OURS.search(low):
            return True
        if self._ours is None:
            return False
        spans = [m.span() for m in self._foreign.finditer(low)] if self._foreign else []
        return any(
            not any(start <= m.start() and m.end() <= end for start, end in spans)
            for m in self._ours.finditer(low)
        )

    def _asks_medicine(self, low: str, named: int) -> bool:
        """Does a message naming `named` medicines ask about them, not about a product of
        ours taken with them (`MEDICINES`)?"""
        if OURS.search(low) or _SHOP.search(low):
            return False
        if self._products is not None and self._products.search(low):
            return False
        # "혈압약 먹는 중인데 같이 먹어도 되나요?": with our product, unnamed.
        return not (_TOGETHER.search(low) and named == 1 and not _WITH_OTHER.search(low))

    def owners(self, text: str) -> list[str]:
        """The foreign words `text` asks about, in order (empty: the question may be ours).

        A foreign word counts only inside the request clause (the message's last, _REQUEST_CLAUSE:
        "수영장 락커 키 잃어버렸어요", "우체통 위치가 어디예요") or with a request word of the
        articles' (배달, 취소, 환불, 시켰, 샀, 언제…) in it or within the next two words of its
        clause: "피자 배달이", "헬스장 회원 탈퇴", "치킨 시켰는데" own a request; in "강아지 산책
        다녀왔는데 주문 취소 돼요?" the story's foreign word owns nothing. A story that
        orders or eats a foreign thing before asking about our order ("치킨 시켜 먹다가
        생각났는데 주문 들어갔나요?")
        reads like "치킨 시켰는데 배달 언제 와요" and is silenced too: nothing in the words
        tells them apart."""
        if self._foreign is None:
            return []
        low = " ".join(text.lower().split())
        # A named medicine is read by its own rule (`_asks_medicine`), before the shop's forms
        # and intake words (복용, 알약) make the message look like ours.
        medicines = [m.group() for m in self._foreign.finditer(low) if m.group() in self._medicines]
        if medicines and self._asks_medicine(low, len(medicines)):
            return medicines
        if self.points_at_us(low):
            return []
        found = []
        last = _REQUEST_CLAUSE.split(low)[-1]
        request_clause = len(low) - len(last)
        if (_bare_request(last) or _PREPARING.match(last)) and not _PARCEL.search(low):
            request_clause = 0  # the story's foreign thing is the request's object
        elif _EN_BARE_REQUEST.match(last) and not (_PARCEL.search(low) or _EN_PARCEL.search(low)):
            request_clause = 0  # the same in English: "…, what do I do" (round 22)
        elif _EN_PRONOUN_REQUEST.search(last) and not (
            _PARCEL.search(low) or _EN_PARCEL.search(low) or _EN_OUR_ACCOUNT.search(low)
        ):
            request_clause = 0  # "…, how do I get it back?" (round 23)
        if "?" in low[:request_clause]:
            # The question was asked first; what follows it is context ("Where is my parcel?
            # The front desk at my hotel wants to know").
            request_clause = len(low) + 1
        for match in self._foreign.finditer(low):
            if match.group() in self._medicines:
                continue  # read above, by its own rule
            if low.startswith(_LONGER_WORDS, match.start()):
                continue  # another word that begins with it (모니터링)
            if _COMPLAINT_WINDOW.match(low, match.start()):
                continue  # the shop's complaint window (민원 넣을 창구): round 23, faq32
            before, after = low[: match.start()], low[match.end() :]
            if match.group() == _MILEAGE and _OUR_MEMBERSHIP.search(low):
                continue  # the shop's mileage: round 24
            if changes_ours(_past_phrase(after)):
                continue  # a story, then a change of ours asked (회원정보 연락처 수정하려고요)
            near = match.group() + " ".join(_CLAUSE_END.split(after)[0].split(" ")[:_NEAR_TOKENS])
            # A foreign phrase the clause split cuts ("lost and found" at its "and") ends in
            # the request clause and is read as in it (round 24, faq34).
            asks = match.end() > request_clause or _ASKS.search(near)
            if _LATIN.match(match.group()) and not asks:
                # English puts the request before its object: "cancel my car insurance"; or,
                # the foreign thing as its subject, a few words after it: "my landlord still
                # hasn't returned my deposit" (round 20).
                asks = _ASKS.search(
                    " ".join(_CLAUSE_END.split(before)[-1].split()[-_EN_NEAR:])
                ) or _ASKS.search(" ".join(_REQUEST_CLAUSE.split(after)[0].split()[:_EN_NEAR]))
            if (
                _LATIN.match(match.group())
                and _EN_PLACE.search(before)
                and not (before.endswith("to ") and _EN_VERB_FIRST.match(match.group()))
            ):
                continue
            if _LATIN.match(match.group()) and (
                EN_ASIDE.search(before) or _EN_RECORD_FOR.search(before)
            ):
                continue  # "not asking about my gym", "my past purchases for my insurance claim"
            if match.group() in _HOMES and _DELIVERY_SPOT.match(after):
                continue  # the customer's home as where the parcel goes
            if match.group() == _LEFTOVER and _CONTAINER_BEFORE.search(before):
                continue  # "한 통 먹다 남은 거 환불": a tub of ours started and left (round 24)
            if asks and not _CIRCUMSTANCE.match(after) and owns(before, after):
                found.append(match.group())
        sending = _SENDING.search(low) or _EN_SENDING.search(low)
        if sending and not _SENT_TO_US.search(low):
            found.append(sending.group())  # the customer sends a parcel: not an order of ours
        packed = _PACKED.search(low)
        if packed and not _SENT_TO_US.search(low):
            found.append(packed.group())  # the customer packs and sends food (round 24)
        abroad = _POSTED_ABROAD.search(low)
        if abroad and not _SENT_TO_US.search(low):
            found.append(abroad.group())  # the customer posts a parcel abroad
        posted = _EN_POSTED_ABROAD.search(low)
        if posted and not (_SENT_TO_US.search(low) or _EN_OUR_DEAL.search(low)):
            found.append(posted.group())  # "how long does Korea Post EMS take" (round 23)
        legality = _LEGALITY.search(low)
        if legality and not _SHOP_DEAL.search(low):
            found.append(legality.group())  # a point of law, not a deal with the shop
        legal = _EN_LEGALITY.search(low)
        if legal and not (_SHOP_DEAL.search(low) or _EN_SHOP_DEAL.search(low)):
            found.append(legal.group())  # the same in English (round 22)
        return found
