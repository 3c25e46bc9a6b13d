"""Comment moderation and the lookups after ingest, end to end against the Meta emulator.

The web app is served on loopback, the emulator delivers signed webhooks to it, the real jobs
call the emulator, and the emulator's request log is checked for the exact calls: one
`POST /{comment-id}` with `is_hidden` (Facebook) or `hide` (Instagram), one `DELETE`, one
`GET /{PSID}?fields=first_name,last_name,profile_pic`, one caption read per post.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from inbox.models import AuditLog, Contact, ContactIdentity, Conversation, Message
from inbox.models.moderation import CommentModeration
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import Sandbox
from tests.connectors.facebook.test_flow import World
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import csrf_of, login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    return sandbox.settings(META_VERIFY_TOKEN="verify-me")


class Moderating(World):
    def __init__(self, rt: Runtime, sandbox: Sandbox, client: Any, factory: Any) -> None:
        super().__init__(rt, sandbox, client, factory)
        admin = factory.user("admin")
        self.admin_auth = {"Authorization": f"Bearer {factory.token(admin)}"}
        self.minji = factory.user(
            "agent", inboxes=[self.page.id, self.ig.id], email="minji@example.test", name="민지"
        )

    def comment(self, platform: str, customer: str, text: str, **extra: Any) -> tuple[int, str]:
        """A customer comment, ingested; (message id, comment id)."""
        made = self.sandbox.emu(
            "customers/comment", platform=platform, customer_id=customer, text=text, **extra
        )
        self.settle()
        with self.rt.db.session() as s:
            message_id = s.scalar(
                select(Message.id).where(Message.external_id == made["comment_id"])
            )
        assert message_id is not None
        return message_id, str(made["comment_id"])

    def moderate(self, message_id: int, action: str, *, admin: bool = False) -> Any:
        return self.client.post(
            f"/api/v1/messages/{message_id}/moderation",
            json={"action": action},
            headers=self.admin_auth if admin else self.auth,
        )

    def state(self, message_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/messages/{message_id}/moderation", headers=self.auth)
        assert response.status_code == 200
        return dict(response.get_json())

    def contact_of(self, account_id: int, customer: str) -> Contact:
        conversation = self.conversation(self.account(account_id), customer)
        with self.rt.db.session() as s:
            contact = s.get(Contact, conversation.contact_id)
            assert contact is not None
            s.expunge(contact)
            return contact


@pytest.fixture
def world(
    rt: Runtime, app: Any, client: Any, factory: Any, sandbox: Sandbox
) -> Iterator[Moderating]:
    w = Moderating(rt, sandbox, client, factory)
    with serve_wsgi(app) as url:
        sandbox.emu("webhooks/config", url=f"{url}/webhooks/meta")
        yield w


# -- moderation ---------------------------------------------------------------------------------


@BOTH
def test_agent_hides_a_facebook_comment_once_and_it_is_audited(world: Moderating) -> None:
    message_id, comment_id = world.comment("facebook", "6100000000000001", "광고입니다 싸게 팔아요")
    world.sandbox.clear_requests()

    asked = world.moderate(message_id, "hide")
    assert asked.status_code == 202
    assert asked.get_json()["status"] == "pending"
    world.settle()

    calls = world.sandbox.requests(path=f"/{comment_id}")
    assert [(c["method"], c["json"]) for c in calls] == [("POST", {"is_hidden": True})]
    state = world.state(message_id)
    assert state["state"] == "hidden"
    assert [r["status"] for r in state["requests"]] == ["done"]
    # Idempotent: asking again answers with the request that hid it; the platform is not called.
    again = world.moderate(message_id, "hide")
    assert again.status_code == 200 and again.get_json()["id"] == asked.get_json()["id"]
    world.settle()
    assert len(world.sandbox.requests(path=f"/{comment_id}")) == 1
    with world.rt.db.session() as s:
        (entry,) = s.scalars(select(AuditLog).where(AuditLog.action == "comment.hide")).all()
        assert entry.detail["external_id"] == comment_id
        assert entry.detail["outcome"] == "done"
        assert entry.actor_user_id is not None

    shown = world.moderate(message_id, "unhide")
    assert shown.status_code == 202
    world.settle()
    calls = world.sandbox.requests(path=f"/{comment_id}")
    assert [(c["method"], c["json"]) for c in calls] == [
        ("POST", {"is_hidden": True}),
        ("POST", {"is_hidden": False}),
    ]
    assert world.state(message_id)["state"] == "visible"


@BOTH
def test_instagram_hide_and_admin_only_delete(world: Moderating) -> None:
    message_id, comment_id = world.comment("instagram", "5300000000000001", "스팸 링크")
    world.sandbox.clear_requests()
    assert world.moderate(message_id, "hide").status_code == 202
    world.settle()
    # An agent may hide but not delete: deleting removes the customer's words for good.
    refused = world.moderate(message_id, "delete")
    assert refused.status_code == 403
    assert world.moderate(message_id, "delete", admin=True).status_code == 202
    world.settle()

    calls = world.sandbox.requests(path=f"/{comment_id}")
    assert [(c["method"], c["json"]) for c in calls] == [
        ("POST", {"hide": True}),
        ("DELETE", None),
    ]
    assert world.state(message_id)["state"] == "deleted"
    deleted_again = world.moderate(message_id, "hide")
    assert deleted_again.status_code == 422
    spec = world.client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"]["/messages/{id}/moderation"]
    assert set(operations) >= {"get", "post"}
    assert {"200", "202", "403", "409", "422"} <= set(operations["post"]["responses"])


@BOTH
def test_platform_refusal_is_recorded_and_shown(world: Moderating) -> None:
    message_id, comment_id = world.comment("facebook", "6100000000000002", "나쁜 댓글")
    world.sandbox.emu(
        "fail",
        code=200,
        message="(#200) Requires pages_manage_engagement permission",
        path_contains=comment_id,
    )
    assert world.moderate(message_id, "hide").status_code == 202
    world.settle()

    state = world.state(message_id)
    assert state["state"] == "visible"
    (request,) = state["requests"]
    assert request["status"] == "failed"
    assert "pages_manage_engagement" in request["failure_reason"]
    with world.rt.db.session() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "comment.hide")).one()
        assert audit.detail["outcome"] == "failed"
    # The thread shows the refusal and offers the button again.
    page = _thread_page(world, message_id)
    assert "pages_manage_engagement" in page
    assert 'data-moderate="hide"' in page


@BOTH
def test_hiding_from_the_thread_needs_csrf_and_shows_who_did_it(world: Moderating) -> None:
    message_id, comment_id = world.comment("facebook", "6100000000000004", "욕설 댓글")
    page = _thread_page(world, message_id)
    assert 'data-moderate="hide"' in page and 'data-moderate="delete"' not in page  # agent
    world.sandbox.clear_requests()
    forged = world.client.post(f"/inbox/messages/{message_id}/moderate", data={"action": "hide"})
    assert forged.status_code == 400  # no CSRF token
    token = csrf_of(page)
    done = world.client.post(
        f"/inbox/messages/{message_id}/moderate", data={"action": "hide", "csrf_token": token}
    )
    assert done.status_code == 302
    world.settle()
    assert [(c["method"], c["json"]) for c in world.sandbox.requests(path=f"/{comment_id}")] == [
        ("POST", {"is_hidden": True})
    ]
    page = _thread_page(world, message_id)
    assert "moderated-hidden" in page
    assert "민지" in page and 'data-moderate="unhide"' in page


@BOTH
def test_a_second_request_while_one_is_pending_is_the_same_request(world: Moderating) -> None:
    message_id, _comment_id = world.comment("facebook", "6100000000000003", "중복 클릭")
    with world.rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message is not None
        from inbox.models import User
        from inbox.moderation import ModerationBusy, request_moderation

        agent = s.scalars(select(User).where(User.role == "agent")).first()
        assert agent is not None
        first, created = request_moderation(s, message, "hide", agent, supported={"hide"})
        second, created_again = request_moderation(s, message, "hide", agent, supported={"hide"})
        assert created and not created_again and first.id == second.id
        with pytest.raises(ModerationBusy):
            request_moderation(s, message, "unhide", agent, supported={"unhide"})
        s.rollback()
    with world.rt.db.session() as s:
        assert s.scalars(select(CommentModeration)).all() == []


def _thread_page(world: Moderating, message_id: int, *, by_conversation: bool = False) -> str:
    """The thread as 민지 sees it, signed in through the login form."""
    conversation_id: int | None = message_id
    if not by_conversation:
        with world.rt.db.session() as s:
            query = select(Message.conversation_id).where(Message.id == message_id)
            conversation_id = s.scalar(query)
    login(world.client, "minji@example.test")
    return str(world.client.get(f"/inbox/c/{conversation_id}").get_data(as_text=True))


# -- who is writing ------------------------------------------------------------------------------


@BOTH
def test_a_new_messenger_customer_gets_their_name_once(world: Moderating) -> None:
    made = world.sandbox.emu("customers/dm", name="김민준", text="배송 문의드려요")
    world.settle()
    psid = made["customer_id"]
    contact = world.contact_of(world.page.id, psid)
    assert contact.name == "김민준"
    (call,) = world.sandbox.requests(path=f"/{psid}", method="GET")
    assert call["query"]["fields"] == "first_name,last_name,profile_pic"
    with world.rt.db.session() as s:
        identity = s.scalars(
            select(ContactIdentity).where(ContactIdentity.external_user_id == psid)
        ).one()
        assert identity.avatar_url and identity.avatar_url.endswith(f"avatar-{psid}.png")
        assert identity.profile_checked_at is not None

    # The next message does not look the customer up again...
    world.sandbox.emu("customers/dm", customer_id=psid, text="혹시 답변 가능할까요?")
    world.settle()
    assert len(world.sandbox.requests(path=f"/{psid}", method="GET")) == 1
    # ...until the refresh period has passed.
    with world.rt.db.session() as s:
        s.execute(
            update(ContactIdentity)
            .where(ContactIdentity.external_user_id == psid)
            .values(profile_checked_at=datetime.now(UTC) - timedelta(days=15))
        )
    world.sandbox.emu("customers/dm", customer_id=psid, text="기다리고 있어요")
    world.settle()
    assert len(world.sandbox.requests(path=f"/{psid}", method="GET")) == 2


@BOTH
def test_an_agent_named_contact_keeps_its_name(world: Moderating) -> None:
    made = world.sandbox.emu("customers/dm", name="Mark Taylor", text="hello")
    world.settle()
    contact = world.contact_of(world.page.id, made["customer_id"])
    assert contact.name == "Mark Taylor"
    with world.rt.db.session() as s:
        s.execute(update(Contact).where(Contact.id == contact.id).values(name="VIP 마크"))
        s.execute(update(ContactIdentity).values(profile_checked_at=None))
    world.sandbox.emu("customers/dm", customer_id=made["customer_id"], text="again")
    world.settle()
    assert world.contact_of(world.page.id, made["customer_id"]).name == "VIP 마크"


@BOTH
def test_instagram_dm_customer_name_and_username(world: Moderating) -> None:
    made = world.sandbox.emu(
        "customers/dm", platform="instagram", name="이서연", text="재고 있나요?"
    )
    world.settle()
    igsid = made["customer_id"]
    assert world.contact_of(world.ig.id, igsid).name == "이서연"
    (call,) = world.sandbox.requests(path=f"/{igsid}", method="GET")
    assert call["query"]["fields"] == "name,username,profile_pic"


@BOTH
def test_usage_slow_down_defers_lookups(world: Moderating) -> None:
    world.sandbox.emu("usage", app=90, page=90, buc=90)
    first = world.sandbox.emu("customers/dm", name="박지훈", text="문의")
    world.settle()
    # That lookup's answer carried the usage headers (90 %): the next one waits instead.
    assert len(world.sandbox.requests(path=f"/{first['customer_id']}", method="GET")) == 1
    second = world.sandbox.emu("customers/dm", name="최유리", text="문의2")
    world.settle()
    assert world.sandbox.requests(path=f"/{second['customer_id']}", method="GET") == []
    pending = [f for _, f, _ in world.rt.jobs.pending()]  # type: ignore[attr-defined]
    assert "workers.lookups.look_up_account" in pending
    assert world.contact_of(world.page.id, second["customer_id"]).name is None


@BOTH
def test_comment_threads_get_the_caption_once_per_post(world: Moderating) -> None:
    first = world.sandbox.emu(
        "customers/comment", platform="instagram", customer_id="5300000000000011", text="가격?"
    )
    world.settle()
    world.sandbox.emu(
        "customers/comment",
        platform="instagram",
        customer_id="5300000000000012",
        text="배송비는요?",
        post_id=first["post_id"],
    )
    world.settle()
    media = first["post_id"]
    calls = world.sandbox.requests(path=f"/{media}", method="GET")
    assert [c["query"]["fields"] for c in calls] == ["id,caption,permalink,media_url"]
    with world.rt.db.session() as s:
        contexts = [
            c.context
            for c in s.scalars(
                select(Conversation).where(
                    Conversation.thread_key == media, Conversation.kind == "comment"
                )
            )
        ]
    assert len(contexts) == 2
    for context in contexts:
        assert context["post_text"] == "오메가3 프리미엄 🐟 #서울서플 #오메가3"
        assert context["permalink_url"].startswith("https://www.instagram.com/p/")
    # No profile lookup for commenters: the platforms answer only for people who wrote a DM.
    assert world.sandbox.requests(path="/5300000000000011", method="GET") == []


@BOTH
def test_facebook_post_comment_shows_the_post(world: Moderating) -> None:
    made = world.sandbox.emu(
        "customers/comment", platform="facebook", customer_id="6100000000000021", text="문의요"
    )
    world.settle()
    conversation = world.conversation(world.page, "6100000000000021")
    assert conversation.context["post_text"].startswith("11월 신제품")
    assert conversation.context["permalink_url"].startswith("https://www.facebook.com/")
    assert made["post_id"] == conversation.thread_key


@BOTH
def test_an_agent_asks_for_a_fresh_lookup_of_an_old_conversation(world: Moderating) -> None:
    made = world.sandbox.emu("customers/dm", name="오래된 고객", text="예전 문의")
    world.settle()
    psid = made["customer_id"]
    conversation = world.conversation(world.page, psid)
    month_ago = datetime.now(UTC) - timedelta(days=30)
    with world.rt.db.session() as s:
        s.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(last_activity_at=month_ago)
        )
        s.execute(
            update(ContactIdentity)
            .where(ContactIdentity.external_user_id == psid)
            .values(profile_checked_at=month_ago)
        )
    page = _thread_page(world, conversation.id, by_conversation=True)
    assert "data-refresh-profile" in page
    asked = world.client.post(
        f"/inbox/contacts/{conversation.contact_id}/refresh-profile",
        data={"conversation_id": conversation.id, "csrf_token": csrf_of(page)},
    )
    assert asked.status_code == 302
    world.settle()
    assert len(world.sandbox.requests(path=f"/{psid}", method="GET")) == 2
