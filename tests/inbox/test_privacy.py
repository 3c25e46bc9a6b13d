"""Export and erase a contact, end to end through webhooks, the API and the CLI, on SQLite and
PostgreSQL; after the erasure nothing personal is left anywhere in the database, the search
finds nothing, the files are gone and the raw payloads are blank."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from connectors._meta.deletion import sign_request
from inbox.models import Attachment, Base, Contact, Conversation, InboundDelivery, Message
from inbox.models.privacy import PrivacyRequest
from inbox.search import conversation_match
from switchboard.runtime import Runtime
from tests.support.factory import Factory, fake_delivery, fake_message

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)

# Markers that exist only in the erased person's data.
SECRET_WORD = "보라색우산환불"
SECRET_NAME = "홍길순비밀"
SECRET_ID = "psid-erase-me-7731"
SECRET_FILE = "receipt-bytes-of-hong"
SECRET_NOTE = "단골고객메모"
SECRET_EMAIL = "hong.secret@example.test"


def _customer_writes(rt: Runtime, client: Any, factory: Factory) -> dict[str, Any]:
    account = factory.account("facebook", external_id="page-privacy")
    events = [
        fake_message(
            "m-1",
            f"{SECRET_WORD} 문의드립니다",
            customer=SECRET_ID,
            name=SECRET_NAME,
            attachments=[{"kind": "file", "filename": "receipt.txt", "text_data": SECRET_FILE}],
        ),
        # Another customer: same file bytes (shared in the store), different words.
        fake_message(
            "m-2",
            "다른 고객의 배송 문의",
            customer="psid-stays",
            name="남는고객",
            attachments=[{"kind": "file", "filename": "same.txt", "text_data": SECRET_FILE}],
        ),
        fake_message("m-3", "사진도 보냅니다", customer=SECRET_ID, name=SECRET_NAME),
    ]
    body, headers = fake_delivery("page-privacy", *events[:2])
    assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    body, headers = fake_delivery("page-privacy", events[2])
    assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    assert rt.jobs.drain()
    admin = factory.user("admin", email="privacy-admin@example.test")
    token = factory.token(admin)
    with rt.db.session() as s:
        mine = s.scalars(
            select(Conversation).join(Contact).where(Contact.name == SECRET_NAME)
        ).one()
        other = s.scalars(
            select(Conversation).join(Contact).where(Contact.name == "남는고객")
        ).one()
        ids = {"contact": mine.contact_id, "conversation": mine.id, "other": other.id}
    auth = {"Authorization": f"Bearer {token}"}
    note = client.post(
        f"/api/v1/conversations/{ids['conversation']}/messages",
        json={"text": SECRET_NOTE, "private": True},
        headers=auth,
    )
    assert note.status_code == 201
    from inbox.contacts import update_contact

    with rt.db.session() as s:
        contact = s.get(Contact, ids["contact"])
        assert contact is not None
        update_contact(s, contact, {"email": SECRET_EMAIL}, actor_id=admin.id)
    _surveys_and_learned_words(rt, mine_id=ids["conversation"], other_id=ids["other"])
    return {**ids, "auth": auth, "account": account}


def _surveys_and_learned_words(rt: Runtime, *, mine_id: int, other_id: int) -> None:
    """A CSAT answer and a phrasing the FAQ learned, for the person and for the other customer."""
    from inbox.faq import evidence
    from inbox.faq.service import invalidate_cache, seed_default_articles
    from inbox.models import utcnow
    from inbox.models.reports import CsatSurvey

    invalidate_cache()
    with rt.db.session() as s:
        seed_default_articles(s)
        for conversation_id, words in ((mine_id, SECRET_WORD), (other_id, "남는 고객의 평가")):
            s.add(
                CsatSurvey(
                    conversation_id=conversation_id,
                    status="answered",
                    due_at=utcnow(),
                    rating=5,
                    comment=f"{words} 친절했어요",
                )
            )
            evidence.record(
                s, "refund-return", f"{words} 환불 되나요", locale="ko", source="agent",
                conversation_id=conversation_id,
            )  # fmt: skip


def _everything_stored(rt: Runtime) -> str:
    """Every value of every row of every table, as one string to search."""
    parts: list[str] = []
    with rt.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    else:
                        parts.append(json.dumps(value, ensure_ascii=False, default=str))
    return "\n".join(parts)


@BOTH
def test_export_then_erase_leaves_nothing_personal(rt, client, factory):
    ids = _customer_writes(rt, client, factory)
    contact_id = ids["contact"]

    export = client.get(f"/api/v1/contacts/{contact_id}/export", headers=ids["auth"])
    assert export.status_code == 200 and export.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    document = json.loads(archive.read("contact.json"))
    assert document["contact"]["name"] == SECRET_NAME
    assert document["contact"]["email"] == SECRET_EMAIL
    assert [i["external_user_id"] for i in document["identities"]] == [SECRET_ID]
    texts = [m["text"] for c in document["conversations"] for m in c["messages"]]
    assert f"{SECRET_WORD} 문의드립니다" in texts and SECRET_NOTE in texts
    assert [n["text"] for n in document["notes"]] == [SECRET_NOTE]
    assert {a["action"] for a in document["audit"]} >= {"contact.update"}
    assert [(c["rating"], c["comment"]) for c in document["csat"]] == [
        (5, f"{SECRET_WORD} 친절했어요")
    ]
    assert [e["phrase"] for e in document["faq_evidence"]] == [f"{SECRET_WORD} 환불 되나요"]
    files = [
        a["file"]
        for c in document["conversations"]
        for m in c["messages"]
        for a in m["attachments"]
    ]
    assert len(files) == 1 and archive.read(files[0]) == SECRET_FILE.encode()
    assert "다른 고객의 배송 문의" not in json.dumps(document, ensure_ascii=False)

    stored = _everything_stored(rt)
    for marker in (SECRET_WORD, SECRET_NAME, SECRET_ID, SECRET_NOTE, SECRET_EMAIL):
        assert marker in stored  # the check below can fail: the markers were stored
    with rt.db.session() as s:
        digest = s.scalars(select(Attachment.sha256).where(Attachment.sha256.is_not(None))).first()
        assert digest is not None and rt.store.path(digest).exists()

    refused = client.post(f"/api/v1/contacts/{contact_id}/erase", json={}, headers=ids["auth"])
    assert refused.status_code == 400
    queued = client.post(
        f"/api/v1/contacts/{contact_id}/erase", json={"confirm": contact_id}, headers=ids["auth"]
    )
    assert queued.status_code == 202, queued.data
    assert rt.jobs.drain()
    status = client.get(f"/api/v1/privacy-requests/{queued.get_json()['id']}", headers=ids["auth"])
    assert status.get_json()["status"] == "done"
    summary = status.get_json()["summary"]
    assert summary["messages"] == 3 and summary["identities"] == 1
    assert summary["raw_deliveries"] == 2
    assert summary["csat_comments"] == 1 and summary["faq_evidence"] == 1

    stored = _everything_stored(rt)
    for marker in (SECRET_WORD, SECRET_NAME, SECRET_ID, SECRET_NOTE, SECRET_EMAIL, "receipt.txt"):
        assert marker not in stored, marker
    # The other customer keeps everything, including the file both of them sent.
    assert "다른 고객의 배송 문의" in stored and "남는고객" in stored
    assert "남는 고객의 평가 친절했어요" in stored and "남는 고객의 평가 환불 되나요" in stored
    assert rt.store.path(digest).exists()
    with rt.db.session() as s:
        for word in (SECRET_WORD, SECRET_NAME, SECRET_NOTE, "hong.secret"):
            assert s.scalars(select(Conversation.id).where(conversation_match(s, word))).all() == []
        kept = s.scalars(select(Message).where(Message.conversation_id == ids["conversation"]))
        assert [(m.direction, m.kind, m.text) for m in kept] == [
            ("inbound", "message", None),
            ("inbound", "message", None),
            ("internal", "note", None),
        ]
        from inbox.models.reports import CsatSurvey

        ratings = s.execute(select(CsatSurvey.conversation_id, CsatSurvey.rating)).all()
        assert sorted(ratings) == sorted([(ids["conversation"], 5), (ids["other"], 5)])
        bodies = list(s.scalars(select(InboundDelivery.body)))
        assert bodies.count(b"") == 2 and len(bodies) == 2
        if s.get_bind().dialect.name == "sqlite":
            for table, word in (("message", SECRET_WORD), ("contact", SECRET_NAME)):
                hits = s.execute(
                    text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :q"),
                    {"q": f'"{word}"'},
                ).all()
                assert hits == [], table
    assert (
        client.get(f"/api/v1/contacts/{contact_id}/export", headers=ids["auth"]).status_code == 409
    )


@BOTH
def test_only_the_shared_file_of_an_erased_contact_survives(rt, client, factory):
    """A file only the erased person sent is deleted from the store."""
    factory.account("facebook", external_id="page-files")
    body, headers = fake_delivery(
        "page-files",
        fake_message(
            "f-1",
            "파일",
            customer="psid-files",
            attachments=[{"kind": "file", "filename": "a.txt", "text_data": "only-mine"}],
        ),
    )
    assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    assert rt.jobs.drain()
    with rt.db.session() as s:
        digest = s.scalars(select(Attachment.sha256)).one()
        contact_id = s.scalars(select(Contact.id)).one()
    assert rt.store.path(digest).exists()
    result = CliRunner().invoke(_cli(rt), ["contact", "erase", str(contact_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 messages" in result.output and "1 files deleted" in result.output
    assert not rt.store.path(digest).exists()


@BOTH
def test_cli_export_writes_the_zip_and_refuses_unknown_contacts(rt, client, factory, tmp_path):
    account = factory.account("facebook")
    conversation = factory.inbound(account, "내보내기 테스트", customer="psid-cli")
    out = tmp_path / "contact.zip"
    runner = CliRunner()
    result = runner.invoke(
        _cli(rt), ["contact", "export", str(conversation.contact_id), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 messages" in result.output
    document = json.loads(zipfile.ZipFile(out).read("contact.json"))
    assert document["conversations"][0]["messages"][0]["text"] == "내보내기 테스트"
    assert not Path(str(out) + ".part").exists()
    missing = runner.invoke(_cli(rt), ["contact", "export", "99999", "-o", str(out)])
    assert missing.exit_code == 1 and "contact 99999 not found" in missing.output


def _cli(rt: Runtime) -> Any:
    """The CLI against this test's database (settings come from the environment)."""
    import os

    from cli.commands import main

    os.environ["DATABASE_URL"] = rt.settings.database_url
    os.environ["SWITCHBOARD_INSTANCE"] = str(rt.settings.instance_path)
    os.environ["SWITCHBOARD_ENCRYPTION_KEY"] = rt.settings.get("SWITCHBOARD_ENCRYPTION_KEY")
    os.environ["REDIS_URL"] = ""
    return main


@BOTH
def test_meta_deletion_callback_queues_the_erasure_and_shows_its_status(rt, client, factory):
    factory.account("facebook", external_id="page-meta")
    body, headers = fake_delivery(
        "page-meta", fake_message("d-1", "지워주세요", customer="asid-42", name="메타고객")
    )
    assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    assert rt.jobs.drain()
    secret = rt.settings.get("META_APP_SECRET")
    forged = sign_request("not-the-secret", {"user_id": "asid-42", "issued_at": 1})
    assert (
        client.post("/privacy/meta/data-deletion", data={"signed_request": forged}).status_code
        == 400
    )
    signed = sign_request(secret, {"user_id": "asid-42", "issued_at": 1})
    answer = client.post("/privacy/meta/data-deletion", data={"signed_request": signed})
    assert answer.status_code == 200
    reply = answer.get_json()
    assert set(reply) == {"url", "confirmation_code"}
    assert reply["url"].endswith(f"/privacy/deletion/{reply['confirmation_code']}")
    assert rt.jobs.drain()
    with rt.db.session() as s:
        request = s.scalars(select(PrivacyRequest)).one()
        assert request.source == "meta" and request.status == "done"
        assert s.scalars(select(Contact.name)).all() == [None]
    page = client.get(
        "/privacy/deletion/" + reply["confirmation_code"], headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    assert 'data-status="done"' in page.get_data(as_text=True)
    assert client.get("/privacy/deletion/nosuchcode").status_code == 404


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"META_APP_SECRET": "meta-app-secret-for-tests"}


def test_agents_may_not_export_or_erase(rt, client, factory):
    account = factory.account("facebook")
    conversation = factory.inbound(account, "권한 테스트", customer="psid-rbac")
    agent = factory.user("agent", inboxes=[account.id])
    auth = {"Authorization": f"Bearer {factory.token(agent)}"}
    cid = conversation.contact_id
    assert client.get(f"/api/v1/contacts/{cid}/export", headers=auth).status_code == 403
    erase = client.post(f"/api/v1/contacts/{cid}/erase", json={"confirm": cid}, headers=auth)
    assert erase.status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/contacts/{id}/export", "/contacts/{id}/erase", "/privacy-requests/{id}"):
        assert path in spec["paths"]


def test_an_erasure_stopped_between_its_steps_is_finished_by_the_sweeper(rt, factory):
    """The job died after the scrub committed: the sweeper queues it again and the files go."""
    from inbox.privacy import request_erasure, scrub
    from workers.sweep import sweep

    account = factory.account("facebook")
    digest = rt.store.put(b"file of the person who left")
    conversation = factory.inbound(account, "첨부 보냅니다", customer="psid-sweep")
    with rt.db.session() as s:
        message = s.scalars(select(Message).where(Message.conversation_id == conversation.id)).one()
        s.add(Attachment(message_id=message.id, kind="file", sha256=digest, filename="x.txt"))
    with rt.db.session() as s:
        request = request_erasure(
            s, [conversation.contact_id], source="cli", actor_id=None, queue=False
        )
        request_id = request.id
    with rt.db.session() as s:
        assert scrub(s, request_id).status == "scrubbed"
    assert rt.store.path(digest).exists()  # step 2 never ran
    assert sweep()["erasures"] == 1  # SWEEP_STALE_SECONDS is 0 in the tests
    assert rt.jobs.drain()
    with rt.db.session() as s:
        done = s.get(PrivacyRequest, request_id)
        assert done is not None and done.status == "done" and done.pending_files == []
    assert not rt.store.path(digest).exists()
    assert sweep()["erasures"] == 0


def test_a_merged_away_contact_is_refused_and_its_tombstone_is_erased_with_the_survivor(
    rt, factory
):
    from inbox.contacts import merge_contacts
    from inbox.privacy import PrivacyRefused, contact_family, request_erasure

    account = factory.account("facebook")
    first = factory.inbound(account, "첫 번째", customer="psid-a", name="병합전이름")
    second = factory.inbound(account, "두 번째", customer="psid-b", name="남은이름")
    with rt.db.session() as s:
        merge_contacts(s, source_id=first.contact_id, target_id=second.contact_id, actor_id=None)
    with rt.db.session() as s:
        with pytest.raises(PrivacyRefused, match="merged into"):
            contact_family(s, first.contact_id)
        request = request_erasure(s, [second.contact_id], source="api", actor_id=None)
        assert sorted(request.contact_ids) == sorted([first.contact_id, second.contact_id])
    assert rt.jobs.drain()
    with rt.db.session() as s:
        assert s.scalars(select(Contact.name)).all() == [None, None]
        assert s.scalars(select(Message.text)).all() == [None, None]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_meta_emulator_removes_the_app_and_the_person_is_erased(rt, app, factory):
    """Meta's side played by the emulator over loopback HTTP: it signs and posts the
    signed_request to our callback; our answer's URL shows the finished erasure."""
    import requests

    from sandbox.meta.app import create_app as meta_emulator
    from tests.support.servers import serve_wsgi

    factory.account("facebook", external_id="page-emu")
    factory.inbound(factory.account("instagram", external_id="ig-emu"), "안녕", customer="asid-emu")
    emulator = meta_emulator({"APP_SECRET": "meta-app-secret-for-tests", "SEED": False})
    with serve_wsgi(app) as ours, serve_wsgi(emulator) as meta:
        callback = f"{ours}/privacy/meta/data-deletion"
        answer = requests.post(
            f"{meta}/_emu/users/asid-emu/remove_app", json={"callback_url": callback}, timeout=10
        ).json()
        assert answer["status"] == 200, answer
        code = answer["reply"]["confirmation_code"]
        assert rt.jobs.drain()
        page = requests.get(f"{ours}/privacy/deletion/{code}", timeout=10)
        assert 'data-status="done"' in page.text
        forged = requests.post(
            f"{meta}/_emu/users/asid-emu/remove_app",
            json={"callback_url": callback, "app_secret": "another-app"},
            timeout=10,
        ).json()
        assert forged["status"] == 400
    with rt.db.session() as s:
        assert s.scalars(select(Message.text)).all() == [None]


SECRET_PHONE = "010-9876-5432"


@BOTH
def test_erasure_scrubs_the_person_from_audit_details_and_keeps_who_did_what(rt, factory):
    """Audit entries about the person's conversations and messages quoted what the erasure
    blanks elsewhere (a resolution summary, a follow-up task, a comment's provider id and
    error): their details lose that text, the entries stay with actor, action, target, time,
    and what a merge's undo reads back."""
    from inbox.audit import record
    from inbox.conversations import Change, apply_change
    from inbox.merge import merge_conversations
    from inbox.models import AuditLog, User

    account = factory.account("facebook")
    agent = factory.user("agent", inboxes=[account.id], name="상담원")
    first = factory.inbound(account, "첫 문의", customer=SECRET_ID, name=SECRET_NAME, thread="a")
    second = factory.inbound(account, "또 문의", customer=SECRET_ID, name=SECRET_NAME, thread="b")
    stays = factory.inbound(account, "다른 고객 문의", customer="psid-stays", name="남는고객")
    with rt.db.session() as s:
        user = s.get(User, agent.id)
        for conversation_id, summary in (
            (first.id, f"{SECRET_NAME}님께 {SECRET_PHONE}로 환불 안내"),
            (stays.id, "남는 고객의 요약"),
        ):
            conversation = s.get(Conversation, conversation_id)
            assert conversation is not None
            change = Change(
                status="resolved",
                resolution_summary=summary,
                follow_up_days=2,
                follow_up_task=f"{summary} 확인",
            )
            apply_change(s, conversation, change, actor=user)
        message_id = s.scalar(select(Message.id).where(Message.conversation_id == second.id))
        record(
            s,
            agent.id,
            "comment.hide",
            "message",
            message_id,
            {"external_id": SECRET_ID, "outcome": "failed", "reason": f"{SECRET_WORD} 거절"},
        )
    with rt.db.session() as s:
        merge_conversations(s, second.id, first.id, s.get(User, agent.id))

    def entries() -> list[tuple[Any, ...]]:
        with rt.db.session() as s:
            rows = s.scalars(
                select(AuditLog).where(AuditLog.action != "privacy.erased").order_by(AuditLog.id)
            )
            return [
                (a.id, a.at, a.actor_user_id, a.action, a.target_type, a.target_id) for a in rows
            ]

    before = entries()
    stored = _everything_stored(rt)
    for marker in (SECRET_NAME, SECRET_PHONE, SECRET_ID, SECRET_WORD):
        assert marker in stored  # the audit details quoted them (the check below can fail)

    from inbox.privacy import request_erasure

    with rt.db.session() as s:
        request_erasure(s, [first.contact_id], source="api", actor_id=None)
    assert rt.jobs.drain()

    stored = _everything_stored(rt)
    for marker in (SECRET_NAME, SECRET_PHONE, SECRET_ID, SECRET_WORD):
        assert marker not in stored, marker
    assert "남는 고객의 요약" in stored  # another customer's audit entries keep their text
    assert [e for e in entries() if e[3] != "privacy.erase_requested"] == before
    with rt.db.session() as s:
        merged = s.scalars(select(AuditLog).where(AuditLog.action == "conversation.merge")).one()
        assert merged.detail["before"]["status"] in ("open", "snoozed")  # undo puts it back
        assert {merged.detail["survivor"], merged.detail["absorbed"]} == {first.id, second.id}
        comment = s.scalars(select(AuditLog).where(AuditLog.action == "comment.hide")).one()
        assert comment.detail == {"external_id": "erased", "outcome": "failed", "reason": "erased"}
        summary = s.get(PrivacyRequest, s.scalar(select(PrivacyRequest.id)))
        assert summary is not None and summary.summary["audit_entries"] == 2  # update, comment
