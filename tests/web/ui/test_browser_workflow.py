"""Team workflow in headless Chromium on PostgreSQL, in Korean and English: auto-assignment of
live sandbox DMs by the admin's policy and the agents' "On shift" box, an SLA breach turning
the row red and notifying the assignee live, and an admin's rule for Korean refund messages.

The inbox runs with the Meta sandbox mounted (as `switchboard demo` does): a customer DM goes
emulator → signed webhook → ingest job → after-commit automation job → an agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from inbox.channels import add_account
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.sla import ConversationSla
from inbox.sla import refresh
from inbox.sla import save_policy as save_sla_policy
from inbox.users import set_inboxes
from sandbox.meta import demo as meta_demo
from switchboard.runtime import Runtime
from tests.support.servers import free_port, serve_wsgi
from tests.web.ui.conftest import PASSWORD, inbound
from tests.web.ui.locales import BROWSER_LOCALE, LANGS, piece, speak, tr
from workers.automation import sla_tick

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

TIMEOUT_MS = 20_000
PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return meta_demo.settings(BASE)


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(meta_demo.mount(app, BASE), port=PORT) as url:
        yield url


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def browser_page(browser: Any, lang: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(
            locale=BROWSER_LOCALE[lang], viewport={"width": 1400, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def ready(page: Any) -> None:
    page.wait_for_selector("html[data-ready]", state="attached")


def sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/inbox/")
    ready(page)


def _messenger_inbox(rt: Runtime, member_ids: list[int]) -> int:
    spec = meta_demo.ACCOUNTS["facebook"]
    with rt.db.session() as s:
        account = add_account(
            s,
            channel="facebook",
            connector="facebook",
            name="서울서플 Messenger",
            external_id=spec["external_id"],
            sealed_credentials=rt.seal(spec["credentials"]),
            options=dict(spec["options"]),
        )
        for user_id in member_ids:
            from inbox.models import User

            user = s.get(User, user_id)
            assert user is not None
            set_inboxes(s, user, {account.id})
        return account.id


def _customer_dm(base_url: str, text: str, name: str) -> None:
    sent = requests.post(
        f"{base_url}{meta_demo.PREFIX}/_emu/customers/dm",
        json={"text": text, "name": name},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text


def _conversation_with(rt: Runtime, text: str) -> int | None:
    with rt.db.session() as s:
        return s.scalars(select(Message.conversation_id).where(Message.text == text)).first()


def test_live_sandbox_dms_go_to_the_on_shift_agent_with_capacity_and_then_wait(
    browser_page: Any, base_url: str, rt: Runtime, factory: Any, lang: str
) -> None:
    admin = factory.user("admin", email="admin@example.test", name="관리자")
    mina = factory.user("agent", email="mina@example.test", name="민아")
    joon = factory.user("agent", email="joon@example.test", name="준")
    outsider = factory.user("agent", email="sora@example.test", name="소라")  # not a member
    account_id = _messenger_inbox(rt, [mina.id, joon.id])
    from inbox.models import User
    from inbox.users import update_user

    with rt.db.session() as s:
        update_user(s, s.get(User, joon.id), actor_id=None, available=False)
    assert admin and outsider
    speak(rt, lang)
    auto = piece(lang, "Auto-assigned to %(whom)s (%(why)s; %(n)s of %(m)s open)")

    # The admin turns on round-robin with a capacity of one open conversation per agent.
    boss = browser_page()
    sign_in(boss, base_url, "admin@example.test")
    boss.goto(f"{base_url}/admin/assignment")
    form = boss.locator(f"section[data-inbox='{account_id}'] form")
    form.locator("input[name=enabled]").check()
    form.locator("input[name=capacity]").fill("1")
    form.locator("button[type=submit]").click()
    boss.wait_for_selector(".flash-ok")

    # A customer writes on Messenger (the sandbox): it reaches Mina, the only one on shift.
    _customer_dm(base_url, "환불 문의드려요. 주문번호 2026120500123", "이서연")
    agent = browser_page()
    sign_in(agent, base_url, "mina@example.test")
    agent.wait_for_selector(".conv-row .assignee >> text=민아")
    agent.click(".conv-row >> nth=0")
    agent.wait_for_selector(f".event >> text={auto}")
    assert tr(lang, "round-robin") in agent.locator(".event").all_inner_texts()[-1]

    # A second customer: Mina is at capacity and Joon is off shift, so it waits in the queue.
    _customer_dm(base_url, "배송 언제 와요?", "박지훈")
    agent.goto(f"{base_url}/inbox/?assignee=none")
    agent.wait_for_selector(".conv-row .assignee.none")
    boss.goto(f"{base_url}/admin/assignment")
    assert boss.locator(f"section[data-inbox='{account_id}'] .queue-count").inner_text() == "1"
    second = _conversation_with(rt, "배송 언제 와요?")
    assert second is not None

    # Joon ticks "On shift" on his profile: the waiting conversation is his at once.
    joon_page = browser_page()
    sign_in(joon_page, base_url, "joon@example.test")
    joon_page.goto(f"{base_url}/profile")
    joon_page.check("input[name=available]")
    joon_page.click("main form.stack button[type=submit]")
    joon_page.wait_for_selector(".flash-ok")
    joon_page.goto(f"{base_url}/inbox/c/{second}")
    joon_page.wait_for_selector(f".event >> text={auto}")
    with rt.db.session() as s:
        assert s.get(Conversation, second).assignee_id == joon.id
        assigned = set(
            s.scalars(
                select(Conversation.assignee_id).where(
                    Conversation.channel_account_id == account_id
                )
            )
        )
        assert outsider.id not in assigned
        assert s.get(ChannelAccount, account_id) is not None


def test_sla_breach_turns_the_row_red_and_notifies_the_assignee_live(
    browser_page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    from inbox.conversations import Change, apply_change
    from inbox.models import User

    with rt.db.session() as s:
        save_sla_policy(
            s,
            name="표준",
            priority="any",
            account_id=None,
            first_response_minutes=60,
            next_response_minutes=None,
            resolution_minutes=None,
            actor_id=None,
        )
    calm = inbound(rt, team_setup["a"], "여유 있는 문의", customer="calm")
    late = inbound(rt, team_setup["a"], "오래 기다린 문의", customer="late", name="최유진")
    with rt.db.session() as s:  # Mina took it herself: the breach is hers to hear about
        conversation, mina = s.get(Conversation, late.id), s.get(User, team_setup["agent"].id)
        assert conversation is not None and mina is not None
        apply_change(s, conversation, Change(assignee_id=mina.id), actor=mina)
    rt.jobs.drain()
    speak(rt, lang)
    page = browser_page()
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/?sort=sla")
    ready(page)
    page.wait_for_selector("#live-state.on")
    assert page.locator(f".conv-row[data-id='{late.id}'] .sla-ok").count() == 1
    assert page.locator(".conv-row.sla-breached").count() == 0
    assert page.locator("#bell-count").is_hidden()
    with rt.db.session() as s:  # as if the customer had written two hours earlier
        conversation = s.get(Conversation, late.id)
        assert conversation is not None and s.get(ConversationSla, late.id) is not None
        conversation.created_at -= timedelta(hours=2)
        refresh(s, [conversation])
    assert sla_tick()["breaches"] == 1  # what the sweeper does every pass

    # Live, without a reload: the row turns red and Mina's bell counts the breach.
    row = page.locator(f".conv-row.sla-breached[data-id='{late.id}']")
    row.wait_for()
    page.wait_for_selector("#bell-count:not([hidden]) >> text=1")
    assert piece(lang, "SLA breached %(time)s ago") in row.inner_text()
    colour = row.locator(".sla").evaluate("e => getComputedStyle(e).color")
    assert colour.replace(" ", "") == "rgb(198,40,40)"  # --danger
    assert page.locator(".conv-row").first.get_attribute("data-id") == str(late.id)
    assert page.locator(f".conv-row[data-id='{calm.id}'].sla-breached").count() == 0

    # The notification centre names the breach and leads to the conversation.
    page.click("#bell")
    item = page.locator(".notification.unread").first
    item.wait_for()
    assert tr(lang, "SLA breached") in item.inner_text()
    assert "최유진" in item.inner_text()
    item.locator("a").click()
    page.wait_for_url(f"**/inbox/c/{late.id}")
    ready(page)
    due = tr(lang, "SLA breached: %(target)s was due %(at)s", target="\x00", at="")
    event = due.split("\x00")[0] + tr(lang, "first response")
    page.wait_for_selector(f".event >> text={event}")
    assert tr(lang, "first response") in page.locator("#conv-sla[data-sla=breached]").inner_text()
    assert page.locator("#bell-count").is_hidden()  # read by opening it


def test_admin_builds_a_rule_that_labels_and_assigns_a_korean_refund_dm(
    browser_page: Any, base_url: str, rt: Runtime, factory: Any, lang: str
) -> None:
    from inbox.teams import save_team

    factory.user("admin", email="admin@example.test", name="관리자")
    refunds = factory.user("agent", email="refund@example.test", name="환불담당 지수")
    other = factory.user("agent", email="mina@example.test", name="민아")
    _messenger_inbox(rt, [refunds.id, other.id])
    with rt.db.session() as s:
        team_id = save_team(s, name="환불팀", member_ids={refunds.id}, actor_id=None).id
    speak(rt, lang)

    boss = browser_page()
    sign_in(boss, base_url, "admin@example.test")
    boss.goto(f"{base_url}/admin/rules")
    form = boss.locator("form[data-rule='new']")
    form.locator("input[name=name]").fill("한국어 환불 문의")
    form.locator("select[name=trigger]").select_option("customer_message")
    form.locator("select[name=c0_field]").select_option("text")
    form.locator("select[name=c0_op]").select_option("contains")
    form.locator("input[name=c0_value]").fill("환불|반품")
    form.locator("select[name=c1_field]").select_option("language")
    form.locator("select[name=c1_op]").select_option("in")
    form.locator("input[name=c1_value]").fill("ko")
    form.locator("select[name=a0_type]").select_option("add_label")
    form.locator("input[name=a0_value]").fill("환불")
    form.locator("select[name=a1_type]").select_option("assign_team")
    form.locator("input[name=a1_value]").fill(str(team_id))
    form.locator("select[name=a2_type]").select_option("assign_agent")
    form.locator("input[name=a2_value]").fill(str(refunds.id))
    form.locator("button.primary").click()
    boss.wait_for_selector(".flash-ok")
    assert boss.locator("form.rule-form h2 >> text=한국어 환불 문의").count() == 1

    _customer_dm(base_url, "환불하고 싶어요. 상품이 파손돼서 왔어요", "이서연")
    _customer_dm(base_url, "Can I get a refund?", "Alex")
    agent = browser_page()
    sign_in(agent, base_url, "refund@example.test")
    row = agent.locator(".conv-row", has_text="파손")
    row.locator(".assignee >> text=환불담당 지수").wait_for()
    assert "환불" in row.locator(".row3").inner_text()
    row.locator("a").click()
    fired = agent.locator(".event", has_text="한국어 환불 문의").first
    fired.wait_for(state="attached")
    ran = tr(lang, "Rule “%(rule)s” ran: %(done)s", rule="한국어 환불 문의", done="")
    assert ran.rstrip(": ") in fired.inner_text()
    english = _conversation_with(rt, "Can I get a refund?")
    with rt.db.session() as s:
        assert english is not None
        untouched = s.get(Conversation, english)
        assert untouched is not None and untouched.labels == [] and untouched.team_id is None
