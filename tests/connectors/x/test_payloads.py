"""Every fixture of tests/connectors/x/fixtures (one per wire shape) mapped to its result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import (
    ConversationKind,
    EventKind,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
)
from connectors.x import XConnector
from connectors.x.client import RateLimit, raise_for_status
from connectors.x.payloads import dm_events, mention_events, partial_errors, tweet_text
from connectors.x.polling import Cursor
from tests.connectors.x.conftest import BRAND_ID, FIXTURES, load

THREAD = "1402233445566778899-1580012345678901248"


def test_registered_and_implements_the_polling_contract() -> None:
    from connectors import CHANNELS, connector_for
    from connectors.base import PollingConnector

    assert CHANNELS["x"].connector_class is XConnector
    connector = connector_for("x", {"X_API_URL": "http://127.0.0.1:9"})
    assert isinstance(connector, PollingConnector)
    assert connector.streams == ("mentions", "dms")


def test_every_corpus_file_has_a_test() -> None:
    tested = {
        "mentions__page1.json",
        "mentions__last_page.json",
        "mentions__empty.json",
        "dm_events__page1.json",
        "error__429.json",
        "error__429.headers.json",
        "error__429_code88.json",
        "error__401.json",
        "partial_errors__tweets_lookup.json",
        "tweet__korean_url_emoji.json",
        "post_tweet__response.json",
        "dm_send__response.json",
    }
    assert {p.name for p in FIXTURES.iterdir()} == tested


def test_mentions_page1() -> None:
    events = mention_events(BRAND_ID, load("mentions__page1.json"))
    by_id = {e.external_id: e for e in events}
    assert set(by_id) == {"1993407711223344556", "1993401122334455667"}
    yuna = by_id["1993407711223344556"]
    assert yuna.kind == EventKind.MESSAGE
    assert yuna.conversation_kind == ConversationKind.MENTION
    assert yuna.thread_key == "1993407711223344556"
    assert yuna.account_external_id == BRAND_ID
    assert yuna.customer is not None
    assert (yuna.customer.external_id, yuna.customer.handle, yuna.customer.name) == (
        "1402233445566778899",
        "yuna_jj",
        "정유나",
    )
    assert yuna.text == "@seoulsupps_kr 주문번호 2026112300518 아직 배송준비중인데 언제 출고되나요?"
    assert yuna.sent_at == datetime(2026, 11, 25, 4, 55, 12, tzinfo=UTC)
    mark = by_id["1993401122334455667"]
    assert mark.customer is not None and mark.customer.handle == "markt_runs"
    assert mark.text == (
        "@seoulsupps_kr Q&A page says 2-3 days shipping to Busan but it's been 6. "
        "Tracking # shows nothing."
    )
    # Oldest first, so ingest stores them in the order they were written.
    assert [e.external_id for e in events] == ["1993401122334455667", "1993407711223344556"]


def test_mentions_page1_cursor_keeps_paging_and_remembers_the_top() -> None:
    from connectors.x.polling import _advance

    body = load("mentions__page1.json")
    events = mention_events(BRAND_ID, body)
    result = _advance(
        Cursor(since="1993300000000000000"),
        events,
        body["meta"]["newest_id"],
        body["meta"]["next_token"],
        stop=False,
    )
    assert result.more is True
    cursor = Cursor.load(result.cursor)
    assert cursor.next == "7140dibdnow9c7btw4e0lnf2skcu3ffhb5umi5gbj1ywf"
    assert cursor.top == "1993407711223344556"
    assert cursor.since == "1993300000000000000"  # not moved until the catch-up is complete
    last = _advance(cursor, [], None, None, stop=False)
    assert Cursor.load(last.cursor) == Cursor(since="1993407711223344556")
    assert last.more is False


def test_mentions_last_page() -> None:
    body = load("mentions__last_page.json")
    events = mention_events(BRAND_ID, body)
    assert len(events) == 1
    event = events[0]
    assert event.external_id == "1993390011223344551"
    assert event.customer is not None and event.customer.handle == "daily_health_kr"
    assert event.text == "@seoulsupps_kr 회원탈퇴는 어디서 하나요? 앱에서 메뉴를 못 찾겠어요"
    assert "next_token" not in body["meta"]


def test_mentions_empty() -> None:
    from connectors.x.polling import _advance

    body = load("mentions__empty.json")
    assert mention_events(BRAND_ID, body) == []
    result = _advance(Cursor(since="1993407711223344556"), [], None, None, stop=False)
    assert Cursor.load(result.cursor).since == "1993407711223344556"
    assert result.more is False


def test_dm_events_page1() -> None:
    events = dm_events(BRAND_ID, load("dm_events__page1.json"))
    by_id = {e.external_id: e for e in events}
    assert set(by_id) == {"1993412233445566778", "1993411122334455667", "1993409988776655443"}
    assert "1993408877665544332" not in by_id  # ParticipantsJoin is ignored
    inbound = by_id["1993412233445566778"]
    assert inbound.kind == EventKind.MESSAGE
    assert inbound.conversation_kind == ConversationKind.DM
    assert inbound.thread_key == THREAD
    assert inbound.customer is not None and inbound.customer.handle == "yuna_jj"
    assert inbound.text == "네 확인 감사합니다! 그럼 내일 받을 수 있을까요?"
    echo = by_id["1993411122334455667"]
    assert echo.kind == EventKind.ECHO
    assert echo.outbound_ref is None
    assert echo.thread_key == THREAD
    assert echo.customer is not None and echo.customer.external_id == "1402233445566778899"
    photo = by_id["1993409988776655443"]
    assert photo.text == "사진 보내드려요. 박스가 찢어져서 왔어요"
    assert len(photo.attachments) == 1
    attachment = photo.attachments[0]
    assert attachment.kind == "image"
    assert attachment.url == "https://pbs.twimg.com/media/GdXyZ0aBcDeFgHi.jpg"
    assert attachment.extra["media_type"] == "photo"
    assert [e.external_id for e in events] == sorted(by_id)


def test_dm_events_page1_next_token() -> None:
    assert load("dm_events__page1.json")["meta"]["next_token"] == "18LAA581J5II7LA00C00ZZZZ"


def _headers() -> RateLimit:
    return RateLimit.from_headers(load("error__429.headers.json")["headers"])


@pytest.mark.parametrize("body", ["error__429.json", "error__429_code88.json"])
def test_429_is_retryable_until_the_reset(body: str) -> None:
    now = datetime(2026, 11, 25, 5, 10, 0, tzinfo=UTC).timestamp()
    with pytest.raises(RetryableSendError) as caught:
        raise_for_status(429, _headers(), load(body), now=now)
    assert not isinstance(caught.value, ReauthRequired)
    assert caught.value.retry_after == 301.0  # 05:15:00 reset + 1 s
    retry_at = now + caught.value.retry_after - 1
    assert datetime.fromtimestamp(retry_at, tz=UTC) == datetime(2026, 11, 25, 5, 15, tzinfo=UTC)


def test_429_headers_sidecar() -> None:
    rate = _headers()
    assert (rate.limit, rate.remaining, rate.reset) == (10, 0, 1795583700)


def test_401_requires_reauth() -> None:
    with pytest.raises(ReauthRequired, match="Unauthorized"):
        raise_for_status(401, RateLimit(None, None, None), load("error__401.json"), now=0)


def test_403_auth_vs_content() -> None:
    unsupported = {
        "title": "Unsupported Authentication",
        "type": "https://api.twitter.com/2/problems/unsupported-authentication",
        "status": 403,
        "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden",
    }
    with pytest.raises(ReauthRequired):
        raise_for_status(403, RateLimit(None, None, None), unsupported, now=0)
    duplicate = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "duplicate"}
    with pytest.raises(PermanentSendError) as caught:
        raise_for_status(403, RateLimit(None, None, None), duplicate, now=0)
    assert not isinstance(caught.value, ReauthRequired)


def test_5xx_is_retryable_with_backoff() -> None:
    with pytest.raises(RetryableSendError) as caught:
        raise_for_status(503, RateLimit(None, None, None), {"title": "Service Unavailable"}, now=0)
    assert caught.value.retry_after is None


def test_partial_errors_keep_the_data() -> None:
    body = load("partial_errors__tweets_lookup.json")
    events = mention_events(BRAND_ID, body)
    assert [e.external_id for e in events] == ["1993407711223344556"]
    errors = partial_errors(body)
    assert len(errors) == 2
    assert "1993300000000000001" in errors[0] and "Not Found" in errors[0]
    assert "1993300000000000002" in errors[1] and "Authorization" in errors[1]


def test_tweet_korean_url_emoji() -> None:
    body = load("tweet__korean_url_emoji.json")
    tweet = body["data"]
    # Entity offsets are code points: Python slicing lands exactly on the t.co link.
    assert tweet["text"][43:66] == "https://t.co/Xq7LmN2pRs"
    assert len(tweet["text"]) == 84
    assert len(tweet["text"].encode("utf-16-le")) // 2 == 87
    (event,) = mention_events(BRAND_ID, body)
    assert event.external_id == "1993420011223344556"
    assert event.conversation_kind == ConversationKind.MENTION
    assert event.customer is not None and event.customer.handle == "daily_health_kr"
    assert event.text == (
        "@seoulsupps_kr 루테인 샀는데 포장 너무 예뻐요 😍 후기 남겼어요 "
        "https://blog.example.kr/daily_health/review-lutein-20261125 "
        "다음엔 마그네슘도 살게요 🙏🏻✨"
    )


def test_post_tweet_response_is_our_outbound_and_echoes_later() -> None:
    data = load("post_tweet__response.json")["data"]
    assert data["id"] == "1993425566778899001"
    echoed = {
        "data": [{**data, "author_id": BRAND_ID, "conversation_id": "1993407711223344556"}],
        "meta": {"result_count": 1},
    }
    (event,) = mention_events(BRAND_ID, echoed)
    assert event.kind == EventKind.ECHO
    assert event.external_id == "1993425566778899001"
    assert event.customer is None


def test_dm_send_response() -> None:
    data = load("dm_send__response.json")["data"]
    assert data == {"dm_conversation_id": THREAD, "dm_event_id": "1993426677889900112"}


def test_text_unescaped_once_only() -> None:
    assert tweet_text({"text": "a &amp;lt; b &lt;3"}) == "a &lt; b <3"


def test_media_links_are_dropped_from_the_text() -> None:
    tweet = {
        "text": "look https://t.co/abcdefghij",
        "entities": {
            "urls": [
                {
                    "start": 5,
                    "end": 28,
                    "url": "https://t.co/abcdefghij",
                    "expanded_url": "https://x.com/kim/status/1/photo/1",
                    "media_key": "3_1",
                }
            ]
        },
    }
    assert tweet_text(tweet) == "look"
