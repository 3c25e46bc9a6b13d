"""Channel accounts in the REST API and the CLI: health, check, reconnect, enable/disable.

Accounts are connected through the emulators' real OAuth flows (X OAuth 2.0 with PKCE, Facebook
Login), then their tokens expire or are revoked in the emulators; the API and
`switchboard channel ...` must see it, renew the token without a browser where a stored grant
allows, and clear a stale "reconnect needed" and its reason once the connection works again.
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from cli.commands import main
from connectors._meta.oauth import MetaLogin
from connectors.x.oauth import XLogin
from inbox.channels import add_account
from inbox.models import ChannelAccount
from inbox.replies import flag_reauth
from sandbox.meta.app import DEFAULTS
from sandbox.x import World
from sandbox.x.world import BRAND
from switchboard.runtime import Runtime
from tests.conftest import ENCRYPTION_KEY
from tests.connectors.test_oauth_flows import CALLBACK, consent
from tests.support import oauth as sign_in
from tests.support.oauth import sign_in_settings
from tests.web.api.test_api import assert_problem, auth

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
PAGE = str(DEFAULTS["PAGE_ID"])


meta_url, x_world, x_url = sign_in.meta_url, sign_in.x_world, sign_in.x_url  # fixtures


@pytest.fixture
def settings_overrides(meta_url: str, x_url: str) -> dict[str, str]:
    return sign_in_settings(meta_url, x_url)


def connect_x(rt: Runtime, *, oauth1: bool = False) -> int:
    """An X account connected with the emulator's OAuth 2.0 (or 1.0a) flow."""
    login = XLogin(rt.settings.env)
    if oauth1:
        started = login.start_oauth1(callback=CALLBACK)
        back = consent(started.url)
        token, secret = login.finish_oauth1(
            request_token=started.request_token,
            secret=started.secret,
            verifier=back["oauth_verifier"][0],
        )
        credentials, expires = {"access_token": token, "access_token_secret": secret}, None
    else:
        started = login.start(redirect_uri=CALLBACK, state="s")
        back = consent(started.url)
        query = "&".join(f"{k}={v[0]}" for k, v in back.items())
        grant = login.finish(
            callback_url=f"{CALLBACK}?{query}",
            redirect_uri=CALLBACK,
            state="s",
            verifier=started.secret,
        )
        credentials = {
            "bearer_token": grant.access_token,
            "refresh_token": str(grant.refresh_token),
        }
        expires = grant.expires_at
    with rt.db.session() as session:
        account = add_account(
            session,
            channel="x",
            connector="x",
            name=f"@{BRAND[1]}",
            external_id=BRAND[0],
            sealed_credentials=rt.seal(credentials),
        )
        account.token_expires_at = expires
        return account.id


def connect_facebook(rt: Runtime) -> int:
    """A page connected with the emulator's Facebook Login (long-lived user token kept)."""
    login = MetaLogin(rt.settings.env)
    back = consent(login.auth_url(redirect_uri=CALLBACK, state="s"))
    user = login.extend(login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK).token)
    page = login.pages(user.token)[0]
    with rt.db.session() as session:
        account = add_account(
            session,
            channel="facebook",
            connector="facebook",
            name=page.name,
            external_id=page.id,
            sealed_credentials=rt.seal({"page_token": page.token, "user_token": user.token}),
        )
        account.token_expires_at = user.expires_at
        return account.id


def flag(rt: Runtime, account_id: int, reason: str) -> None:
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        flag_reauth(session, account, reason)


def stored(rt: Runtime, account_id: int) -> ChannelAccount:
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        session.expunge(account)
        return account


# --- API ---------------------------------------------------------------------------------


@BOTH
def test_api_lists_checks_reconnects_and_toggles(
    client: Any, rt: Runtime, factory: Any, x_world: World
) -> None:
    admin = auth(factory.token(factory.user("admin")))
    agent = auth(factory.token(factory.user("agent")))
    account_id = connect_x(rt)
    assert_problem(client.get("/api/v1/channel-accounts", headers=agent), 403)

    listed = client.get("/api/v1/channel-accounts", headers=admin).get_json()["data"]
    mine = next(a for a in listed if a["id"] == account_id)
    assert mine["health"] == "ok" and mine["token_renews_itself"] is True
    assert mine["token_expires_at"] and mine["token_warning"] is None
    assert "credentials" not in mine and "bearer_token" not in str(listed)

    # A stale flag: the token still works, so a check clears it and its reason.
    flag(rt, account_id, "Unauthorized (a blip)")
    shown = client.get(f"/api/v1/channel-accounts/{account_id}", headers=admin).get_json()
    assert shown["reconnect_needed"] is True and shown["health_detail"] == "Unauthorized (a blip)"
    checked = client.post(f"/api/v1/channel-accounts/{account_id}/check", headers=admin).get_json()
    assert checked["ok"] is True and checked["cleared"] is True
    assert checked["identity"].startswith(f"token works for @{BRAND[1]}")
    assert checked["account"]["health"] == "ok" and checked["account"]["health_detail"] is None

    # The access token expires: the check says so and leaves the account alone...
    x_world.clock.advance(7201)
    failed = client.post(f"/api/v1/channel-accounts/{account_id}/check", headers=admin).get_json()
    assert failed["ok"] is False and failed["problems"] and failed["cleared"] is False
    flag(rt, account_id, "X API 401 Unauthorized")
    # ...and reconnect renews it with the refresh token, then checks again.
    before = rt.vault.open(stored(rt, account_id).credentials)
    renewed = client.post(f"/api/v1/channel-accounts/{account_id}/reconnect", headers=admin)
    assert renewed.status_code == 200, renewed.get_data(as_text=True)
    body = renewed.get_json()
    assert body["renewed_with"] == "x refresh token" and body["ok"] is True
    assert body["account"]["reconnect_needed"] is False
    assert body["account"]["health_detail"] is None
    after = rt.vault.open(stored(rt, account_id).credentials)
    assert after["bearer_token"] != before["bearer_token"]
    assert after["refresh_token"] != before["refresh_token"]  # X rotates refresh tokens

    # Disable / enable keep the credentials.
    off = client.post(f"/api/v1/channel-accounts/{account_id}/disable", headers=admin).get_json()
    assert off["changed"] is True and off["account"]["enabled"] is False
    again = client.post(f"/api/v1/channel-accounts/{account_id}/disable", headers=admin)
    assert again.get_json()["changed"] is False
    on = client.post(f"/api/v1/channel-accounts/{account_id}/enable", headers=admin).get_json()
    assert on["changed"] is True and on["account"]["state"] == "ok"
    assert_problem(client.post("/api/v1/channel-accounts/99999/check", headers=admin), 404)

    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("", "/{id}", "/{id}/check", "/{id}/reconnect", "/{id}/enable", "/{id}/disable"):
        assert f"/channel-accounts{path}" in spec["paths"]
    assert "ChannelAccount" in spec["components"]["schemas"]


@BOTH
def test_api_reconnect_without_a_grant_points_to_the_browser(
    client: Any, rt: Runtime, factory: Any
) -> None:
    admin = auth(factory.token(factory.user("admin")))
    account_id = connect_x(rt, oauth1=True)
    refused = assert_problem(
        client.post(f"/api/v1/channel-accounts/{account_id}/reconnect", headers=admin), 409
    )
    assert "no refresh token" in refused["detail"]
    assert f"/admin/channels/{account_id}" in refused["detail"]
    wrong = assert_problem(
        client.post(
            f"/api/v1/channel-accounts/{account_id}/reconnect",
            json={"credentials": {"bearer_token": "not-a-token"}},
            headers=admin,
        ),
        422,
    )
    assert "Unauthorized" in wrong["detail"]
    assert_problem(
        client.post(
            f"/api/v1/channel-accounts/{account_id}/reconnect",
            json={"credentials": ["x"]},
            headers=admin,
        ),
        400,
    )


def test_expiry_warning_a_week_ahead(client: Any, rt: Runtime, factory: Any) -> None:
    admin = auth(factory.token(factory.user("admin")))
    account_id = connect_x(rt, oauth1=True)
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        account.token_expires_at = datetime.now(UTC) + timedelta(days=3, hours=1)
    shown = client.get(f"/api/v1/channel-accounts/{account_id}", headers=admin).get_json()
    assert shown["token_warning"] == "expires in 3 days"
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        account.token_expires_at = datetime.now(UTC) + timedelta(days=8)
    shown = client.get(f"/api/v1/channel-accounts/{account_id}", headers=admin).get_json()
    assert shown["token_warning"] is None


# --- CLI ---------------------------------------------------------------------------------


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`switchboard` in-process, on the same database and emulators as `rt`."""
    monkeypatch.chdir(tmp_path)
    env = {
        **{k: v for k, v in rt.settings.env.items() if k.startswith(("X_", "META_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SWITCHBOARD_INSTANCE": str(tmp_path / "cli-instance"),
        "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SECRET_KEY": "cli-secret",
        "PUBLIC_BASE_URL": "https://inbox.example.test",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0, result.output
        return result

    return run


@BOTH
def test_cli_reconnects_an_expired_x_token(cli: Any, rt: Runtime, x_world: World) -> None:
    account_id = connect_x(rt)
    assert "token works for @seoulsupps_kr" in cli("channel", "check", str(account_id)).output
    x_world.clock.advance(7201)  # the two-hour access token has expired
    failed = cli("channel", "check", str(account_id), ok=False).output
    assert f"channel account {account_id}:" in failed and "nauthorized" in failed
    flag(rt, account_id, "X API 401 Unauthorized")
    listed = cli("channel", "list").output
    assert "reconnect_needed" in listed and "X API 401 Unauthorized" in listed

    out = cli("channel", "reconnect", str(account_id)).output
    assert f"reconnected channel account {account_id} (x refresh token)" in out
    account = stored(rt, account_id)
    assert account.health == "ok" and account.health_detail is None
    listed = cli("channel", "list").output
    assert "reconnect_needed" not in listed and "Unauthorized" not in listed
    # The renewed token works against the emulator.
    assert "token works" in cli("channel", "check", str(account_id)).output


@BOTH
def test_cli_reconnects_a_revoked_facebook_page_token(cli: Any, rt: Runtime, meta_url: str) -> None:
    account_id = connect_facebook(rt)
    requests.post(f"{meta_url}/_emu/tokens/revoke", json={"subcode": 460}, timeout=10)
    assert "subcode 460" in cli("channel", "check", str(account_id), ok=False).output
    flag(rt, account_id, "Error validating access token (code 190, subcode 460)")
    out = cli("channel", "reconnect", str(account_id)).output
    assert "(meta /me/accounts)" in out
    account = stored(rt, account_id)
    assert account.health == "ok" and account.health_detail is None
    assert rt.vault.open(account.credentials)["page_token"] != DEFAULTS["PAGE_TOKEN"]


@BOTH
def test_cli_check_enable_disable_and_browser_hint(cli: Any, rt: Runtime) -> None:
    account_id = connect_x(rt, oauth1=True)
    flag(rt, account_id, "stale reason")
    out = cli("channel", "check", str(account_id)).output
    assert 'cleared "reconnect needed"' in out
    assert stored(rt, account_id).health_detail is None
    hint = cli("channel", "reconnect", str(account_id), ok=False).output
    assert f"open https://inbox.example.test/admin/channels/{account_id}" in hint
    assert "disabled" in cli("channel", "disable", str(account_id)).output
    assert "already disabled" in cli("channel", "disable", str(account_id)).output
    assert "disconnected" in cli("channel", "list").output
    assert "disabled or disconnected" in cli("channel", "check", str(account_id), ok=False).output
    assert "enabled" in cli("channel", "enable", str(account_id)).output
    assert stored(rt, account_id).credentials  # kept while disabled
    assert "no channel account 999" in cli("channel", "check", "999", ok=False).output


def test_switchboard_check_warns_a_week_before_expiry(cli: Any, rt: Runtime) -> None:
    account_id = connect_x(rt, oauth1=True)
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        account.token_expires_at = datetime.now(UTC) + timedelta(days=2, hours=1)
    out = cli("check").output
    assert f"warn channel {account_id} x" in out
    assert (
        "token expires in 2 days: sign in again with Reconnect at "
        f"https://inbox.example.test/admin/channels/{account_id}"
    ) in out
