"""Catch-up polling through Graph's cursor-paged reads (docs/platform-apis.md §1.12).

A stream's cursor is a small JSON document: `since` (the high-water mark of the last completed
sweep), `after` (Graph's paging cursor while a sweep is in progress) and `top` (the newest time
seen so far in this sweep). One poll() call reads one page; when a sweep ends, `since` moves to
`top` minus a five-minute overlap. The overlap re-reads a few items on purpose: ingest dedupes
by external id, and the overlap covers items created while a sweep was paging.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import InboundEvent, PollResult

OVERLAP = timedelta(minutes=5)
DEFAULT_BACKFILL = timedelta(days=7)
PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class PollCursor:
    since: datetime
    after: str | None = None
    top: datetime | None = None

    @classmethod
    def load(cls, raw: str | None, *, now: datetime, backfill: timedelta) -> PollCursor:
        """Read a stored cursor; None (first poll) starts `backfill` before now.

        An unreadable cursor (hand-edited, or from an older format) also restarts the backfill:
        re-reading is deduped by ingest, while refusing would stop the stream for good.
        """
        if not raw:
            return cls(since=now - backfill)
        try:
            doc = json.loads(raw)
            top = doc.get("top")
            return cls(
                since=datetime.fromisoformat(doc["since"]).astimezone(UTC),
                after=doc.get("after"),
                top=datetime.fromisoformat(top).astimezone(UTC) if top else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls(since=now - backfill)

    def dump(self) -> str:
        doc: dict[str, Any] = {"since": self.since.isoformat()}
        if self.after is not None:
            doc["after"] = self.after
        if self.top is not None:
            doc["top"] = self.top.isoformat()
        return json.dumps(doc, sort_keys=True)

    def seen(self, moment: datetime) -> PollCursor:
        top = moment if self.top is None or moment > self.top else self.top
        return PollCursor(since=self.since, after=self.after, top=top)

    def result(
        self, events: list[InboundEvent], next_after: str | None, *, slow_down: float = 0.0
    ) -> PollResult:
        """Finish one page: keep paging with `next_after`, or close the sweep.

        `slow_down` (seconds; usage is above the slow-down mark) stops immediate paging and
        asks the job to come back no sooner than that.
        """
        wait = slow_down if slow_down > 0 else None
        why = SLOW_DOWN_REASON if wait is not None else None
        if next_after is not None:
            cursor = PollCursor(since=self.since, after=next_after, top=self.top)
            return PollResult(
                events=tuple(events),
                cursor=cursor.dump(),
                more=wait is None,
                next_poll_in=wait,
                next_poll_reason=why,
            )
        since = self.since if self.top is None else max(self.since, self.top - OVERLAP)
        cursor = PollCursor(since=since)
        return PollResult(
            events=tuple(events), cursor=cursor.dump(), next_poll_in=wait, next_poll_reason=why
        )


SLOW_DOWN_REASON = "Graph API usage is above the slow-down mark"


def next_after(page: Mapping[str, Any]) -> str | None:
    """Graph's `after` cursor, only when a next page exists (no `next` on the last page)."""
    paging = page.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    after = (paging.get("cursors") or {}).get("after")
    return str(after) if after else None


def items(page: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in page.get("data") or ():
        if isinstance(item, Mapping):
            yield item
