"""Connecting and disconnecting channel accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation


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
    existing = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
        )
    ).first()
    if existing is not None and not existing.enabled:
        # Reconnecting a disconnected account keeps its history and cursors.
        existing.enabled = True
        existing.credentials = sealed_credentials
        existing.options = options or existing.options
        existing.name = name
        existing.health = "ok"
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
    account.health = "ok"
    account.health_detail = None
    record(session, actor_id, "channel.reconnect", "channel_account", account.id)
    emit(session, "channel.updated", channel_account_id=account.id, health="ok")


def remove_account(session: Session, account: ChannelAccount, actor_id: int | None) -> None:
    """Disconnect. With history it is disabled (conversations stay readable), else deleted."""
    has_history = session.scalar(
        select(func.count()).where(Conversation.channel_account_id == account.id)
    )
    if has_history:
        account.enabled = False
        account.credentials = None
    else:
        session.delete(account)
    record(session, actor_id, "channel.remove", "channel_account", account.id)
