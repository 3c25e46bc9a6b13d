"""Agents' files before they are stored: typed by their bytes, within the channel's limits."""

from __future__ import annotations

import pytest

from connectors import CHANNELS
from connectors.base import MB, Attachment, AttachmentLimits, ConversationKind
from connectors.media import sniff
from inbox.replies import AttachmentRefused, check_outgoing

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
ONLY_IMAGES = AttachmentLimits(types={"image/jpeg": 100, "image/png": 100}, max_count=2)
ANY = AttachmentLimits(types={}, max_bytes=100, max_count=3)


def _file(data: bytes, name: str = "a.bin", claimed: str | None = None) -> Attachment:
    return Attachment(kind="file", filename=name, content_type=claimed, data=data)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"%PDF-1.4\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftypqt  \x00\x00", "video/quicktime"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x01", "video/webm"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis", "audio/ogg"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"<html><body>", None),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_type_from_the_bytes(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_the_bytes_decide_the_type_not_the_name_or_the_claim() -> None:
    (checked,) = check_outgoing((_file(JPEG, "photo.png", "image/png"),), ONLY_IMAGES)
    assert (checked.content_type, checked.kind, checked.size) == ("image/jpeg", "image", len(JPEG))
    with pytest.raises(AttachmentRefused) as refused:
        check_outgoing((_file(b"<svg onload=x>", "a.png", "image/png"),), ONLY_IMAGES)
    assert refused.value.problem == "type"
    assert refused.value.values == {"filename": "a.png", "type": "unknown", "accepted": "JPEG, PNG"}


def test_size_and_count_limits() -> None:
    with pytest.raises(AttachmentRefused) as too_big:
        check_outgoing((_file(JPEG + b"\x00" * 100, "big.jpg"),), ONLY_IMAGES)
    assert too_big.value.problem == "too_large"
    with pytest.raises(AttachmentRefused) as too_many:
        check_outgoing(tuple(_file(PNG) for _ in range(3)), ONLY_IMAGES)
    assert (too_many.value.problem, too_many.value.values) == ("too_many", {"count": 3, "limit": 2})
    with pytest.raises(AttachmentRefused) as nowhere:
        check_outgoing((_file(PNG),), None)
    assert nowhere.value.problem == "none_here"
    assert check_outgoing((), None) == ()


def test_any_type_channels_keep_a_plain_claim_but_never_an_unproven_inline_one() -> None:
    text, html, unknown = check_outgoing(
        (
            _file(b"label", "a.txt", "text/plain"),
            _file(b"<script>", "a.png", "image/png"),
            _file(b"\x00\x01", "a.bin", None),
        ),
        ANY,
    )
    assert text.content_type == "text/plain" and text.kind == "file"
    assert html.content_type == "application/octet-stream"
    assert unknown.content_type == "application/octet-stream"


def test_the_declarations_match_the_platform_documents() -> None:
    def files(slug: str, kind: ConversationKind) -> AttachmentLimits | None:
        return CHANNELS[slug].limits.attachments(kind)

    x_dm = files("x", ConversationKind.DM)
    assert x_dm is not None and x_dm.max_count == 1
    assert x_dm.cap("image/gif") == 15 * MB and x_dm.cap("video/mp4") is None
    ig = files("instagram", ConversationKind.DM)
    assert (
        ig is not None and ig.cap("image/jpeg") == 8 * MB and ig.cap("application/pdf") == 25 * MB
    )
    assert files("facebook", ConversationKind.COMMENT) is None
    assert files("x", ConversationKind.MENTION) is None
    chat = files("webchat", ConversationKind.CHAT)
    assert chat is not None and chat.cap("application/pdf") == 10 * MB
    mail = files("email", ConversationKind.EMAIL)
    assert mail is not None and mail.cap("text/plain") == 20 * MB
