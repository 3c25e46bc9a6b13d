"""Every page of the UI in Korean shows no English left untranslated (issue 21).

Two nets. The catalogue: the message ids extracted from the code now are the committed
template's (so a new `_('...')` cannot skip extraction) and each has a Korean translation
(test_i18n.py). The pages: every GET route of the UI's blueprints is visited as an admin in
Korean (routes are read from the app's URL map, so a new page is visited or named in SKIPPED
with a reason), plus the sign-in, help and error pages; the text a person reads (text nodes,
title, aria-label, placeholder, alt, button values, confirm prompts) must contain no English
word outside the few names and codes in ALLOWED. Text inside `translate="no"` (the HTML
standard's marker for names, addresses, codes), <code>/<kbd>/<samp>, typed text (textarea) and
the seeded data are not UI strings.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import url_for
from sqlalchemy import select

from connectors.base import ConversationKind
from inbox.announcements import Draft, create
from inbox.canned import save_canned
from inbox.channels import add_account
from inbox.conversations import Change, apply_change
from inbox.faq.models import FaqArticle
from inbox.faq.service import seed_default_articles
from inbox.models import ChannelAccount, Conversation, Message, User
from inbox.outgoing_webhooks import create_subscription
from inbox.rules import run_for_events, save_rule
from inbox.users import create_user, set_inboxes
from switchboard.runtime import Runtime
from tests.web.ui.conftest import PASSWORD, csrf_of, inbound, login

ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = ROOT / "web" / "translations"
UI_BLUEPRINTS = (
    "auth",
    "inbox",
    "admin",
    "notifications",
    "reports",
    "announcements",
    "help",
    "privacy",
)
# Routes that are not pages for people (or cannot be opened without a platform), with why.
SKIPPED = {
    "inbox.attachment": "a file download",
    "announcement_media.image": "an image",
    "admin.export_contact_zip": "a zip download",
    "admin.oauth_callback": "answers the platform's OAuth redirect",
    "live.stream": "the event stream",
    "announcements.live": "the event stream",
}
# Words that stay as they are in the Korean UI: product and platform names, key names, file
# formats, and the language switch's own name for English.
ALLOWED = {
    "Switchboard",
    "Facebook",
    "Instagram",
    "Messenger",
    "WhatsApp",
    "Meta",
    "OAuth",
    "English",
    "Enter",
    "Esc",
    "Ctrl",
    "Tab",
    "Shift",
    "zip",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
# Not words: addresses, URLs and paths, ACRONYMS, dotted or underscored names, time zones
# (Asia/Seoul), header-like names (X-Switchboard-Signature), {{variables}}, and a parenthesised
# list of lowercase codes an admin types into a rule ("(dm, comment, email)", "(open/closed)").
NOT_WORDS = re.compile(
    r"[\w.+-]+@[\w.-]+|https?://\S*|\{\{\s*\w+\s*\}\}|[A-Z][a-z]+/[A-Za-z_/]+"
    r"|(?<![\w/])/[\w/.{}<>:-]*|(?<![A-Za-z])[A-Z0-9_]{2,}(?![a-z])"
    r"|\b\w+[._]\w+\b|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+"
    r"|\((?:[a-z_]+(?:, |/))+[a-z_]+\)|\b(?:mon|tue|wed|thu|fri|sat|sun)\b"
)
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")


class _Texts(HTMLParser):
    """The words a person reads on a page, minus scripts, styles and translate="no"."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: is its content excluded?

    def _excluded(self) -> bool:
        return bool(self._stack and self._stack[-1])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        excluded = (
            self._excluded()
            or tag in ("script", "style", "template")
            or tag in ("textarea", "code", "kbd", "samp")  # what was typed; identifiers, keys
            or values.get("translate") == "no"
            or values.get("lang") not in (None, "ko")  # marked as another language on purpose
        )
        if not excluded:
            for name in SHOWN_ATTRIBUTES:
                if values.get(name):
                    self.texts.append(str(values[name]))
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.texts.append(str(values["value"]))
        if tag not in self.VOID:
            self._stack.append(excluded)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._excluded():
            self.texts.append(data.strip())


def english_left(html: str, data: set[str]) -> list[str]:
    """Texts on the page with an English word that is neither allowed nor seeded data."""
    parser = _Texts()
    parser.feed(html)
    found = []
    for text in parser.texts:
        cleaned = NOT_WORDS.sub(" ", text)
        for known in data:
            cleaned = cleaned.replace(known, " ")
        words = [w for w in WORD.findall(cleaned) if w not in ALLOWED]
        if words:
            found.append(text)
    return found


@pytest.fixture
def seeded(rt: Runtime) -> dict[str, Any]:
    """One of each thing the pages show, with Korean names (data is not a UI string)."""
    with rt.db.session() as session:
        accounts = {}
        for slug, name in (
            ("facebook", "공식 페이지"),
            ("instagram", "공식 인스타"),
            ("x", "공식 엑스"),
        ):
            accounts[slug] = add_account(
                session,
                channel=slug,
                connector="fake",
                name=name,
                external_id=f"acct-{slug}",
                sealed_credentials=rt.seal({}),
                options={},
            )
        admin, _ = create_user(
            session, email="boss@example.test", role="admin", name="관리자", password=PASSWORD
        )
        agent, _ = create_user(
            session, email="mina@example.test", role="agent", name="민아", password=PASSWORD
        )
        set_inboxes(session, agent, {a.id for a in accounts.values()})
        set_inboxes(session, admin, {a.id for a in accounts.values()})
        save_canned(session, shortcut="사과", title="사과", body="불편을 드려 죄송합니다.")
        seed_default_articles(session)
        subscription, _ = create_subscription(
            session,
            rt.vault,
            name="주문 시스템",
            url="http://127.0.0.1:9/switchboard",  # never called: no CSAT arrives here
            event_types=["csat.received"],
            actor=None,
        )
        ids = {"subscription": subscription.id, "admin": admin.id}
    with rt.db.session() as session:  # a rule's summary and a category change in the thread
        save_rule(
            session,
            name="배송 문의 분류",
            trigger="customer_message",
            conditions=[{"field": "text", "op": "contains", "value": "배송"}],
            actions=[
                {"type": "set_priority", "value": "high"},
                {"type": "set_category", "value": "shipping-time"},
                {"type": "note", "value": "배송 문의"},
            ],
            actor_id=None,
        )
    conversation = inbound(rt, accounts["facebook"], "배송 언제 오나요?", customer="c1")
    with rt.db.session() as session:
        message_id = session.scalars(
            select(Message.id).where(
                Message.conversation_id == conversation.id, Message.direction == "inbound"
            )
        ).one()
        run_for_events(
            session,
            [
                {
                    "topic": "message.created",
                    "conversation_id": conversation.id,
                    "message_id": message_id,
                    "direction": "inbound",
                }
            ],
        )
        fresh = session.get(Conversation, conversation.id)
        assert fresh is not None
        apply_change(session, fresh, Change(category="refund-return"), actor=None)
    inbound(
        rt,
        accounts["instagram"],
        "색상 문의",
        customer="c2",
        name="이서연",
        kind=ConversationKind.COMMENT,
    )
    with rt.db.session() as session:
        author = session.get(User, ids["admin"])
        draft = Draft(
            text="연말 감사 세일", targets={accounts["facebook"].id: None}, title="연말 공지"
        )
        announcement = create(session, author, draft, store=rt.store)
        ids["announcement"] = announcement.id
        faq_slug = session.scalars(select(FaqArticle.slug).order_by(FaqArticle.id).limit(1)).one()
    return {
        "accounts": accounts,
        "conversation": conversation,
        "ids": ids,
        "faq": faq_slug,
    }


def _arguments(seeded: dict[str, Any]) -> dict[str, dict[str, Any]]:
    account: ChannelAccount = seeded["accounts"]["facebook"]
    conversation = seeded["conversation"]
    return {
        "account_id": {"*": account.id},
        "conversation_id": {"*": conversation.id},
        "contact_id": {"*": conversation.contact_id},
        "announcement_id": {"*": seeded["ids"]["announcement"]},
        "subscription_id": {"*": seeded["ids"]["subscription"]},
        "notification_id": {"*": 999_999},  # none exists: the 404 page is checked instead
        "code": {"*": "nothing-like-this"},  # an unknown deletion code: the 404 page
        "slug": {"admin.connect_channel": "facebook", "admin.faq_edit": seeded["faq"]},
    }


def _pages(app: Any, seeded: dict[str, Any]) -> list[str]:
    arguments = _arguments(seeded)
    urls, unknown = [], []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.split(".")[0]
            if "GET" not in (rule.methods or ()) or blueprint not in UI_BLUEPRINTS:
                continue
            if rule.endpoint in SKIPPED:
                continue
            values = {}
            for name in rule.arguments:
                choices = arguments.get(name, {})
                value = choices.get(rule.endpoint, choices.get("*"))
                if value is None:
                    unknown.append(f"{rule.endpoint}: {name}")
                values[name] = value
            urls.append(url_for(rule.endpoint, **values))
    assert unknown == [], "give these route arguments a value (or a reason in SKIPPED)"
    return sorted(set(urls))


def _read(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url, follow_redirects=True)
    if response.mimetype != "text/html":
        response.close()
        return response.status_code, ""
    return response.status_code, response.get_data(as_text=True)


DATA = {
    "boss@example.test",
    "mina@example.test",
    "fake",  # the test connector's slug, shown in the admin's connector column
    "seed",  # the note on the seeded FAQ articles' first version
    "acct-facebook",  # the accounts' external ids (the platforms' own ids)
    "acct-instagram",
    "acct-x",
}


def test_every_page_in_korean_has_no_english_left(
    app: Any, rt: Runtime, seeded: dict[str, Any]
) -> None:
    client = app.test_client()
    problems: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}

    def visit(url: str) -> None:
        status, html = _read(client, url)
        statuses[url] = status
        if html:
            assert "<html" not in html or '<html lang="ko">' in html, url
            left = english_left(html, DATA)
            if left:
                problems[url] = left

    for url in ("/login", "/help", "/inbox/c/1", "/no/such/page"):
        visit(url)  # signed out: the sign-in page, help, the redirect to sign-in, a 404
    login(client, "boss@example.test")
    pages = _pages(app, seeded)
    assert len(pages) > 30
    for url in pages:
        visit(url)
    visit("/no/such/page")
    thread = client.get(f"/inbox/c/{seeded['conversation'].id}").get_data(as_text=True)
    assert "규칙 “배송 문의 분류” 실행: 우선순위 높음; 분류 배송 기간" in thread
    assert "분류: 반품·환불 · 시스템" in thread
    visit(f"/inbox/c/{seeded['conversation'].id + 1000}")  # 404 for a signed-in agent
    # A refused compose form: the per-platform errors and warnings beside their targets.
    compose = client.get("/announcements/new").get_data(as_text=True)
    refused = client.post(
        "/announcements/new",
        data={
            "csrf_token": csrf_of(compose),
            "text": "세일 " * 200 + "#a " * 40,
            "link": "https://shop.example.test/sale",
            "target": [str(a.id) for a in seeded["accounts"].values()],
            "action": "now",
        },
    )
    assert refused.status_code == 422
    left = english_left(refused.get_data(as_text=True), DATA)
    if left:
        problems["POST /announcements/new"] = left
    # A refusal from the domain (inbox/replies.py) flashed in the thread, in Korean.
    thread_url = f"/inbox/c/{seeded['conversation'].id}"
    empty = client.post(
        f"{thread_url}/reply",
        data={"csrf_token": csrf_of(client.get(thread_url).get_data(as_text=True)), "text": " "},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "메시지가 비어 있습니다" in empty
    left = english_left(empty, DATA)
    if left:
        problems["POST an empty reply"] = left
    # An agent on an admin page: the 403 page; a form posted without its token: the 400 page.
    agent = app.test_client()
    login(agent, "mina@example.test")
    for url, expected in (("/admin/agents", 403), ("/reports/", 403)):
        response = agent.get(url)
        assert response.status_code == expected
        left = english_left(response.get_data(as_text=True), DATA)
        if left:
            problems[f"agent {url}"] = left
    expired = agent.post("/profile", data={"name": "민아"})
    assert expired.status_code == 400
    left = english_left(expired.get_data(as_text=True), DATA)
    if left:
        problems["POST /profile without its token"] = left
    broken = {url: status for url, status in statuses.items() if status not in (200, 404)}
    assert broken == {}
    assert problems == {}, "\n".join(f"{url}: {left}" for url, left in problems.items())


def test_refusals_reach_the_korean_ui_in_korean(
    app: Any, rt: Runtime, seeded: dict[str, Any]
) -> None:
    """The domain's refusals (inbox/: bulk, saved views, the sidebar's changes, moderation)
    are flashed in the agent's language, not in the English the REST API and logs keep."""
    client = app.test_client()
    login(client, "boss@example.test")
    thread = f"/inbox/c/{seeded['conversation'].id}"
    with rt.db.session() as session:
        first = session.scalars(
            select(Message.id).where(Message.conversation_id == seeded["conversation"].id)
        ).first()
    refusals = (
        ("/inbox/bulk", {"status": "resolved"}, "대화를 하나 이상 고르세요"),
        ("/inbox/views", {"name": " "}, "저장할 보기의 이름을 적으세요"),
        (f"{thread}/update", {"team": "99999", "back": thread}, "그 팀이 없습니다"),
        (f"{thread}/update", {"assignee": "99999", "back": thread}, "그 상담원이 없거나"),
        (f"/inbox/messages/{first}/moderate", {"action": "hide"}, "고객의 댓글만"),
    )
    problems = {}
    for url, form, korean in refusals:
        token = csrf_of(client.get(thread).get_data(as_text=True))
        page = client.post(url, data={**form, "csrf_token": token}, follow_redirects=True)
        html = page.get_data(as_text=True)
        assert korean in html, url
        left = english_left(html, DATA)
        if left:
            problems[f"POST {url} {form}"] = left
    assert problems == {}, "\n".join(f"{url}: {left}" for url, left in problems.items())


def test_the_catalogue_template_is_up_to_date(tmp_path: Path) -> None:
    """A string wrapped in `_()` but never extracted would show in English: extract again and
    compare the message ids with the committed template."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def ids(path: Path) -> set[str]:
        with path.open("rb") as handle:
            return {str(m.id) for m in read_po(handle) if m.id}

    committed = ids(TRANSLATIONS / "messages.pot")
    assert sorted(ids(fresh) - committed) == [], "re-extract (web/translations/README.md)"
    assert sorted(committed - ids(fresh)) == [], "re-extract (web/translations/README.md)"


def test_every_template_and_ui_module_is_extracted() -> None:
    """babel.cfg covers every template folder and every web module that translates."""
    config = (TRANSLATIONS / "babel.cfg").read_text()
    for folder in sorted((ROOT / "web" / "templates").iterdir()):
        if folder.name in ("chat",):  # the widget's demo shop: the customer's page, not the UI
            continue
        assert f"web/templates/{folder.name}/**.html" in config, folder.name
    for module in sorted((ROOT / "web").rglob("*.py")):
        source = module.read_text()
        if "gettext" not in source and "from web.ui.text import _" not in source:
            continue
        relative = module.relative_to(ROOT).as_posix()
        covered = relative in config or any(
            relative.startswith(line.split(": ")[1].rstrip("]").replace("**.py", ""))
            for line in config.splitlines()
            if line.startswith("[python: ") and "**" in line
        )
        assert covered, relative


def test_lang_switches_for_the_session_even_when_signed_in(
    app: Any, rt: Runtime, seeded: dict[str, Any]
) -> None:
    client = app.test_client()
    assert '<html lang="en">' in client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)  # remembered
    login(client, "boss@example.test")  # the profile says Korean; the session's choice stays
    assert '<html lang="en">' in client.get("/inbox/").get_data(as_text=True)
    assert '<html lang="ko">' in client.get("/inbox/?lang=ko").get_data(as_text=True)
    assert '<html lang="ko">' in client.get("/reports/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/reports/?lang=en").get_data(as_text=True)
    page = client.get("/profile").get_data(as_text=True)
    client.post(  # saving the profile makes its language the choice again
        "/profile",
        data={
            "csrf_token": csrf_of(page),
            "name": "관리자",
            "locale": "ko",
            "timezone": "Asia/Seoul",
            "available": "1",
        },
    )
    assert '<html lang="ko">' in client.get("/inbox/").get_data(as_text=True)
