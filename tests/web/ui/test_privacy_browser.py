"""An admin exports a contact and erases it from the browser: the confirmation step refuses a
wrong number, the right one queues the erasure, the request list shows it done and the
thread keeps only empty messages (headless Chromium, PostgreSQL)."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from inbox.models import Contact, Message
from switchboard.runtime import Runtime
from tests.support.factory import Factory
from tests.web.ui.test_browser import base_url, page, ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url", "page"]


def test_admin_exports_then_erases_a_contact(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    factory = Factory(rt)
    conversation = factory.inbound(
        team_setup["a"], "지울 고객의 환불 문의", customer="c-erase", name="지울고객"
    )
    contact_id = conversation.contact_id
    sign_in(page, base_url, "admin@example.test")
    page.goto(f"{base_url}/inbox/c/{conversation.id}")
    ready(page)
    page.click("a.privacy-link")
    page.wait_for_url(f"**/admin/contacts/{contact_id}/privacy")
    assert "1" in page.inner_text("#privacy-counts")

    with page.expect_download() as download:
        page.click("#export-contact")
    archive = zipfile.ZipFile(download.value.path())
    document = json.loads(archive.read("contact.json"))
    assert document["contact"]["name"] == "지울고객"

    # A wrong number is refused: nothing is queued.
    page.fill("#erase-form input[name=confirm]", str(contact_id + 1000))
    page.click("#erase-form button[type=submit]")
    page.wait_for_url(f"**/admin/contacts/{contact_id}/privacy")
    assert page.locator(".flash-error").count() == 1
    page.fill("#erase-form input[name=confirm]", str(contact_id))
    page.click("#erase-form button[type=submit]")
    page.wait_for_url("**/admin/privacy")
    assert rt.jobs.drain()
    page.reload()
    row = page.locator("table.privacy-requests tr[data-request]")
    assert row.count() == 1
    assert row.locator(".request-status").inner_text().strip() == "done"
    with rt.db.session() as s:
        contact = s.get(Contact, contact_id)
        assert contact is not None and contact.name is None
        assert s.scalars(
            select(Message.text).where(Message.conversation_id == conversation.id)
        ).all() == [None]
    page.goto(f"{base_url}/admin/contacts/{contact_id}/privacy")
    assert page.locator("#already-erased").count() == 1
    assert page.locator("#erase-form").count() == 0
