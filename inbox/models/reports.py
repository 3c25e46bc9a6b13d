"""Report roll-ups, CSAT surveys and per-category resolve rules (issue 20).

Reports read `report_bucket`, never the raw conversation and message tables: one row per UTC
hour × dimension × key, recomputed for the hours whose conversations changed (see
inbox/reports/rollup.py). Hourly UTC buckets let any whole-hour time zone be re-bucketed
exactly into local days, hours of day and weeks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow

DIMENSIONS = ("all", "account", "channel", "category", "agent", "team")
CSAT_STATUSES = ("scheduled", "sent", "answered", "skipped")


class ReportBucket(Base):
    """Counts and sums for conversations created in one UTC hour, sliced by one dimension.

    Histograms are sparse {bucket index: count} maps over log-spaced second ranges
    (inbox/reports/histogram.py), so medians and p90 survive summing across hours.
    """

    __tablename__ = "report_bucket"
    __table_args__ = (
        UniqueConstraint("dimension", "key", "hour"),
        Index("ix_report_bucket_dimension_hour", "dimension", "hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hour: Mapped[datetime]
    dimension: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    ever_resolved: Mapped[int] = mapped_column(default=0)  # resolved now or reopened since
    frt_n: Mapped[int] = mapped_column(default=0)
    frt_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    frt_hist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    nrt_n: Mapped[int] = mapped_column(default=0)
    nrt_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    nrt_hist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    res_n: Mapped[int] = mapped_column(default=0)
    res_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    res_hist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sla_n: Mapped[int] = mapped_column(default=0)
    sla_met: Mapped[int] = mapped_column(default=0)
    csat_n: Mapped[int] = mapped_column(default=0)
    csat_sum: Mapped[int] = mapped_column(default=0)
    csat_dist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    self_solved: Mapped[int] = mapped_column(default=0)
    self_handed: Mapped[int] = mapped_column(default=0)


class ReportState(Base):
    """One row: conversations updated after `watermark` still need their hours rolled up."""

    __tablename__ = "report_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    watermark: Mapped[datetime]
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A new random value whenever buckets change: built reports are cached under it.
    version: Mapped[str] = mapped_column(String(32), default="", server_default="")


class CsatSurvey(Base):
    """The one satisfaction survey of a conversation; the unique key forbids a second."""

    __tablename__ = "csat_survey"
    __table_args__ = (Index("ix_csat_survey_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None]
    rating: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(index=True)  # reports' refresh
    skip_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CategoryRule(Base):
    """Per-category resolve rules an admin sets (a FAQ slug or any other category)."""

    __tablename__ = "category_rule"

    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    summary_required: Mapped[bool] = mapped_column(default=False)
