"""outgoing webhook secrets sealed at rest (like channel tokens)

Existing plain secrets are sealed with SWITCHBOARD_ENCRYPTION_KEY (the key the application
uses, read from the environment or .env as at run time); the plain column is then dropped.
A database with subscriptions but no key set refuses to upgrade rather than lose them.

Revision ID: 0013_flow2
Revises: 0012_faq
Create Date: 2026-12-05 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_flow2"
down_revision = "0012_faq"
branch_labels = None
depends_on = None

TABLE = sa.table(
    "webhook_subscription",
    sa.column("id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("secret_sealed", sa.LargeBinary),
)


def _vault():  # type: ignore[no-untyped-def]
    from inbox.crypto import Vault
    from switchboard.settings import Settings

    key = Settings.load().get("SWITCHBOARD_ENCRYPTION_KEY")
    if not key:
        raise RuntimeError(
            "webhook secrets must be sealed with SWITCHBOARD_ENCRYPTION_KEY: set it (the same "
            "key the application uses) and run the upgrade again"
        )
    return Vault(key)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(TABLE.c.id, TABLE.c.secret)).all()
    vault = _vault() if rows else None  # before any change: SQLite DDL is not rolled back
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.add_column(sa.Column("secret_sealed", sa.LargeBinary(), nullable=True))
    if vault is not None:
        for row_id, secret in rows:
            bind.execute(
                TABLE.update()
                .where(TABLE.c.id == row_id)
                .values(secret_sealed=vault.seal({"secret": secret}))
            )
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.alter_column("secret_sealed", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("secret")


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(TABLE.c.id, TABLE.c.secret_sealed)).all()
    vault = _vault() if rows else None
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.add_column(sa.Column("secret", sa.String(length=100), nullable=True))
    if vault is not None:
        for row_id, sealed in rows:
            bind.execute(
                TABLE.update()
                .where(TABLE.c.id == row_id)
                .values(secret=vault.open(sealed)["secret"])
            )
    with op.batch_alter_table("webhook_subscription") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=100), nullable=False)
        batch.drop_column("secret_sealed")
