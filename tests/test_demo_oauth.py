"""`switchboard demo` in headless Chromium: an admin connects the Facebook page, its Instagram
account and the X account through the emulated sign-in pages (no token typed), and the page
connected that way receives a customer's DM."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox.channels import remove_account
from inbox.models import ChannelAccount, Conversation, Message
from sandbox.meta.app import DEFAULTS
from sandbox.x import BRAND
from switchboard.accounts import check
from tests.support.demo import prepared_demo
from tests.support.servers import serve_wsgi

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
LIVE = {
    "facebook": str(DEFAULTS["PAGE_ID"]),
    "instagram": str(DEFAULTS["IG_USER_ID"]),
    "x": BRAND[0],
}


def live_accounts(rt: Any) -> dict[str, ChannelAccount]:
    with rt.db.session() as s:
        found = {}
        for channel, external_id in LIVE.items():
            row = s.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.channel == channel,
                    ChannelAccount.external_id == external_id,
                    ChannelAccount.connector == channel,
                )
            ).first()
            if row is not None:
                s.expunge(row)
                found[channel] = row
        return found


def test_admin_connects_page_instagram_and_x_through_the_sign_in_pages(
    tmp_path: Any, monkeypatch: Any, browser: Any
) -> None:
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        # Start as a newcomer would: the demo's pre-connected sandbox accounts are removed.
        with rt.db.session() as s:
            for account in live_accounts(rt).values():
                row = s.get(ChannelAccount, account.id)
                assert row is not None
                remove_account(s, row, None)
        assert live_accounts(rt) == {}
        context = browser.new_context(locale="ko-KR", viewport={"width": 1300, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            with serve_wsgi(demo_app(rt), port=port) as base:
                page.goto(f"{base}/login")
                page.fill("input[name=email]", info["email"])
                page.fill("input[name=password]", info["password"])
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/inbox/")

                # Facebook Login: our button, Meta's consent page, our page chooser.
                page.goto(f"{base}/admin/channels")
                page.click("form[action$='/oauth/facebook/start'] button")
                page.wait_for_url("**/sandbox/meta/**/dialog/oauth**")
                page.click("button[value=allow]")
                page.wait_for_url("**/admin/channels/oauth/facebook/callback**")
                assert page.is_checked(f"input[name=page][value='{LIVE['facebook']}']")
                assert page.is_checked(f"input[name=instagram][value='{LIVE['facebook']}']")
                page.click("form[action$='/oauth/facebook/pages'] button[type=submit]")
                page.wait_for_url(f"{base}/admin/channels")
                assert "seoul_supps_official" in page.content()

                # X: OAuth 2.0 with PKCE.
                page.click("form[action$='/oauth/x/start'] button")
                page.wait_for_url("**/sandbox/x/i/oauth2/authorize**")
                page.click("button[value=allow]")
                page.wait_for_url(f"{base}/admin/channels/*")

                connected = live_accounts(rt)
                assert set(connected) == {"facebook", "instagram", "x"}
                facebook = rt.vault.open(connected["facebook"].credentials)
                assert facebook["user_token"].startswith("sbx-user-long-")  # from the sign-in
                assert connected["instagram"].options["page_id"] == LIVE["facebook"]
                x = rt.vault.open(connected["x"].credentials)
                assert x["bearer_token"].startswith("sbx-x-access-") and x["refresh_token"]
                for account in connected.values():
                    assert check(rt, account.id).ok, account.channel

                # The channel page shows what /debug_token says about the page token.
                page.goto(f"{base}/admin/channels/{connected['facebook'].id}")
                assert "pages_messaging" in page.inner_text("table.token-debug")

                # The page connected this way receives a customer's DM.
                sent = requests.post(
                    f"{base}/sandbox/meta/_emu/customers/dm",
                    json={"text": "OAuth로 연결된 페이지에 문의", "name": "김데모"},
                    timeout=30,
                )
                assert sent.status_code == 200, sent.text
                deadline, account_id = time.time() + 60, None
                while time.time() < deadline and account_id is None:
                    rt.jobs.drain(1)
                    with rt.db.session() as s:
                        account_id = s.scalars(
                            select(Conversation.channel_account_id)
                            .join(Message, Message.conversation_id == Conversation.id)
                            .where(Message.text == "OAuth로 연결된 페이지에 문의")
                        ).first()
                    time.sleep(0.1)
                assert account_id == connected["facebook"].id
        finally:
            context.close()
