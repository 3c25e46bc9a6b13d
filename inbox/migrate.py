"""Bring a database to the newest schema (`switchboard db upgrade`, the demo, the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import migrations
from inbox.db import normalize_url

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str) -> Config:
    # alembic (with mako and the migration scripts) is imported when a schema is read or
    # changed, not by every process that imports this module: it is ~12 MiB a long-lived
    # worker would otherwise keep (docs/decisions.md, "Issue 12 (thru)").
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", normalize_url(url))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)
