"""Sign-in, throttling, sign-out, CSRF and roles for the inbox UI."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.ui.conftest import csrf_of, form_token, login


def test_login_then_inbox_then_logout(client: Any, team_setup: dict[str, Any]) -> None:
    assert client.get("/inbox/").status_code == 302
    response = login(client, "mina@example.test")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inbox/")
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    token = csrf_of(page.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/inbox/").status_code == 302


def test_wrong_password_is_refused(client: Any, team_setup: dict[str, Any]) -> None:
    response = login(client, "mina@example.test", "wrong password")
    assert response.status_code == 401
    assert client.get("/inbox/").status_code == 302


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"LOGIN_RATE_LIMIT": "3/5min"}


def test_failed_logins_are_throttled_per_ip_and_email(
    client: Any, team_setup: dict[str, Any]
) -> None:
    for _ in range(3):
        assert login(client, "mina@example.test", "nope").status_code == 401
    # Even the right password is refused while the limit holds.
    assert login(client, "mina@example.test").status_code == 429
    # Another email from the same address is not affected.
    assert login(client, "joon@example.test").status_code == 302


def test_form_without_csrf_token_is_refused(client: Any, team_setup: dict[str, Any]) -> None:
    response = client.post("/login", data={"email": "mina@example.test", "password": "x"})
    assert response.status_code == 400
    login(client, "mina@example.test")
    assert client.post("/logout").status_code == 400


def test_next_never_leaves_the_site(client: Any, team_setup: dict[str, Any]) -> None:
    token = form_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={
            "email": "mina@example.test",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"].endswith("/inbox/")


def test_marketer_cannot_work_the_queue(client: Any, factory: Any) -> None:
    factory.user("marketer", email="ads@example.test")
    login(client, "ads@example.test")
    assert client.get("/inbox/").status_code == 403
    assert client.get("/admin/agents").status_code == 403
    assert client.get("/live/stream").status_code == 403


def test_agent_cannot_open_admin_pages(client: Any, team_setup: dict[str, Any]) -> None:
    login(client, "mina@example.test")
    for path in ("/admin/agents", "/admin/teams", "/admin/labels", "/admin/canned"):
        assert client.get(path).status_code == 403
    for path in ("/admin/channels", "/admin/deliveries"):
        assert client.get(path).status_code == 403


def test_marketer_lands_on_announcements(client: Any, factory: Any) -> None:
    factory.user("marketer", email="ads2@example.test")
    response = login(client, "ads2@example.test")
    assert response.headers["Location"].endswith("/announcements/")
