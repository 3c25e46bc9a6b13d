"""A marketer in headless Chromium: compose, see the Korean X text refused with its count, fix
it, schedule it in Asia/Seoul time, and watch each target's status change live (SSE)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.fake import FakeConnector
from switchboard.runtime import Runtime
from tests.support.servers import serve_wsgi

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
LONG_KO = "🎁 연말 감사 대축제! 비타민, 유산균, 홍삼 전 품목 최대 40% 할인. " * 6


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_marketer_fixes_x_length_schedules_and_watches_statuses(
    page: Any, app: Any, rt: Runtime, factory: Any
) -> None:
    fb = factory.account("facebook")
    x = factory.account("x")
    factory.user("marketer", email="marketer@example.test", password=PASSWORD)
    with serve_wsgi(app) as base:
        page.goto(f"{base}/login?next=/announcements/new")
        page.fill("input[name=email]", "marketer@example.test")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/announcements/new")

        page.fill("#ann-text", LONG_KO)
        page.check(f'.ann-target[data-account="{fb.id}"] input[name=target]')
        page.check(f'.ann-target[data-account="{x.id}"] input[name=target]')
        x_box = page.locator(f'.ann-target[data-account="{x.id}"]')
        fb_box = page.locator(f'.ann-target[data-account="{fb.id}"]')
        x_errors = x_box.locator('[data-role="errors"]')
        x_errors.get_by_text(re.compile(r"X: 너무 깁니다, \d+/280")).wait_for()  # in Korean
        count = x_box.locator('[data-role="count"]').inner_text()
        over = int(count.split("/")[0])
        assert over > 280
        assert f"{over}/280" in x_errors.inner_text()
        assert fb_box.locator('[data-role="errors"] li').count() == 0
        assert "연말 감사 대축제" in fb_box.locator('[data-role="preview"]').inner_text()

        x_box.locator("summary").click()
        x_box.locator('[data-role="override"]').fill("🎁 연말 감사 대축제! 전 품목 최대 40% 할인")
        page.wait_for_function(
            "box => box.querySelectorAll('[data-role=errors] li').length === 0",
            arg=x_box.element_handle(),
        )
        fixed = int(x_box.locator('[data-role="count"]').inner_text().split("/")[0])
        assert fixed <= 280

        at = datetime.now(UTC) + timedelta(seconds=6)
        local = at.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%dT%H:%M:%S")
        page.fill("#ann-when", local)
        page.select_option("select[name=timezone]", "Asia/Seoul")
        page.click("#ann-schedule")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/announcements/\d+$"))
        rows = page.locator("[data-target-id]")
        assert rows.count() == 2
        scheduled = page.locator('[data-target-id] [data-role="status"].ann-status-scheduled')
        assert scheduled.count() == 2
        page.evaluate("window.__sameDocument = true")  # a reload would clear this

        page.locator('[data-target-id] [data-role="status"].ann-status-published').nth(1).wait_for()
        assert page.evaluate("window.__sameDocument") is True
        page.locator('#ann-status [data-role="status"].ann-status-done').wait_for()
    posts = {k: [p["request"].text for p in v] for k, v in FakeConnector.posts.items()}
    assert posts == {
        fb.external_id: [LONG_KO],
        x.external_id: ["🎁 연말 감사 대축제! 전 품목 최대 40% 할인"],
    }
