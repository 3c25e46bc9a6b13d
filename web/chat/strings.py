"""What the chat API tells a visitor when it refuses something, in Korean and English.

The widget shows its own copy of these by `error` code; the server's `message` is the
fallback for integrators writing their own client.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "too_long": {
        "ko": "메시지가 너무 깁니다. 한 번에 최대 {limit:,}자까지 보낼 수 있어요 "
        "(현재 {length:,}자).",
        "en": "That message is too long. You can send up to {limit:,} characters at a time "
        "(this one has {length:,}).",
    },
    "empty": {
        "ko": "내용을 입력해 주세요.",
        "en": "Please type a message.",
    },
    "bad_request": {
        "ko": "요청을 처리할 수 없어요: {detail}",
        "en": "The request could not be handled: {detail}",
    },
    "busy": {
        "ko": "지금 연결이 많아요. {retry_after}초 뒤에 다시 확인할게요.",
        "en": "Many people are connected right now. Checking again in {retry_after} s.",
    },
    "rate_limited": {
        "ko": "요청이 너무 많아요. {retry_after}초 뒤에 다시 시도해 주세요.",
        "en": "Too many requests. Please try again in {retry_after} s.",
    },
    "session": {
        "ko": "채팅 세션이 만료되었어요. 새로 시작해 주세요.",
        "en": "Your chat session has expired. Please start a new one.",
    },
    "origin": {
        "ko": "이 사이트에서는 채팅을 사용할 수 없어요.",
        "en": "Chat is not enabled for this site.",
    },
    "file_too_large": {
        "ko": "이미지는 {limit_mb} MB까지 보낼 수 있어요.",
        "en": "Images can be at most {limit_mb} MB.",
    },
    "file_type": {
        "ko": "JPEG, PNG, GIF, WebP 이미지만 보낼 수 있어요.",
        "en": "Only JPEG, PNG, GIF and WebP images can be sent.",
    },
    "email_required": {
        "ko": "답변을 받을 이메일 주소를 입력해 주세요.",
        "en": "Please enter the email address we should answer to.",
    },
    "offline_subject": {
        "ko": "웹사이트 채팅 문의 (상담 시간 외)",
        "en": "Website chat message (outside opening hours)",
    },
    "no_conversation": {
        "ko": "아직 대화가 없어요.",
        "en": "There is no conversation yet.",
    },
}


def message(code: str, locale: str, **values: object) -> str:
    table = MESSAGES[code]
    text = table.get(locale) or table["ko"]
    return text.format(**values)


def pick_locale(*candidates: str | None) -> str:
    """The first candidate that is Korean or English ("ko-KR" → "ko"); Korean by default."""
    for candidate in candidates:
        if not candidate:
            continue
        code = candidate.strip().lower()[:2]
        if code in ("ko", "en"):
            return code
    return "ko"
