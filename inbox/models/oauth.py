"""One row per OAuth attempt in flight: the `state` the platform echoes back, hashed.

The browser only ever holds the random state; what must stay secret between the two legs (PKCE
verifier, OAuth 1.0a request-token secret, the Meta user token and page tokens while the admin
picks pages) is sealed here. `used_at` makes each state single use (replay) and `user_id` binds
it to the admin who started it (CSRF: a state started by someone else is refused).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow


class OAuthState(Base):
    __tablename__ = "oauth_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the state
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))  # facebook | facebook_pages | x | x_oauth1
    channel_account_id: Mapped[int | None]  # set when reconnecting this account
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
