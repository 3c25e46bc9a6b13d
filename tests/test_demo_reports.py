"""The demo's weeks of history make the reports page show real figures, in Chromium, under
the strict CSP (no inline style or script: a violation would show in the console)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cli.demo import demo_app, prepare
from switchboard.settings import Settings
from tests.support.servers import serve_wsgi

pytestmark = pytest.mark.browser


def test_demo_reports_show_weeks_of_figures(tmp_path: Any, monkeypatch: Any, browser: Any) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.load(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        }
    )
    info = prepare(settings=settings)
    rt = info["runtime"]
    try:
        with serve_wsgi(demo_app(rt)) as base:
            context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/login")
            page.fill("input[name=email]", info["email"])
            page.fill("input[name=password]", info["password"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/inbox/")
            page.click("#nav-reports")
            page.wait_for_selector("#kpis")
            volume = int(page.inner_text("#kpi-volume strong"))
            assert volume > 150  # five weeks of history inside the default four weeks
            for kpi in ("frt", "nrt", "resolution", "csat", "reopen", "deflection"):
                assert page.inner_text(f"#kpi-{kpi} strong") != "—", kpi
            csat = float(page.inner_text("#kpi-csat strong"))
            assert 1.0 <= csat <= 5.0
            days = page.locator(".chart-days rect.bar")
            assert days.count() == 28
            heights = [float(days.nth(i).get_attribute("height") or 0) for i in range(28)]
            assert sum(h > 0 for h in heights) >= 20 and len(set(heights)) > 5
            assert page.locator("#by-agent tbody tr").count() >= 2
            assert page.locator("#reasons tbody tr").count() >= 3
            fill = page.eval_on_selector(".chart-days rect.bar", "e => getComputedStyle(e).fill")
            assert re.match(r"rgb\(59, 111, 216\)", fill), fill  # app.css applied, not blocked
            with page.expect_download() as download:
                page.click("a.export >> text=agents.csv")
            assert download.value.suggested_filename.startswith("switchboard-agents-")
            assert not [p for p in problems if "Content Security Policy" in p], problems
            context.close()
    finally:
        rt.close()
