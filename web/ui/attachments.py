"""What the composer says about files before sending: the channel's declared limits, grouped
for people ("JPEG, PNG 8 MB · MP4, PDF 25 MB"), and the numbers the browser checks against.

The server enforces the same limits when the reply is stored (inbox/replies.py
`check_outgoing`), typing files by their bytes; the browser's check only saves a round trip.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from connectors.base import AttachmentLimits
from connectors.media import describe
from inbox.replies import AttachmentRefused


def mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def summary(limits: AttachmentLimits) -> str:
    """Types grouped by their size cap, largest count first: what the composer shows."""
    if not limits.types:
        return str(_("any type, %(size)s MB each", size=mb(limits.max_bytes)))
    by_cap: dict[int, list[str]] = {}
    for content_type, cap in limits.types.items():
        name = describe(content_type)
        if name not in by_cap.setdefault(cap, []):
            by_cap[cap].append(name)
    return " · ".join(f"{', '.join(names)} {mb(cap)} MB" for cap, names in sorted(by_cap.items()))


def composer_files(limits: AttachmentLimits | None, language: str) -> dict[str, Any] | None:
    """The template's view of the limits; None: no file input in this conversation."""
    if limits is None:
        return None
    caps = dict(limits.types) if limits.types else {"*": limits.max_bytes}
    return {
        "max_count": limits.max_count,
        "summary": summary(limits),
        "note": limits.note.in_language(language) if limits.note else "",
        "accept": ",".join(sorted(limits.types)),
        "caps": json.dumps(caps, sort_keys=True),
    }


def file_refusal(exc: AttachmentRefused) -> str:
    """An AttachmentRefused in the agent's language."""
    v = exc.values
    if exc.problem == "too_many":
        return str(
            _(
                "Not sent: %(count)s files; at most %(limit)s per reply on this channel.",
                count=v["count"],
                limit=v["limit"],
            )
        )
    if exc.problem == "type":
        return str(
            _(
                "Not sent: %(name)s is not a file type this channel takes (%(accepted)s).",
                name=v["filename"],
                accepted=v["accepted"],
            )
        )
    if exc.problem == "too_large":
        return str(
            _(
                "Not sent: %(name)s is %(size)s MB; the limit on this channel is %(limit)s MB.",
                name=v["filename"],
                size=v["size"],
                limit=v["limit"],
            )
        )
    return str(_("Not sent: files cannot be sent in this conversation."))
