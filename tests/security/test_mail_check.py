"""The admin's email "Test connection" is no port scanner (issue 13 §5): private and loopback
hosts are refused unless MAIL_ALLOW_HOSTS lists them, and a failed connection reads the same
whether the port is closed or not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.servers import free_port
from tests.web.ui.conftest import form_token, login

ADDRESS = "help@shop.example"


def _form(host: str, port: int) -> dict[str, str]:
    return {
        "name": "메일",
        "external_id": ADDRESS,
        "imap_password": "p",
        "smtp_password": "p",
        "imap_host": host,
        "imap_port": str(port),
        "imap_tls": "none",
        "imap_user": "u",
        "smtp_host": host,
        "smtp_port": str(port),
        "smtp_tls": "none",
        "smtp_user": "u",
        "mailboxes": "INBOX\n",
        "action": "test",
    }


@pytest.fixture
def admin(client: Any, factory: Any) -> str:
    factory.user("admin", email="admin@example.test")
    login(client, "admin@example.test")
    return form_token(client, "/admin/channels")


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"MAIL_ALLOW_HOSTS": ""}  # production default


def test_a_loopback_mail_host_is_refused_before_any_connection(client: Any, admin: str) -> None:
    for host in ("127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3"):
        answer = client.post(
            "/admin/channels/new/email", data={"csrf_token": admin, **_form(host, 22)}
        )
        body = answer.get_data(as_text=True)
        assert answer.status_code == 422
        assert "MAIL_ALLOW_HOSTS" in body, host
        saved = client.post(
            "/admin/channels/new/email",
            data={"csrf_token": admin, **_form(host, 22), "action": "connect", "skip_check": "1"},
        )
        assert saved.status_code == 422  # not even when the admin skips the check


def test_an_allowed_host_failing_says_nothing_about_the_port(
    client: Any, admin: str, rt: Any
) -> None:
    from web import create_app

    rt.settings = rt.settings.replace(MAIL_ALLOW_HOSTS="127.0.0.1")
    allowed = create_app(rt).test_client()
    login(allowed, "admin@example.test")
    token = form_token(allowed, "/admin/channels")
    port = free_port()  # nothing listens there
    answer = allowed.post(
        "/admin/channels/new/email", data={"csrf_token": token, **_form("127.0.0.1", port)}
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "IMAP: could not connect" in body and "SMTP: could not connect" in body
    for leak in ("Errno", "refused", "ConnectionRefused", str(port) + " failed"):
        assert leak not in body
