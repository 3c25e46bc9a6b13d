"""The sweeper's roll-up of the reports (issue 20): views read it instead of computing it.

Each sweep rolls up what changed since the last roll-up, so the reports are at most one
sweep (SWEEP_INTERVAL_SECONDS) behind; a view rolls up itself only when this has not run for
REPORTS_STALE_SECONDS (docs/decisions.md, "Reports roll up in the sweeper").
"""

from __future__ import annotations

from inbox.reports.rollup import refresh
from workers.context import runtime


def roll_up_reports() -> int:
    """Roll up the hours changed since the last roll-up; how many hours were recomputed.

    It does not wait when another roll-up holds the lock (a view's, another sweeper's, or
    `switchboard reports refresh`): that one covers the same changes, and whatever it missed
    stays past the watermark for the next sweep. Its own session and transaction, like the
    sweeper's other steps: on SQLite one writer per thread at a time.
    """
    with runtime().db.session() as session:
        return refresh(session, wait=False)
