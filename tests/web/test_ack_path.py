"""The lean acknowledgement path (web/ack_path.py): signed deliveries are stored and answered
without Flask; every other request reaches Flask unchanged and is answered as before."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.base import RECEIVED_HEADER, URL_HEADER
from inbox.models import InboundDelivery
from switchboard.metrics import WEBHOOKS
from tests.support.factory import fake_delivery, fake_message
from web.ack_path import LeanWebhooks

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _app(rt: Any, **settings: str) -> Any:
    from web import create_app

    app = create_app(dataclasses.replace(rt, settings=rt.settings.replace(**settings)))
    app.config["TESTING"] = True
    return app


def _flask_calls(app: Any) -> list[str]:
    """Paths the Flask app itself was asked to answer (behind the lean path)."""
    lean = _lean(app)
    calls: list[str] = []
    flask: Callable[..., Any] = lean.app

    def spy(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        calls.append(environ["PATH_INFO"])
        return flask(environ, start_response)

    lean.app = spy
    return calls


def _lean(app: Any) -> LeanWebhooks:
    wsgi = app.wsgi_app
    while not isinstance(wsgi, LeanWebhooks):
        wsgi = wsgi.app  # ProxyFix in front of it
    return wsgi


def _stored(rt: Any) -> list[InboundDelivery]:
    with rt.db.session() as s:
        return list(s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)))


def _count(endpoint: str, outcome: str) -> float:
    return WEBHOOKS.labels(endpoint, outcome)._value.get()


@BOTH
def test_a_signed_delivery_is_stored_and_answered_without_flask(rt, app, factory):
    factory.account("facebook", external_id="page-1")
    calls = _flask_calls(app)
    stored_before = _count("fake", "stored")
    body, headers = fake_delivery("page-1", fake_message("m-1", "배송 언제 되나요?"))
    answer = app.test_client().post("/webhooks/fake", data=body, headers=headers)
    assert (answer.status_code, answer.data) == (200, b"ok")
    assert calls == []
    # Committed before the answer: a new session sees it. The tests' in-process job threads
    # may already have processed it by the time this reads, so both states are the stored row.
    (row,) = _stored(rt)
    assert (row.endpoint, row.connector, row.body) == ("fake", "fake", body)
    assert row.status in ("received", "processed")
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" not in answer.headers
    assert _count("fake", "stored") == stored_before + 1


def test_stored_headers_drop_credentials_and_ours_and_record_the_url(rt, app):
    body, headers = fake_delivery("page-1", fake_message("m-1", "hi"))
    sent = {
        **headers,
        "Cookie": "session=abc",
        "Authorization": "Bearer t",
        URL_HEADER: "https://evil.example/",
        RECEIVED_HEADER: "1999-01-01",
    }
    assert app.test_client().post("/webhooks/fake", data=body, headers=sent).status_code == 200
    (row,) = _stored(rt)
    names = {name.lower() for name in row.headers}
    assert "cookie" not in names and "authorization" not in names
    assert row.headers[URL_HEADER] == "http://localhost/webhooks/fake"
    assert row.headers[RECEIVED_HEADER] != "1999-01-01"
    assert row.headers["X-Fake-Signature"] == headers["X-Fake-Signature"]


def test_behind_a_trusted_proxy_the_recorded_url_is_the_forwarded_one(rt):
    app = _app(rt, TRUSTED_PROXIES="1")
    body, headers = fake_delivery("page-1", fake_message("m-1", "hi"))
    forwarded = {**headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "inbox.example.com"}
    answer = app.test_client().post("/webhooks/fake", data=body, headers=forwarded)
    assert answer.status_code == 200
    (row,) = _stored(rt)
    assert row.headers[URL_HEADER] == "https://inbox.example.com/webhooks/fake"


@BOTH
def test_a_bad_signature_is_refused_by_flask_and_nothing_is_stored(rt, app):
    calls = _flask_calls(app)
    refused_before = _count("fake", "bad_signature")
    body, headers = fake_delivery("page-1", fake_message("m-1", "hi"))
    forged = {**headers, "X-Fake-Signature": "0" * 64}
    answer = app.test_client().post("/webhooks/fake", data=body, headers=forged)
    assert answer.status_code == 403
    assert calls == ["/webhooks/fake"]
    assert _stored(rt) == []
    assert _count("fake", "bad_signature") == refused_before + 1  # counted once, by Flask


def test_unknown_channels_and_other_requests_go_to_flask(rt, app):
    calls = _flask_calls(app)
    client = app.test_client()
    assert client.post("/webhooks/nope", data=b"{}").status_code == 404
    assert client.post("/webhooks/fake", data=b"").status_code == 403  # empty: unsigned
    assert client.get("/webhooks/fake").status_code == 405  # no handshake for this one
    assert client.post("/webhooks/fake/", data=b"{}").status_code in (308, 404)
    assert client.get("/healthz").status_code == 200
    assert calls == [
        "/webhooks/nope",
        "/webhooks/fake",
        "/webhooks/fake",
        "/webhooks/fake/",
        "/healthz",
    ]
    assert _stored(rt) == []


def test_an_oversize_delivery_is_left_unread_and_refused_by_flask(rt):
    app = _app(rt, WEBHOOK_MAX_BYTES="1024")
    calls = _flask_calls(app)
    body, headers = fake_delivery("page-1", fake_message("m-1", "x" * 2000))
    stream = io.BytesIO(body)
    answer = app.test_client().post(
        "/webhooks/fake", input_stream=stream, headers={**headers, "Content-Length": str(len(body))}
    )
    assert answer.status_code == 413
    assert calls == ["/webhooks/fake"]
    assert stream.tell() == 0  # nothing of it was read
    assert _stored(rt) == []


def test_a_chunked_delivery_is_read_by_flask_within_the_limit_and_stored(rt, app):
    calls = _flask_calls(app)
    body, headers = fake_delivery("page-1", fake_message("m-1", "hi"))
    answer = app.test_client().post(
        "/webhooks/fake",
        input_stream=io.BytesIO(body),
        headers={**headers, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn says of chunked bodies
    )
    assert answer.status_code == 200
    assert calls == ["/webhooks/fake"]
    assert [row.body for row in _stored(rt)] == [body]
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 1
