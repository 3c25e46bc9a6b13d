"""Automation rules: when a trigger happens and every condition holds, run the actions.

Rules run in position order from a job after the triggering change committed (see
workers/automation.py), never inside ingest. Each firing is recorded under a unique
(rule, occasion) key — the message, the status change, the SLA due time — so a replayed or
duplicated event fires nothing twice, and is written into the thread. Everything a rule
changes is emitted with origin "rules", so no rule is triggered by a rule's own changes
(switchboard/reactions.py drops such events): rules cannot loop.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from connectors.base import Words
from inbox.audit import record
from inbox.business_hours import Schedule, hours_for
from inbox.canned import render, variables_for
from inbox.conversations import LABEL_CACHE, Change, apply_change, system_event
from inbox.db import forget_since, insert_returning_id, pending_mark
from inbox.events import emit
from inbox.models import (
    PRIORITIES,
    CannedResponse,
    Conversation,
    Label,
    Message,
    Team,
    User,
    inbox_member,
    utcnow,
)
from inbox.models.rules import TRIGGERS, AutomationRule, RuleFiring
from inbox.models.webhooks import WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import enqueue_delivery
from inbox.replies import Draft, create_reply
from inbox.serialize import conversation_json, message_json
from inbox.workflow_config import changed

ORIGIN = "rules"
HOURS_CACHE = "rules:hours"  # session.info: account id → Schedule, during one run
KINDS = ("dm", "comment", "mention", "email", "chat")
# field → operators it accepts
CONDITIONS: dict[str, tuple[str, ...]] = {
    "inbox": ("in", "not_in"),
    "channel": ("in", "not_in"),
    "kind": ("in", "not_in"),
    "language": ("in", "not_in"),
    "text": ("contains", "not_contains", "regex"),
    "label": ("has", "has_not"),
    "category": ("is", "is_not"),
    "priority": ("in", "not_in"),
    "business_hours": ("is",),  # value "open" | "closed"
    "contact_name": ("contains", "is"),
    "contact_email": ("contains", "is"),
    "contact_phone": ("contains", "is"),
    "minutes_since_customer_message": ("at_least",),  # the customer_silent trigger needs it
}
ACTIONS = (
    "assign_agent",
    "assign_team",
    "add_label",
    "remove_label",
    "set_priority",
    "set_category",
    "reply_canned",
    "note",
    "snooze",
    "resolve",
    "webhook",
)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(r"[\u3040-\u30ff]")


@dataclass(frozen=True, slots=True)
class Occasion:
    """One thing that happened to one conversation, with its unique key."""

    trigger: str
    key: str
    conversation_id: int
    message_id: int | None = None


@dataclass(slots=True)
class Outcome:
    fired: list[tuple[int, int]] = field(default_factory=list)  # (rule id, conversation id)
    replies: list[int] = field(default_factory=list)  # outbound messages to send


def language_of(text: str | None) -> str | None:
    """ko / ja / en by script: enough to choose a canned answer's language."""
    if not text:
        return None
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text):
        return "ja"
    if _LATIN.search(text):
        return "en"
    return None


# --- administration -------------------------------------------------------------------------


def save_rule(
    session: Session,
    *,
    name: str,
    trigger: str,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    stop_processing: bool = False,
    enabled: bool = True,
    position: int | None = None,
    rule_id: int | None = None,
    actor_id: int | None,
) -> AutomationRule:
    name = name.strip()
    if not name:
        raise ValueError(Words("a rule needs a name", "규칙 이름을 적으세요"))
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}")
    conditions = [_checked_condition(c) for c in conditions]
    actions = [_checked_action(a) for a in actions]
    if not actions:
        raise ValueError(
            Words("a rule needs at least one action", "규칙에는 동작이 하나 이상 있어야 합니다")
        )
    for action in actions:
        if action["type"] == "webhook":
            try:
                webhook_target(session, action["value"])  # refuse a name nobody subscribed
            except LookupError as exc:
                raise ValueError(str(exc)) from exc
    if trigger == "customer_silent" and not any(
        c["field"] == "minutes_since_customer_message" for c in conditions
    ):
        raise ValueError(
            Words(
                "the customer_silent trigger needs a minutes_since_customer_message",
                "고객 무응답 시점 규칙에는 '고객의 마지막 메시지 뒤 지난 분' 조건이 필요합니다",
            )
        )
    rule = session.get(AutomationRule, rule_id) if rule_id else AutomationRule()
    if rule is None:
        raise LookupError(f"rule {rule_id} not found")
    if position is None and rule_id is None:
        last = session.scalar(
            select(AutomationRule.position).order_by(AutomationRule.position.desc())
        )
        position = (last or 0) + 1
    rule.name, rule.trigger, rule.enabled = name, trigger, enabled
    rule.conditions, rule.actions, rule.stop_processing = conditions, actions, stop_processing
    if position is not None:
        rule.position = position
    session.add(rule)
    session.flush()
    record(session, actor_id, "rule.save", "automation_rule", rule.id, {"name": name})
    changed(session)
    return rule


def delete_rule(session: Session, rule_id: int, *, actor_id: int | None) -> None:
    rule = session.get(AutomationRule, rule_id)
    if rule is None:
        raise LookupError(f"rule {rule_id} not found")
    session.delete(rule)
    record(session, actor_id, "rule.delete", "automation_rule", rule_id)
    changed(session)


def list_rules(session: Session) -> list[AutomationRule]:
    return list(
        session.scalars(select(AutomationRule).order_by(AutomationRule.position, AutomationRule.id))
    )


def _checked_condition(raw: dict[str, Any]) -> dict[str, Any]:
    field_name, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    if field_name not in CONDITIONS:
        raise ValueError(f"unknown condition field {field_name!r}")
    if op not in CONDITIONS[field_name]:
        raise ValueError(f"{field_name} takes {', '.join(CONDITIONS[field_name])}, not {op!r}")
    if op == "regex":
        try:
            re.compile(str(value))
        except re.error as exc:
            raise ValueError(
                Words(f"bad regular expression: {exc}", f"정규식이 잘못되었습니다: {exc}")
            ) from exc
    if op in ("in", "not_in"):
        value = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if field_name == "inbox":
            value = [int(v) for v in value]
        if field_name == "kind" and set(value) - set(KINDS):
            raise ValueError(f"kind must be among {', '.join(KINDS)}")
        if field_name == "priority" and set(value) - set(PRIORITIES):
            raise ValueError(f"priority must be among {', '.join(PRIORITIES)}")
    if field_name == "business_hours" and value not in ("open", "closed"):
        raise ValueError("business_hours is open or closed")
    if field_name == "minutes_since_customer_message":
        value = int(str(value))
        if value <= 0:
            raise ValueError(
                Words(
                    "minutes_since_customer_message must be positive",
                    "'고객의 마지막 메시지 뒤 지난 분'은 0보다 커야 합니다",
                )
            )
    return {"field": field_name, "op": op, "value": value}


def _checked_action(raw: dict[str, Any]) -> dict[str, Any]:
    kind, value = raw.get("type"), raw.get("value")
    if kind not in ACTIONS:
        raise ValueError(f"unknown action {kind!r}; use one of {', '.join(ACTIONS)}")
    if kind in ("assign_agent", "assign_team", "snooze"):
        try:
            value = int(str(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(
                Words(f"{kind} needs a number", f"{kind}에는 숫자를 적으세요")
            ) from exc
    if kind == "set_priority" and value not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
    if (
        kind in ("add_label", "remove_label", "note", "reply_canned", "webhook")
        and not str(value or "").strip()
    ):
        raise ValueError(Words(f"{kind} needs a value", f"{kind}에 값을 적으세요"))
    return {"type": kind, "value": value}


# --- evaluation -----------------------------------------------------------------------------


def occasions_of(events: list[dict[str, Any]]) -> list[Occasion]:
    """What the committed events mean for rules (events from automation never get here)."""
    found: list[Occasion] = []
    for e in events:
        topic, cid = e.get("topic"), e.get("conversation_id")
        if not cid:
            continue
        if topic == "conversation.created":
            found.append(Occasion("conversation_created", f"created:{cid}", cid))
        elif topic == "message.created" and e.get("direction") == "inbound":
            mid = e.get("message_id")
            found.append(Occasion("customer_message", f"message:{mid}", cid, mid))
        elif (
            topic == "conversation.updated"
            and e.get("status")
            and e.get("status") != e.get("previous_status")  # absent when ingest reopened it
        ):
            # Reopened by a customer message (ingest): that message makes the change unique.
            at = e.get("at") or next(
                (
                    str(m.get("message_id"))
                    for m in events
                    if m.get("topic") == "message.created" and m.get("conversation_id") == cid
                ),
                "",
            )
            found.append(Occasion("status_changed", f"status:{cid}:{e['status']}:{at}", cid))
        elif topic in ("sla.warning", "sla.breached"):
            trigger = topic.replace(".", "_")
            found.append(
                Occasion(trigger, f"{trigger}:{cid}:{e.get('target')}:{e.get('due_at')}", cid)
            )
    return found


def run_for_events(session: Session, events: list[dict[str, Any]]) -> Outcome:
    occasions = occasions_of(events)
    if not occasions:
        return Outcome()
    rules = [r for r in list_rules(session) if r.enabled]
    if not rules:
        return Outcome()
    return run_occasions(session, rules, occasions)


def run_occasions(
    session: Session, rules: list[AutomationRule], occasions: list[Occasion]
) -> Outcome:
    """Fire the matching rules for `occasions`, per batch (issue 12, `thru`).

    Conditions are evaluated and actions applied in memory, occasion after occasion and rule
    after rule as before (a later rule sees an earlier one's label or priority), with the
    batch's conversations, their labels, contacts and inboxes and the triggering texts loaded
    up front; every "fired once per occasion" claim is then one INSERT for the whole batch
    and the changes one flush (multi-row inserts of events, audit rows, labels). A claim
    found taken (a replayed event, a racing job) rolls the batch's savepoint back, and it is
    run again with the claim first for each firing, as it always was.
    """
    triggers = {r.trigger for r in rules}
    occasions = [o for o in occasions if o.trigger in triggers]
    if not occasions:
        return Outcome()
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation)
            .where(Conversation.id.in_({o.conversation_id for o in occasions}))
            .options(
                selectinload(Conversation.labels),
                selectinload(Conversation.contact),
                selectinload(Conversation.account),
            )
        )
    }
    message_ids = {o.message_id for o in occasions if o.message_id}
    texts = (
        dict(
            session.execute(select(Message.id, Message.text).where(Message.id.in_(message_ids)))
            .tuples()
            .all()
        )
        if message_ids
        else {}
    )
    session.info["origin"] = ORIGIN
    session.info[LABEL_CACHE] = {}
    session.info[HOURS_CACHE] = {}
    try:
        mark = pending_mark(session)
        claims: list[dict[str, Any]] = []
        try:
            with session.begin_nested():
                outcome = _evaluate(session, rules, occasions, conversations, texts, claims)
                if claims and not _claim_all(session, claims):
                    raise _ClaimTaken
            return outcome
        except _ClaimTaken:
            forget_since(session, mark)
            session.info[LABEL_CACHE] = {}
        return _evaluate(session, rules, occasions, conversations, texts, None)
    finally:
        session.info.pop("origin", None)
        session.info.pop(LABEL_CACHE, None)
        session.info.pop(HOURS_CACHE, None)


class _ClaimTaken(Exception):
    """A rule already fired for one of the batch's occasions."""


def _evaluate(
    session: Session,
    rules: list[AutomationRule],
    occasions: list[Occasion],
    conversations: dict[int, Conversation],
    texts: dict[int, str | None],
    claims: list[dict[str, Any]] | None,
) -> Outcome:
    """Fire the rules; `claims` collects the claims to make afterwards, None claims each first."""
    outcome = Outcome()
    for occasion in occasions:
        matching = [r for r in rules if r.trigger == occasion.trigger]
        conversation = conversations.get(occasion.conversation_id)
        if conversation is None:
            continue
        context = _Context(session, conversation, occasion)
        if occasion.message_id in texts:
            context._text = texts[occasion.message_id]
        for rule in matching:
            if not all(_holds(c, context) for c in rule.conditions or []):
                continue
            if claims is None:
                if not _claim(session, rule, occasion):
                    continue  # already fired for this occasion (replayed event, racing job)
            else:
                claims.append(_claim_row(rule, occasion))
            context.rule = rule
            _fire(session, rule, conversation, context, outcome)
            outcome.fired.append((rule.id, conversation.id))
            if rule.stop_processing:
                break
    return outcome


def _claim_row(rule: AutomationRule, occasion: Occasion) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "conversation_id": occasion.conversation_id,
        "occasion": occasion.key[:120],
        "at": utcnow(),
    }


def _claim_all(session: Session, claims: list[dict[str, Any]]) -> bool:
    """Claim every firing in one statement; False if any was claimed already."""
    dialect = session.get_bind().dialect.name
    insert_fn: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RuleFiring.__table__
    statement = (
        insert_fn(table)
        .on_conflict_do_nothing(index_elements=["rule_id", "occasion"])
        .returning(table.c.id)
    )
    return len(list(session.scalars(statement, claims))) == len(claims)


def silent_occasions(
    session: Session, rules: list[AutomationRule], now: datetime, *, limit: int = 500
) -> list[Occasion]:
    """customer_silent: open or pending conversations whose customer has said nothing for the
    rule's minutes; keyed by that last message's time, so a new message re-arms the rule."""
    found: list[Occasion] = []
    for rule in rules:
        if rule.trigger != "customer_silent" or not rule.enabled:
            continue
        minutes = next(
            int(c["value"])
            for c in rule.conditions
            if c["field"] == "minutes_since_customer_message"
        )
        rows = session.execute(
            select(Conversation.id, Conversation.last_customer_message_at)
            .where(
                Conversation.status.in_(("open", "pending")),
                Conversation.last_customer_message_at <= now - timedelta(minutes=minutes),
                ~select(RuleFiring.id)
                .where(
                    RuleFiring.rule_id == rule.id,
                    RuleFiring.conversation_id == Conversation.id,
                    RuleFiring.at >= Conversation.last_customer_message_at,
                )
                .exists(),
            )
            .limit(limit)
        ).all()
        for cid, last in rows:
            found.append(Occasion("customer_silent", f"silent:{cid}:{last.isoformat()}", cid))
    return found


class _Context:
    """What conditions look at, loaded lazily once per occasion."""

    def __init__(self, session: Session, conversation: Conversation, occasion: Occasion) -> None:
        self.session = session
        self.conversation = conversation
        self.occasion = occasion
        self.rule: AutomationRule | None = None  # the rule being fired, for its actions
        self._text: str | bool | None = False

    @property
    def text(self) -> str | None:
        """The triggering message, else the customer's latest message."""
        if self._text is False:
            if self.occasion.message_id:
                message = self.session.get(Message, self.occasion.message_id)
                self._text = message.text if message else None
            else:
                self._text = self.session.scalar(
                    select(Message.text)
                    .where(
                        Message.conversation_id == self.conversation.id,
                        Message.direction == "inbound",
                    )
                    .order_by(Message.id.desc())
                    .limit(1)
                )
        return self._text  # type: ignore[return-value]

    @property
    def language(self) -> str | None:
        return language_of(self.text)


def _holds(condition: dict[str, Any], ctx: _Context) -> bool:
    name, op, value = condition["field"], condition["op"], condition["value"]
    check = _CHECKS.get(name)
    return bool(check and check(ctx, op, value))


def _member(actual: Any, op: str, value: list[Any]) -> bool:
    inside = actual in value
    return inside if op == "in" else not inside


def _text_check(ctx: _Context, op: str, value: Any) -> bool:
    text = (ctx.text or "").casefold()
    if op == "regex":
        return re.search(str(value), ctx.text or "", re.IGNORECASE) is not None
    terms = [t.strip().casefold() for t in str(value).split("|") if t.strip()]
    found = any(t in text for t in terms)  # "환불|반품" means either word
    return found if op == "contains" else not found


def _contact_check(attribute: str) -> Callable[[_Context, str, Any], bool]:
    def check(ctx: _Context, op: str, value: Any) -> bool:
        actual = str(getattr(ctx.conversation.contact, attribute) or "").casefold()
        wanted = str(value).casefold()
        return actual == wanted if op == "is" else wanted in actual

    return check


def _label_check(ctx: _Context, op: str, value: Any) -> bool:
    has = str(value) in {label.name for label in ctx.conversation.labels}
    return has if op == "has" else not has


def _hours_check(ctx: _Context, op: str, value: Any) -> bool:
    account_id = ctx.conversation.channel_account_id
    known = ctx.session.info.get(HOURS_CACHE)
    if known is not None and account_id in known:
        schedule = known[account_id]
    else:
        schedule = Schedule.of(hours_for(ctx.session, account_id))
        if known is not None:
            known[account_id] = schedule
    is_open = schedule.is_open(utcnow())
    return is_open if value == "open" else not is_open


def _silent_check(ctx: _Context, op: str, value: Any) -> bool:
    last = ctx.conversation.last_customer_message_at
    return last is not None and utcnow() - last >= timedelta(minutes=int(value))


_CHECKS: dict[str, Callable[[_Context, str, Any], bool]] = {
    "inbox": lambda ctx, op, v: _member(ctx.conversation.channel_account_id, op, v),
    "channel": lambda ctx, op, v: _member(ctx.conversation.account.channel, op, v),
    "kind": lambda ctx, op, v: _member(ctx.conversation.kind, op, v),
    "language": lambda ctx, op, v: _member(ctx.language, op, v),
    "text": _text_check,
    "label": _label_check,
    "category": lambda ctx, op, v: (ctx.conversation.category == v) == (op == "is"),
    "priority": lambda ctx, op, v: _member(ctx.conversation.priority, op, v),
    "business_hours": _hours_check,
    "contact_name": _contact_check("name"),
    "contact_email": _contact_check("email"),
    "contact_phone": _contact_check("phone"),
    "minutes_since_customer_message": _silent_check,
}


def _claim(session: Session, rule: AutomationRule, occasion: Occasion) -> bool:
    # RETURNING id, not rowcount: with implicit RETURNING, PostgreSQL reports -1 rows.
    return None is not insert_returning_id(
        session, RuleFiring.__table__, _claim_row(rule, occasion), ("rule_id", "occasion")
    )


def _fire(
    session: Session,
    rule: AutomationRule,
    conversation: Conversation,
    ctx: _Context,
    outcome: Outcome,
) -> None:
    done: list[str] = []
    for action in rule.actions:
        try:
            text = _ACTIONS[action["type"]](session, conversation, action["value"], ctx, outcome)
        except (ValueError, LookupError) as exc:
            text = f"{action['type']} skipped ({exc})"
        if text:
            done.append(text)
    summary = "; ".join(done) or "nothing to change"
    system_event(session, conversation, f"Rule “{rule.name}” ran: {summary}")
    record(
        session,
        None,
        "rule.fire",
        "conversation",
        conversation.id,
        {"rule_id": rule.id, "occasion": ctx.occasion.key, "done": done},
    )
    emit(
        session,
        "rule.fired",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        rule_id=rule.id,
    )


Action = Callable[[Session, Conversation, Any, _Context, Outcome], str | None]


def _assign_agent(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    user = s.get(User, int(value))
    if user is None or not user.is_active:
        raise LookupError(f"agent {value} not found")
    member = s.scalar(
        select(inbox_member.c.user_id).where(
            inbox_member.c.user_id == user.id,
            inbox_member.c.channel_account_id == c.channel_account_id,
        )
    )
    if member is None:
        raise LookupError(f"{user.name} is not a member of this inbox")
    apply_change(s, c, Change(assignee_id=user.id), actor=None)
    return f"assigned {user.name}"


def _assign_team(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    team = s.get(Team, int(value))
    if team is None:
        raise LookupError(f"team {value} not found")
    apply_change(s, c, Change(team_id=team.id), actor=None)
    return f"team {team.name}"


def _labels(s: Session, c: Conversation, value: Any, add: bool) -> str:
    names = {label.name for label in c.labels}
    names = names | {str(value)} if add else names - {str(value)}
    apply_change(s, c, Change(labels=tuple(sorted(names))), actor=None)
    return f"{'label' if add else 'removed label'} {value}"


def _set_priority(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    apply_change(s, c, Change(priority=str(value)), actor=None)
    return f"priority {value}"


def _set_category(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    apply_change(s, c, Change(category=str(value or "")), actor=None)
    return f"category {value}"


def _reply_canned(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    """`value`: shortcuts separated by commas; the one in the customer's language is sent."""
    shortcuts = [v.strip().lstrip("/") for v in str(value).split(",") if v.strip()]
    rows = s.scalars(select(CannedResponse).where(CannedResponse.shortcut.in_(shortcuts))).all()
    if not rows:
        raise LookupError(f"no canned response /{', /'.join(shortcuts)}")
    language = ctx.language
    chosen = next((r for r in rows if r.locale == language), None) or min(
        rows, key=lambda r: shortcuts.index(r.shortcut)
    )
    text = render(chosen.body, variables_for(s, c))
    message, _created = create_reply(
        s, c, None, Draft(text=text, idempotency_key=f"rule:{ctx.occasion.key}:{chosen.id}"[:100])
    )
    o.replies.append(message.id)
    return f"replied /{chosen.shortcut} ({chosen.locale})"


def _note(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    create_reply(s, c, None, Draft(text=str(value), private=True))
    return "note"


def _snooze(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    until = utcnow() + timedelta(minutes=int(value))
    apply_change(s, c, Change(status="snoozed", snoozed_until=until), actor=None)
    return f"snoozed {int(value)} min"


def _resolve(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    apply_change(s, c, Change(status="resolved"), actor=None)
    return "resolved"


def _webhook(s: Session, c: Conversation, value: Any, ctx: _Context, o: Outcome) -> str:
    """Store a `rule.fired` delivery for the named subscription, whatever event types it
    chose (the rule names it): signed, retried, logged and redeliverable like every other
    delivery (inbox/outgoing_webhooks.py). One per rule, occasion and subscription, so a
    replayed occasion sends nothing twice."""
    subscription = webhook_target(s, value)
    rule = ctx.rule
    rule_id = rule.id if rule else None
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"switchboard:rule:{rule_id}:{ctx.occasion.key}"))
    dedupe_key = f"{subscription.id}:{event_id}"
    if s.scalar(select(WebhookDelivery.id).where(WebhookDelivery.dedupe_key == dedupe_key)):
        return f"webhook {subscription.name} (already sent)"
    data: dict[str, Any] = {
        "rule": {"id": rule_id, "name": rule.name if rule else None},
        "trigger": ctx.occasion.trigger,
        "conversation": conversation_json(c),
    }
    if ctx.occasion.message_id:
        message = s.get(Message, ctx.occasion.message_id)
        if message is not None:
            data["message"] = message_json(message)
    enqueue_delivery(s, subscription, "rule.fired", data, event_id=event_id)
    return f"webhook {subscription.name}"


def webhook_target(session: Session, value: Any) -> WebhookSubscription:
    """The subscription a webhook action names: by name, or by id when it is a number."""
    wanted = str(value).strip()
    found = session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.name == wanted)
        .order_by(WebhookSubscription.id)
    ).first()
    if found is None and wanted.isdigit():
        found = session.get(WebhookSubscription, int(wanted))
    if found is None:
        raise LookupError(f"no outgoing webhook named {wanted!r}")
    return found


_ACTIONS: dict[str, Action] = {
    "assign_agent": _assign_agent,
    "assign_team": _assign_team,
    "add_label": lambda s, c, v, ctx, o: _labels(s, c, v, True),
    "remove_label": lambda s, c, v, ctx, o: _labels(s, c, v, False),
    "set_priority": _set_priority,
    "set_category": _set_category,
    "reply_canned": _reply_canned,
    "note": _note,
    "snooze": _snooze,
    "resolve": _resolve,
    "webhook": _webhook,
}


def label_names(session: Session) -> list[str]:
    return list(session.scalars(select(Label.name).order_by(Label.name)))
