"""Content-addressed attachment storage: a file is kept once, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from connectors.base import Attachment as AttachmentIn
from inbox.models import Attachment


class AttachmentTooLarge(ValueError):
    pass


class AttachmentStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def put(self, data: bytes) -> str:
        """Store `data` (atomically, once) and return its hex SHA-256."""
        if len(data) > self.max_bytes:
            raise AttachmentTooLarge(f"{len(data)} bytes is over the {self.max_bytes}-byte limit")
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        return digest

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError("not a sha256 digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def read(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()


def attach(
    session: Session, message_id: int, incoming: AttachmentIn, store: AttachmentStore | None
) -> Attachment:
    """Record one attachment; bytes are stored now, URL-only ones are fetched by the job."""
    row = Attachment(
        message_id=message_id,
        kind=incoming.kind,
        filename=incoming.filename,
        content_type=incoming.content_type,
        size=incoming.size,
        source_url=incoming.url,
        meta=dict(incoming.extra),
    )
    if incoming.data is not None:
        row.size = len(incoming.data)
        if store is None:
            row.problem = "no attachment store configured"
        else:
            try:
                row.sha256 = store.put(incoming.data)
            except AttachmentTooLarge as exc:
                row.problem = str(exc)
    session.add(row)
    return row


def fetched(row: Attachment, sha256: str, size: int) -> None:
    """An attachment that came as a URL is now stored (workers/ingest.py fetches it)."""
    row.sha256 = sha256
    row.size = size
    row.problem = None


def fetch_failed(row: Attachment, problem: str) -> None:
    """Why it could not be fetched, shown to the agent instead of the file."""
    row.problem = problem[:500]
