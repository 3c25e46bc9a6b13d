"""Pages read each channel from its declaration (connectors/<slug>/channel.py), never a slug list.

A channel added to the registry shows up with its badge colours, its connect link, its name
in both languages and its composer rules without a template or stylesheet being edited.
"""

from __future__ import annotations

from typing import Any

from connectors import CHANNELS
from connectors.base import ConversationKind
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound, login


def test_badge_colours_are_served_from_the_declarations(client: Any) -> None:
    response = client.get("/channels.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    for slug, declared in CHANNELS.items():
        badge = declared.badge
        assert f".chan-{slug} {{ background: {badge.background}; color: {badge.text}; }}" in css
        assert f".ann-channel-{slug} {{ background: {badge.brand or badge.text}; }}" in css
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    again = client.get("/channels.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_admin_page_offers_every_declared_channel_in_both_languages(
    client: Any, rt: Runtime, factory: Any
) -> None:
    admin = factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")
    korean = client.get("/admin/channels").get_data(as_text=True)
    for slug, declared in CHANNELS.items():
        assert f'href="/admin/channels/new/{slug}">{declared.names["ko"]}</a>' in korean
    with rt.db.session() as session:
        from inbox.users import update_user

        user = session.get(type(admin), admin.id)
        update_user(session, user, actor_id=None, locale="en", timezone="UTC")
    english = client.get("/admin/channels").get_data(as_text=True)
    assert f'href="/admin/channels/new/email">{CHANNELS["email"].names["en"]}</a>' in english


def test_composer_follows_the_declared_capabilities_and_limits(
    client: Any, rt: Runtime, factory: Any
) -> None:
    facebook = factory.account("facebook")
    x = factory.account("x")
    email = factory.account("email")
    factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")

    def page(account: Any, kind: ConversationKind) -> str:
        conversation = inbound(rt, account, "문의", customer=f"c-{account.id}-{kind}", kind=kind)
        return str(client.get(f"/inbox/c/{conversation.id}").get_data(as_text=True))

    comment = page(facebook, ConversationKind.COMMENT)
    assert 'name="private_reply"' in comment  # Capability.PRIVATE_REPLY
    assert 'id="reply-counter"' not in comment
    mention = page(x, ConversationKind.MENTION)
    assert 'data-counter="weighted" data-limit="280"' in mention and 'id="reply-counter"' in mention
    assert 'name="private_reply"' not in mention
    assert 'id="reply-counter"' not in page(x, ConversationKind.DM)
    assert 'name="private_reply"' not in page(email, ConversationKind.COMMENT)
