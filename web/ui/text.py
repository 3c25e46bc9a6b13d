"""Template filters: times in the agent's zone, escaped line breaks, translated system events."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask_babel import format_datetime, format_timedelta, get_locale, gettext
from markupsafe import Markup, escape

from connectors import channel
from connectors.base import Capability, ConversationKind, Text, TextLimit, Words
from inbox.search import parse_terms
from web.ui.categories import category_name


def _(text: str, **values: str) -> str:
    return str(gettext(text, **values))


def say(value: object) -> str:
    """A domain message (or the exception carrying it) in the UI's language: `Words` carry
    their Korean; anything else is shown as it is (a platform's own error text, a name)."""
    if isinstance(value, BaseException) and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, Words):
        return value.in_language(str(get_locale() or "ko"))
    return str(value)


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


def left(seconds: float | None) -> str:
    """How long until an SLA target, e.g. "25 minutes"."""
    if seconds is None:
        return ""
    return str(format_timedelta(timedelta(seconds=max(seconds, 0)), granularity="minute"))


def nl2br(value: str | None) -> Markup:
    """Escape, then keep line breaks (untrusted text never reaches the page unescaped)."""
    return Markup("<br>").join(escape(value or "").split("\n"))


def highlight(value: str | None, q: str | None, breaks: bool = False) -> Markup:
    """`value` escaped, with every occurrence of a search term of `q` in <mark>.

    The terms are inbox.search.parse_terms(q), so what is marked is what the search matched:
    the stem of a Korean term (배송이 marks 배송), a quoted phrase whole, case-insensitively.
    Overlapping terms mark the longest at each place. The terms are found in the raw text and
    every piece is escaped on its own, so user text never reaches the page unescaped and an
    escape sequence (&lt;) is never marked; `breaks` keeps line breaks as <br> like nl2br.
    <mark> needs no style attribute, so the strict CSP is untouched.
    """
    text = value or ""
    pattern = _highlight_pattern(q or "")
    if pattern is None:
        return _plain(text, breaks)
    pieces: list[Markup] = []
    position = 0
    for match in pattern.finditer(text):
        pieces += (_plain(text[position : match.start()], breaks), _MARK, _plain(match[0], breaks))
        pieces.append(_UNMARK)
        position = match.end()
    pieces.append(_plain(text[position:], breaks))
    return _NOTHING.join(pieces)


_MARK, _UNMARK, _NOTHING = Markup("<mark>"), Markup("</mark>"), Markup("")


@lru_cache(maxsize=64)
def _highlight_pattern(q: str) -> re.Pattern[str] | None:
    """One alternation of the query's terms, longest first; cached because a page marks the
    same query in every row."""
    terms = sorted(parse_terms(q), key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def _plain(text: str, breaks: bool) -> Markup:
    return nl2br(text) if breaks and "\n" in text else escape(text)


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

# What a rule did, one part per action, as inbox/rules.py writes them ("; " between parts).
_RULE_PARTS: list[tuple[re.Pattern[str], Render]] = [
    (re.compile(r"^assigned (?P<v>.+)$"), lambda g: _("assigned %(name)s", name=g["v"])),
    (re.compile(r"^team (?P<v>.+)$"), lambda g: _("team %(name)s", name=g["v"])),
    (re.compile(r"^label (?P<v>.+)$"), lambda g: _("label %(name)s", name=g["v"])),
    (re.compile(r"^removed label (?P<v>.+)$"), lambda g: _("removed label %(name)s", name=g["v"])),
    (re.compile(r"^priority (?P<v>\w+)$"), lambda g: _("priority %(p)s", p=_priority(g["v"]))),
    (re.compile(r"^category (?P<v>.+)$"), lambda g: _("category %(c)s", c=category_name(g["v"]))),
    (
        re.compile(r"^replied /(?P<v>\S+) \((?P<l>\w+)\)$"),
        lambda g: _("replied /%(shortcut)s (%(locale)s)", shortcut=g["v"], locale=g["l"]),
    ),
    (re.compile(r"^note$"), lambda g: _("note")),
    (re.compile(r"^snoozed (?P<v>\d+) min$"), lambda g: _("snoozed %(n)s min", n=g["v"])),
    (re.compile(r"^resolved$"), lambda g: _("resolved")),
    (
        re.compile(r"^webhook (?P<v>.+) \(already sent\)$"),
        lambda g: _("webhook %(name)s (already sent)", name=g["v"]),
    ),
    (re.compile(r"^webhook (?P<v>.+)$"), lambda g: _("webhook %(name)s", name=g["v"])),
    (re.compile(r"^nothing to change$"), lambda g: _("nothing to change")),
    (
        re.compile(r"^(?P<a>\w+) skipped \((?P<why>.*)\)$"),
        lambda g: _("%(action)s skipped (%(why)s)", action=g["a"], why=g["why"]),
    ),
]


def _rule_done(done: str) -> str:
    parts = []
    for part in done.split("; "):
        for pattern, render in _RULE_PARTS:
            match = pattern.match(part)
            if match is not None:
                part = render(match.groupdict())
                break
        parts.append(part)
    return "; ".join(parts)


# System events are stored as English sentences by inbox/conversations.py and inbox/ingest.py;
# they are shown in the agent's language. Unknown shapes are shown as stored.
_EVENTS: list[tuple[re.Pattern[str], Render]] = [
    # Phone (inbox/calls.py, inbox/opt_out.py); before the others ("assigned", "changed").
    (
        re.compile(r"^(?P<what>Voicemail|Missed call) from (?P<number>\S+): call back$"),
        lambda g: (
            _("Voicemail from %(number)s: call back", number=g["number"])
            if g["what"] == "Voicemail"
            else _("Missed call from %(number)s: call back", number=g["number"])
        ),
    ),
    (
        re.compile(r"^Call from (?P<number>\S+) was answered after all$"),
        lambda g: _("Call from %(number)s was answered after all", number=g["number"]),
    ),
    (
        re.compile(
            r"^The customer opted out of texts \((?P<word>.*)\): no more texts can be sent$"
        ),
        lambda g: _(
            "The customer opted out of texts (%(word)s): no more texts can be sent", word=g["word"]
        ),
    ),
    (
        re.compile(r"^The customer opted in to texts again \((?P<word>.*)\)$"),
        lambda g: _("The customer opted in to texts again (%(word)s)", word=g["word"]),
    ),
    # A rule's summary may contain the words other patterns look for ("assigned").
    (
        re.compile(r"^Rule “(?P<rule>.+)” ran: (?P<done>.*)$"),
        lambda g: _("Rule “%(rule)s” ran: %(done)s", rule=g["rule"], done=_rule_done(g["done"])),
    ),
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
        lambda g: _("Category: %(c)s · %(who)s", c=category_name(g["c"]), who=g["who"]),
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
    (
        re.compile(
            r"^Auto-assigned to (?P<whom>.+) \((?P<why>[^;]+); (?P<n>\d+) of (?P<m>\d+) open.*\)$"
        ),
        lambda g: _(
            "Auto-assigned to %(whom)s (%(why)s; %(n)s of %(m)s open)",
            whom=g["whom"],
            why=_(ASSIGN_REASONS.get(g["why"], g["why"])),
            n=g["n"],
            m=g["m"],
        ),
    ),
    (
        re.compile(r"^SLA (?P<kind>breached|about to breach): (?P<t>[a-z ]+) due (?P<at>.+) UTC$"),
        lambda g: _sla_event(g["kind"], g["t"], g["at"]),
    ),
]


def _sla_event(kind: str, target: str, at: str) -> str:
    name = sla_target_name(target.replace(" ", "_"))
    if kind == "breached":
        return _("SLA breached: %(target)s was due %(at)s", target=name, at=_utc_text(at))
    return _("SLA about to breach: %(target)s due %(at)s", target=name, at=_utc_text(at))


def _utc_text(at: str) -> str:
    try:
        return when(datetime.strptime(at, "%Y-%m-%d %H:%M").replace(tzinfo=UTC), "full")
    except ValueError:
        return at


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


ASSIGN_REASONS: dict[str, str] = {
    "round-robin": N_("round-robin"),
    "least open": N_("fewest open"),
    "previous assignee off shift": N_("previous assignee off shift"),
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
        return _(text)

    return name


SLA_TARGETS = {
    "first_response": N_("first response"),
    "next_response": N_("next response"),
    "resolution": N_("resolution"),
}


def channel_has(slug: str | None, capability: str) -> bool:
    """Whether the channel's connector declares `capability` (templates ask, never name slugs)."""
    declared = channel(slug)
    return declared is not None and Capability(capability) in declared.capabilities


def reply_limit(slug: str | None, kind: str) -> TextLimit | None:
    """The limit the composer counts for a reply in a `kind` conversation (None: no counter)."""
    declared = channel(slug)
    if declared is None or kind not in set(ConversationKind):
        return None
    return declared.limits.reply(ConversationKind(kind))


def ui_language() -> str:
    """The page's language ("ko" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def channel_name(slug: str | None) -> str:
    """The channel's display name in the page's language, from its declaration."""
    declared = channel(slug)
    if declared is None:
        return slug or ""
    return declared.name(ui_language())


def local(text: Text | None) -> str:
    """Words a channel declares (form labels, help) in the page's language."""
    return "" if text is None else text.in_language(ui_language())


sla_target_name = _named(SLA_TARGETS)
status_name = _named(STATUSES)
priority_name = _named(PRIORITY_NAMES)
delivery_name = _named(DELIVERY)

# CSAT (inbox/csat.py) and follow-up/summary (inbox/conversations.py) events; first, since a
# comment, task or summary is free text that may contain what the patterns below look for.
_EVENTS[:0] = [
    (
        re.compile(r"^Customer rated the conversation (?P<n>[1-5])/5$"),
        lambda g: _("Customer rated the conversation %(n)s/5", n=g["n"]),
    ),
    (
        re.compile(r"^CSAT comment: (?P<comment>.*)$", re.S),
        lambda g: _("CSAT comment: %(comment)s", comment=g["comment"]),
    ),
    (
        re.compile(r"^CSAT survey not sent: (?P<why>.*)$", re.S),
        lambda g: _("CSAT survey not sent: %(why)s", why=g["why"]),
    ),
    (
        re.compile(r"^Follow-up due: (?P<task>.*)$", re.S),
        lambda g: _("Follow-up due: %(task)s", task=g["task"]),
    ),
    (
        re.compile(r"^(?P<who>.+?) set a follow-up: (?P<task>.*)$", re.S),
        lambda g: _("Follow-up set: %(task)s · %(who)s", task=g["task"], who=g["who"]),
    ),
    (
        re.compile(r"^(?P<who>.+?) wrote the resolution summary: (?P<summary>.*)$", re.S),
        lambda g: _(
            "Resolution summary: %(summary)s · %(who)s", summary=g["summary"], who=g["who"]
        ),
    ),
]

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
