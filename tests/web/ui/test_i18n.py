"""Korean and English UI, per-agent language and time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from inbox.models import User
from inbox.users import update_user
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound, login

TRANSLATIONS = Path(__file__).resolve().parents[3] / "web" / "translations"


def test_every_message_has_a_korean_translation() -> None:
    with (TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in template if m.id and not (catalog.get(m.id) and catalog[m.id].string)]
    assert missing == []
    with (TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    stale = [m.id for m in catalog if m.id and compiled.get(m.id) is None]
    assert stale == [], "run pybabel compile (see web/translations/README.md)"


def test_korean_by_default_english_by_profile(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    login(client, "mina@example.test")
    korean = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert '<html lang="ko">' in korean and "내부 메모" in korean and "해결" in korean
    with rt.db.session() as session:
        user = session.get(User, team_setup["agent"].id)
        assert user is not None
        update_user(session, user, actor_id=None, locale="en", timezone="UTC")
    english = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert (
        '<html lang="en">' in english and "Private note" in english and "내부 메모" not in english
    )


def test_times_are_shown_in_the_agents_zone(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    with rt.db.session() as session:
        from inbox.models import Message

        message = session.query(Message).filter_by(conversation_id=conv.id).one()
        message.created_at = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)
    login(client, "mina@example.test")
    assert "2026-01-03 00:30" in client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    with rt.db.session() as session:
        user = session.get(User, team_setup["agent"].id)
        assert user is not None
        update_user(session, user, actor_id=None, timezone="America/Los_Angeles")
    assert "2026-01-02 07:30" in client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)


def test_profile_changes_language(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    login(client, "mina@example.test")
    page = client.get("/profile").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/profile",
        data={
            "csrf_token": token,
            "name": "Mina",
            "locale": "en",
            "timezone": "UTC",
            "available": "1",
        },
    )
    assert "Sign out" in client.get("/inbox/").get_data(as_text=True)
