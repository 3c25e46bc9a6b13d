"""The erasure job: scrub the database, commit, then delete the files (inbox/privacy.py).

Two transactions on purpose: files go only after the scrub is committed, and a job that dies
between the two is queued again by the sweeper and picks up at the file step.
"""

from __future__ import annotations

import logging
from datetime import datetime

from inbox.privacy import delete_files, fail, scrub, unfinished_requests
from workers.context import runtime

log = logging.getLogger(__name__)


def erase(request_id: int) -> str:
    """Carry out privacy request `request_id`; return its status afterwards."""
    rt = runtime()
    try:
        with rt.db.session() as session:
            scrub(session, request_id)
    except Exception as exc:
        log.exception("privacy request %s: scrub failed", request_id)
        with rt.db.session() as session:
            fail(session, request_id, f"{type(exc).__name__}: {exc}")
        raise
    with rt.db.session() as session:
        return delete_files(session, request_id, rt.store).status


def sweep_erasures(stale: datetime) -> int:
    """Queue the requests a lost job left behind (asked for before `stale`); the count."""
    rt = runtime()
    with rt.db.session() as session:
        ids = unfinished_requests(session, stale)
    for request_id in ids:
        rt.jobs.enqueue(
            "workers.privacy.erase",
            request_id,
            queue="maintenance",
            job_id=f"privacy-erase-{request_id}",
        )
    return len(ids)
