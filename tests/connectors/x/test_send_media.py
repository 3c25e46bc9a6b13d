"""DM images out through the X sandbox: the exact upload and the DM that names its media id."""

from __future__ import annotations

import hashlib

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
from connectors.x import XConnector
from tests.connectors.x.conftest import BRAND_ID, Sandbox

YUNA = Participant(external_id="1402233445566778899", handle="yuna_jj", name="정유나")
THREAD = "1402233445566778899-1580012345678901248"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def _dm(
    text: str, *files: Attachment, kind: ConversationKind = ConversationKind.DM
) -> OutboundReply:
    return OutboundReply(
        message_uuid="0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        conversation_kind=kind,
        thread_key=THREAD,
        recipient=YUNA,
        text=text,
        attachments=files,
    )


def _file(data: bytes, content_type: str, name: str = "송장.png") -> Attachment:
    return Attachment(kind="image", filename=name, content_type=content_type, data=data)


@pytest.mark.parametrize(
    ("data", "content_type", "category", "key_prefix"),
    [(PNG, "image/png", "dm_image", "3_"), (GIF, "image/gif", "dm_gif", "16_")],
)
def test_dm_with_an_image_uploads_then_names_the_media(
    sandbox: Sandbox,
    connector: XConnector,
    account: AccountConfig,
    data: bytes,
    content_type: str,
    category: str,
    key_prefix: str,
) -> None:
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "송장 사진 보내주세요"})
    result = connector.send(account, _dm("송장 사진입니다", _file(data, content_type)))
    (upload,) = sandbox.received("POST", "/2/media/upload")
    assert upload["status"] == 200
    assert upload["content_type"].startswith("multipart/form-data")
    assert upload["form"] == {"media_category": category, "media_type": content_type}
    assert upload["files"]["media"] == {
        "filename": "송장.png",
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    media_id = next(iter(sandbox.world.uploads))
    (posted,) = sandbox.received("POST", "/2/dm_conversations/with/1402233445566778899/messages")
    assert posted["json"] == {"text": "송장 사진입니다", "attachments": [{"media_id": media_id}]}
    (sent,) = [d for d in sandbox.world.dms if d.id == result.external_id]
    assert sent.sender_id == BRAND_ID
    assert sent.media_keys == (key_prefix + media_id,)


def test_an_image_alone_needs_no_text(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    connector.send(account, _dm("", _file(PNG, "image/png")))
    (posted,) = sandbox.received("POST", "/2/dm_conversations/with/1402233445566778899/messages")
    assert set(posted["json"]) == {"attachments"}
    assert posted["status"] == 201


def test_a_media_id_is_used_once(
    sandbox: Sandbox, connector: XConnector, bearer_account: AccountConfig
) -> None:
    connector.send(bearer_account, _dm("첫 번째", _file(PNG, "image/png")))
    media_id = next(iter(sandbox.world.uploads))
    again = requests.post(
        f"{sandbox.url}/2/dm_conversations/with/1402233445566778899/messages",
        json={"attachments": [{"media_id": media_id}]},
        headers={"Authorization": "Bearer brand-user-bearer"},
        timeout=10,
    )
    assert again.status_code == 400
    assert "already used" in again.text


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (_dm("두 장", _file(PNG, "image/png"), _file(PNG, "image/png")), "one image"),
        (_dm("동영상", _file(b"\x00\x00\x00\x18ftypmp42", "video/mp4")), "not video/mp4"),
        (_dm("멘션", _file(PNG, "image/png"), kind=ConversationKind.MENTION), "DMs only"),
    ],
)
def test_what_x_cannot_carry_is_refused_before_any_call(
    sandbox: Sandbox,
    connector: XConnector,
    account: AccountConfig,
    reply: OutboundReply,
    reason: str,
) -> None:
    with pytest.raises(PermanentSendError) as refused:
        connector.send(account, reply)
    assert reason.split()[-1] in refused.value.reason
    assert not sandbox.received("POST", "/2/media/upload")
