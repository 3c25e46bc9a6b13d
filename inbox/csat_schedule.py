"""CSAT settings and scheduling (issue 20): which inboxes ask, when, and the one survey row.

Split from inbox/csat.py so that resolving (inbox/conversations.py) can plan a survey without
importing the module that writes survey events into the thread (which imports conversations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from inbox.db import insert_ignore
from inbox.models import ChannelAccount, Conversation
from inbox.models.reports import CsatSurvey


@dataclass(frozen=True, slots=True)
class Config:
    enabled: bool = False
    delay_minutes: int = 60
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "Asia/Seoul"


def config_of(account: ChannelAccount) -> Config:
    raw = (account.options or {}).get("csat")
    if not isinstance(raw, dict):
        return Config()
    try:
        return Config(
            enabled=bool(raw.get("enabled")),
            delay_minutes=max(0, int(raw.get("delay_minutes", 60))),
            quiet_start=time.fromisoformat(raw["quiet_start"]) if raw.get("quiet_start") else None,
            quiet_end=time.fromisoformat(raw["quiet_end"]) if raw.get("quiet_end") else None,
            timezone=str(raw.get("timezone") or "Asia/Seoul"),
        )
    except (TypeError, ValueError):
        return Config()  # a malformed setting asks nobody rather than failing every resolve


def set_config(account: ChannelAccount, config: Config) -> None:
    if config.delay_minutes < 0 or config.delay_minutes > 7 * 24 * 60:
        raise ValueError("the CSAT delay is 0 minutes to 7 days")
    ZoneInfo(config.timezone)
    account.options = {
        **(account.options or {}),
        "csat": {
            "enabled": config.enabled,
            "delay_minutes": config.delay_minutes,
            "quiet_start": config.quiet_start.isoformat("minutes") if config.quiet_start else "",
            "quiet_end": config.quiet_end.isoformat("minutes") if config.quiet_end else "",
            "timezone": config.timezone,
        },
    }


def due_time(config: Config, resolved_at: datetime) -> datetime:
    """Resolve time plus the delay, moved to the end of quiet hours if it falls inside them."""
    due = resolved_at + timedelta(minutes=config.delay_minutes)
    if config.quiet_start is None or config.quiet_end is None:
        return due
    tz = ZoneInfo(config.timezone)
    local = due.astimezone(tz)
    start, end, now_t = config.quiet_start, config.quiet_end, local.time()
    inside = start <= now_t < end if start < end else (now_t >= start or now_t < end)
    if not inside:
        return due
    wake = datetime.combine(local.date(), end, tz)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(due.tzinfo)


def schedule(session: Session, conversation: Conversation, now: datetime) -> bool:
    """Plan the survey of a conversation just resolved; False when the inbox asks none or
    the conversation already had its one survey."""
    account = session.get(ChannelAccount, conversation.channel_account_id)
    if account is None:
        return False
    config = config_of(account)
    if not config.enabled:
        return False
    return insert_ignore(
        session,
        CsatSurvey.__table__,
        {
            "conversation_id": conversation.id,
            "status": "scheduled",
            "due_at": due_time(config, now),
            "created_at": now,
        },
        ["conversation_id"],
    )
