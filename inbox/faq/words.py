"""Everyday words of a shop's customers that no article uses: never typos.

`TypoFixer` corrects a syllable that appears nowhere in the articles when one jamo away it
completes a keyword (반풍 → 반품). A real word the articles lack can be one jamo from a
keyword too: 코드 from 카드, 숙제 from 삭제, 쿠폰 from nothing yet. Syllables of the words
below are therefore known. The list is curated like `synonyms.py` (shopping, payment,
delivery, account and everyday words); the FAQ gaps report shows what customers ask that
the articles lack, which is where new entries come from. Everyday verb endings and adverbs
(봐요, 갔는지, 하죠, 완전히) are here too: "어디서 봐요" was being read as "어디서 와요".
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
"""
KO_EVERYDAY_WORDS: tuple[str, ...] = tuple(_WORDS.split())
