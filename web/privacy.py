"""Public privacy endpoints: Meta's data-deletion callback and the erasure status page.

Meta requires apps to accept a deletion request for a user who removed the app: the callback
verifies the signed_request, queues the erasure of every contact with a Facebook or Instagram
identity of that app-scoped id, and answers `{url, confirmation_code}`; the user follows the
url to the status page. The page shows the status only (no names, no counts of messages), so
a guessed code reveals nothing about anyone; the code itself is 80 random bits.
"""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from sqlalchemy.orm import Session

from connectors import CHANNELS
from connectors._meta.channel import META_SETTINGS
from connectors._meta.deletion import deletion_user_id
from connectors.base import InvalidSignature
from inbox.models.privacy import PrivacyRequest
from inbox.privacy import export_contact, request_erasure_by_identity
from web.runtime import current_runtime

bp = Blueprint("privacy", __name__)

SPOOL_BYTES = 8 * 1024 * 1024  # an export above this is spooled to a temporary file


def export_download(session: Session, contact_id: int, actor_id: int) -> Response:
    """The contact's export as a zip download (admin page and API); raises LookupError or
    PrivacyRefused like `export_contact`, with nothing sent."""

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    try:
        export_contact(session, contact_id, current_runtime().store, spool, actor_id=actor_id)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"contact-{contact_id}.zip",
    )


def meta_channels() -> tuple[str, ...]:
    """The channels Meta's app signs for: their customers are the users its callback names."""

    return tuple(slug for slug, c in CHANNELS.items() if c.settings is META_SETTINGS)


def status_url(code: str) -> str:
    """Absolute, from PUBLIC_BASE_URL: the callback answers Meta, not a browser behind us."""

    base = current_runtime().settings.get("PUBLIC_BASE_URL").rstrip("/")
    return f"{base}/privacy/deletion/{code}"


@bp.post("/privacy/meta/data-deletion")
def meta_data_deletion() -> tuple[Response, int]:

    rt = current_runtime()
    try:
        user_id = deletion_user_id(
            request.form.get("signed_request", ""), rt.settings.get("META_APP_SECRET", "")
        )
    except InvalidSignature as exc:
        return jsonify({"error": str(exc)}), 400
    with rt.db.session() as session:
        erasure = request_erasure_by_identity(session, meta_channels(), user_id, source="meta")
        code = erasure.confirmation_code
    return jsonify({"url": status_url(code), "confirmation_code": code}), 200


@bp.get("/privacy/deletion/<code>")
def status(code: str) -> str:

    if not code.isalnum() or len(code) > 40:
        abort(404)
    with current_runtime().db.session() as session:
        erasure = session.query(PrivacyRequest).filter_by(confirmation_code=code).one_or_none()
        if erasure is None:
            abort(404)
        return render_template(
            "privacy/status.html",
            code=code,
            status=erasure.status,
            requested_at=erasure.requested_at,
            completed_at=erasure.completed_at,
            found=bool(erasure.contact_ids),
        )
