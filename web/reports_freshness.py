"""How fresh the reports a view reads must be: the page, its CSVs and the API share it.

The sweeper keeps the roll-up at most one sweep behind (workers/reports.py); a view rolls
up itself only past REPORTS_STALE_SECONDS, for a deployment where no sweeper runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from inbox.reports.rollup import refresh_if_stale
from web.runtime import current_runtime


def rolled_up(session: Session) -> tuple[str, datetime | None]:
    """The roll-up's version (the cache key of built reports) and when it last ran."""
    stale_after = timedelta(seconds=current_runtime().settings.int("REPORTS_STALE_SECONDS"))
    return refresh_if_stale(session, stale_after)
