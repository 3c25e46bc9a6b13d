"""The X API v2 emulator itself, over loopback HTTP: shapes, auth, paging, limits, controls."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.x import World, create_app
from sandbox.x.world import BRAND
from tests.support.servers import serve_wsgi

CORPUS = Path(__file__).parents[1] / "connectors" / "x" / "fixtures"
BRAND_ID = BRAND[0]
USER = {"Authorization": "Bearer brand-user-bearer"}
APP = {"Authorization": "Bearer app-only-bearer"}


class Emu:
    def __init__(self, url: str, world: World) -> None:
        self.url, self.world = url, world

    def get(self, path: str, headers: dict[str, str] = USER, **params: Any) -> requests.Response:
        return requests.get(self.url + path, params=params, headers=headers, timeout=10)

    def post(self, path: str, doc: Any, headers: dict[str, str] = USER) -> requests.Response:
        return requests.post(self.url + path, json=doc, headers=headers, timeout=10)

    def emu(self, path: str, **doc: Any) -> Any:
        response = requests.post(f"{self.url}/_emu/{path}", json=doc, timeout=10)
        response.raise_for_status()
        return response.json()

    def mention(self, text: str, who: str = "yuna_jj", **extra: Any) -> str:
        return str(self.emu("mentions", **{"from": who, "text": text, **extra})["data"]["id"])


@pytest.fixture
def x() -> Iterator[Emu]:
    world = World()
    with serve_wsgi(create_app(world)) as url:
        yield Emu(url, world)


def _corpus(name: str) -> Any:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("value", ["4", "101", "ten"])
def test_max_results_outside_5_to_100_is_a_400_problem(x: Emu, value: str) -> None:
    response = x.get(f"/2/users/{BRAND_ID}/mentions", max_results=value)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    doc = response.json()
    assert doc["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert doc["errors"][0]["parameters"] == {"max_results": [value]}


def test_empty_timeline_has_only_meta(x: Emu) -> None:
    response = x.get(f"/2/users/{BRAND_ID}/mentions")
    assert response.json() == _corpus("mentions__empty.json")


def test_default_fields_unless_requested_and_expansions(x: Emu) -> None:
    x.mention("주문 문의", media_urls=["https://pbs.twimg.com/media/a.jpg"])
    plain = x.get(f"/2/users/{BRAND_ID}/mentions").json()
    assert set(plain["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert "includes" not in plain
    full = x.get(
        f"/2/users/{BRAND_ID}/mentions",
        **{
            "tweet.fields": "created_at,author_id,conversation_id,entities,attachments",
            "expansions": "author_id,attachments.media_keys",
            "media.fields": "url",
        },
    ).json()
    tweet = full["data"][0]
    assert {"created_at", "author_id", "conversation_id", "entities"} <= set(tweet)
    assert tweet["created_at"].endswith("Z") and len(tweet["created_at"]) == 24
    assert full["includes"]["users"] == [
        {"id": "1402233445566778899", "name": "정유나", "username": "yuna_jj"}
    ]
    assert full["includes"]["media"][0]["url"] == "https://pbs.twimg.com/media/a.jpg"
    assert set(full["meta"]) == {"result_count", "newest_id", "oldest_id"}


def test_links_become_t_co_and_text_is_escaped(x: Emu) -> None:
    x.mention("Q&A <가이드> https://blog.example.kr/a-long/path?x=1")
    tweet = x.get(f"/2/users/{BRAND_ID}/mentions", **{"tweet.fields": "entities"}).json()["data"][0]
    assert "Q&amp;A &lt;가이드&gt;" in tweet["text"]
    (url,) = tweet["entities"]["urls"]
    assert tweet["text"][url["start"] : url["end"]] == url["url"]
    assert url["url"].startswith("https://t.co/")
    assert url["expanded_url"] == "https://blog.example.kr/a-long/path?x=1"
    mention = tweet["entities"]["mentions"][0]
    assert tweet["text"][mention["start"] : mention["end"]] == "@seoulsupps_kr"


def test_since_until_and_pagination_tokens(x: Emu) -> None:
    ids = [x.mention(f"문의 {i}") for i in range(12)]
    page1 = x.get(f"/2/users/{BRAND_ID}/mentions", max_results=5, since_id=ids[1]).json()
    assert [t["id"] for t in page1["data"]] == ids[:1:-1][:5]
    assert page1["meta"]["newest_id"] == ids[-1]
    page2 = x.get(
        f"/2/users/{BRAND_ID}/mentions",
        max_results=5,
        since_id=ids[1],
        pagination_token=page1["meta"]["next_token"],
    ).json()
    assert [t["id"] for t in page2["data"]] == ids[6:1:-1]
    assert "previous_token" in page2["meta"]
    assert "next_token" not in page2["meta"]
    until = x.get(f"/2/users/{BRAND_ID}/mentions", max_results=5, until_id=ids[3]).json()
    assert [t["id"] for t in until["data"]] == ids[2::-1]
    bad = x.get(f"/2/users/{BRAND_ID}/mentions", pagination_token="zzzz")
    assert bad.status_code == 400


def test_rate_limit_headers_on_every_response_and_forced_429(x: Emu) -> None:
    first = x.get(f"/2/users/{BRAND_ID}/mentions")
    second = x.get(f"/2/users/{BRAND_ID}/mentions")
    assert first.headers["x-rate-limit-limit"] == "180"
    assert int(first.headers["x-rate-limit-remaining"]) == 179
    assert int(second.headers["x-rate-limit-remaining"]) == 178
    assert int(first.headers["x-rate-limit-reset"]) > time.time()
    x.emu("rate_limit", endpoint="mentions", after=1, reset_in=120)
    assert x.get(f"/2/users/{BRAND_ID}/mentions").status_code == 200
    limited = x.get(f"/2/users/{BRAND_ID}/mentions")
    assert limited.status_code == 429
    assert limited.json() == _corpus("error__429.json")
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert int(limited.headers["x-rate-limit-reset"]) >= time.time() + 100
    # Other endpoints have their own windows.
    assert x.get("/2/dm_events").status_code == 200
    x.emu("clock", advance=121)
    assert x.get(f"/2/users/{BRAND_ID}/mentions").status_code == 200


def test_exhausted_window_and_code88_body(x: Emu) -> None:
    x.emu("rate_limit", endpoint="dm_events", limit=2)
    assert [x.get("/2/dm_events").status_code for _ in range(3)] == [200, 200, 429]
    x.emu("rate_limit", endpoint="users_me", after=0, body="code88")
    limited = x.get("/2/users/me")
    assert limited.json()["errors"] == _corpus("error__429_code88.json")["errors"]


def test_auth_rules(x: Emu) -> None:
    missing = x.get(f"/2/users/{BRAND_ID}/mentions", headers={})
    assert (missing.status_code, missing.json()) == (401, _corpus("error__401.json"))
    assert x.get(f"/2/users/{BRAND_ID}/mentions", headers=APP).status_code == 200
    for response in (
        x.get("/2/dm_events", headers=APP),
        x.post("/2/tweets", {"text": "hi"}, headers=APP),
        x.post("/2/dm_conversations/with/1402233445566778899/messages", {"text": "hi"}, APP),
    ):
        assert response.status_code == 403
        assert response.json()["type"].endswith("/unsupported-authentication")
    x.emu("tokens/revoke", token="brand-user-bearer")
    assert x.get("/2/users/me").status_code == 401
    forged = {
        "Authorization": 'OAuth oauth_consumer_key="sandbox-consumer-key", '
        'oauth_token="brand-access-token", oauth_signature="forged", '
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", '
        'oauth_version="1.0"'
    }
    assert x.get("/2/users/me", headers=forged).status_code == 401


def test_create_tweet_reply_length_and_duplicates(x: Emu) -> None:
    parent = x.mention("도와주세요")
    created = x.post(
        "/2/tweets", {"text": "확인했습니다", "reply": {"in_reply_to_tweet_id": parent}}
    )
    assert created.status_code == 201
    data = created.json()["data"]
    assert set(data) == {"id", "text", "edit_history_tweet_ids"}
    assert x.world.tweets[data["id"]].conversation_id == parent
    duplicate = x.post("/2/tweets", {"text": "확인했습니다"})
    assert duplicate.status_code == 403 and "duplicate" in duplicate.json()["detail"]
    assert x.post("/2/tweets", {"text": "가" * 141}).status_code == 400
    assert x.post("/2/tweets", {"text": "가" * 140}).status_code == 201
    missing = x.post("/2/tweets", {"text": "x", "reply": {"in_reply_to_tweet_id": "1"}})
    assert missing.status_code == 400


def test_partial_errors_on_lookup(x: Emu) -> None:
    known = x.mention("있음")
    doc = x.get("/2/tweets", ids=f"{known},1993300000000000001").json()
    assert [t["id"] for t in doc["data"]] == [known]
    (error,) = doc["errors"]
    assert error["resource_id"] == "1993300000000000001"
    assert error["type"] == "https://api.twitter.com/2/problems/resource-not-found"


def test_dm_events_newest_first_per_conversation_and_send(x: Emu) -> None:
    x.emu("dms", **{"from": "yuna_jj", "text": "첫 번째"})
    x.emu("dms", **{"from": "markt_runs", "text": "other"})
    sent = x.post("/2/dm_conversations/with/1402233445566778899/messages", {"text": "답변"})
    assert sent.status_code == 201
    data = sent.json()["data"]
    assert data["dm_conversation_id"] == f"1402233445566778899-{BRAND_ID}"
    events = x.get("/2/dm_events", **{"dm_event.fields": "sender_id,dm_conversation_id"}).json()
    assert [e["text"] for e in events["data"]] == ["답변", "other", "첫 번째"]
    one = x.get("/2/dm_conversations/with/1402233445566778899/dm_events").json()
    assert [e["text"] for e in one["data"]] == ["답변", "첫 번째"]
    by_id = x.get(f"/2/dm_conversations/{data['dm_conversation_id']}/dm_events").json()
    assert by_id["data"] == one["data"]
    assert x.get("/2/dm_events", max_results=0).status_code == 400


def test_received_requests_keep_the_exact_body(x: Emu) -> None:
    x.post("/2/tweets", {"text": "정확한 본문", "reply": {"in_reply_to_tweet_id": x.mention("a")}})
    found = requests.get(
        f"{x.url}/_emu/requests", params={"method": "POST", "path": "/2/tweets"}, timeout=10
    ).json()["requests"]
    (entry,) = found
    assert json.loads(entry["body"])["text"] == "정확한 본문"
    assert entry["status"] == 201 and entry["auth"] == "Bearer"


def test_simulator_page_mentions_and_dms_and_escapes(x: Emu) -> None:
    page = requests.get(f"{x.url}/_emu/simulator", params={"as": "yuna_jj"}, timeout=10)
    assert page.status_code == 200 and "customer simulator" in page.text
    requests.post(
        f"{x.url}/_emu/simulator/mention",
        data={"as": "yuna_jj", "text": "<script>alert(1)</script> 배송 문의"},
        timeout=10,
    )
    requests.post(
        f"{x.url}/_emu/simulator/dm", data={"as": "yuna_jj", "text": "DM 문의"}, timeout=10
    )
    (tweet,) = x.world.tweets.values()
    assert tweet.raw_text.startswith("@seoulsupps_kr <script>")
    assert [d.text for d in x.world.dms] == ["DM 문의"]
    x.post("/2/tweets", {"text": "답변드립니다", "reply": {"in_reply_to_tweet_id": tweet.id}})
    page = requests.get(f"{x.url}/_emu/simulator", params={"as": "yuna_jj"}, timeout=10)
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    assert "답변드립니다" in page.text and "DM 문의" in page.text


def test_user_timeline_excludes_replies_on_request(x: Emu) -> None:
    parent = x.mention("문의")
    x.post("/2/tweets", {"text": "11월 신제품 출시!"})
    x.post("/2/tweets", {"text": "답변입니다", "reply": {"in_reply_to_tweet_id": parent}})
    everything = x.get(f"/2/users/{BRAND_ID}/tweets").json()
    assert [t["text"] for t in everything["data"]] == ["답변입니다", "11월 신제품 출시!"]
    own = x.get(f"/2/users/{BRAND_ID}/tweets", exclude="replies,retweets").json()
    assert [t["text"] for t in own["data"]] == ["11월 신제품 출시!"]
    later = x.get(f"/2/users/{BRAND_ID}/tweets", start_time="2999-01-01T00:00:00Z").json()
    assert later == {"meta": {"result_count": 0}}


def test_mounted_under_a_prefix_oauth1_still_verifies() -> None:
    """The demo can serve the emulator beside the web app, e.g. under /_sandbox/x."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from connectors.base import AccountConfig
    from connectors.x import XConnector

    host = Flask("host")
    host.wsgi_app = DispatcherMiddleware(host.wsgi_app, {"/_sandbox/x": create_app(World())})  # type: ignore[method-assign]
    with serve_wsgi(host) as url:
        connector = XConnector(
            {
                "X_API_URL": f"{url}/_sandbox/x",
                "X_CONSUMER_KEY": "sandbox-consumer-key",
                "X_CONSUMER_SECRET": "sandbox-consumer-secret",
            }
        )
        account = AccountConfig(
            id=1,
            external_id=BRAND_ID,
            credentials={
                "access_token": "brand-access-token",
                "access_token_secret": "brand-access-secret",
            },
        )
        assert connector.me(account).handle == "seoulsupps_kr"
        page = requests.get(f"{url}/_sandbox/x/_emu/simulator", timeout=10)
        assert page.status_code == 200
