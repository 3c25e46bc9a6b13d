"""`OutboundReply.options["quick_replies"]` as a WhatsApp interactive message.

Messenger and Instagram show quick replies under a text; WhatsApp has no such thing, but its
interactive messages carry the same idea (docs/platform-apis.md §5.5): up to 3 reply buttons
(title ≤ 20 characters, id ≤ 256) or, for up to 10 choices, a list opened by one button (row
title ≤ 24, row id ≤ 200, button label ≤ 20). A tap comes back as `button_reply`/`list_reply`
with the id we gave (payloads.py reads it as the quick reply's payload), so a CSAT survey is
answered with one tap on every Meta channel. Choices that do not fit (more than 10, a title too
long, a body over the interactive limit) leave the message as plain text: the question still
says what to type, and a refused send would lose the survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256
MAX_ROWS = 10
ROW_TITLE = 24
ROW_ID = 200
BODY_LIMIT = 1024  # the reply-button body's limit, the stricter of the two kinds
LIST_BUTTON = "선택 / Choose"  # the label that opens the list (≤ 20 characters)


def choices(raw: object) -> list[tuple[str, str]]:
    """The (payload, title) pairs of the option, in order; malformed entries are skipped."""
    if not isinstance(raw, list):
        return []
    found: list[tuple[str, str]] = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        title, payload = str(item.get("title") or ""), str(item.get("payload") or "")
        if title and payload:
            found.append((payload, title))
    return found


def interactive(text: str, raw: object) -> dict[str, Any] | None:
    """The message content (`type` + `interactive`) for `text` with the option's choices,
    or None when there are none or they do not fit (send it as text)."""
    options = choices(raw)
    if not options or not 0 < len(text) <= BODY_LIMIT:
        return None
    if len({payload for payload, _ in options}) != len(options):
        return None  # the platform refuses duplicate ids
    body = {"text": text}
    if len(options) <= MAX_BUTTONS and _fits(options, BUTTON_TITLE, BUTTON_ID):
        buttons = [{"type": "reply", "reply": {"id": p, "title": t}} for p, t in options]
        content = {"type": "button", "body": body, "action": {"buttons": buttons}}
    elif len(options) <= MAX_ROWS and _fits(options, ROW_TITLE, ROW_ID):
        rows = [{"id": p, "title": t} for p, t in options]
        action = {"button": LIST_BUTTON, "sections": [{"rows": rows}]}
        content = {"type": "list", "body": body, "action": action}
    else:
        return None
    return {"type": "interactive", "interactive": content}


def _fits(options: list[tuple[str, str]], title_limit: int, id_limit: int) -> bool:
    return all(len(t) <= title_limit and len(p) <= id_limit for p, t in options)
