"""Files in Messenger and Instagram DMs, through the Meta sandbox: the exact multipart upload
(Meta's "upload and send in one call", `filedata`) and the file the customer receives."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.base import (
    AccountConfig,
    Attachment,
    ConversationKind,
    OutboundReply,
    Participant,
    PermanentSendError,
)
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector
from tests.connectors.facebook.sandbox_support import IG_ACCOUNT, PAGE, PAGE_ACCOUNT, Sandbox

JPEG = b"\xff\xd8\xff\xe0" + b"\x10JFIF" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"0" * 40


def _reply(customer: str, text: str, *files: Attachment) -> OutboundReply:
    return OutboundReply(
        message_uuid=str(uuid.uuid4()),
        conversation_kind=ConversationKind.DM,
        thread_key=customer,
        recipient=Participant(external_id=customer),
        text=text,
        attachments=files,
        last_customer_message_at=datetime.now(UTC) - timedelta(minutes=5),
    )


@pytest.mark.parametrize("platform", ["messenger", "instagram"])
def test_each_file_is_uploaded_with_its_message_then_the_text(
    sandbox: Sandbox, platform: str
) -> None:
    connector = (FacebookConnector if platform == "messenger" else InstagramConnector)(
        sandbox.settings()
    )
    account: AccountConfig = PAGE_ACCOUNT if platform == "messenger" else IG_ACCOUNT
    made = sandbox.emu("customers/dm", platform=platform, text="영수증 주세요", deliver="none")
    photo = Attachment(kind="image", filename="송장.jpg", content_type="image/jpeg", data=JPEG)
    receipt = Attachment(
        kind="file", filename="영수증.pdf", content_type="application/pdf", data=PDF
    )
    out = _reply(made["customer_id"], "보내 드립니다", photo, receipt)
    result = connector.send(account, out)
    first, second, text = sandbox.requests(method="POST")
    metadata = f"inbox:outbound:{out.message_uuid}"
    for call, kind, data, name, ctype in (
        (first, "image", JPEG, "송장.jpg", "image/jpeg"),
        (second, "file", PDF, "영수증.pdf", "application/pdf"),
    ):
        assert call["path"] == f"/{PAGE}/messages"
        assert call["content_type"].startswith("multipart/form-data")
        assert json.loads(call["form"]["message"]) == {
            "attachment": {"type": kind, "payload": {"is_reusable": True}},
            "metadata": metadata,
        }
        assert json.loads(call["form"]["recipient"]) == {"id": made["customer_id"]}
        assert call["files"] == {
            "filedata": {
                "filename": name,
                "content_type": ctype,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        }
    assert text["json"]["message"] == {"text": "보내 드립니다", "metadata": metadata}
    assert len(result.extra["message_ids"]) == 3
    # The customer's side holds the very bytes.
    thread = sandbox.app.extensions["meta_sandbox"].find_thread(made["customer_id"])
    urls = [a["payload"]["url"] for m in thread.messages for a in m.attachments]
    assert [requests.get(u, timeout=10).content for u in urls[-2:]] == [JPEG, PDF]


def test_an_image_declared_as_video_is_refused_by_the_platform(sandbox: Sandbox) -> None:
    fb = FacebookConnector(sandbox.settings())
    made = sandbox.emu("customers/dm", platform="messenger", text="?", deliver="none")
    wrong = Attachment(kind="video", filename="a.jpg", content_type="image/jpeg", data=JPEG)
    with pytest.raises(PermanentSendError, match="Upload attachment failure"):
        fb.send(PAGE_ACCOUNT, _reply(made["customer_id"], "", wrong))
