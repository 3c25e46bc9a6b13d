"""Connect with Facebook / X from the admin pages, against the emulators' login side.

The Flask test client is the admin's browser on our pages; a requests session presses the
button on the emulator's consent page, and the redirect it answers with is followed back into
the test client. Every token exchange is real HTTP over loopback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select, update

from inbox.models import AuditLog, ChannelAccount
from inbox.models.oauth import OAuthState
from sandbox.meta.app import DEFAULTS
from sandbox.x import World
from sandbox.x.world import BRAND
from switchboard.runtime import Runtime
from tests.support import oauth as sign_in
from tests.support.oauth import press_consent, sign_in_settings
from tests.web.ui.conftest import form_token, login

PAGE, IG = str(DEFAULTS["PAGE_ID"]), str(DEFAULTS["IG_USER_ID"])
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


meta_url, x_world, x_url = sign_in.meta_url, sign_in.x_world, sign_in.x_url  # fixtures


@pytest.fixture
def settings_overrides(meta_url: str, x_url: str) -> dict[str, str]:
    return sign_in_settings(meta_url, x_url)


@pytest.fixture
def admin(client: Any, factory: Any) -> str:
    factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")
    return form_token(client, "/admin/channels")


def start(client: Any, token: str, provider: str, **extra: Any) -> str:
    """Press our Connect button; return where it sends the browser (the platform)."""
    answer = client.post(
        f"/admin/channels/oauth/{provider}/start", data={"csrf_token": token, **extra}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return str(answer.headers["Location"])


def consent(url: str, decision: str = "allow") -> str:
    """Press the emulator's consent button; return our callback path + query."""
    parts = urlsplit(press_consent(url, decision))
    return f"{parts.path}?{parts.query}"


def account(rt: Runtime, channel: str, external_id: str) -> ChannelAccount | None:
    with rt.db.session() as session:
        found = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
            )
        ).first()
        if found is not None:
            session.expunge(found)
        return found


def connect_facebook(client: Any, token: str, meta_url: str) -> Any:
    callback = consent(start(client, token, "facebook"))
    chooser = client.get(callback)
    assert chooser.status_code == 200
    html = chooser.get_data(as_text=True)
    selection = re.search(r'name="selection" value="([^"]+)"', html)
    assert selection and "seoul_supps_official" in html
    return client.post(
        "/admin/channels/oauth/facebook/pages",
        data={
            "csrf_token": token,
            "selection": selection.group(1),
            "page": PAGE,
            "instagram": PAGE,
        },
    )


@BOTH
def test_connect_facebook_page_and_instagram(
    client: Any, admin: str, rt: Runtime, meta_url: str
) -> None:
    listed = client.get("/admin/channels").get_data(as_text=True)
    assert 'action="/admin/channels/oauth/facebook/start"' in listed
    done = connect_facebook(client, admin, meta_url)
    assert done.status_code == 302
    page, ig = account(rt, "facebook", PAGE), account(rt, "instagram", IG)
    assert page is not None and ig is not None
    assert ig.options["page_id"] == PAGE
    credentials = rt.vault.open(page.credentials)
    assert credentials["page_token"] == DEFAULTS["PAGE_TOKEN"]
    assert credentials["user_token"].startswith("sbx-user-long-")
    assert DEFAULTS["PAGE_TOKEN"].encode() not in (page.credentials or b"")  # sealed
    assert page.token_expires_at is not None
    assert page.token_expires_at - datetime.now(UTC) > timedelta(days=59)
    subscribed = requests.get(f"{meta_url}/_emu/oauth", timeout=10).json()["subscriptions"]
    assert "messages" in subscribed[PAGE] and "feed" in subscribed[PAGE]

    shown = client.get(f"/admin/channels/{page.id}").get_data(as_text=True)
    assert "pages_messaging" in shown  # /debug_token's scopes on the channel page
    assert f'name="account_id" value="{page.id}"' in shown  # Reconnect with Facebook
    assert DEFAULTS["PAGE_TOKEN"] not in shown and credentials["user_token"] not in shown


@BOTH
def test_connect_x_with_pkce_and_refresh_job(
    client: Any, admin: str, rt: Runtime, x_world: World
) -> None:
    callback = consent(start(client, admin, "x"))
    answer = client.get(callback)
    assert answer.status_code == 302
    found = account(rt, "x", BRAND[0])
    assert found is not None and found.name == f"@{BRAND[1]}"
    first = rt.vault.open(found.credentials)
    assert first["bearer_token"].startswith("sbx-x-access-") and first["refresh_token"]
    assert found.token_expires_at is not None

    # The same callback again (a replay) is refused: the state was used.
    replayed = client.get(callback, follow_redirects=True)
    assert "이미 사용된 로그인 링크" in replayed.get_data(as_text=True)

    from workers.sweep import sweep
    from workers.tokens import refresh_account

    assert refresh_account(found.id) == "fresh"  # two hours left: nothing to do
    with rt.db.session() as session:
        session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == found.id)
            .values(token_expires_at=datetime.now(UTC) + timedelta(minutes=5))
        )
    sweep()  # enqueues the refresh
    assert rt.jobs.drain(timeout=30)
    renewed = account(rt, "x", BRAND[0])
    assert renewed is not None
    second = rt.vault.open(renewed.credentials)
    assert second["bearer_token"] != first["bearer_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert renewed.token_expires_at is not None
    assert renewed.token_expires_at - datetime.now(UTC) > timedelta(hours=1)


@BOTH
def test_connect_x_oauth1(client: Any, admin: str, rt: Runtime) -> None:
    callback = consent(start(client, admin, "x1"))
    assert "oauth_verifier=" in callback
    assert client.get(callback).status_code == 302
    found = account(rt, "x", BRAND[0])
    assert found is not None
    credentials = rt.vault.open(found.credentials)
    assert set(credentials) == {"access_token", "access_token_secret"}


def test_state_is_bound_to_the_admin_who_started(
    client: Any, admin: str, rt: Runtime, factory: Any, app: Any
) -> None:
    callback = consent(start(client, admin, "x"))
    factory.user("admin", email="other@example.test", name="다른 관리자")
    other = app.test_client()
    login(other, "other@example.test")
    refused = other.get(callback, follow_redirects=True)
    assert "이미 사용된 로그인 링크" in refused.get_data(as_text=True)
    assert account(rt, "x", BRAND[0]) is None
    # The one who started it can still finish it.
    assert client.get(callback).status_code == 302
    assert account(rt, "x", BRAND[0]) is not None


def test_expired_state_and_cancel(client: Any, admin: str, rt: Runtime) -> None:
    callback = consent(start(client, admin, "x"))
    with rt.db.session() as session:
        session.execute(
            update(OAuthState).values(created_at=datetime.now(UTC) - timedelta(hours=1))
        )
    expired = client.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "만료되었거나" in expired
    cancelled = consent(start(client, admin, "facebook"), decision="cancel")
    page = client.get(cancelled, follow_redirects=True).get_data(as_text=True)
    assert "로그인이 취소되어" in page
    assert account(rt, "facebook", PAGE) is None


def test_reconnect_expired_facebook_page_through_the_flow(
    client: Any, admin: str, rt: Runtime, meta_url: str
) -> None:
    connect_facebook(client, admin, meta_url)
    page = account(rt, "facebook", PAGE)
    assert page is not None
    requests.post(f"{meta_url}/_emu/tokens/revoke", json={"subcode": 460}, timeout=10)
    from inbox.replies import flag_reauth

    with rt.db.session() as session:
        row = session.get(ChannelAccount, page.id)
        assert row is not None
        flag_reauth(session, row, "Error validating access token (code 190, subcode 460)")
    shown = client.get(f"/admin/channels/{page.id}").get_data(as_text=True)
    assert f'name="account_id" value="{page.id}"' in shown
    callback = consent(start(client, admin, "facebook", account_id=str(page.id)))
    html = client.get(callback).get_data(as_text=True)
    selection = re.search(r'name="selection" value="([^"]+)"', html)
    assert selection is not None
    assert re.search(rf'name="page" value="{PAGE}" checked', html)  # preselected
    client.post(
        "/admin/channels/oauth/facebook/pages",
        data={"csrf_token": admin, "selection": selection.group(1), "page": PAGE},
    )
    fresh = account(rt, "facebook", PAGE)
    assert fresh is not None and fresh.id == page.id
    assert fresh.health == "ok" and fresh.health_detail is None
    new_token = rt.vault.open(fresh.credentials)["page_token"]
    assert new_token != DEFAULTS["PAGE_TOKEN"]  # re-consent handed out a new page token
    with rt.db.session() as session:
        actions = list(
            session.scalars(select(AuditLog.action).where(AuditLog.target_id == str(page.id)))
        )
    assert "channel.reconnect" in actions


def test_button_pages_let_the_start_form_redirect_to_the_sign_in_origins(
    client: Any, admin: str, meta_url: str, x_url: str
) -> None:
    """CSP form-action also applies to the start form's redirect (to Meta / X in production)."""
    listed = client.get("/admin/channels").headers["Content-Security-Policy"]
    form_action = next(p for p in listed.split("; ") if p.startswith("form-action"))
    assert set(form_action.split()[1:]) == {"'self'", meta_url, x_url}
    other = client.get("/admin/agents").headers["Content-Security-Policy"]
    assert "form-action 'self';" in other + ";"
