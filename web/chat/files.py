"""Images of a conversation for the visitor's widget, by signed, expiring links.

An `<img>` on the host page cannot send the visitor's token, so the chat API hands out links
signed with the widget secret (attachment id + expiry); they are served with the stored,
content-checked image type, or as a download for anything else.
"""

from __future__ import annotations

import hmac
import io
import time

from flask import Response, request, send_file

from inbox.models import Attachment
from web.chat import bp
from web.chat.context import connector, runtime, widget
from web.chat.transcript import file_signature
from web.downloads import content_disposition

IMAGE_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


@bp.get("/<widget_id>/files/<int:attachment_id>")
def file(widget_id: str, attachment_id: int) -> Response:
    """An image of the conversation, by a signed, expiring link (an <img> sends no token)."""
    found = widget(widget_id)
    rt = runtime()
    expires, signature = request.args.get("exp", ""), request.args.get("sig", "")
    secret = connector(rt).secret
    if not (expires.isascii() and expires.isdigit()) or int(expires) < time.time():
        return Response("link expired", status=403, mimetype="text/plain")
    expected = file_signature(found.external_id, attachment_id, int(expires), secret)
    if not hmac.compare_digest(signature, expected):
        return Response("bad signature", status=403, mimetype="text/plain")
    with rt.db.session() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.sha256 is None or row.message.channel_account_id != found.id:
            return Response("not found", status=404, mimetype="text/plain")
        digest, filename, content_type = row.sha256, row.filename, row.content_type
    inline = content_type in IMAGE_TYPES
    response = send_file(
        io.BytesIO(rt.store.read(digest)),
        mimetype=content_type if inline else "application/octet-stream",
        max_age=3600,
    )
    response.headers["Content-Disposition"] = content_disposition(
        filename or "image", inline=inline
    )
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
