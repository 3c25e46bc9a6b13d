"""Everyday words of a shop's customers that no article uses: never typos.

`TypoFixer` corrects a syllable that appears nowhere in the articles when one jamo away it
completes a keyword (반풍 → 반품). A real word the articles lack can be one jamo from a
keyword too: 코드 from 카드, 숙제 from 삭제, 쿠폰 from nothing yet. Syllables of the words
below are therefore known. The list is curated like `synonyms.py` (shopping, payment,
delivery, account and everyday words); the FAQ gaps report shows what customers ask that
the articles lack, which is where new entries come from. Everyday verb endings and adverbs
(봐요, 갔는지, 하죠, 완전히) are here too: "어디서 봐요" was being read as "어디서 와요".
So are everyday verbs and adjectives no article uses (빼고, 풀고, 값, 닫고, 싸다): "유산균
하나 빼고 싶어요" was corrected to 재고 and "잠금 풀고" to 출고, and since round 16 a corrected
question with a sure score is answered, so a wrong correction answers the wrong article.
Round 21 added dialect and old adverbs (어찌, 어째, 쪼매, 퍼뜩): "물건값 … 어찌 되는지요" was
read as 어디, and 쪼매/퍼뜩 as 포 (a sachet) next to an order's words.
"""

from __future__ import annotations

_WORDS = """
코드 쿠폰 할인 할인코드 쿠폰코드 프로모션 이벤트 적립 적립금 포인트 마일리지
등급 혜택 사은품 증정 샘플 선물 포장 선물포장 메시지 카드 영수증 현금영수증
세금계산서 계산서 견적 견적서 거래명세서 입금 무통장 계좌 계좌이체 가상계좌
카카오페이 네이버페이 토스 페이코 간편결제 할부 일시불 승인 문자 카톡 카카오톡
알림 알림톡 메일 이메일 전화 통화 사진 영상 동영상 캡처 첨부 파일 링크 앱
어플 홈페이지 사이트 쇼핑몰 마이페이지 장바구니 찜 리뷰 후기 별점 댓글 게시판
공지 공지사항 정기배송 정기구독 구독 묶음 세트 낱개 박스 통 병 포 스틱 알약
캡슐 정 젤리 분말 가루 액상 비타민 유산균 오메가 콜라겐 홍삼 루테인 마그네슘
칼슘 아연 철분 엽산 프로바이오틱스 밀크씨슬 효과 효능 복용 섭취 보관 냉장
냉동 실온 유통 제조 제조일 성분표 함량 원산지 인증 식약처 임신 임산부 수유
어린이 아이 노인 부모님 어머니 아버지 남편 아내 친구 회사 사무실 학교 숙제
학생 직장 출근 퇴근 오늘 내일 모레 어제 그제 주말 평일 오전 오후 저녁 밤
새벽 아침 점심 월요일 화요일 수요일 목요일 금요일 토요일 일요일 이번주 다음주
지난주 이번달 다음달 지난달 경비실 관리실 현관 문앞 택배함 무인함 편의점
우체국 아파트 빌라 오피스텔 동 호 층 서울 부산 대구 인천 광주 대전 울산
세종 경기 강원 충북 충남 전북 전남 경북 경남 제주 해외 고양이 강아지 날씨
비 눈 바람 미세먼지 맛집 주식 영화 음악 게임 숙소 여행 기차 버스 지하철
감사 죄송 부탁 확인 요청 답변 답장 연락 기다림 빨리 급해요 급한 꼭 제발
혹시 아마 진짜 정말
봐 봐요 봤어요 봄 보니까 갔 갔어요 갔는지 하죠 되죠 어떡하죠 완전히 확실히 정확히
엄마 아빠 살 사려고 요즘 재밌 생각 기존 그런지 그런 이런
빼고 빼다 뺐 뺄 풀고 풀다 풀려 값 택배값 배송값 떨어 숨겨 끄고 끊고 찍어 씻어 깎아 썼
묻어 닫고 잠금 잠겨 싸다 싼 큰 짧 멀어 좁 넓 찢어 젖어 녹아 굳어 썩어 쓴 짠 싱겁 흘려 섞어
탔 끓여
신입
왕복 편도
어찌 어째 어쩌 쪼매 쪼까 쪼끔 퍼뜩
"""
KO_EVERYDAY_WORDS: tuple[str, ...] = tuple(_WORDS.split())

# What a question says around its content, never what it is about (round 16): colloquial
# and dialect question endings at the end of a word (…거임?, …됨?, …하셈, …냐, …누, …겨),
# and fillers, pronouns and adverbs that point at nothing an article answers (이거, 그거,
# 여기, 처음, 자꾸, 뭐부터). `FaqIndex.coverage` leaves them out of what a question must have
# covered: "주문 넣은거 들어가긴 한거임?" is about 주문 and 들어가다, not 한거임. Only left out
# when the article does not itself use them, so no article loses coverage it had; and never
# stripped from the text, so nothing else (ranking, the lists, the veto) sees a difference.
# "해결이 안 됐어요" is not here: 됐어요 is a past tense, and the request is 안 됐.
_ENDINGS = """
한거임 한건가 된거임 인거임 거임 건가 머임 뭐임 임 됨 하셈 셈 냐 누 노 겨 이야 이냐 거야 거냐
나여 가여 까여 는교 는겨 능교 있음 없음 했음 됐음 같음 했삼
"""
# A one-syllable ending is read as one only after two syllables or more (정상임, 받는겨), so a
# noun that ends like one stays whole (게임, 모임).
KO_QUESTION_ENDINGS: tuple[str, ...] = tuple(
    sorted(_ENDINGS.split(), key=lambda word: (-len(word), word))
)
_FILLERS = """
이거 그거 저거 요거 이것 그것 여기 거기 저기 처음 자꾸 아직 다시 아무 뭐 뭐부터 뭘 머 좀 막 아
어 음 저 제가 저희 우리 제 내가 나 내 진짜 완전 너무 그냥 걍 일단 혹시 혹 그 이 저기요 근데 그럼
거임 한거임 된거임 거야 거냐 건가 됨 임 셈 하셈 뭐임 머임 거 것 건 걸
"""
# 나 and 내 (banmal I, my) since round 21, as 제 and 내가: "내 이름 … 고칠 수 있나" kept 내 and
# the 나 that "수 있" leaves behind as content no article covers.
KO_FILLER_WORDS: frozenset[str] = frozenset(_FILLERS.split())
# Fillers long enough to find inside an unspaced run ("처음와봤는데여기멤버되려면"): two
# syllables or more, and none a part of a usual content word.
KO_FILLER_PARTS: tuple[str, ...] = (
    "이거",
    "그거",
    "저거",
    "요거",
    "여기",
    "처음",
    "자꾸",
    "뭐부터",
)
