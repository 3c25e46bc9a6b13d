"""The reports page (issue 20): figures, SVG charts and CSV downloads for admins.

Reports span every inbox, so only admins see them (per-inbox RBAC would need per-inbox
roll-ups of every slice; see docs/decisions.md). A view reads the roll-up only, which the
sweeper keeps at most one sweep behind, so the page stays fast at any data size and in a
busy inbox; it rolls up itself only when no sweeper has for REPORTS_STALE_SECONDS, and says
how fresh its figures are ("Figures as of").
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, render_template, request
from flask_babel import get_timezone, gettext

from inbox.models import utcnow
from inbox.reports.export import TABLES, table, to_csv
from inbox.reports.query import Period, build_cached, period_from
from web.reports_freshness import rolled_up
from web.runtime import current_runtime
from web.ui.charts import bar_chart, heat_level
from web.ui.common import roles
from web.ui.text import say

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


def _weekdays() -> tuple[str, ...]:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def _units() -> dict[str, str]:
    """The four duration formats, translated once per request: a page formats a few hundred
    durations, and each gettext call goes through Flask-Babel's context lookups."""
    units: dict[str, str] | None = g.get("report_units")
    if units is None:
        units = g.report_units = {
            "s": _("%(n)s s"),
            "min": _("%(n)s min"),
            "h": _("%(n)s h"),
            "days": _("%(n)s days"),
        }
    return units


def span(seconds: float | None) -> str:
    """A duration the way a supervisor reads it: 45 s, 12 min, 3.4 h, 2.1 days."""
    if seconds is None:
        return "—"
    units = _units()
    if seconds < 90:
        return units["s"] % {"n": round(seconds)}
    if seconds < 90 * 60:
        return units["min"] % {"n": round(seconds / 60)}
    if seconds < 36 * 3600:
        return units["h"] % {"n": f"{seconds / 3600:.1f}"}
    return units["days"] % {"n": f"{seconds / 86400:.1f}"}


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
        version, as_of = rolled_up(db)
        report = build_cached(db, period, version=version, detail=False)
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


@bp.get("/people")
@roles("admin")
def people() -> str:
    """Per agent and per team in full: medians and p90s of every duration, reopen rate, SLA,
    CSAT average and distribution (the overview page keeps to sums and means to stay fast)."""
    period = _period() or period_from(
        None, None, None, default_zone=str(get_timezone()), now=utcnow()
    )
    with current_runtime().db.session() as db:
        version, as_of = rolled_up(db)
        report = build_cached(db, period, version=version)
    return render_template(
        "ui/reports_people.html",
        report=report,
        as_of=as_of,
        span=span,
        percent=percent,
    )


@bp.get("/export.csv")
@roles("admin")
def export() -> Response:
    period = _period()
    name = request.args.get("table", "summary")
    if period is None or name not in TABLES:
        abort(400)
    with current_runtime().db.session() as db:
        version, _as_of = rolled_up(db)
        detail = name in ("agents", "teams")
        rows = table(build_cached(db, period, version=version, detail=detail), name)
    filename = f"switchboard-{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
