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
    names = {
        "open": _("Open"),
        "pending": _("Pending"),
        "snoozed": _("Snoozed"),
        "resolved": _("Resolved"),
    }
    return names.get(name, name)


def _priority(name: str) -> str:
    names = {
        "none": _("No priority"),
        "low": _("Low"),
        "medium": _("Medium"),
        "high": _("High"),
        "urgent": _("Urgent"),
    }
    return names.get(name, name)


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
