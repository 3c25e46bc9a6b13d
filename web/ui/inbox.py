"""The inbox: conversation list (views, filters, search, paging) and the thread view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import get_locale
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from inbox.access import can_see_contact, restrict, visible_account_ids
from inbox.canned import list_canned, render, variables_for
from inbox.category_rules import summary_required
from inbox.counts import view_counts
from inbox.ingest import mark_conversation_seen
from inbox.macros import macros_for
from inbox.models import (
    PRIORITIES,
    STATUSES,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    Label,
    Message,
    Team,
    User,
    inbox_member,
)
from inbox.moderation import states as moderation_states
from inbox.queries import (
    ConversationFilter,
    Page,
    conversation_query,
    last_messages,
    list_by_sla,
    list_conversations,
)
from inbox.sla import clocks_for
from inbox.views import views_for
from web.moderating import actions_for
from web.replying import attachment_limits, reply_window, templates_for
from web.runtime import current_runtime
from web.ui.attachments import composer_files
from web.ui.categories import category_choices
from web.ui.common import conversation_if_visible, roles, user_row, visible_conversation
from web.ui.intake_panel import intake_panel
from web.ui.snooze import presets, zone_of

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
AGENTS = ("admin", "agent")
PAGE_SIZE = 25
THREAD_LIMIT = 300


@dataclass(frozen=True)
class ListArgs:
    """The list's state, all in the query string so every view is a shareable URL."""

    view: str
    status: str
    channel: str
    label: str
    assignee: str
    q: str
    sort: str
    cursor: str

    @classmethod
    def from_request(cls) -> ListArgs:
        return cls.from_args(request.args)

    @classmethod
    def from_back(cls, url: str) -> ListArgs:
        """The list state carried in a form's `back` URL (the thread URL with the list's
        query), so a swapped fragment keeps the links the page had."""
        return cls.from_args(MultiDict(parse_qsl(urlsplit(url).query)))

    @classmethod
    def from_args(cls, a: Mapping[str, str]) -> ListArgs:
        view = a.get("view", "all")
        if view not in ("mine", "unassigned", "all") and not _is_team_view(view):
            view = "all"
        status = a.get("status", "open")
        return cls(
            view=view,
            status=status if status in (*STATUSES, "any") else "open",
            channel=a.get("channel", ""),
            label=a.get("label", ""),
            assignee=a.get("assignee", "") if _digits(a.get("assignee", "")) else "",
            q=a.get("q", "").strip()[:200],
            sort="sla" if a.get("sort") == "sla" else "activity",
            cursor=a.get("cursor", ""),
        )

    def filter(self, view: str | None = None) -> ConversationFilter:
        view = view or self.view
        assignee = {"mine": "me", "unassigned": "none"}.get(view) or self.assignee or None
        return ConversationFilter(
            status=None if self.status == "any" else self.status,
            channel=self.channel or None,
            label=self.label or None,
            assignee=assignee,
            team_id=int(view[5:]) if _is_team_view(view) else None,
            q=self.q or None,
        )

    def query(self, **overrides: str) -> dict[str, str]:
        """Query-string values for links, without defaults and without the cursor."""
        values = {
            "view": self.view,
            "status": self.status,
            "channel": self.channel,
            "label": self.label,
            "assignee": self.assignee,
            "q": self.q,
            "sort": self.sort,
            **overrides,
        }
        defaults = {"view": "all", "status": "open", "sort": "activity"}
        return {k: v for k, v in values.items() if v and defaults.get(k) != v}


def _is_team_view(view: str) -> bool:
    return view.startswith("team:") and _digits(view[5:])


@bp.get("/")
@roles(*AGENTS)
def index() -> Response:
    return _page(None)


@bp.get("/c/<int:conversation_id>")
@roles(*AGENTS)
def thread(conversation_id: int) -> Response:
    return _page(conversation_id)


@bp.get("/_counts")
@roles(*AGENTS)
def counts_fragment() -> str:
    """The views with their counts, refetched by the page when live events arrive."""
    args = ListArgs.from_request()
    with current_runtime().db.session() as db:
        user = user_row(db)
        teams = list(db.scalars(select(Team).order_by(Team.name)))
        return render_template(
            "ui/_views.html",
            args=args,
            teams=teams,
            counts=_counts(db, user, args, teams),
            saved_views=views_for(db, user),
            me_id=user.id,
            selected=request.args.get("selected", type=int),
        )


@bp.get("/_list")
@roles(*AGENTS)
def list_fragment() -> str:
    args = ListArgs.from_request()
    selected = request.args.get("selected", type=int)
    with current_runtime().db.session() as db:
        user = user_row(db)
        return render_template("ui/_list.html", **_list_context(db, user, args), selected=selected)


@bp.get("/c/<int:conversation_id>/_parts")
@roles(*AGENTS)
def thread_fragment(conversation_id: int) -> str:
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        mark_conversation_seen(db, conversation.id, datetime.now(UTC))
        return render_template(
            "ui/_thread_live.html",
            args=ListArgs.from_request(),
            **thread_context(db, user, conversation),
        )


def htmx_request() -> bool:
    """An htmx swap (not its history restore, which wants the whole page)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and not headers.get("HX-History-Restore-Request")


def _page(conversation_id: int | None) -> Response:
    body, status = _page_body(conversation_id)
    response = make_response(body, status)
    # One address, three answers (the page, the list pane, the conversation part): a cache
    # must never hand the browser a fragment when it goes back to the page.
    response.vary.update(("HX-Request", "HX-Target"))
    return response


def _page_body(conversation_id: int | None) -> tuple[str, int]:
    args = ListArgs.from_request()
    with current_runtime().db.session() as db:
        user = user_row(db)
        if htmx_request() and request.headers.get("HX-Target") == "conversation":
            return _conversation_part(db, user, args, conversation_id)
        if htmx_request():
            return _list_pane(db, user, args, conversation_id), 200
        conversation = _opened(db, user, conversation_id)
        context: dict[str, Any] = _list_context(db, user, args)
        context["counts"] = _counts(db, user, args, context["teams"])
        context["saved_views"] = views_for(db, user)
        context["selected"] = conversation.id if conversation else None
        context["refused"] = conversation is None and conversation_id is not None
        if conversation is not None:
            context.update(thread_context(db, user, conversation))
        return render_template("ui/inbox.html", **context), 404 if context["refused"] else 200


def _opened(db: Session, user: User, conversation_id: int | None) -> Conversation | None:
    """The conversation the agent opens, marked as seen by them; None when there is none to
    open or it cannot be (deleted, or in an inbox the agent does not see: one answer for both,
    as everywhere, so an address never tells whether a conversation exists)."""
    if conversation_id is None:
        return None
    conversation = conversation_if_visible(db, user, conversation_id)
    if conversation is None:
        return None
    mark_conversation_seen(db, conversation.id, datetime.now(UTC))
    db.expire(conversation, ["agent_last_seen_at"])
    return conversation


def _conversation_part(
    db: Session, user: User, args: ListArgs, conversation_id: int | None
) -> tuple[str, int]:
    """A list row opened (or the phone's back link closed) a conversation: only the thread
    and its details, without the list and its counts, which did not change. A refused one
    answers 404 with the message in its place (app.js swaps it in, not an error page)."""
    conversation = _opened(db, user, conversation_id)
    refused = conversation is None and conversation_id is not None
    context: dict[str, Any] = {
        "args": args,
        "conversation": conversation,
        "swap": True,
        "refused": refused,
    }
    if conversation is not None:
        context.update(thread_context(db, user, conversation))
    return render_template("ui/_conversation.html", **context), 404 if refused else 200


def _list_pane(db: Session, user: User, args: ListArgs, selected: int | None) -> str:
    """A view, filter or page change: the list pane, plus the sidebar (views, counts, the
    filters) unless only the page changed — paging never changes a count."""
    context: dict[str, Any] = _list_context(db, user, args)
    if selected is not None and conversation_if_visible(db, user, selected) is None:
        # Refused (its message is in #conversation): the list still changes, its links
        # just stop keeping that conversation open; a 404 here made app.js reload.
        selected = None
    context["selected"] = selected
    context["sidebar_oob"] = not args.cursor
    if context["sidebar_oob"]:
        context["counts"] = _counts(db, user, args, context["teams"])
        context["saved_views"] = views_for(db, user)
    return render_template("ui/_list_pane.html", **context)


def _list_context(db: Session, user: User, args: ListArgs) -> dict[str, Any]:
    lister = list_by_sla if args.sort == "sla" else list_conversations
    try:
        page = lister(db, user, args.filter(), cursor=args.cursor or None, limit=PAGE_SIZE)
    except ValueError:
        page = Page([], None)
    # Load the rows' assignees in one query; `c.assignee` then resolves from the session.
    assignee_ids = {c.assignee_id for c in page.items if c.assignee_id}
    if assignee_ids:
        list(db.scalars(select(User).where(User.id.in_(assignee_ids))))
    allowed = visible_account_ids(db, user)
    accounts_q = select(ChannelAccount).order_by(ChannelAccount.name)
    if allowed is not None:
        accounts_q = accounts_q.where(ChannelAccount.id.in_(allowed or {-1}))
    accounts = list(db.scalars(accounts_q))
    return {
        "args": args,
        "page": page,
        "previews": last_messages(
            db, [c.id for c in page.items], {c.id for c in page.items if c.waiting_since}
        ),
        "slas": clocks_for(db, [c.id for c in page.items], datetime.now(UTC)),
        "channels": sorted({a.channel for a in accounts}),
        "labels": list(db.scalars(select(Label).order_by(Label.name))),
        "teams": list(db.scalars(select(Team).order_by(Team.name))),
        "agents": _assignable(db, allowed),
        "me_id": user.id,
        "now": datetime.now(UTC),
    }


def _counts(db: Session, user: User, args: ListArgs, teams: list[Team]) -> dict[str, int]:
    """Queue sizes per view under the current status/channel/label filters.

    The search text and the assignee filter are left out: counts say how big each queue is,
    and a text search per view would multiply the cost of every search. They come from the
    maintained deltas (inbox/counts.py: one small query whatever the table's size), per label
    under a label filter.
    """
    label_id: int | None = None
    if args.label:
        label_id = db.scalar(select(Label.id).where(Label.name == args.label))
        if label_id is None:  # no such label: no conversation carries it
            return {"all": 0, "mine": 0, "unassigned": 0, **{f"team:{t.id}": 0 for t in teams}}
    allowed = visible_account_ids(db, user)
    if args.channel:
        in_channel = set(
            db.scalars(select(ChannelAccount.id).where(ChannelAccount.channel == args.channel))
        )
        allowed = in_channel if allowed is None else allowed & in_channel
    found = view_counts(
        db,
        user.id,
        account_ids=allowed,
        status=None if args.status == "any" else args.status,
        label_id=label_id,
    )
    counts = {"all": found.total, "mine": found.mine, "unassigned": found.unassigned}
    counts.update({f"team:{t.id}": found.per_team.get(t.id, 0) for t in teams})
    return counts


def _counted(db: Session, user: User, args: ListArgs, teams: list[Team]) -> dict[str, int]:
    """The same counts by COUNT over the matching conversations, in two queries: what the
    deltas replaced, kept as the reference bench/inbox_scale.py compares them with."""
    plain = replace(args, q="", assignee="")
    base = conversation_query(db, user, plain.filter("all")).subquery()
    total, mine, unassigned = db.execute(
        select(
            func.count(),
            func.count().filter(base.c.assignee_id == user.id),
            func.count().filter(base.c.assignee_id.is_(None)),
        ).select_from(base)
    ).one()
    counts = {"all": total, "mine": mine, "unassigned": unassigned}
    per_team: dict[int, int] = {
        team_id: n
        for team_id, n in db.execute(
            select(base.c.team_id, func.count())
            .where(base.c.team_id.is_not(None))
            .group_by(base.c.team_id)
        ).tuples()
    }
    counts.update({f"team:{t.id}": per_team.get(t.id, 0) for t in teams})
    return counts


def _assignable(db: Session, allowed: set[int] | None, account_id: int | None = None) -> list[User]:
    """Active admins and agents; for one inbox, only those who can see it."""
    query = select(User).where(User.is_active.is_(True), User.role.in_(AGENTS))
    if account_id is not None:
        members = select(inbox_member.c.user_id).where(
            inbox_member.c.channel_account_id == account_id
        )
        query = query.where(or_(User.role == "admin", User.id.in_(members)))
    return list(db.scalars(query.order_by(User.name)))


def thread_context(db: Session, user: User, conversation: Conversation) -> dict[str, Any]:
    rt = current_runtime()
    before = request.args.get("before", type=int)
    messages, more = _recent_messages(db, conversation.id, before)
    contact = conversation.contact
    values = variables_for(db, conversation)
    canned = [(c, render(c.body, values)) for c in list_canned(db)]
    window = reply_window(rt, conversation)
    files = composer_files(attachment_limits(rt, conversation), str(get_locale() or "ko"))
    # Offered when a free reply is not allowed: what the platform still lets us send.
    templates, templates_problem = ([], "") if window.open else templates_for(rt, conversation)
    return {
        **sidebar_context(db, user, conversation),
        "messages": messages,
        "more_messages": more,
        "older_than": before,
        "window": window,
        "templates": templates,
        "templates_problem": templates_problem,
        "files": files,
        "contact": contact,
        "contact_visible": can_see_contact(db, user, contact.id),
        "identities": _identities(db, user, conversation),
        "other_conversations": _other_conversations(db, user, conversation),
        "merge_candidates": _merge_candidates(db, user, contact),
        "canned": canned,
        "statuses": STATUSES,
        "intake": intake_panel(db, conversation),
        "macros": macros_for(db, user),
        "moderation": moderation_states(db, [m.id for m in messages if m.kind == "comment"]),
        "moderation_actions": actions_for(rt, conversation.account, user),
    }


def sidebar_context(db: Session, user: User, conversation: Conversation) -> dict[str, Any]:
    """What the thread's header and its sidebar (_details.html) show: all a sidebar action
    can change, so its answer renders these and the new event lines, not the whole thread."""
    return {
        "conversation": conversation,
        "assignable": _assignable(db, None, conversation.channel_account_id),
        "priorities": PRIORITIES,
        "categories": category_choices(conversation.category),
        "snooze_presets": presets(datetime.now(UTC), zone_of(user.timezone)),
        "me_id": user.id,
        "summary_required": summary_required(db, conversation.category),
        "label_names": sorted(label.name for label in conversation.labels),
        "teams": list(db.scalars(select(Team).order_by(Team.name))),
        "labels": list(db.scalars(select(Label).order_by(Label.name))),
        "sla": clocks_for(db, [conversation.id], datetime.now(UTC)).get(conversation.id),
    }


def messages_after(
    db: Session, user: User, conversation: Conversation, after: int
) -> dict[str, Any] | None:
    """The messages newer than `after` (the newest the page shows), oldest first, with what
    their template needs; None when there are more than a thread shows (the page then wants
    the whole thread)."""
    rows = list(
        db.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.id > after)
            .order_by(Message.id)
            .limit(THREAD_LIMIT + 1)
        )
    )
    if len(rows) > THREAD_LIMIT:
        return None
    # An action adds event lines, which show neither files nor an author: load those (one
    # query each, into the same rows) only when customer or agent messages came meanwhile.
    said = [m.id for m in rows if m.kind != "event"]
    if said:
        db.scalars(
            select(Message)
            .where(Message.id.in_(said))
            .options(selectinload(Message.attachments), selectinload(Message.author))
        ).all()
    comments = [m.id for m in rows if m.kind == "comment"]
    return {
        "messages": rows,
        # They follow messages the page shows: each can be split from, like a thread's later ones.
        "more_messages": True,
        "moderation": moderation_states(db, comments),
        "moderation_actions": actions_for(current_runtime(), conversation.account, user)
        if comments
        else [],
    }


def _recent_messages(
    db: Session, conversation_id: int, before: int | None
) -> tuple[list[Message], bool]:
    """The newest THREAD_LIMIT messages (before message `before`), oldest first; True if
    there are older ones."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if before is not None:
        query = query.where(Message.id < before)
    rows = list(
        db.scalars(
            query.options(selectinload(Message.attachments), selectinload(Message.author))
            .order_by(Message.id.desc())
            .limit(THREAD_LIMIT + 1)
        )
    )
    return rows[:THREAD_LIMIT][::-1], len(rows) > THREAD_LIMIT


def _other_conversations(db: Session, user: User, conversation: Conversation) -> list[Conversation]:
    query = restrict(
        select(Conversation)
        .where(
            Conversation.contact_id == conversation.contact_id,
            Conversation.id != conversation.id,
        )
        .options(selectinload(Conversation.account)),
        db,
        user,
    )
    return list(db.scalars(query.order_by(Conversation.last_activity_at.desc()).limit(20)))


def _identities(db: Session, user: User, conversation: Conversation) -> list[ContactIdentity]:
    """The contact's identities; only this conversation's own when the contact also writes to
    an inbox the agent cannot see (its other identities would reveal that inbox's customer)."""
    identities = list(conversation.contact.identities)
    if can_see_contact(db, user, conversation.contact_id):
        return identities
    channel = conversation.account.channel
    return [
        i
        for i in identities
        if i.channel == channel and i.external_user_id == conversation.participant_key
    ]


def _merge_candidates(db: Session, user: User, contact: Contact) -> list[Contact]:
    """Contacts that look like the same person (same email, phone or name; an email the
    customer only typed into the chat lands here as a suggestion), limited to contacts whose
    every inbox the agent sees: suggestions never reveal other inboxes."""
    if not can_see_contact(db, user, contact.id):
        return []
    same = [
        column == value
        for column, value in (
            (Contact.email, contact.email),
            (Contact.phone, contact.phone),
            (Contact.name, contact.name),
        )
        if value
    ]
    if not same:
        return []
    query = select(Contact).where(
        or_(*same), Contact.id != contact.id, Contact.merged_into_id.is_(None)
    )
    allowed = visible_account_ids(db, user)
    if allowed is not None:
        reachable = select(Conversation.contact_id).where(
            Conversation.channel_account_id.in_(allowed or {-1})
        )
        query = query.where(Contact.id.in_(reachable))
    return [c for c in db.scalars(query.limit(20)) if can_see_contact(db, user, c.id)][:5]


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "¹", which int() refuses."""
    return text.isascii() and text.isdigit()


def forbid_unless(condition: bool) -> None:
    if not condition:
        abort(403)


# Action routes live in their own modules and register on `bp`.
from web.ui import actions as _actions  # noqa: E402, F401
from web.ui import moderation as _moderation  # noqa: E402, F401  (hide/unhide/delete comments)
from web.ui import profiles as _profiles  # noqa: E402, F401  (refresh a customer's profile)
from web.ui import workflow as _workflow  # noqa: E402, F401  (bulk, saved views, macros)
