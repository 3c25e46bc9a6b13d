"""The smaller web-tier fixes of issue 13 §9: cookies, proxies, sign-in timing and throttle,
/metrics, body limits before reading, and how long raw deliveries are kept."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connectors._meta.webhook import sign
from inbox.models import InboundDelivery
from inbox.retention import prune_processed_deliveries
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, csrf_of, login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _app(rt: Any, **settings: str) -> Any:
    from web import create_app

    app = create_app(dataclasses.replace(rt, settings=rt.settings.replace(**settings)))
    app.config["TESTING"] = True
    return app


# --- cookies and proxies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "setting", "secure"),
    [
        ("https://inbox.example.com", "", True),
        ("http://127.0.0.1:5000", "", False),
        ("http://127.0.0.1:5000", "1", True),
        ("https://inbox.example.com", "0", False),
    ],
)
def test_session_cookie_is_secure_when_served_over_https(rt, factory, base, setting, secure):
    factory.user("agent", email="mina@example.test", password=PASSWORD)
    client = _app(rt, PUBLIC_BASE_URL=base, SESSION_COOKIE_SECURE=setting).test_client()
    answer = login(client, "mina@example.test")
    assert answer.status_code == 302
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert ("; Secure" in cookie) is secure


def _new_session(client: Any, forwarded_for: str) -> int:
    answer = client.post(
        "/chat/widget-main/session", json={}, headers={"X-Forwarded-For": forwarded_for}
    )
    return int(answer.status_code)


def test_forwarded_addresses_count_only_behind_trusted_proxies(rt, factory):
    factory.account("webchat", connector="webchat", external_id="widget-main")
    limits = {"RATE_LIMIT_CHAT_SESSIONS": "2/minute"}
    # No trusted proxy: a client cannot dodge the limit by making up addresses.
    direct = _app(rt, TRUSTED_PROXIES="0", **limits).test_client()
    assert [_new_session(direct, f"198.51.100.{n}") for n in range(3)] == [200, 200, 429]
    # One trusted proxy: its X-Forwarded-For names the client, each counted on its own.
    proxied = _app(rt, TRUSTED_PROXIES="1", **limits).test_client()
    assert [_new_session(proxied, "203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert _new_session(proxied, "203.0.113.2") == 200


# --- sign-in --------------------------------------------------------------------------------


def test_an_unknown_email_costs_one_password_hash_like_a_known_one(client, factory, monkeypatch):
    factory.user("agent", email="mina@example.test", password=PASSWORD)
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    token = csrf_of(client.get("/login").get_data(as_text=True))
    monkeypatch.setattr(hashlib, "scrypt", counting)
    for email in ("mina@example.test", "nobody@example.test"):
        calls.clear()
        answer = client.post(
            "/login", data={"email": email, "password": "wrong", "csrf_token": token}
        )
        assert answer.status_code == 401
        assert len(calls) == 1, email  # timing tells nothing about which emails exist


@BOTH
def test_parallel_sign_in_attempts_cannot_overrun_the_throttle(rt, factory):
    factory.user("agent", email="mina@example.test", password=PASSWORD)
    app = _app(rt, LOGIN_RATE_LIMIT="3/5min", RATE_LIMIT_LOGIN="")
    attempts = 12
    with serve_wsgi(app) as base:
        sessions = [requests.Session() for _ in range(attempts)]
        tokens = [csrf_of(s.get(base + "/login", timeout=10).text) for s in sessions]
        start = threading.Barrier(attempts)
        codes: list[int] = []

        def attempt(n: int) -> None:
            start.wait()
            answer = sessions[n].post(
                base + "/login",
                data={"email": "mina@example.test", "password": "guess", "csrf_token": tokens[n]},
                timeout=60,
            )
            codes.append(answer.status_code)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # At most the limit's worth of guesses got a password check (checking first and recording
    # after let all twelve through). Racing attempts may refuse one another early: never more.
    assert len(codes) == attempts and set(codes) <= {401, 429}
    assert codes.count(401) <= 3


# --- /metrics ------------------------------------------------------------------------------


def test_metrics_need_the_token_when_one_is_set_and_name_one_charset(rt):
    client = _app(rt, METRICS_TOKEN="scrape-me").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].count("charset") == 1
    assert answer.headers["Content-Type"].startswith("text/plain; version=")


def test_without_a_token_metrics_are_for_local_scrapers_only(rt):
    client = _app(rt).test_client()
    assert client.get("/metrics").status_code == 200  # 127.0.0.1, nothing forwarded
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403
    # A local proxy relaying someone else is not a local scraper.
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403


# --- request bodies ------------------------------------------------------------------------


def test_an_oversize_webhook_is_refused_before_its_body_is_read(rt):
    app = _app(rt, META_APP_SECRET="meta-app-secret", WEBHOOK_MAX_BYTES="65536")
    client = app.test_client()
    big = json.dumps({"object": "page", "entry": [], "pad": "x" * 70000}).encode()
    answer = client.post(
        "/webhooks/meta", data=big, headers={"X-Hub-Signature-256": sign("meta-app-secret", big)}
    )
    assert answer.status_code == 413
    with serve_wsgi(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            # Announce 30 MB and send none of it: only a server that does not read answers.
            sock.sendall(
                b"POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 31457280\r\n\r\n"
            )
            status_line = sock.recv(200).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line
    with rt.db.session() as session:
        assert session.scalars(select(InboundDelivery)).all() == []


# --- retention -----------------------------------------------------------------------------


def _deliveries(rt: Any, rows: dict[str, tuple[str, datetime]]) -> None:
    with rt.db.session() as session:
        for reason, (status, at) in rows.items():
            session.add(
                InboundDelivery(
                    endpoint="meta",
                    connector="facebook",
                    headers={},
                    body=b"{}",
                    status=status,
                    reason=reason,
                    received_at=at,
                )
            )


def _left(rt: Any) -> set[str | None]:
    with rt.db.session() as session:
        return set(session.scalars(select(InboundDelivery.reason)).all())


@BOTH
def test_processed_deliveries_are_pruned_after_the_retention_others_stay(rt):
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    _deliveries(
        rt,
        {
            "old processed": ("processed", old),
            "recent processed": ("processed", recent),
            "old rejected": ("rejected", old),
            "old received": ("received", old),
        },
    )
    with rt.db.session() as session:
        assert prune_processed_deliveries(session, now=now, keep_days=0) == 0  # 0: keep all
        assert prune_processed_deliveries(session, now=now, keep_days=30) == 1
    assert _left(rt) == {"recent processed", "old rejected", "old received"}


def test_the_sweeper_prunes_with_the_configured_retention(rt):
    now = datetime.now(UTC)
    _deliveries(
        rt,
        {
            "10 days": ("processed", now - timedelta(days=10)),
            "3 days": ("processed", now - timedelta(days=3)),
        },
    )
    from workers.context import set_runtime
    from workers.sweep import sweep

    set_runtime(dataclasses.replace(rt, settings=rt.settings.replace(INBOUND_RETENTION_DAYS="7")))
    try:
        assert sweep()["pruned"] == 1
    finally:
        set_runtime(rt)
    assert _left(rt) == {"3 days"}
