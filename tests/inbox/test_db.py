"""The two conflict-tolerant inserts every idempotent job relies on, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inbox.db import insert_ignore
from inbox.models import SyncCursor
from switchboard.runtime import Runtime

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_insert_ignore_says_whether_the_row_went_in(rt: Runtime, factory) -> None:
    account = factory.account(external_id="page-1")
    key = {"channel_account_id": account.id, "stream": "mentions"}
    columns = ["channel_account_id", "stream"]
    with rt.db.session() as session:
        first = insert_ignore(session, SyncCursor.__table__, key, columns)
        again = insert_ignore(session, SyncCursor.__table__, key, columns)
        other = insert_ignore(session, SyncCursor.__table__, {**key, "stream": "dms"}, columns)
        session.commit()
        rows = session.scalar(select(func.count()).select_from(SyncCursor))
    # Callers branch on this answer (one CSAT survey, one outgoing hook delivery per event).
    assert (first, again, other) == (True, False, True)
    assert rows == 2
