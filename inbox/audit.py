"""The audit log: who changed what, kept for admins and for disputes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from inbox.models import AuditLog


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_user_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            detail=detail or {},
        )
    )
