"""Agent accounts: creation, passwords, inbox membership."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from connectors.base import Words
from connectors.phone.numbers import BadNumber, to_e164
from inbox.audit import record
from inbox.events import emit
from inbox.models import ROLES, ChannelAccount, User, inbox_member

# What a user may see changed (inboxes, role, active): their open live streams read it again.
ACCESS_TOPIC = "user.access"


# werkzeug.security is imported when a password is hashed or checked: importing it loads the
# whole werkzeug package, which the worker and `switchboard poll` never need (issue 12, thru).
def generate_password_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash as hashed

    return hashed(password)


def check_password_hash(pwhash: str, password: str) -> bool:
    from werkzeug.security import check_password_hash as matches

    return matches(pwhash, password)


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
    locale: str = "ko",
) -> tuple[User, str]:
    """Create a user; return it with its password (generated when none is given)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError(
            Words(f"{email!r} is not an email address", f"{email!r}은(는) 이메일 주소가 아닙니다")
        )
    if session.scalar(select(func.count()).where(User.email == email)):
        raise ValueError(
            Words(
                f"a user with email {email} already exists",
                f"이메일이 {email}인 사용자가 이미 있습니다",
            )
        )
    password = password or secrets.token_urlsafe(12)
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        password_hash=generate_password_hash(password),
        locale=locale,
    )
    session.add(user)
    session.flush()
    record(session, None, "user.create", "user", user.id, {"role": role})
    return user, password


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)
    record(session, user.id, "user.password", "user", user.id)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def set_inboxes(session: Session, user: User, account_ids: set[int]) -> None:
    """Make `account_ids` exactly the inboxes `user` belongs to."""
    known = set(
        session.scalars(select(ChannelAccount.id).where(ChannelAccount.id.in_(account_ids)))
    )
    missing = account_ids - known
    if missing:
        raise LookupError(f"unknown channel accounts: {sorted(missing)}")
    session.execute(delete(inbox_member).where(inbox_member.c.user_id == user.id))
    if account_ids:
        session.execute(
            insert(inbox_member),
            [{"user_id": user.id, "channel_account_id": i} for i in sorted(account_ids)],
        )
    record(session, None, "user.inboxes", "user", user.id, {"inboxes": sorted(account_ids)})
    emit(session, ACCESS_TOPIC, user_id=user.id)


def update_user(
    session: Session,
    user: User,
    *,
    actor_id: int | None,
    name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    available: bool | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    phone: str | None = None,
) -> None:
    """Change a user's profile or access; None leaves a field alone (phone "" clears it)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if locale is not None and locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}")
    if timezone is not None:
        _check_timezone(timezone)
    if available is not None and available != user.available:
        # Going on or off shift moves the assignment queue (see switchboard/reactions.py).
        emit(session, "user.shift", user_id=user.id, available=available)
    if (role is not None and role != user.role) or (
        is_active is not None and is_active != user.is_active
    ):
        emit(session, ACCESS_TOPIC, user_id=user.id)
    for field, value in (
        ("name", name.strip() if name else None),
        ("role", role),
        ("is_active", is_active),
        ("available", available),
        ("locale", locale),
        ("timezone", timezone),
    ):
        if value is not None:
            setattr(user, field, value)
    if phone is not None:
        # Incoming calls ring it while on shift; click-to-call rings it first (issue 18).
        try:
            user.phone = to_e164(phone) if phone.strip() else None
        except BadNumber as exc:
            raise ValueError(
                Words(f"phone: {exc}", f"전화번호: {phone!r}은(는) 전화번호가 아닙니다")
            ) from exc
    record(session, actor_id, "user.update", "user", user.id)


LOCALES = ("ko", "en")


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            Words(f"unknown time zone {name!r}", f"알 수 없는 시간대 {name!r}")
        ) from exc
