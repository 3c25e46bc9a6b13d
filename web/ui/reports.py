"""The reports page (issue 20): figures, SVG charts and CSV downloads for admins.

Reports span every inbox, so only admins see them (per-inbox RBAC would need per-inbox
roll-ups of every slice; see docs/decisions.md). A view first rolls up what changed since
the last view (usually nothing or a few hours) without waiting for a roll-up already running,
then reads the roll-up only, which keeps the page fast at any data size.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import get_timezone, gettext

from inbox.models import utcnow
from inbox.reports.export import TABLES, table, to_csv
from inbox.reports.query import Period, build, period_from
from inbox.reports.rollup import last_refreshed, refresh
from web.runtime import current_runtime
from web.ui.charts import bar_chart, heat_level
from web.ui.common import roles
from web.ui.text import say

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


def _weekdays() -> tuple[str, ...]:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def span(seconds: float | None) -> str:
    """A duration the way a supervisor reads it: 45 s, 12 min, 3.4 h, 2.1 days."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return _("%(n)s s", n=round(seconds))
    if seconds < 90 * 60:
        return _("%(n)s min", n=round(seconds / 60))
    if seconds < 36 * 3600:
        return _("%(n)s h", n=f"{seconds / 3600:.1f}")
    return _("%(n)s days", n=f"{seconds / 86400:.1f}")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _period() -> Period | None:
    try:
        return period_from(
            request.args.get("start"),
            request.args.get("end"),
            request.args.get("tz"),
            default_zone=str(get_timezone()),
            now=utcnow(),
        )
    except ValueError as exc:
        flash(say(exc), "error")
        return None


@bp.get("/")
@roles("admin")
def index() -> str:
    period = _period() or period_from(
        None, None, None, default_zone=str(get_timezone()), now=utcnow()
    )
    with current_runtime().db.session() as db:
        refresh(db, wait=False)
        report = build(db, period)
        as_of = last_refreshed(db)
    peak_reason = max((n for _, counts in report.reasons for n in counts), default=0)
    return render_template(
        "ui/reports.html",
        report=report,
        as_of=as_of,
        span=span,
        percent=percent,
        tables=TABLES,
        heat=lambda n: heat_level(n, peak_reason),
        days_chart=bar_chart(
            [(d.strftime("%m-%d"), n) for d, n in report.by_day],
            label_every=max(1, len(report.by_day) // 10),
        ),
        hours_chart=bar_chart(
            [(f"{h:02d}", n) for h, n in enumerate(report.by_hour)], label_every=3
        ),
        weekday_chart=bar_chart(
            [(d, n) for d, n in zip(_weekdays(), report.by_weekday, strict=True)]
        ),
        csat_chart=bar_chart([(str(k), report.csat_dist.get(k, 0)) for k in range(1, 6)]),
    )


@bp.get("/export.csv")
@roles("admin")
def export() -> Response:
    period = _period()
    name = request.args.get("table", "summary")
    if period is None or name not in TABLES:
        abort(400)
    with current_runtime().db.session() as db:
        refresh(db, wait=False)
        rows = table(build(db, period), name)
    filename = f"switchboard-{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
