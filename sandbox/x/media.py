"""`POST /2/media/upload`, the one-request ("simple") upload of an image or GIF.

Multipart `media` (the raw bytes) with `media_category` (`dm_image`, `dm_gif`, `tweet_image`,
`tweet_gif`) and an optional `media_type`; answers `{"data": {"id", "media_key", "size",
"expires_after_secs", "image": {"image_type"}}}`. The bytes must be what the category says
(JPEG, PNG or WEBP for images up to 5 MB; GIF up to 15 MB), as X checks them. Videos need the
chunked INIT/APPEND/FINALIZE flow, which is not emulated: a video here is refused. A DM names
the id once (`shared` media is not emulated either), and only its uploader may use it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, Response, jsonify, request

from sandbox.x.gate import authenticate, spend, the_world
from sandbox.x.wire import invalid_request

MB = 1024 * 1024
CATEGORIES = {
    "dm_image": ("image", 5 * MB),
    "tweet_image": ("image", 5 * MB),
    "dm_gif": ("gif", 15 * MB),
    "tweet_gif": ("gif", 15 * MB),
}
EXPIRES_AFTER_SECS = 86_400


def register(app: Flask) -> None:
    app.post("/2/media/upload")(upload)


def image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return None


def upload() -> tuple[Response, int]:
    token = authenticate(user_context=True)
    media = request.files.get("media")
    if media is None:
        raise invalid_request("media", "", "`media` is required (multipart/form-data)")
    category = request.form.get("media_category") or "tweet_image"
    if category not in CATEGORIES:
        raise invalid_request("media_category", category, f"Unsupported category: {category}")
    spend("media_upload", token)
    data = media.read()
    family, limit = CATEGORIES[category]
    found = image_type(data)
    if found is None or (family == "gif") != (found == "image/gif"):
        raise invalid_request("media", media.filename or "", f"Media is not a valid {family}")
    if len(data) > limit:
        raise invalid_request("media", media.filename or "", f"File size exceeds {limit} bytes")
    world = the_world()
    media_id = world.next_id()
    key = ("16_" if family == "gif" else "3_") + media_id
    with world.lock:
        world.uploads[media_id] = {
            "media_key": key,
            "owner": str(token.user_id),
            "category": category,
            "content_type": found,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "used": False,
        }
    data_out: dict[str, Any] = {
        "id": media_id,
        "media_key": key,
        "size": len(data),
        "expires_after_secs": EXPIRES_AFTER_SECS,
        "image": {"image_type": found},
    }
    return jsonify(data=data_out), 200


def claim_for_dm(media_id: str, sender_id: str) -> str:
    """The media key a DM attaches; refuses unknown, foreign, non-DM or already used media."""
    world = the_world()
    with world.lock:
        found = world.uploads.get(media_id)
        if found is None or found["owner"] != sender_id:
            raise invalid_request("media_id", media_id, f"Media id {media_id} not found")
        if not str(found["category"]).startswith("dm_"):
            raise invalid_request("media_id", media_id, "Media was not uploaded for DMs")
        if found["used"]:
            raise invalid_request("media_id", media_id, "Media id was already used")
        found["used"] = True
        key = str(found["media_key"])
        kind = "animated_gif" if key.startswith("16_") else "photo"
        world.media[key] = {
            "media_key": key,
            "type": kind,
            "url": f"https://ton.twitter.com/1.1/ton/data/dm/{media_id}.jpg",
        }
        return key
