"""Admin channel accounts in the web UI: connect, test, reconnect, disconnect (issues #5-#7).

The checks run against the real emulators over loopback (Meta sandbox, X sandbox) and a real
dovecot + aiosmtpd for email; the app under test is the Flask test client signed in as admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select, text

from connectors._meta.usage import USAGE
from connectors.x import XConnector
from inbox.models import AuditLog, ChannelAccount, Conversation, SyncCursor
from inbox.replies import flag_reauth
from sandbox.meta import create_app as create_meta
from sandbox.x import World
from sandbox.x import create_app as create_x
from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.support.dovecot import Dovecot, available, running_dovecot
from tests.support.servers import serve_wsgi
from tests.support.smtp import SmtpServer, running_smtp
from tests.web.ui.conftest import form_token, inbound, login

META_SECRET = "sandbox-app-secret"
PAGE, PAGE_TOKEN = "104857600012345", "sandbox-page-token"
IG = "17841400000012345"
ADDRESS = "help@seoulsupps.example"


@pytest.fixture
def meta_url() -> Iterator[str]:
    USAGE.clear()
    with serve_wsgi(create_meta({"APP_SECRET": META_SECRET})) as url:
        yield url
    USAGE.clear()


@pytest.fixture
def x_url() -> Iterator[str]:
    XConnector.budgets.clear()
    with serve_wsgi(create_x(World())) as url:
        yield url
    XConnector.budgets.clear()


@pytest.fixture
def settings_overrides(meta_url: str, x_url: str) -> dict[str, str]:
    """The runtime's connectors talk to the two emulators."""
    return {
        "META_GRAPH_URL": meta_url,
        "META_GRAPH_VERSION": "v23.0",
        "META_APP_SECRET": META_SECRET,
        "X_API_URL": x_url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
    }


@pytest.fixture
def mail() -> Iterator[tuple[Dovecot, SmtpServer]]:
    if not available():
        pytest.fail("dovecot is not installed: run scripts/bootstrap --test")
    with running_dovecot(user=ADDRESS) as imap, running_smtp(user=ADDRESS) as smtp:
        yield imap, smtp


@pytest.fixture
def admin(client: Any, factory: Any) -> str:
    factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")
    return form_token(client, "/admin/channels")


def _post(client: Any, path: str, token: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": token, **data})


def _account(rt: Runtime, channel: str, external_id: str) -> ChannelAccount | None:
    with rt.db.session() as session:
        return session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
            )
        ).first()


def _raw_credentials(rt: Runtime, account_id: int) -> bytes:
    with rt.db.session() as session:
        raw = session.execute(
            text("SELECT credentials FROM channel_account WHERE id = :id"), {"id": account_id}
        ).scalar_one()
    return bytes(raw or b"")


def _audit(rt: Runtime, account_id: int) -> list[str]:
    with rt.db.session() as session:
        return list(
            session.scalars(
                select(AuditLog.action)
                .where(AuditLog.target_type == "channel_account")
                .where(AuditLog.target_id == str(account_id))
                .order_by(AuditLog.id)
            )
        )


def _email_form(imap: Dovecot, smtp: SmtpServer, **extra: str) -> dict[str, str]:
    return {
        "name": "고객센터 메일",
        "external_id": ADDRESS.upper(),
        "imap_password": imap.password,
        "smtp_password": smtp.password,
        "imap_host": imap.host,
        "imap_port": str(imap.port),
        "imap_tls": "none",
        "imap_user": imap.user,
        "smtp_host": smtp.host,
        "smtp_port": str(smtp.port),
        "smtp_tls": "none",
        "smtp_user": smtp.user,
        "from_name": "서울서플",
        "mailboxes": "INBOX\n",
        "mark_seen": "1",
        **extra,
    }


CONNECT_CASES: dict[str, tuple[str, dict[str, str], dict[str, str], dict[str, Any]]] = {
    "facebook": (
        PAGE,
        {"page_token": PAGE_TOKEN, "human_agent_enabled": "1"},
        {"page_token": PAGE_TOKEN},
        {"human_agent_enabled": True},
    ),
    "instagram": (
        IG,
        {"page_token": PAGE_TOKEN, "page_id": PAGE},
        {"page_token": PAGE_TOKEN},
        {"page_id": PAGE, "human_agent_enabled": False},
    ),
    "x": (
        BRAND[0],
        {
            "access_token": "brand-access-token",
            "access_token_secret": "brand-access-secret",
            "poll_interval": "120",
        },
        {"access_token": "brand-access-token", "access_token_secret": "brand-access-secret"},
        {"poll_interval": 120},
    ),
    "webchat": (
        "widget-shop",
        {
            "allowed_origins": "https://shop.example.com\n\nhttps://m.shop.example.com",
            "hours": '{"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}',
            "self_service": "1",
        },
        {},
        {
            "allowed_origins": ["https://shop.example.com", "https://m.shop.example.com"],
            "hours": {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}},
            "self_service": True,
        },
    ),
}


@pytest.mark.parametrize("slug", sorted(CONNECT_CASES))
def test_connect_stores_sealed_credentials_and_typed_options(
    client: Any, rt: Runtime, admin: str, slug: str
) -> None:
    external_id, form, credentials, options = CONNECT_CASES[slug]
    page = client.get(f"/admin/channels/new/{slug}")
    assert page.status_code == 200
    response = _post(
        client,
        f"/admin/channels/new/{slug}",
        admin,
        name="새 계정",
        external_id=external_id,
        **form,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    account = _account(rt, slug, external_id)
    assert account is not None and account.enabled and account.connector == slug
    assert account.health == "ok" and account.name == "새 계정"
    for key, value in options.items():
        assert account.options[key] == value
    assert rt.vault.open(account.credentials) == credentials
    raw = _raw_credentials(rt, account.id)
    for secret in credentials.values():
        assert secret.encode() not in raw
    assert _audit(rt, account.id) == ["channel.add"]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "새 계정" in shown
    for secret in credentials.values():
        assert secret not in shown  # never echoed back
    listing = client.get("/admin/channels").get_data(as_text=True)
    assert f"/admin/channels/{account.id}/disconnect" in listing


def test_connect_email_checks_both_servers(
    client: Any, rt: Runtime, admin: str, mail: tuple[Dovecot, SmtpServer]
) -> None:
    imap, smtp = mail
    tested = _post(
        client, "/admin/channels/new/email", admin, action="test", **_email_form(imap, smtp)
    )
    body = tested.get_data(as_text=True)
    assert tested.status_code == 200 and f"연결 정상: {ADDRESS}" in body  # IMAP and SMTP logins
    assert imap.password not in body and smtp.password not in body
    assert _account(rt, "email", ADDRESS) is None  # a test saves nothing
    wrong = _post(
        client,
        "/admin/channels/new/email",
        admin,
        **_email_form(imap, smtp, imap_password="wrong", smtp_password="wrong-too"),
    )
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "IMAP:" in body and "SMTP:" in body
    assert _account(rt, "email", ADDRESS) is None  # a failing check blocks the save
    saved = _post(client, "/admin/channels/new/email", admin, **_email_form(imap, smtp))
    assert saved.status_code == 302
    account = _account(rt, "email", ADDRESS)
    assert account is not None
    assert account.options["imap_port"] == imap.port and account.options["mark_seen"] is True
    assert account.options["mailboxes"] == ["INBOX"] and account.options["imap_tls"] == "none"
    raw = _raw_credentials(rt, account.id)
    assert imap.password.encode() not in raw and smtp.password.encode() not in raw
    # The stored account passes the check too.
    checked = client.post(
        f"/admin/channels/{account.id}/check", data={"csrf_token": admin}, follow_redirects=True
    )
    assert f"연결 정상: {ADDRESS}" in checked.get_data(as_text=True)


def test_validation_errors_store_nothing(client: Any, rt: Runtime, admin: str) -> None:
    missing = _post(client, "/admin/channels/new/facebook", admin, name="페이지", page_token="t")
    assert missing.status_code == 422
    assert "Page id" in missing.get_data(as_text=True) or "페이지 ID" in missing.get_data(
        as_text=True
    )
    bad_port = _post(
        client,
        "/admin/channels/new/email",
        admin,
        name="메일",
        external_id=ADDRESS,
        imap_password="p4ss-not-shown",
        imap_host="127.0.0.1",
        imap_user=ADDRESS,
        smtp_host="127.0.0.1",
        imap_port="70000",
        smtp_port="abc",
        imap_tls="tls-please",
    )
    body = bad_port.get_data(as_text=True)
    assert bad_port.status_code == 422
    assert body.count("flash-error") == 3, body
    assert "p4ss-not-shown" not in body and 'value="127.0.0.1"' in body
    half = _post(
        client,
        "/admin/channels/new/x",
        admin,
        name="X",
        external_id=BRAND[0],
        access_token="only-half",
    )
    assert half.status_code == 422
    webchat = _post(
        client,
        "/admin/channels/new/webchat",
        admin,
        name="위젯",
        external_id="w1",
        hours="[1, 2]",
        allowed_origins="shop.example.com",
        offline_email_account="nobody@example.test",
    )
    assert webchat.status_code == 422
    assert webchat.get_data(as_text=True).count("flash-error") == 3
    with rt.db.session() as session:
        assert session.scalars(select(ChannelAccount)).first() is None


def test_only_admins(client: Any, rt: Runtime, factory: Any) -> None:
    account = factory.account("facebook", connector="facebook", external_id=PAGE)
    assert client.get("/admin/channels/new/facebook").status_code == 302  # to the login page
    factory.user("agent", email="mina@example.test", inboxes=[account.id])
    login(client, "mina@example.test")
    token = form_token(client, "/inbox/")
    assert client.get("/admin/channels/new/facebook").status_code == 403
    assert client.get(f"/admin/channels/{account.id}").status_code == 403
    posted = _post(
        client, "/admin/channels/new/facebook", token, name="n", external_id="1", page_token="t"
    )
    assert posted.status_code == 403
    assert _post(client, f"/admin/channels/{account.id}/disconnect", token).status_code == 403
    assert _post(client, f"/admin/channels/{account.id}/check", token).status_code == 403
    assert _account(rt, "facebook", "1") is None
    fresh = _account(rt, "facebook", PAGE)
    assert fresh is not None and fresh.enabled


@pytest.mark.parametrize(
    ("slug", "external_id", "good", "bad", "identity", "refusal"),
    [
        (
            "facebook",
            PAGE,
            {"page_token": PAGE_TOKEN},
            {"page_token": "stolen-token"},
            "서울서플 고객센터",
            "Invalid OAuth access token",
        ),
        (
            "instagram",
            IG,
            {"page_token": PAGE_TOKEN, "page_id": PAGE},
            {"page_token": "stolen-token", "page_id": PAGE},
            "seoul_supps_official",
            "Invalid OAuth access token",
        ),
        (
            "x",
            BRAND[0],
            {"access_token": "brand-access-token", "access_token_secret": "brand-access-secret"},
            {"bearer_token": "not-a-token"},
            "@seoulsupps_kr",
            "Unauthorized",
        ),
    ],
)
def test_connection_test_against_the_sandboxes(
    client: Any,
    rt: Runtime,
    admin: str,
    slug: str,
    external_id: str,
    good: dict[str, str],
    bad: dict[str, str],
    identity: str,
    refusal: str,
) -> None:
    path = f"/admin/channels/new/{slug}"
    ok = _post(client, path, admin, action="test", name="n", external_id=external_id, **good)
    assert ok.status_code == 200 and identity in ok.get_data(as_text=True)
    failed = _post(client, path, admin, action="test", name="n", external_id=external_id, **bad)
    assert failed.status_code == 422 and refusal in failed.get_data(as_text=True)
    refused = _post(client, path, admin, name="n", external_id=external_id, **bad)
    assert refused.status_code == 422 and _account(rt, slug, external_id) is None
    forced = _post(client, path, admin, name="n", external_id=external_id, skip_check="1", **bad)
    assert forced.status_code == 302
    account = _account(rt, slug, external_id)
    assert account is not None
    # The stored (bad) credentials fail the check on the account page; health is left alone.
    page = client.post(
        f"/admin/channels/{account.id}/check", data={"csrf_token": admin}, follow_redirects=True
    )
    assert refusal in page.get_data(as_text=True)


def test_x_token_of_another_user_is_a_problem(client: Any, rt: Runtime, admin: str) -> None:
    response = _post(
        client,
        "/admin/channels/new/x",
        admin,
        action="test",
        name="X",
        external_id="42",
        access_token="brand-access-token",
        access_token_secret="brand-access-secret",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and BRAND[0] in body and "42" in body


def test_reconnect_restores_health_and_keeps_the_cursor(
    client: Any, rt: Runtime, admin: str, meta_url: str
) -> None:
    _post(
        client,
        "/admin/channels/new/facebook",
        admin,
        name="페이지",
        external_id=PAGE,
        page_token="old-token",
        skip_check="1",
    )
    account = _account(rt, "facebook", PAGE)
    assert account is not None
    with rt.db.session() as session:
        session.add(SyncCursor(channel_account_id=account.id, stream="feed", value='{"since": 1}'))
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        fresh.options = {**fresh.options, "poll_backfill_days": 3}  # not on the form: kept
        flag_reauth(session, fresh, "Error validating access token: Session has expired")
    listing = client.get("/admin/channels").get_data(as_text=True)
    assert "Session has expired" in listing and f"/admin/channels/{account.id}" in listing
    # Options only, no new token: the account stays flagged (the old token still fails).
    refused = _post(client, f"/admin/channels/{account.id}", admin, name="페이지")
    assert refused.status_code == 422
    reconnected = _post(
        client,
        f"/admin/channels/{account.id}",
        admin,
        name="페이지 (재연결)",
        page_token=PAGE_TOKEN,
        human_agent_enabled="1",
    )
    assert reconnected.status_code == 302, reconnected.get_data(as_text=True)
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        assert (fresh.health, fresh.health_detail) == ("ok", None)
        assert fresh.name == "페이지 (재연결)"
        assert fresh.options == {"human_agent_enabled": True, "poll_backfill_days": 3}
        assert rt.vault.open(fresh.credentials) == {"page_token": PAGE_TOKEN}
        cursor = session.scalars(
            select(SyncCursor).where(SyncCursor.channel_account_id == account.id)
        ).one()
        assert cursor.value == '{"since": 1}'
    assert _audit(rt, account.id)[-2:] == ["channel.update", "channel.reconnect"]
    # Flagged again (say the token was revoked and restored at Meta): the check alone heals it.
    requests.post(f"{meta_url}/_emu/tokens/revoke", json={}, timeout=10).raise_for_status()
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        flag_reauth(session, fresh, "revoked")
    failing = client.post(
        f"/admin/channels/{account.id}/check", data={"csrf_token": admin}, follow_redirects=True
    )
    assert "Error validating access token" in failing.get_data(as_text=True)
    requests.post(f"{meta_url}/_emu/tokens/restore", json={}, timeout=10).raise_for_status()
    working = client.post(
        f"/admin/channels/{account.id}/check", data={"csrf_token": admin}, follow_redirects=True
    )
    assert "서울서플 고객센터" in working.get_data(as_text=True)
    fresh_account = _account(rt, "facebook", PAGE)
    assert fresh_account is not None and fresh_account.health == "ok"


def test_x_reconnect_switches_credential_kind(client: Any, rt: Runtime, admin: str) -> None:
    _post(
        client,
        "/admin/channels/new/x",
        admin,
        name="X",
        external_id=BRAND[0],
        access_token="brand-access-token",
        access_token_secret="brand-access-secret",
    )
    account = _account(rt, "x", BRAND[0])
    assert account is not None
    response = _post(
        client, f"/admin/channels/{account.id}", admin, name="X", bearer_token="brand-user-bearer"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    fresh = _account(rt, "x", BRAND[0])
    assert fresh is not None
    assert rt.vault.open(fresh.credentials) == {"bearer_token": "brand-user-bearer"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_disconnect_keeps_conversations_and_can_connect_again(
    client: Any, rt: Runtime, admin: str, factory: Any
) -> None:
    account = factory.account(
        "x",
        connector="x",
        external_id=BRAND[0],
        credentials={"bearer_token": "brand-user-bearer"},
    )
    conversation = inbound(rt, account, "배송 언제 와요?", customer="cust-1")
    confirm = client.get(f"/admin/channels/{account.id}/disconnect")
    assert confirm.status_code == 200 and 'method="post"' in confirm.get_data(as_text=True)
    done = _post(client, f"/admin/channels/{account.id}/disconnect", admin)
    assert done.status_code == 302
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None and not fresh.enabled and fresh.credentials is None
        assert session.get(Conversation, conversation.id) is not None
    assert _audit(rt, account.id)[-1] == "channel.remove"
    listing = client.get("/admin/channels").get_data(as_text=True)
    assert "연결 해제됨" in listing or "Disconnected" in listing
    again = _post(
        client,
        f"/admin/channels/{account.id}",
        admin,
        name="X again",
        access_token="brand-access-token",
        access_token_secret="brand-access-secret",
    )
    assert again.status_code == 302, again.get_data(as_text=True)
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None and fresh.enabled and fresh.health == "ok"
        assert session.get(Conversation, conversation.id) is not None


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_disconnect_without_history_deletes_the_account_and_its_cursors(
    client: Any, rt: Runtime, admin: str
) -> None:
    _post(client, "/admin/channels/new/webchat", admin, name="위젯", external_id="widget-x")
    account = _account(rt, "webchat", "widget-x")
    assert account is not None
    with rt.db.session() as session:
        session.add(SyncCursor(channel_account_id=account.id, stream="s", value="1"))
    assert _post(client, f"/admin/channels/{account.id}/disconnect", admin).status_code == 302
    assert _account(rt, "webchat", "widget-x") is None


def test_connecting_an_account_twice_is_refused(client: Any, rt: Runtime, admin: str) -> None:
    form = {"name": "위젯", "external_id": "widget-main"}
    assert _post(client, "/admin/channels/new/webchat", admin, **form).status_code == 302
    again = _post(client, "/admin/channels/new/webchat", admin, **form)
    assert again.status_code == 422 and "already connected" in again.get_data(as_text=True)


def test_unreadable_stored_credentials_can_be_replaced(
    client: Any, rt: Runtime, admin: str, factory: Any
) -> None:
    """Secrets sealed with another encryption key: the page still opens and takes new ones."""
    account = factory.account("facebook", connector="facebook", external_id=PAGE)
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        fresh.credentials = b"gAAAAA-sealed-with-another-key"
    assert client.get(f"/admin/channels/{account.id}").status_code == 200
    checked = client.post(
        f"/admin/channels/{account.id}/check", data={"csrf_token": admin}, follow_redirects=True
    )
    assert checked.status_code == 200
    saved = _post(client, f"/admin/channels/{account.id}", admin, name="p", page_token=PAGE_TOKEN)
    assert saved.status_code == 302
    fresh_account = _account(rt, "facebook", PAGE)
    assert fresh_account is not None
    assert rt.vault.open(fresh_account.credentials) == {"page_token": PAGE_TOKEN}
