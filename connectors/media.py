"""File types as the bytes say, for the attachment limits channels declare (connectors/base.py
AttachmentLimits) and for storing agents' uploads (inbox/attachments.py).

A browser's Content-Type and a file's name are the uploader's claim; a platform checks the
bytes, and so do we before a file is stored, shown inline or sent. Only the types some channel
accepts are recognised; anything else is None (a channel with a type list refuses it).
"""

from __future__ import annotations

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
PDF = "application/pdf"
MP4, MOV, WEBM, OGG_VIDEO, AVI, GPP = (
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/ogg",
    "video/x-msvideo",
    "video/3gpp",
)
M4A, AAC, MP3, WAV, OGG_AUDIO, AMR = (
    "audio/mp4",
    "audio/aac",
    "audio/mpeg",
    "audio/wav",
    "audio/ogg",
    "audio/amr",
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF),
    (b"\x1a\x45\xdf\xa3", WEBM),
    (b"#!AMR", AMR),
    (b"ID3", MP3),
)
_RIFF = {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}
_FTYP_AUDIO = {b"M4A ", b"M4B "}
_FTYP_MOV = {b"qt  "}
_FTYP_3GP = (b"3gp", b"3g2")


def sniff(data: bytes) -> str | None:
    """The MIME type the first bytes prove, or None."""
    head = data[:64]
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and len(head) >= 12:
        return _RIFF.get(head[8:12])
    if head[4:8] == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand in _FTYP_AUDIO:
            return M4A
        if brand in _FTYP_MOV:
            return MOV
        if brand.startswith(_FTYP_3GP):
            return GPP
        return MP4
    if head.startswith(b"OggS"):
        return OGG_VIDEO if b"theora" in head else OGG_AUDIO
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] in (0xF1, 0xF9):
            return AAC  # ADTS frame
        if head[1] & 0xE0 == 0xE0:
            return MP3  # MPEG audio frame sync, no ID3 tag
    return None


def kind_of(content_type: str | None) -> str:
    """The attachment kind (connectors/base.py Attachment.kind) of a MIME type."""
    major = (content_type or "").split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "file"


def describe(content_type: str) -> str:
    """A short name for people: "JPEG", "PDF", "MP4"."""
    names = {
        JPEG: "JPEG",
        PNG: "PNG",
        GIF: "GIF",
        WEBP: "WEBP",
        PDF: "PDF",
        MP4: "MP4",
        MOV: "MOV",
        WEBM: "WEBM",
        OGG_VIDEO: "OGG",
        AVI: "AVI",
        GPP: "3GP",
        M4A: "M4A",
        AAC: "AAC",
        MP3: "MP3",
        WAV: "WAV",
        OGG_AUDIO: "OGG",
        AMR: "AMR",
    }
    return names.get(content_type, content_type)
