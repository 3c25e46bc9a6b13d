"""Template filters: times in the agent's zone, escaped line breaks, translated system events."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask_babel import format_datetime, format_timedelta, gettext
from markupsafe import Markup, escape


def _(text: str, **values: str) -> str:
    return str(gettext(text, **values))


def when(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time in the agent's zone: "short" is today's HH:mm or the date, "full" both."""
    if value is None:
        return ""
    if fmt == "full":
        return str(format_datetime(value, "yyyy-MM-dd HH:mm"))
    if datetime.now(UTC) - value < timedelta(hours=20):
        return str(format_datetime(value, "HH:mm"))
    return str(format_datetime(value, "MM-dd"))


def ago(value: datetime | None) -> str:
    if value is None:
        return ""
    delta = datetime.now(UTC) - value
    return str(format_timedelta(delta, granularity="minute", threshold=0.9))


def nl2br(value: str | None) -> Markup:
    """Escape, then keep line breaks (untrusted text never reaches the page unescaped)."""
    return Markup("<br>").join(escape(value or "").split("\n"))


def _status(name: str) -> str:
    return status_name(name)


def _priority(name: str) -> str:
    return priority_name(name)


def _until(rest: str) -> str:
    """' until 2026-11-26T00:00:00+00:00' → the same moment in the agent's zone."""
    if not rest.startswith(" until "):
        return rest
    try:
        at = datetime.fromisoformat(rest[len(" until ") :])
    except ValueError:
        return rest
    return _(" (until %(at)s)", at=when(at, "full"))


Render = Callable[[dict[str, str]], str]

# System events are stored as English sentences by inbox/conversations.py and inbox/ingest.py;
# they are shown in the agent's language. Unknown shapes are shown as stored.
_EVENTS: list[tuple[re.Pattern[str], Render]] = [
    (
        re.compile(r"^(?P<who>.+) changed status (?P<a>\w+) → (?P<b>\w+)(?P<rest>.*)$"),
        lambda g: _(
            "Status %(a)s → %(b)s%(rest)s · %(who)s",
            a=_status(g["a"]),
            b=_status(g["b"]),
            rest=_until(g["rest"]),
            who=g["who"],
        ),
    ),
    (
        re.compile(r"^(?P<who>.+) assigned team (?P<team>.+)$"),
        lambda g: _("Team: %(team)s · %(who)s", team=g["team"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) unassigned$"),
        lambda g: _("Assignee removed · %(who)s", who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) assigned (?P<whom>.+)$"),
        lambda g: _("Assigned to %(whom)s · %(who)s", whom=g["whom"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) set priority (?P<p>\w+)$"),
        lambda g: _("Priority: %(p)s · %(who)s", p=_priority(g["p"]), who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) set category (?P<c>.+)$"),
        lambda g: _("Category: %(c)s · %(who)s", c=g["c"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) set labels (?P<labels>.+)$"),
        lambda g: _("Labels: %(labels)s · %(who)s", labels=g["labels"], who=g["who"]),
    ),
    (
        re.compile(r"^reopened \((?P<a>\w+) → open\) by a new message$"),
        lambda g: _("Reopened by a new customer message (was %(a)s)", a=_status(g["a"])),
    ),
    (re.compile(r"^snooze ended → open$"), lambda g: _("Snooze ended; open again")),
]


def event_text(text: str | None) -> str:
    text = text or ""
    for pattern, render in _EVENTS:
        match = pattern.match(text)
        if match is not None:
            found = match.groupdict()
            if found.get("who") == "system":
                found["who"] = _("System")
            return render(found)
    return text


def N_(text: str) -> str:
    """Mark a message id for extraction; it is translated when shown."""
    return text


CHANNELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "email": N_("Email"),
    "webchat": N_("Web chat"),
    "fake": N_("Test channel"),
}
STATUSES = {
    "open": N_("Open"),
    "pending": N_("Pending"),
    "snoozed": N_("Snoozed"),
    "resolved": N_("Resolved"),
    "any": N_("Any status"),
}
PRIORITY_NAMES = {
    "none": N_("No priority"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
}
DELIVERY = {
    "pending": N_("Queued"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "read": N_("Read"),
    "failed": N_("Failed"),
    "unknown": N_("Unknown — check"),
}


def _named(table: dict[str, str]) -> Callable[[str | None], str]:
    """A lookup that translates only the one name asked for (lists call these per row)."""

    def name(key: str | None) -> str:
        text = table.get(key or "")
        if text is None:
            return key or ""
        return _(text) if text not in ("Facebook", "Instagram", "X") else text

    return name


channel_name = _named(CHANNELS)
status_name = _named(STATUSES)
priority_name = _named(PRIORITY_NAMES)
delivery_name = _named(DELIVERY)

# Merge and split events (inbox/merge.py); checked before the general patterns above.
_EVENTS[:0] = [
    (
        re.compile(r"^(?P<who>.+) merged #(?P<n>\d+) into this conversation$"),
        lambda g: _("Conversation #%(n)s merged into this one · %(who)s", n=g["n"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) merged this conversation into #(?P<n>\d+)$"),
        lambda g: _("Merged into #%(n)s · %(who)s", n=g["n"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) split this off #(?P<n>\d+)$"),
        lambda g: _("Split off #%(n)s · %(who)s", n=g["n"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) split (?P<count>\d+) messages off into #(?P<n>\d+)$"),
        lambda g: _(
            "%(count)s messages split off into #%(n)s · %(who)s",
            count=g["count"],
            n=g["n"],
            who=g["who"],
        ),
    ),
    (
        re.compile(r"^(?P<who>.+) undid the merge: #(?P<n>\d+) is separate again$"),
        lambda g: _("Merge undone: #%(n)s is separate again · %(who)s", n=g["n"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+) undid the split: the messages are back in #(?P<n>\d+)$"),
        lambda g: _("Split undone: messages back in #%(n)s · %(who)s", n=g["n"], who=g["who"]),
    ),
]
