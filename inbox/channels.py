"""Connecting and disconnecting channel accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, SyncCursor, utcnow
from inbox.models.announcements import AnnouncementTarget


def account_by_external_id(
    session: Session, channel: str, external_id: str
) -> ChannelAccount | None:
    """The account (enabled or not) a channel knows by this page / user / mailbox id."""
    return session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
        )
    ).first()


def add_account(
    session: Session,
    *,
    channel: str,
    connector: str,
    name: str,
    external_id: str,
    sealed_credentials: bytes | None,
    options: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> ChannelAccount:
    existing = account_by_external_id(session, channel, external_id)
    if existing is not None and not existing.enabled:
        # Reconnecting a disconnected account keeps its history and cursors.
        existing.enabled = True
        existing.credentials = sealed_credentials
        existing.options = options or existing.options
        existing.name = name
        if existing.health != "ok":
            existing.health_changed_at = utcnow()
        existing.health = "ok"
        existing.health_detail = None  # the old reason is stale once new credentials are in
        record(session, actor_id, "channel.reconnect", "channel_account", existing.id)
        return existing
    if existing is not None:
        raise ValueError(f"{channel} account {external_id} is already connected (id {existing.id})")
    account = ChannelAccount(
        channel=channel,
        connector=connector,
        name=name,
        external_id=external_id,
        credentials=sealed_credentials,
        options=options or {},
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor_id,
        "channel.add",
        "channel_account",
        account.id,
        {"channel": channel, "external_id": external_id},
    )
    emit(session, "channel.updated", channel_account_id=account.id, health=account.health)
    return account


def update_credentials(
    session: Session, account: ChannelAccount, sealed: bytes, actor_id: int | None
) -> None:
    """Reconnect: new token in, health back to ok; polls resume and backfill the gap."""
    account.credentials = sealed
    if account.health != "ok":
        account.health_changed_at = utcnow()
    account.health = "ok"
    account.health_detail = None
    record(session, actor_id, "channel.reconnect", "channel_account", account.id)
    emit(session, "channel.updated", channel_account_id=account.id, health="ok")


def update_options(
    session: Session,
    account: ChannelAccount,
    *,
    name: str,
    options: dict[str, Any],
    actor_id: int | None,
) -> None:
    """The admin edited the account's name or non-secret settings (the audit keeps the keys)."""
    changed = sorted(
        k
        for k in set(options) | set(account.options or {})
        if options.get(k) != (account.options or {}).get(k)
    )
    if name == account.name and not changed:
        return
    account.name = name
    account.options = dict(options)
    record(
        session,
        actor_id,
        "channel.update",
        "channel_account",
        account.id,
        {"options_changed": changed},
    )
    emit(session, "channel.updated", channel_account_id=account.id, health=account.health)


def remove_account(session: Session, account: ChannelAccount, actor_id: int | None) -> None:
    """Disconnect. With history it is disabled (conversations stay readable), else deleted."""
    has_history = session.scalar(
        select(func.count()).where(Conversation.channel_account_id == account.id)
    ) or session.scalar(
        select(func.count()).where(AnnouncementTarget.channel_account_id == account.id)
    )
    if has_history:
        account.enabled = False
        account.credentials = None
    else:
        # Cursors of an account that never brought a conversation are worth nothing.
        session.execute(delete(SyncCursor).where(SyncCursor.channel_account_id == account.id))
        session.delete(account)
    record(session, actor_id, "channel.remove", "channel_account", account.id)


EXPIRY_WARNING = timedelta(days=7)


def set_enabled(
    session: Session, account: ChannelAccount, enabled: bool, actor_id: int | None
) -> bool:
    """Pause or resume an account without dropping its credentials; False: nothing changed."""
    if account.enabled == enabled:
        return False
    account.enabled = enabled
    record(
        session,
        actor_id,
        "channel.enable" if enabled else "channel.disable",
        "channel_account",
        account.id,
    )
    emit(session, "channel.updated", channel_account_id=account.id, health=account.health)
    return True


def expiry_warning(
    account: ChannelAccount, *, renewable: bool, now: datetime | None = None
) -> str | None:
    """ "expires in N days" a week ahead (or "expired"); None for tokens that renew themselves
    (a refresh job keeps them fresh) while they still have time left."""
    expires = account.token_expires_at
    if expires is None:
        return None
    left = expires - (now or utcnow())
    if left <= timedelta(0):
        return "expired"
    if renewable or left > EXPIRY_WARNING:
        return None
    days = max(1, int(left.total_seconds() // 86400))
    return f"expires in {days} day{'s' if days > 1 else ''}"
