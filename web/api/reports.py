"""Reports over the API: the same figures and tables as the reports page, as JSON.

Admin tokens only, like the page: the figures span every inbox. `as_of` says when the
figures were rolled up (the sweeper's last roll-up, at most REPORTS_STALE_SECONDS old).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.models import User, utcnow
from inbox.reports.export import TABLES, summary, table
from inbox.reports.query import build_cached, period_from
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _json, add_paths
from web.reports_freshness import rolled_up


@bp.get("/reports")
@require_roles("admin")
def reports(session: Session, user: User) -> Response:
    try:
        period = period_from(
            request.args.get("start"),
            request.args.get("end"),
            request.args.get("tz"),
            default_zone=user.timezone or "Asia/Seoul",
            now=utcnow(),
        )
    except ValueError as exc:
        raise Problem(400, "Bad Request", str(exc)) from exc
    version, as_of = rolled_up(session)
    report = build_cached(session, period, version=version)
    tables: dict[str, Any] = {}
    for name in TABLES:
        if name == "summary":
            continue
        header, *rows = table(report, name)
        tables[name] = [dict(zip(header, row, strict=True)) for row in rows]
    return jsonify(
        period={
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "tz": period.zone,
        },
        as_of=as_of.isoformat() if as_of is not None else None,
        summary=summary(report),
        tables=tables,
    )


_DATE = {"type": "string", "format": "date"}
_ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
add_paths(
    {
        "/reports": {
            "get": {
                "summary": "Report figures for a date range (admin)",
                "description": (
                    "Conversations created in whole local days [start, end] of time zone tz "
                    "(default: the token owner's zone; the last 28 days by default). Durations "
                    "are seconds; medians and p90 come from log-spaced histograms (±7.5 %). "
                    "as_of: when the figures were rolled up (UTC); the worker's sweeper rolls "
                    "up every SWEEP_INTERVAL_SECONDS, and a request rolls up itself when the "
                    "last roll-up is older than REPORTS_STALE_SECONDS."
                ),
                "parameters": [
                    {"name": "start", "in": "query", "schema": _DATE},
                    {"name": "end", "in": "query", "schema": _DATE},
                    {
                        "name": "tz",
                        "in": "query",
                        "schema": {"type": "string"},
                        "example": "Asia/Seoul",
                    },
                ],
                "responses": {"200": _json({"$ref": "#/components/schemas/Report"})},
            }
        }
    },
    {
        "Report": {
            "type": "object",
            "properties": {
                "period": {
                    "type": "object",
                    "properties": {"start": _DATE, "end": _DATE, "tz": {"type": "string"}},
                },
                "as_of": {"type": ["string", "null"], "format": "date-time"},
                "summary": {"type": "object", "additionalProperties": True},
                "tables": {
                    "type": "object",
                    "properties": {name: _ROWS for name in TABLES if name != "summary"},
                },
            },
        }
    },
)
